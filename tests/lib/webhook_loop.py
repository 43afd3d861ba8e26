#!/usr/bin/env python3
"""Reads a call's Call Control timeline from tenios-sim (/_sim/calls/UUID, with --webhook).

Used by tests/webhook/e2e.sh and bindings/c/demo.sh (standard library only):

    webhook_loop.py wait SIM_URL CALL running=ANNOUNCEMENT   # waits (10 s) for the block
    webhook_loop.py wait SIM_URL CALL state=connected
    webhook_loop.py show SIM_URL CALL                        # prints the timeline
    webhook_loop.py check SIM_URL CALL WEBHOOK_KEY AGENT     # asserts the example loop

`check` asserts the loop the example webhooks serve: request 0 (REQUESTING_BLOCKS, the
webhook key) answered 200 with one ANNOUNCEMENT, which was interrupted; one accepted
interrupt; request 1 (loopCount 1) answered with a SEQUENTIAL BRIDGE to SIP_USER AGENT,
which connected the call to AGENT and is still running. Exit status 1 and a message on
failure.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from typing import Any


def call(sim_url: str, call_uuid: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{sim_url}/_sim/calls/{call_uuid}", timeout=10) as response:
        return json.loads(response.read())


def wait(sim_url: str, call_uuid: str, condition: str) -> dict[str, Any]:
    key, _, value = condition.partition("=")
    deadline = time.monotonic() + 10
    while True:
        current = call(sim_url, call_uuid)
        if key == "running":
            seen = (current.get("call_control") or {}).get("running_block")
        else:
            seen = current.get(key)
        if seen == value:
            return current
        if time.monotonic() > deadline:
            raise SystemExit(f"webhook_loop: waited 10 s for {condition}; the call: "
                             f"{json.dumps(current, indent=2)}")
        time.sleep(0.02)


def show(current: dict[str, Any]) -> None:
    print(f"call {current['call_uuid']}: state {current['state']}, "
          f"destination {current['destination'] or '-'}")
    for event in current["timeline"]:
        kind = event["event"]
        if kind == "request":
            print(f"  {event['at_ms']:>6} ms  -> request loopCount {event['loop_count']} "
                  f"{event['request_status']}: {event['body']}")
        elif kind == "answer":
            what = (f"{event['status']} {event['body']}" if event["status"] is not None
                    else f"no answer: {event['error']}")
            print(f"  {event['at_ms']:>6} ms  <- answer {what}")
            for warning in event["warnings"]:
                print(f"             warning: {warning}")
        elif kind == "block":
            ended = (f"ended {event['ended_ms']} ms, {event['how']}" if event["how"]
                     else "still running")
            extra = f" -> {event['destination']}" if "destination" in event else ""
            if "input" in event:
                extra = f" input {event['input']!r}"
            print(f"  {event['started_ms']:>6} ms     block {event['block_type']}{extra} "
                  f"(loop {event['loop_count']}, #{event['index']}): {ended}")
        elif kind == "validation_errors":
            print(f"  {event['at_ms']:>6} ms     validation errors: {event['messages']}")
        elif kind == "interrupt":
            print(f"  {event['at_ms']:>6} ms     /interrupt-ecc-block accepted")
        elif kind == "entered":
            print(f"  {event['at_ms']:>6} ms     entered Call Control "
                  f"(callControlUuid {event['call_control_uuid']})")
        elif kind == "left":
            print(f"  {event['at_ms']:>6} ms     left Call Control: {event['reason']} "
                  f"-> {event['state']}")
        else:
            print(f"  {json.dumps(event)}")


def check(current: dict[str, Any], call_uuid: str, webhook_key: str, agent: str) -> None:
    timeline = current["timeline"]
    kinds = [event["event"] for event in timeline]
    expected = ["entered", "request", "answer", "block", "interrupt", "request", "answer", "block"]
    if kinds != expected:
        raise AssertionError(f"events {kinds}, expected {expected}")
    entered, request_0, answer_0, announcement, _, request_1, answer_1, bridge = timeline
    for request, loop_count in ((request_0, 0), (request_1, 1)):
        body = json.loads(request["body"])
        want = {
            "requestType": "EXTERNAL_CALL_CONTROL",
            "accessKey": webhook_key,
            "callControlUuid": entered["call_control_uuid"],
            "loopCount": loop_count,
            "requestStatus": "REQUESTING_BLOCKS",
            "blocksProcessingResult": None if loop_count == 0 else {"validationErrors": []},
        }
        got = {key: body.get(key) for key in want}
        if got != want or body["variables"]["call_uuid"] != call_uuid:
            raise AssertionError(f"request {loop_count}: {request['body']}")
    for answer in (answer_0, answer_1):
        if answer["status"] != 200 or answer["warnings"]:
            raise AssertionError(f"answer: {answer}")
    blocks_0 = json.loads(answer_0["body"])["blocks"]
    if [block["blockType"] for block in blocks_0] != ["ANNOUNCEMENT"]:
        raise AssertionError(f"answer 0: {answer_0['body']}")
    if (announcement["block_type"], announcement["how"]) != ("ANNOUNCEMENT", "interrupted"):
        raise AssertionError(f"announcement: {announcement}")
    blocks_1 = json.loads(answer_1["body"])["blocks"]
    if blocks_1 != [{"blockType": "BRIDGE", "bridgeMode": "SEQUENTIAL", "destinations": [
            {"destinationType": "SIP_USER", "destination": agent, "timeout": 30}]}]:
        raise AssertionError(f"answer 1: {answer_1['body']}")
    if (bridge["block_type"], bridge["how"], bridge.get("destination")) != ("BRIDGE", None, agent):
        raise AssertionError(f"bridge: {bridge}")
    if (current["state"], current["destination"], current["interrupts"]) != ("connected", agent, 1):
        raise AssertionError(f"call: {current['state']} {current['destination']}")


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("wait", "show", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    command, sim_url, call_uuid = argv[0], argv[1].rstrip("/"), argv[2]
    if command == "wait":
        wait(sim_url, call_uuid, argv[3])
    elif command == "show":
        show(call(sim_url, call_uuid))
    else:
        try:
            check(call(sim_url, call_uuid), call_uuid, argv[3], argv[4])
        except AssertionError as error:
            print(f"webhook_loop: {error}", file=sys.stderr)
            return 1
        print("webhook loop: request 0 -> ANNOUNCEMENT, interrupted -> request 1 -> BRIDGE to "
              f"{argv[4]}: as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
