"""tenios.Client's live-call methods against the simulator: transfer_call, refer_call,
record_start/record_stop and listen_in_start. For each: the documented success and its effect
in the simulator, the documented errors, arguments rejected before sending (the simulator saw
no request), the exact request body on the wire, the access key and the supervisor key never in
an error, and the close()/in-flight bookkeeping shared with interrupt_block."""

from __future__ import annotations

import ctypes
import json
import re
import threading
import time
from typing import Any, Callable

import pytest

import tenios
import tenios._native as native
from conftest import (ACCESS_KEY, BLACKLISTED, CALL, CONNECTED_CALL, SUPERVISOR_KEY,
                      KEY_HINT, NOT_FOUND, UNKNOWN_CALL, Sim)
from tenios import DestinationType, Status

JSON = [["Content-Type", "application/json"]]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SUPERVISOR_AT = "+4922155400300"
UNKNOWN_RECORDING = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"


def api_requests(sim: Sim) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if not r["path"].startswith("/_sim/")]


@pytest.fixture
def client(sim: Sim) -> Any:
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as c:
        yield c


def raises(cls: type[tenios.TeniosError], fn: Callable[[], object]) -> tenios.TeniosError:
    with pytest.raises(tenios.TeniosError) as info:
        fn()
    err = info.value
    assert type(err) is cls, repr(err)
    assert str(err) == err.message
    return err


# Every method once, with valid arguments, on the connected call: (name, call, path, body).
def every_method(client: tenios.Client, call: str = CONNECTED_CALL,
                 recording: str = UNKNOWN_RECORDING) -> list[tuple[str, Callable[[], object]]]:
    return [
        ("transfer_call", lambda: client.transfer_call(
            call, destination_type=DestinationType.SIP_USER, destination="agent-7")),
        ("refer_call", lambda: client.refer_call(call, sip_uri="sip:4044@192.0.2.10:5060")),
        ("record_start", lambda: client.record_start(call)),
        ("record_stop", lambda: client.record_stop(call, recording_uuid=recording)),
        ("listen_in_start", lambda: client.listen_in_start(
            call, supervisor_key=SUPERVISOR_KEY, supervisor_destination=SUPERVISOR_AT)),
    ]


METHOD_NAMES = ["transfer_call", "refer_call", "record_start", "record_stop", "listen_in_start"]


def method(client: tenios.Client, name: str, **kw: str) -> Callable[[], object]:
    return dict(every_method(client, **kw))[name]


# --- the exact request on the wire ---------------------------------------------------------------

def test_transfer_call_request_bytes(sim: Sim, client: tenios.Client) -> None:
    client.transfer_call(CONNECTED_CALL, destination_type=DestinationType.EXTERNALNUMBER,
                         destination="+492215540030")
    (request,) = api_requests(sim)
    assert (request["method"], request["path"]) == ("POST", "/transfer-call")
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CONNECTED_CALL}",'
        '"destination_type":"EXTERNALNUMBER","destination":"+492215540030"}')


@pytest.mark.parametrize(("kind", "name"), [
    (DestinationType.SIP_USER, "SIP_USER"), (DestinationType.SIP_TRUNK, "SIP_TRUNK"),
    ("SIP_USER", "SIP_USER"), ("SIP_TRUNK", "SIP_TRUNK"), (2, "SIP_USER"),
])
def test_transfer_call_destination_types_on_the_wire(sim: Sim, client: tenios.Client,
                                                     kind: Any, name: str) -> None:
    client.transfer_call(CONNECTED_CALL, destination_type=kind, destination="agent-7")
    (request,) = api_requests(sim)
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CONNECTED_CALL}",'
        f'"destination_type":"{name}","destination":"agent-7"}}')


def test_refer_call_request_bytes(sim: Sim, client: tenios.Client) -> None:
    client.refer_call(CONNECTED_CALL, sip_uri="sip:4044@192.0.2.10:5060;user=phone")
    (request,) = api_requests(sim)
    assert (request["method"], request["path"]) == ("POST", "/refer-call")
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CONNECTED_CALL}",'
        '"sip_uri":"sip:4044@192.0.2.10:5060;user=phone"}')


@pytest.mark.parametrize(("caller", "callee"), [(True, True), (True, False), (False, True)])
def test_record_start_request_bytes(sim: Sim, client: tenios.Client, caller: bool,
                                    callee: bool) -> None:
    client.record_start(CONNECTED_CALL, record_caller=caller, record_callee=callee)
    (request,) = api_requests(sim)
    assert (request["method"], request["path"]) == ("POST", "/record-call/start")
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CONNECTED_CALL}",'
        f'"record_caller":{json.dumps(caller)},"record_callee":{json.dumps(callee)}}}')


def test_record_start_defaults_are_both_channels(sim: Sim, client: tenios.Client) -> None:
    client.record_start(CONNECTED_CALL)
    (request,) = api_requests(sim)
    assert request["body"].endswith('"record_caller":true,"record_callee":true}')


def test_record_stop_request_bytes(sim: Sim, client: tenios.Client) -> None:
    recording = client.record_start(CONNECTED_CALL)
    client.record_stop(CONNECTED_CALL, recording_uuid=recording)
    (_, request) = api_requests(sim)
    assert (request["method"], request["path"]) == ("POST", "/record-call/stop")
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CONNECTED_CALL}",'
        f'"recording_uuid":"{recording}"}}')


@pytest.mark.parametrize("whisper", [False, True])
def test_listen_in_start_request_bytes(sim: Sim, client: tenios.Client, whisper: bool) -> None:
    client.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                           supervisor_destination=SUPERVISOR_AT, whisper_to_agent=whisper)
    (request,) = api_requests(sim)
    assert (request["method"], request["path"]) == ("POST", "/call/listen-in/start")
    assert request["body"] == (
        f'{{"access_key":"{ACCESS_KEY}","supervisor_key":"{SUPERVISOR_KEY}",'
        f'"call_uuid":"{CONNECTED_CALL}","supervisor_destination":"{SUPERVISOR_AT}",'
        f'"whisper_to_agent":{json.dumps(whisper)}}}')


def test_listen_in_whisper_defaults_to_false(sim: Sim, client: tenios.Client) -> None:
    client.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                           supervisor_destination=SUPERVISOR_AT)
    (request,) = api_requests(sim)
    assert request["body"].endswith('"whisper_to_agent":false}')


def test_non_ascii_is_sent_as_utf8(sim: Sim, client: tenios.Client) -> None:
    client.transfer_call(CONNECTED_CALL, destination_type="SIP_USER", destination="agent-jürgen")
    (request,) = api_requests(sim)
    assert json.loads(request["body"])["destination"] == "agent-jürgen"


# --- success and its effect in the simulator ----------------------------------------------------

def test_transfer_call_success(sim: Sim, client: tenios.Client) -> None:
    assert client.transfer_call(CONNECTED_CALL, destination_type=DestinationType.SIP_USER,
                                destination="agent-7") is None
    assert client.transfer_call(CONNECTED_CALL, destination_type="EXTERNALNUMBER",
                                destination="+492215540030") is None
    call = sim.call(CONNECTED_CALL)
    assert call["state"] == "connected"
    assert call["transfers"] == [
        {"destination_type": "SIP_USER", "destination": "agent-7"},
        {"destination_type": "EXTERNALNUMBER", "destination": "+492215540030"},
    ]


def test_refer_call_success(sim: Sim, client: tenios.Client) -> None:
    assert client.refer_call(CONNECTED_CALL, sip_uri="sips:4044@192.0.2.10:5061") is None
    call = sim.call(CONNECTED_CALL)
    assert call["refers"] == [{"sip_uri": "sips:4044@192.0.2.10:5061"}]


def test_record_start_and_stop(sim: Sim, client: tenios.Client) -> None:
    first = client.record_start(CONNECTED_CALL, record_caller=False)
    assert isinstance(first, str) and UUID.fullmatch(first), first
    assert [(r["recording_uuid"], r["running"]) for r in sim.call(CONNECTED_CALL)["recordings"]] \
        == [(first, True)]
    assert client.record_stop(CONNECTED_CALL, recording_uuid=first) is None
    # A call may be recorded in several parts.
    second = client.record_start(CONNECTED_CALL)
    assert second != first
    client.record_stop(CONNECTED_CALL, recording_uuid=second)
    recordings = sim.call(CONNECTED_CALL)["recordings"]
    assert [(r["recording_uuid"], r["record_caller"], r["record_callee"], r["running"])
            for r in recordings] == [(first, False, True, False), (second, True, True, False)]


def test_listen_in_start_success(sim: Sim, client: tenios.Client) -> None:
    assert client.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                                  supervisor_destination=SUPERVISOR_AT,
                                  whisper_to_agent=True) is None
    assert sim.call(CONNECTED_CALL)["listen_ins"] == [
        {"supervisor_destination": SUPERVISOR_AT, "whisper_to_agent": True}]


@pytest.mark.parametrize("body", ['{"success": true}', '{"success": "true"}'])
def test_record_stop_accepts_both_documented_success_bodies(sim: Sim, client: tenios.Client,
                                                            body: str) -> None:
    sim.fault(status=200, headers=JSON, body=body)
    assert client.record_stop(CONNECTED_CALL, recording_uuid=UNKNOWN_RECORDING) is None


def test_record_start_returns_the_api_s_recording_uuid(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=200, headers=JSON, body='{"recording_uuid": "0d1c2b3a-4f5e-4d6c-8b7a-695847362514"}')
    assert client.record_start(CONNECTED_CALL) == "0d1c2b3a-4f5e-4d6c-8b7a-695847362514"


def test_bytes_arguments(sim: Sim) -> None:
    with tenios.Client(ACCESS_KEY.encode(), base_url=sim.url) as c:
        c.transfer_call(CONNECTED_CALL.encode(), destination_type="SIP_TRUNK", destination=b"trunk-1")
        recording = c.record_start(CONNECTED_CALL.encode())
        c.record_stop(CONNECTED_CALL.encode(), recording_uuid=recording.encode())
        c.listen_in_start(CONNECTED_CALL.encode(), supervisor_key=SUPERVISOR_KEY.encode(),
                          supervisor_destination=SUPERVISOR_AT.encode())
    assert sim.call(CONNECTED_CALL)["transfers"] == [
        {"destination_type": "SIP_TRUNK", "destination": "trunk-1"}]


# --- the documented errors ----------------------------------------------------------------------

NOT_CONNECTED = "CALL_NOT_CONNECTED: The call is not connected to a destination (fields: call_uuid)"
BLACKLIST_HINT = "use another supervisor_destination, or take it off the account's blacklist"
RECORDING_NOT_FOUND = "RECORDING_NOT_FOUND: The recording wasn't found (fields: recording_uuid)"


def test_transfer_of_a_call_in_a_block_is_refused(sim: Sim, client: tenios.Client) -> None:
    err = raises(tenios.ApiError, lambda: client.transfer_call(
        CALL, destination_type=DestinationType.SIP_USER, destination="agent-7"))
    assert err.status is Status.ERR_API
    assert err.message == NOT_CONNECTED
    assert (err.api_code, err.http_status, err.fields) == ("CALL_NOT_CONNECTED", 400, ("call_uuid",))
    assert sim.call(CALL)["transfers"] == []


def test_listen_in_on_a_call_in_a_block_is_refused(sim: Sim, client: tenios.Client) -> None:
    err = raises(tenios.ApiError, lambda: client.listen_in_start(
        CALL, supervisor_key=SUPERVISOR_KEY, supervisor_destination=SUPERVISOR_AT))
    assert err.message == NOT_CONNECTED
    assert (err.api_code, err.http_status) == ("CALL_NOT_CONNECTED", 400)
    assert sim.call(CALL)["listen_ins"] == []


@pytest.mark.parametrize("name", [n for n in METHOD_NAMES if n != "record_stop"])
def test_unknown_call(sim: Sim, client: tenios.Client, name: str) -> None:
    err = raises(tenios.CallNotFoundError, method(client, name, call=UNKNOWN_CALL))
    assert err.status is Status.ERR_CALL_UUID_NOT_FOUND
    assert err.message == NOT_FOUND
    assert (err.api_code, err.http_status, err.fields) == ("CALL_UUID_NOT_FOUND", 400, ("call_uuid",))


def test_record_start_while_recording(sim: Sim, client: tenios.Client) -> None:
    client.record_start(CONNECTED_CALL)
    err = raises(tenios.ApiError, lambda: client.record_start(CONNECTED_CALL))
    assert err.message == ("RECORDING_ALREADY_RUNNING: A recording of this call is already running "
                           "(fields: call_uuid)")
    assert (err.api_code, err.http_status, err.fields) == (
        "RECORDING_ALREADY_RUNNING", 400, ("call_uuid",))
    assert len(sim.call(CONNECTED_CALL)["recordings"]) == 1


def test_record_stop_of_an_unknown_recording(sim: Sim, client: tenios.Client) -> None:
    err = raises(tenios.ApiError, lambda: client.record_stop(
        CONNECTED_CALL, recording_uuid=UNKNOWN_RECORDING))
    assert err.message == RECORDING_NOT_FOUND
    assert (err.api_code, err.http_status, err.fields) == (
        "RECORDING_NOT_FOUND", 400, ("recording_uuid",))


def test_record_stop_of_another_call_s_recording(sim: Sim, client: tenios.Client) -> None:
    # The simulator's guess: a recording is found only with its own call (and an unknown call
    # has none), so both are RECORDING_NOT_FOUND rather than CALL_UUID_NOT_FOUND.
    recording = client.record_start(CONNECTED_CALL)
    for other in (CALL, UNKNOWN_CALL):
        err = raises(tenios.ApiError, lambda: client.record_stop(other, recording_uuid=recording))
        assert err.message == RECORDING_NOT_FOUND
    client.record_stop(CONNECTED_CALL, recording_uuid=recording)


def test_record_stop_twice(sim: Sim, client: tenios.Client) -> None:
    recording = client.record_start(CONNECTED_CALL)
    client.record_stop(CONNECTED_CALL, recording_uuid=recording)
    with pytest.raises(tenios.ApiError):
        client.record_stop(CONNECTED_CALL, recording_uuid=recording)


def test_listen_in_with_a_wrong_supervisor_key(sim: Sim, client: tenios.Client) -> None:
    wrong = "not-the-supervisor-key-93b1"
    err = raises(tenios.BadCredentialsError, lambda: client.listen_in_start(
        CONNECTED_CALL, supervisor_key=wrong, supervisor_destination=SUPERVISOR_AT))
    assert err.message == f"BAD_CREDENTIALS: Bad credentials; {KEY_HINT}; check the supervisor key too"
    assert (err.api_code, err.http_status, err.fields) == ("BAD_CREDENTIALS", 400, ())
    assert wrong not in repr(err)
    assert sim.call(CONNECTED_CALL)["listen_ins"] == []


def test_listen_in_to_a_blacklisted_destination(sim: Sim, client: tenios.Client) -> None:
    err = raises(tenios.SupervisorDestinationBlacklistedError, lambda: client.listen_in_start(
        CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY, supervisor_destination=BLACKLISTED))
    assert err.status is Status.ERR_SUPERVISOR_DESTINATION_BLACKLISTED
    assert err.api_code == "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST"
    assert err.message == (
        "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST: The supervisor destination is in the "
        f"blacklist (fields: supervisor_destination); {BLACKLIST_HINT}")
    assert (err.http_status, err.fields) == (400, ("supervisor_destination",))
    assert sim.call(CONNECTED_CALL)["listen_ins"] == []


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_wrong_access_key(sim: Sim, name: str) -> None:
    with tenios.Client("wrong-access-key-51c0", base_url=sim.url) as c:
        err = raises(tenios.BadCredentialsError, method(c, name))
    assert (err.api_code, err.http_status) == ("BAD_CREDENTIALS", 400)
    assert "wrong-access-key-51c0" not in err.message


def test_refer_ends_the_call(sim: Sim, client: tenios.Client) -> None:
    client.refer_call(CONNECTED_CALL, sip_uri="sip:4044@192.0.2.10:5060")
    # Once a REFER is accepted the call leaves TENIOS.
    with pytest.raises(tenios.CallNotFoundError):
        client.transfer_call(CONNECTED_CALL, destination_type="SIP_USER", destination="agent-7")


# The errors the library cannot provoke from the simulator (it rejects the arguments first),
# mapped from the API's documented bodies, and the mapping of the API's other codes.
@pytest.mark.parametrize(("name", "body", "cls"), [
    ("transfer_call", {"success": False, "error_code": "INVALID_VALUE",
                       "error_message": "Invalid parameter type or format",
                       "fields": ["destination_type"]}, tenios.InvalidValueError),
    ("transfer_call", {"error_code": "INVALID_FIELD",
                       "error_message": "Invalid 'destination' input parameter. Invalid value - '0221'.",
                       "fields": ["destination"]}, tenios.InvalidFieldError),
    ("refer_call", {"error_code": "INVALID_FIELD",
                    "error_message": "Invalid 'sip_uri' input parameter. Invalid value - '' .",
                    "fields": ["sip_uri"]}, tenios.InvalidFieldError),
    ("refer_call", {"error_code": "INVALID_JSON",
                    "error_message": "An invalid JSON object was provided in the request body.",
                    "fields": []}, tenios.InvalidJsonError),
    ("record_start", {"error_code": "INVALID_VALUE",
                      "error_message": "Invalid parameter type or format",
                      "fields": ["call_uuid"]}, tenios.InvalidValueError),
    ("listen_in_start", {"error_code": "BAD_CREDENTIALS", "error_message": "Bad credentials",
                         "field s": []}, tenios.BadCredentialsError),
    ("listen_in_start", {"error_code": "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST",
                         "error_message": "The supervisor destination is in the blacklist"},
     tenios.SupervisorDestinationBlacklistedError),
])
def test_documented_error_bodies(sim: Sim, client: tenios.Client, name: str,
                                 body: dict[str, Any], cls: type[tenios.TeniosError]) -> None:
    sim.fault(status=400, headers=JSON, body=json.dumps(body))
    err = raises(cls, method(client, name))
    fields = tuple(body.get("fields", ()))
    suffix = f" (fields: {', '.join(fields)})" if fields else ""
    hint = {"BAD_CREDENTIALS": f"; {KEY_HINT}; check the supervisor key too",
            "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST": f"; {BLACKLIST_HINT}"}
    assert err.message == f"{body['error_code']}: {body['error_message']}{suffix}" + hint.get(
        body["error_code"], "")
    assert (err.api_code, err.http_status, err.fields) == (body["error_code"], 400, fields)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_http_error_without_an_api_body(sim: Sim, client: tenios.Client, name: str) -> None:
    sim.fault(status=503, body="")
    err = raises(tenios.HttpError, method(client, name))
    assert err.message == "HTTP 503 with no API error in the body"
    assert len(api_requests(sim)) == 1  # never sent twice


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_timeout(sim: Sim, name: str) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=3000)
    with tenios.Client(ACCESS_KEY, base_url=sim.url, timeout=0.3) as c:
        started = time.monotonic()
        err = raises(tenios.TimeoutError, method(c, name))
        assert time.monotonic() - started < 2.5
    assert err.message == "timed out: no complete response within 300 ms"


def test_record_start_without_a_recording_uuid_is_a_protocol_error(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}')
    err = raises(tenios.ProtocolError, lambda: client.record_start(CONNECTED_CALL))
    assert err.message.startswith("protocol error: "), err.message


# --- the keys are never in an error -------------------------------------------------------------

@pytest.mark.parametrize("name", METHOD_NAMES)
def test_echoed_keys_are_redacted(sim: Sim, client: tenios.Client, name: str) -> None:
    echo = f"{ACCESS_KEY} {SUPERVISOR_KEY}"
    sim.fault(status=400, headers=JSON, body=json.dumps({
        "error_code": "X", "error_message": echo, "fields": [ACCESS_KEY, SUPERVISOR_KEY]}))
    err = raises(tenios.ApiError, method(client, name))
    for secret in (ACCESS_KEY, SUPERVISOR_KEY) if name == "listen_in_start" else (ACCESS_KEY,):
        for text in (err.message, repr(err), str(err.fields), str(err.args)):
            assert secret not in text, (secret, text)
    if name == "listen_in_start":
        assert err.message == "X: [REDACTED] [REDACTED] (fields: [REDACTED], [REDACTED])"
        assert err.fields == ("[REDACTED]", "[REDACTED]")
    else:
        assert err.message.startswith("X: [REDACTED] "), err.message


def test_supervisor_key_echoed_in_the_code_is_redacted(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=400, headers=JSON, body=json.dumps({
        "error_code": f"BAD_{SUPERVISOR_KEY}", "error_message": f"key={SUPERVISOR_KEY}"}))
    err = raises(tenios.ApiError, method(client, "listen_in_start"))
    assert err.api_code == "BAD_[REDACTED]"
    assert err.message == "BAD_[REDACTED]: key=[REDACTED]"


def test_invalid_supervisor_key_is_not_quoted(sim: Sim, client: tenios.Client) -> None:
    # A rejected key is described, never quoted.
    secret = "sup\u00e9r-secret\x01"
    err = raises(tenios.InvalidArgumentError, lambda: client.listen_in_start(
        CONNECTED_CALL, supervisor_key=secret, supervisor_destination=SUPERVISOR_AT))
    assert err.message == "supervisor_key contains a control character"
    sim.assert_nothing_sent(lambda: client.interrupt_block(CALL))


# --- arguments rejected before anything is sent -------------------------------------------------

def transfer(kind: Any = DestinationType.SIP_USER, destination: Any = "agent-7",
             call: Any = CONNECTED_CALL) -> Callable[[tenios.Client], object]:
    return lambda c: c.transfer_call(call, destination_type=kind, destination=destination)


def listen(key: Any = SUPERVISOR_KEY, destination: Any = SUPERVISOR_AT,
           call: Any = CONNECTED_CALL) -> Callable[[tenios.Client], object]:
    return lambda c: c.listen_in_start(call, supervisor_key=key, supervisor_destination=destination)


REJECTED = [
    ("transfer: empty call_uuid", transfer(call=""), "call_uuid is empty"),
    ("transfer: None call_uuid", transfer(call=None), "call_uuid is None"),
    ("transfer: None destination", transfer(destination=None), "destination is None"),
    ("refer: None sip_uri", lambda c: c.refer_call(CONNECTED_CALL, sip_uri=None), "sip_uri is None"),
    ("record_stop: None recording_uuid",
     lambda c: c.record_stop(CONNECTED_CALL, recording_uuid=None), "recording_uuid is None"),
    ("listen_in: None supervisor_key", listen(key=None), "supervisor_key is None"),
    ("listen_in: None destination", listen(destination=None), "supervisor_destination is None"),
    ("transfer: destination_type 7", transfer(kind=7),
     "destination_type 7 is not TENIOS_DESTINATION_EXTERNALNUMBER (1), TENIOS_DESTINATION_SIP_USER (2) "
     "or TENIOS_DESTINATION_SIP_TRUNK (3)"),
    ("transfer: destination_type 0", transfer(kind=0),
     "destination_type 0 is not TENIOS_DESTINATION_EXTERNALNUMBER (1), TENIOS_DESTINATION_SIP_USER (2) "
     "or TENIOS_DESTINATION_SIP_TRUNK (3)"),
    ("transfer: an unknown API name", transfer(kind="EXTERNAL"),
     "destination_type 'EXTERNAL' is not one of 'EXTERNALNUMBER', 'SIP_USER', 'SIP_TRUNK'"),
    ("transfer: API names are exact", transfer(kind="sip_user"),
     "destination_type 'sip_user' is not one of 'EXTERNALNUMBER', 'SIP_USER', 'SIP_TRUNK'"),
    ("transfer: destination_type over uint32", transfer(kind=2**32),
     "destination_type 4294967296 does not fit in a uint32 (tenios_destination_type)"),
    ("transfer: not E.164", transfer(kind=DestinationType.EXTERNALNUMBER, destination="0221"),
     'destination "0221" is not an E.164 number (a + and 2 to 15 digits, e.g. +492215540030)'),
    ("transfer: 16 digits", transfer(kind="EXTERNALNUMBER", destination="+" + "1" * 16),
     f'destination "+{"1" * 16}" is not an E.164 number (a + and 2 to 15 digits, e.g. +492215540030)'),
    ("transfer: empty destination", transfer(destination=""), "destination is empty"),
    ("transfer: NUL in destination", transfer(destination="a\0b"), "destination contains a NUL byte"),
    ("refer: not a SIP URI", lambda c: c.refer_call(CONNECTED_CALL, sip_uri="x"),
     'sip_uri "x" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)'),
    ("refer: http URI", lambda c: c.refer_call(CONNECTED_CALL, sip_uri="http://192.0.2.10"),
     'sip_uri "http://192.0.2.10" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)'),
    ("refer: empty sip_uri", lambda c: c.refer_call(CONNECTED_CALL, sip_uri=""), "sip_uri is empty"),
    ("refer: empty call_uuid", lambda c: c.refer_call("", sip_uri="sip:a@b"), "call_uuid is empty"),
    ("record_start: empty call_uuid", lambda c: c.record_start(""), "call_uuid is empty"),
    ("record_start: call_uuid too long", lambda c: c.record_start("a" * 1025),
     "call_uuid is longer than 1024 bytes"),
    ("record_stop: empty recording_uuid",
     lambda c: c.record_stop(CONNECTED_CALL, recording_uuid=""), "recording_uuid is empty"),
    ("record_stop: invalid UTF-8",
     lambda c: c.record_stop(CONNECTED_CALL, recording_uuid=b"\xff"), "recording_uuid is not valid UTF-8"),
    ("record_stop: empty call_uuid",
     lambda c: c.record_stop("", recording_uuid=UNKNOWN_RECORDING), "call_uuid is empty"),
    ("listen_in: empty supervisor_key", listen(key=""), "supervisor_key is empty"),
    ("listen_in: supervisor_key too long", listen(key="k" * 1025),
     "supervisor_key is longer than 1024 bytes"),
    ("listen_in: empty destination", listen(destination=""), "supervisor_destination is empty"),
    ("listen_in: newline in destination", listen(destination="+49\n"),
     "supervisor_destination contains a control character"),
    ("listen_in: empty call_uuid", listen(call=""), "call_uuid is empty"),
]


@pytest.mark.parametrize(("case", "call", "message"), REJECTED, ids=[c[0] for c in REJECTED])
def test_rejected_before_sending(sim: Sim, client: tenios.Client, case: str,
                                 call: Callable[[tenios.Client], object], message: str) -> None:
    err = raises(tenios.InvalidArgumentError, lambda: call(client))
    assert err.status is Status.ERR_INVALID_ARGUMENT
    assert err.message == message
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    assert sim.stats() == {"connections": 0, "requests": 0}
    sim.assert_nothing_sent(lambda: client.interrupt_block(CALL))


TYPE_ERRORS = [
    ("transfer: destination_type float", transfer(kind=2.0)),
    ("transfer: destination_type bool", transfer(kind=True)),
    ("transfer: destination int", transfer(destination=4711)),
    ("record_start: record_caller int", lambda c: c.record_start(CONNECTED_CALL, record_caller=1)),
    ("record_start: record_callee None", lambda c: c.record_start(CONNECTED_CALL, record_callee=None)),
    ("listen_in: whisper str", lambda c: c.listen_in_start(
        CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY, supervisor_destination=SUPERVISOR_AT,
        whisper_to_agent="yes")),
    ("record_stop: recording_uuid positional",
     lambda c: c.record_stop(CONNECTED_CALL, UNKNOWN_RECORDING)),
    ("transfer: destination positional",
     lambda c: c.transfer_call(CONNECTED_CALL, DestinationType.SIP_USER, "agent-7")),
    ("listen_in: keys positional",
     lambda c: c.listen_in_start(CONNECTED_CALL, SUPERVISOR_KEY, SUPERVISOR_AT)),
]


@pytest.mark.parametrize(("case", "call"), TYPE_ERRORS, ids=[c[0] for c in TYPE_ERRORS])
def test_wrong_types_raise_type_error(sim: Sim, client: tenios.Client, case: str,
                                      call: Callable[[tenios.Client], object]) -> None:
    with pytest.raises(TypeError):
        call(client)
    sim.assert_nothing_sent(lambda: client.interrupt_block(CALL))


# --- close(), shutdown and the owned recording string -------------------------------------------

@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_method_after_close_raises_without_touching_the_library(sim: Sim, name: str) -> None:
    c = tenios.Client(ACCESS_KEY, base_url=sim.url)
    c.close()
    err = raises(tenios.ShutdownError, method(c, name))
    assert err.message == "client is closed"
    assert sim.stats()["requests"] == 0


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_close_cancels_every_method_in_flight(sim: Sim, name: str) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=10_000)
    c = tenios.Client(ACCESS_KEY, base_url=sim.url, timeout=30)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            method(c, name)()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - checked below
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while not api_requests(sim) and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    c.close()
    worker.join(timeout=10)
    assert time.monotonic() - started < 2.5
    (err,) = outcome
    assert type(err) is tenios.ShutdownError, repr(err)
    assert err.message == ("the client was shut down during the call; "
                           "the request may or may not have reached the API")


class _RecordingApi:
    """The real handle API, with (name, first argument's address) of every call recorded."""

    def __init__(self, real: object) -> None:
        self._real = real
        self.calls: list[tuple[str, object]] = []

    def __getattr__(self, name: str) -> Any:
        function = getattr(self._real, name)

        def call(*args: Any) -> Any:
            first = args[0].value if args and isinstance(args[0], ctypes.c_void_p) else None
            self.calls.append((name, first))
            return function(*args)

        return call

    def named(self, name: str) -> list[object]:
        return [first for n, first in self.calls if n == name]


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> _RecordingApi:
    lib = native.library()
    recorder = _RecordingApi(lib.client_api)
    monkeypatch.setattr(lib, "client_api", recorder)
    return recorder


def test_the_recording_uuid_string_is_freed_once(sim: Sim, recording: _RecordingApi) -> None:
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as c:
        uuid = c.record_start(CONNECTED_CALL)
        assert UUID.fullmatch(uuid)
        frees = recording.named("string_free")
        assert len(frees) == 1 and frees[0], frees  # one free, of a non-NULL string
        # On an error there is no string; the free of NULL is harmless.
        with pytest.raises(tenios.ApiError):
            c.record_start(CONNECTED_CALL)  # already recording
        assert recording.named("string_free")[1:] == [None]
        assert len([e for e in recording.named("error_free") if e]) == 1


@pytest.mark.parametrize("body", [
    '{"recording_uuid": ""}', '{"recording_uuid": 42}', '{"recording_uuid": "a\\nb"}',
    json.dumps({"recording_uuid": "r" * 1025}),
])
def test_an_unusable_recording_uuid_is_a_protocol_error(sim: Sim, client: tenios.Client,
                                                        body: str) -> None:
    sim.fault(status=200, headers=JSON, body=body)
    err = raises(tenios.ProtocolError, lambda: client.record_start(CONNECTED_CALL))
    assert err.message == 'protocol error: response has an unexpected "recording_uuid" value (HTTP 200)'
