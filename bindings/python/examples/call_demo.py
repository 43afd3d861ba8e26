#!/usr/bin/env python3
"""A scripted live call with tenios.AsyncClient, as an asyncio bot (ARI, ESL) would run it:

  1. interrupt the announcement loop a caller is waiting in, so that TENIOS asks the Call
     Control webhook for the next blocks (which would put the caller through to an agent);
  2. start recording the call with the agent;
  3. transfer that call to another agent (a SIP user);
  4. stop the recording (also when the transfer failed).

Usage (from the checkout):
    TENIOS_ACCESS_KEY=... PYTHONPATH=bindings/python \\
        python3 bindings/python/examples/call_demo.py WAITING_CALL CONNECTED_CALL AGENT

Why two calls: on the real API, step 1's call becomes the connected call once the webhook
answers with a BRIDGE block. A simulator has no webhook to ask, so `make demo` gives it one call
waiting in a block and one already put through to an agent. Against the real API, pass the same
UUID twice (after the webhook has bridged it).

The base URL is TENIOS_API_URL when set (a tenios.Client never reads it by itself).
Output: one line per step on stdout, the same as bindings/c/tenios-call-demo.c; on failure
"call_demo.py: step N: <STATUS_NAME>: <message>" on stderr. Exit status: 0 when every step
succeeded, 1 if one failed, 2 for usage errors.
"""

from __future__ import annotations

import asyncio
import os
import sys

import tenios

PROGRAM = "call_demo.py"


def failed(step: int, err: tenios.TeniosError) -> None:
    print(f"{PROGRAM}: step {step}: {tenios.status_name(err.status)}: {err.message}", file=sys.stderr)


async def scripted_call(client: tenios.AsyncClient, waiting_call: str, connected_call: str,
                        agent: str) -> int:
    step = 1
    try:
        # 1. End the announcement loop: TENIOS asks the webhook what comes next.
        await client.interrupt_block(waiting_call)
        print(f"1. interrupted the waiting loop of call {waiting_call}")
        # 2. Record both channels (the API's default).
        step = 2
        recording = await client.record_start(connected_call)
        print(f"2. started recording call {connected_call}: recording {recording}")
    except tenios.TeniosError as err:
        failed(step, err)
        return 1

    exit_status = 0
    try:
        # 3. Hand the caller to another agent.
        await client.transfer_call(connected_call, destination_type=tenios.DestinationType.SIP_USER,
                                   destination=agent)
        print(f"3. transferred call {connected_call} to SIP user {agent}")
    except tenios.TeniosError as err:
        failed(3, err)
        exit_status = 1
    try:
        # 4. Stop the recording, whatever happened to the transfer.
        await client.record_stop(connected_call, recording_uuid=recording)
        print(f"4. stopped recording {recording}")
    except tenios.TeniosError as err:
        failed(4, err)
        exit_status = 1
    return exit_status


async def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] in ("-h", "--help"):
        print(f"usage: {PROGRAM} WAITING_CALL CONNECTED_CALL AGENT  (access key in TENIOS_ACCESS_KEY)",
              file=sys.stderr)
        return 2
    try:
        client = tenios.AsyncClient(base_url=os.environ.get("TENIOS_API_URL"), timeout=3.0)
    except (tenios.TeniosError, tenios.LibraryNotFoundError) as err:
        print(f"{PROGRAM}: {err}", file=sys.stderr)
        return 1
    async with client:
        return await scripted_call(client, argv[1], argv[2], argv[3])


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
