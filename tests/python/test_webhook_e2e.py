"""End to end: tenios-sim drives the Python example webhook (bindings/python/examples/
webhook_server.py) through request 0, an interrupt sent with tenios.Client, and the next request;
the call's timeline in the simulator is asserted whole.

The simulator here is one of its own (started with --webhook), not the session's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import BINDINGS, REPO, SIM_BINARY, _read_listening_line, child_env

EXAMPLE = BINDINGS / "examples" / "webhook_server.py"
WEBHOOK_KEY = "py-e2e-webhook-key-4b1d"
ACCESS_KEY = "py-e2e-access-key"
AGENT = "agent-7"
CALL = "7b2e1d3c-4a5f-4b6e-9c7d-8e9f0a1b2c3d"


def _start(argv: list[str], env: dict[str, str], what: str) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    line = _read_listening_line(process, timeout=20)
    if not line.startswith("listening on http://127.0.0.1:"):
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"{what} did not start (got {line!r}); stderr: {stderr.decode(errors='replace')}")
    return process, line[len("listening on "):]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


@pytest.fixture
def loop() -> Iterator[str]:
    """The Python example webhook and a simulator calling it with CALL in Call Control at
    launch: yields the simulator's URL."""
    # The example is part of the repository: its absence is a failure, not a skip.
    assert EXAMPLE.exists(), f"{EXAMPLE} is missing"
    assert SIM_BINARY and Path(SIM_BINARY).exists()
    hook, hook_url = _start(
        [sys.executable, str(EXAMPLE), "--port", "0"],
        child_env(TENIOS_WEBHOOK_KEY=WEBHOOK_KEY, TENIOS_WEBHOOK_AGENT=AGENT), "webhook_server.py")
    try:
        sim, sim_url = _start(
            [SIM_BINARY, "--follow-parent", "--access-key", ACCESS_KEY, "--webhook", hook_url, "--webhook-key",
             WEBHOOK_KEY, "--call-control-call", CALL], dict(os.environ), "tenios-sim")
        try:
            yield sim_url
        finally:
            _stop(sim)
    finally:
        _stop(hook)


def _call(sim_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{sim_url}/_sim/calls/{CALL}", timeout=10) as response:
        return json.loads(response.read())


def _wait(sim_url: str, done: Any, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        call = _call(sim_url)
        if done(call):
            return call
        assert time.monotonic() < deadline, f"waited 10 s for {what}: {call}"
        time.sleep(0.02)


def _without_times(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: ("ms" if key.endswith("_ms") and value is not None else value)
             for key, value in event.items()} for event in timeline]


def test_the_example_webhook_loop(loop: str) -> None:
    import tenios

    _wait(loop, lambda c: (c["call_control"] or {}).get("running_block") == "ANNOUNCEMENT",
          "the announcement")
    with tenios.Client(ACCESS_KEY, base_url=loop) as client:
        client.interrupt_block(CALL)
        call = _wait(loop, lambda c: c["state"] == "connected", "the bridge")
        # The bridged call is connected: a transfer now works on it, an interrupt does not.
        client.transfer_call(CALL, destination_type="EXTERNALNUMBER", destination="+4922155400999")
        with pytest.raises(tenios.TeniosError):
            client.interrupt_block(CALL)

    timeline = call["timeline"]
    assert [event["event"] for event in timeline] == [
        "entered", "request", "answer", "block", "interrupt", "request", "answer", "block"]
    call_control_uuid = timeline[0]["call_control_uuid"]
    requests = [json.loads(event["body"]) for event in timeline if event["event"] == "request"]
    for loop_count, request in enumerate(requests):
        assert request == {
            "requestType": "EXTERNAL_CALL_CONTROL", "customerNumber": 200002,
            "accessKey": WEBHOOK_KEY,
            "variables": {"call_uuid": CALL, "destination_number": "+4922112345678",
                          "caller_id_number": "+4917098765432",
                          "correlation_id": requests[0]["variables"]["correlation_id"]},
            "callControlUuid": call_control_uuid, "loopCount": loop_count,
            "requestStatus": "REQUESTING_BLOCKS",
            "blocksProcessingResult": None if loop_count == 0 else {"validationErrors": []},
        }
    answers = [event for event in timeline if event["event"] == "answer"]
    announcement = {"blockType": "ANNOUNCEMENT", "standardAnnouncement": False,
                    "announcementName": "WaitingMusic"}
    bridge = {"blockType": "BRIDGE", "bridgeMode": "SEQUENTIAL", "destinations": [
        {"destinationType": "SIP_USER", "destination": AGENT, "timeout": 30}]}
    assert [json.loads(answer["body"]) for answer in answers] == [
        {"blocks": [announcement]}, {"blocks": [bridge]}]
    assert _without_times(timeline) == [
        {"event": "entered", "at_ms": "ms", "call_control_uuid": call_control_uuid},
        {"event": "request", "at_ms": "ms", "loop_count": 0,
         "request_status": "REQUESTING_BLOCKS", "body": timeline[1]["body"]},
        {"event": "answer", "at_ms": "ms", "status": 200, "body": answers[0]["body"],
         "error": None, "warnings": []},
        {"event": "block", "loop_count": 0, "index": 0, "block_type": "ANNOUNCEMENT",
         "block": announcement, "started_ms": "ms", "ended_ms": "ms", "how": "interrupted"},
        {"event": "interrupt", "at_ms": "ms"},
        {"event": "request", "at_ms": "ms", "loop_count": 1,
         "request_status": "REQUESTING_BLOCKS", "body": timeline[5]["body"]},
        {"event": "answer", "at_ms": "ms", "status": 200, "body": answers[1]["body"],
         "error": None, "warnings": []},
        {"event": "block", "loop_count": 1, "index": 0, "block_type": "BRIDGE", "block": bridge,
         "started_ms": "ms", "ended_ms": None, "how": None, "destination": AGENT},
    ]
    assert (call["destination"], call["interrupts"]) == (AGENT, 1)
    assert _call(loop)["destination"] == "+4922155400999"
