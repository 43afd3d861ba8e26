"""tenios.webhook: the documented request and answers, hostile bodies, every block's valid and
invalid forms, handle(), and the example server (bindings/python/examples/webhook_server.py)
answering documented requests byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, Optional, Tuple

import pytest

import tenios
from tenios.webhook import EMPTY_ANSWER, Blocks, Destination, WebhookRequest, handle

REPO = Path(__file__).resolve().parents[2]

REQUEST_0 = json.dumps({
    "requestType": "EXTERNAL_CALL_CONTROL", "customerNumber": 200002, "accessKey": "my-key",
    "variables": {"call_uuid": "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4",
                  "correlation_id": "0b8b1f1e-5c1a-4d7a-9f0e-1a2b3c4d5e6f",
                  "destination_number": "+4922155400", "caller_id_number": "+491701234567"},
    "callControlUuid": "5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718", "loopCount": 0,
    "requestStatus": "REQUESTING_BLOCKS", "blocksProcessingResult": None}).encode()
REQUEST_1 = REQUEST_0.replace(b'"loopCount": 0', b'"loopCount": 1')
VALIDATION_ERRORS = json.dumps({
    "requestType": "EXTERNAL_CALL_CONTROL", "customerNumber": 200002, "accessKey": "my-key",
    "variables": {}, "loopCount": 2, "requestStatus": "VALIDATION_ERRORS",
    "blocksProcessingResult": {"validationErrors": [
        "Low level (JSON) error on line 1, column 25"]}}).encode()

SEQUENTIAL_EXAMPLE = (
    '{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":['
    '{"destinationType":"SIP_USER","destination":"1001","timeout":25},'
    '{"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]}')
PARALLEL_EXAMPLE = (
    '{"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,"destinations":['
    '{"destinationType":"SIP_USER","destination":"1001"},'
    '{"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]}')
ANNOUNCEMENT_EXAMPLE = (
    '{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,'
    '"announcementName":"MySpecialAnnouncement"}]}')


def invalid(message: str) -> "pytest.RaisesContext[tenios.InvalidArgumentError]":
    import re
    return pytest.raises(tenios.InvalidArgumentError, match="^" + re.escape(message) + "$")


def test_documented_request_0() -> None:
    with WebhookRequest.parse(REQUEST_0) as r:
        assert r.request_type == "EXTERNAL_CALL_CONTROL"
        assert r.customer_number == 200002
        assert r.call_control_uuid == "5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718"
        assert r.loop_count == 0
        assert r.request_status == "REQUESTING_BLOCKS"
        assert not r.is_validation_errors
        assert list(r.variables) == ["call_uuid", "correlation_id", "destination_number",
                                     "caller_id_number"]
        assert r.variable("caller_id_number") == "+491701234567"
        assert r.variable("collected_pin") is None
        assert r.validation_errors == ()
        assert r.access_key_matches("my-key")
        assert r.access_key_matches(b"my-key")
        for wrong in ("my-kez", "my-ke", "my-key2", "", None):
            assert not r.access_key_matches(wrong)
        assert "my-key" not in repr(r) and not hasattr(r, "access_key")
    assert not r.access_key_matches("my-key")  # closed


def test_numeric_fields_may_be_numeric_strings() -> None:
    """TENIOS's own PHP test script sends loopCount as a string: read like the number."""
    body = REQUEST_1.replace(b'"loopCount": 1', b'"loopCount": "1"').replace(
        b'"customerNumber": 200002', b'"customerNumber": "200002"')
    assert b'"loopCount": "1"' in body and b'"customerNumber": "200002"' in body
    with WebhookRequest.parse(body) as r:
        assert r.loop_count == 1
        assert r.customer_number == 200002


def test_documented_validation_errors() -> None:
    r = WebhookRequest.parse(VALIDATION_ERRORS)
    assert r.is_validation_errors
    assert r.validation_errors == ("Low level (JSON) error on line 1, column 25",)
    assert r.call_control_uuid is None
    assert r.variables == {}


@pytest.mark.parametrize("body, message", [
    (b"", "webhook request body is empty"),
    (b"not json", "webhook request body is not JSON: expected ident at line 1 column 2"),
    (b"{" * (10 << 20),
     "webhook request body is 10485760 bytes, more than the limit of 1048576 bytes (1 MiB)"),
    (b"[" * 100000, "webhook request body nests arrays and objects more than 32 levels deep"),
    (b'{"requestType":"a\0b"}', "webhook request body is not JSON: control character "
     "(\\u0000-\\u001F) found while parsing a string at line 1 column 18"),
    (b'{"x":"\xc3\x28"}', "webhook request body is not valid UTF-8 (at byte 6)"),
    (b'[]', "webhook request body is not a JSON object but an array"),
    (b'{"requestType":"X","customerNumber":"one","accessKey":"SECRET-KEY"}',
     "webhook request's customerNumber is the string \"one\", not a whole number >= 0"),
])
def test_hostile_bodies(body: bytes, message: str) -> None:
    with invalid(message) as info:
        WebhookRequest.parse(body)
    assert info.value.status == tenios.Status.ERR_INVALID_ARGUMENT
    assert "SECRET" not in info.value.message
    with pytest.raises(TypeError):
        WebhookRequest.parse("a str")  # type: ignore[arg-type]


def test_documented_answers() -> None:
    b = Blocks()
    b.add_bridge("SEQUENTIAL", [("SIP_USER", "1001", 25),
                                Destination("EXTERNALNUMBER", "+4978787878", 30)])
    assert b.to_json() == SEQUENTIAL_EXAMPLE
    assert b.warnings == () and len(b) == 1
    b = Blocks()
    b.add_bridge("PARALLEL", [("SIP_USER", "1001"), ("EXTERNALNUMBER", "+4978787878")],
                 block_timeout=50)
    assert b.to_json() == PARALLEL_EXAMPLE
    with Blocks() as b:
        b.add_announcement("MySpecialAnnouncement")
        assert b.to_json() == ANNOUNCEMENT_EXAMPLE
    assert Blocks().to_json() == EMPTY_ANSWER == '{"blocks":[]}'


def test_every_other_block() -> None:
    b = Blocks()
    b.add_say('Hallo "Welt"\nä', "de.female.2", use_ssml=True)
    b.add_routing_plan("Support")
    b.add_collect_digits(announcement_name="EnterPin", error_announcement_name="WrongPin",
                         variable_name="pin", min_digits=4, max_digits=6, max_tries=3,
                         timeout=10, standard_error_announcement=True)
    b.add_collect_speech(announcement_name="SayIt", missing_input_announcement_name="Silence",
                         language="de-DE", variable_name="wish", max_tries=2)
    b.add_hangup("CALL_REJECTED")
    b.add_call_settings("+4922155400")
    assert b.warnings == ()
    b.add_refer()
    assert b.to_json() == (
        '{"blocks":[{"blockType":"SAY","text":"Hallo \\"Welt\\"\\nä","voiceName":"de.female.2",'
        '"useSsml":true},{"blockType":"ROUTINGPLAN","routingplanName":"Support"},'
        '{"blockType":"COLLECT_DIGITS","announcementName":"EnterPin","standardAnnouncement":false,'
        '"errorAnnouncementName":"WrongPin","standardErrorAnnouncement":true,'
        '"variableName":"pin","minDigits":4,"maxDigits":6,"terminator":"#","maxTries":3,'
        '"timeout":10},{"blockType":"COLLECT_SPEECH","announcementName":"SayIt",'
        '"standardAnnouncement":false,"missingInputAnnouncementName":"Silence",'
        '"standardMissingInputAnnouncement":false,"language":"de-DE","variableName":"wish",'
        '"maxTries":2},{"blockType":"HANGUP","hangupCause":"CALL_REJECTED"},'
        '{"blockType":"CALL_SETTINGS","forwardAni":"+4922155400"},{"blockType":"REFER"}]}')
    assert len(b) == 7
    assert b.warnings[0].startswith("block 7 (REFER): TENIOS documents no JSON for REFER")


def test_invalid_blocks_add_nothing() -> None:
    b = Blocks()
    b.add_announcement("First", standard=True)
    before = b.to_json()
    with invalid("BRIDGE: EXTERNALNUMBER destination \"+49 221\" is not an international number "
                 "in E.164 form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)"):
        b.add_bridge("SEQUENTIAL", [("SIP_USER", "1001", 5), ("EXTERNALNUMBER", "+49 221", 5)])
    with invalid("BRIDGE: a bridge needs at least one destination"):
        b.add_bridge("PARALLEL", [], block_timeout=30)
    with invalid("bridge mode 'ROUND_ROBIN' is not one of SEQUENTIAL, PARALLEL"):
        b.add_bridge("ROUND_ROBIN", [("SIP_USER", "1001")])
    with invalid("destination_type 'PHONE' is not one of EXTERNALNUMBER, SIP_USER, SIP_TRUNK"):
        b.add_bridge("SEQUENTIAL", [("PHONE", "1001", 5)])
    with invalid("timeout_s must be -1 (absent) or 0 to 2147483647 seconds, not -5"):
        b.add_bridge("SEQUENTIAL", [("SIP_USER", "1001", -5)])
    with invalid("announcement_name is empty"):
        b.add_announcement("")
    with invalid("text is longer than 8192 bytes"):
        b.add_say("x" * 8193, "de.male.1")
    with invalid("routing_plan_name contains a control character"):
        b.add_routing_plan("a\nb")
    with invalid("hangup_cause contains a NUL byte"):
        b.add_hangup("a\0b")
    with invalid("forward_ani is not valid UTF-8"):
        b.add_call_settings("\udcff")
    with invalid("max_tries must be 0 to 4294967295, not -1"):
        b.add_collect_digits(announcement_name="a", error_announcement_name="b",
                             variable_name="v", min_digits=1, max_digits=2, max_tries=-1,
                             timeout=5)
    with pytest.raises(TypeError):
        b.add_hangup(5)  # type: ignore[arg-type]
    # None where a string is required: Python's wording, never C's NULL.
    with invalid("announcement_name is None"):
        b.add_announcement(None)  # type: ignore[arg-type]
    with invalid("text is None"):
        b.add_say(None, "de.male.1")  # type: ignore[arg-type]
    with invalid("voice_name is None"):
        b.add_say("Hallo", None)  # type: ignore[arg-type]
    with invalid("routing_plan_name is None"):
        b.add_routing_plan(None)  # type: ignore[arg-type]
    with invalid("hangup_cause is None"):
        b.add_hangup(None)  # type: ignore[arg-type]
    with invalid("forward_ani is None"):
        b.add_call_settings(None)  # type: ignore[arg-type]
    with invalid("variable_name is None"):
        b.add_collect_digits(announcement_name="a", error_announcement_name="b",
                             variable_name=None, min_digits=1, max_digits=2,  # type: ignore[arg-type]
                             max_tries=3, timeout=5)
    with invalid("language is None"):
        b.add_collect_speech(announcement_name="a", missing_input_announcement_name="b",
                             language=None, variable_name="v", max_tries=2)  # type: ignore[arg-type]
    with invalid("destination is None"):
        b.add_bridge("SEQUENTIAL", [("SIP_USER", None, 5)])  # type: ignore[list-item]
    assert b.to_json() == before and len(b) == 1 and b.warnings == ()
    b.close()
    with invalid("the blocks are closed"):
        b.to_json()


def test_warnings() -> None:
    b = Blocks()
    b.add_bridge("PARALLEL", [("SIP_USER", "1001", 20)])
    b.add_collect_digits(announcement_name="a", error_announcement_name="b", variable_name="Pin",
                         min_digits=6, max_digits=4, terminator="#", max_tries=3, timeout=5)
    b.add_hangup("NORMAL_CLEARING")
    assert b.warnings == (
        "block 1 (BRIDGE): PARALLEL mode without blockTimeout; the documented example sets one "
        "and tenios-ruby requires it [client]",
        "block 1 (BRIDGE): destination 1 has a timeout; tenios-ruby rejects it in PARALLEL mode, "
        "where blockTimeout applies [client]",
        "block 2 (COLLECT_DIGITS): variableName \"Pin\" does not match ^[a-z0-9_]+$ [client]",
        "block 2 (COLLECT_DIGITS): minDigits 6 is greater than maxDigits 4 [client]",
        "block 3 (HANGUP): hangupCause \"NORMAL_CLEARING\" is not one of the 30 causes "
        "tenios-ruby knows [client]",
    )
    assert len(b) == 3


def _loop(request: WebhookRequest) -> Optional[Blocks]:
    blocks = Blocks()
    if request.loop_count == 0:
        blocks.add_announcement("WaitingMusic")
    else:
        blocks.add_bridge("SEQUENTIAL", [("SIP_USER", "1001", 30)])
    return blocks


ANNOUNCEMENT_ANSWER = (b'{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,'
                       b'"announcementName":"WaitingMusic"}]}')
BRIDGE_ANSWER = (b'{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":'
                 b'[{"destinationType":"SIP_USER","destination":"1001","timeout":30}]}]}')
WRONG_KEY = REQUEST_0.replace(b'"my-key"', b'"not-my-key"')


def test_handle() -> None:
    assert handle(REQUEST_0, _loop, access_key="my-key") == (200, ANNOUNCEMENT_ANSWER)
    assert handle(REQUEST_1, _loop, access_key="my-key") == (200, BRIDGE_ANSWER)
    assert handle(REQUEST_0, lambda r: None, access_key="my-key") == (200, b'{"blocks":[]}')
    seen = []
    assert handle(VALIDATION_ERRORS, lambda r: seen.append(r.validation_errors) or _loop(r),
                  access_key="my-key") == (200, b'{"blocks":[]}')
    assert seen == [("Low level (JSON) error on line 1, column 25",)]
    assert handle(WRONG_KEY, _loop, access_key="my-key") == (
        403, b'{"error":"access key does not match"}')
    assert handle(b"not json", _loop, access_key="my-key") == (
        400, b'{"error":"webhook request body is not JSON: expected ident at line 1 column 2"}')

    def broken(request: WebhookRequest) -> Blocks:
        b = Blocks()
        b.add_bridge("SEQUENTIAL", [])
        return b
    with invalid("BRIDGE: a bridge needs at least one destination"):
        handle(REQUEST_0, broken, access_key="my-key")


# ---------------------------------------------------------------------- the example server

@pytest.fixture()
def example_server() -> Iterator[str]:
    env = dict(os.environ, TENIOS_WEBHOOK_KEY="my-key",
               PYTHONPATH=str(REPO / "bindings" / "python"))
    env.pop("TENIOS_WEBHOOK_ANNOUNCEMENT", None)
    env.pop("TENIOS_WEBHOOK_AGENT", None)
    process = subprocess.Popen(
        [sys.executable, str(REPO / "bindings" / "python" / "examples" / "webhook_server.py")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.split()[-1]
    finally:
        process.terminate()
        process.wait(10)


def _post(url: str, body: bytes) -> Tuple[int, bytes]:
    request = urllib.request.Request(url + "/webhook", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_example_server_answers_the_loop(example_server: str) -> None:
    assert _post(example_server, REQUEST_0) == (200, ANNOUNCEMENT_ANSWER)
    assert _post(example_server, REQUEST_1) == (200, BRIDGE_ANSWER)
    assert _post(example_server, VALIDATION_ERRORS) == (200, b'{"blocks":[]}')
    assert _post(example_server, WRONG_KEY) == (403, b'{"error":"access key does not match"}')
    assert _post(example_server, b"not json") == (
        400, b'{"error":"webhook request body is not JSON: expected ident at line 1 column 2"}')
