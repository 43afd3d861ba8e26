"""tenios.interrupt_block against the simulator: success, the request on the wire, and every
error status the simulator can produce (answers to bad input and injected faults)."""

from __future__ import annotations

import builtins
import json
import time
from typing import Any

import pytest

import tenios
from conftest import ACCESS_KEY, CALL, KEY_HINT, STUCK_CALL, NOT_FOUND, UNKNOWN_CALL, Sim
from tenios import Status

JSON = [["Content-Type", "application/json"]]


def header(request: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in request["headers"] if k.lower() == name.lower()]


def api_requests(sim: Sim) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if not r["path"].startswith("/_sim/")]


def expect(cls: type[tenios.TeniosError], status: Status, *args: Any) -> tenios.TeniosError:
    with pytest.raises(tenios.TeniosError) as info:
        tenios.interrupt_block(*args)
    err = info.value
    assert type(err) is cls, repr(err)
    assert err.status is status
    assert str(err) == err.message
    return err


def test_success(sim: Sim) -> None:
    assert tenios.interrupt_block(ACCESS_KEY, CALL) is None
    assert sim.interrupts() == [CALL]
    (request,) = api_requests(sim)
    assert request["method"] == "POST"
    assert request["path"] == "/interrupt-ecc-block"
    assert header(request, "Content-Type") == ["application/json"]
    (agent,) = header(request, "User-Agent")
    assert agent.startswith("libtenios/" + tenios.version()), agent
    assert json.loads(request["body"]) == {"access_key": ACCESS_KEY, "call_uuid": CALL}
    assert request["body"] == json.dumps({"access_key": ACCESS_KEY, "call_uuid": CALL}, separators=(",", ":"))


def test_success_with_bytes_arguments(sim: Sim) -> None:
    assert tenios.interrupt_block(ACCESS_KEY.encode(), CALL.encode()) is None
    assert sim.interrupts() == [CALL]


def test_json_escaping_of_the_arguments(sim: Sim) -> None:
    key = 'k"\\ü€😀'
    expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, key, CALL)
    (request,) = api_requests(sim)
    assert json.loads(request["body"]) == {"access_key": key, "call_uuid": CALL}


def test_sequential_calls_reuse_one_connection(sim: Sim) -> None:
    for _ in range(5):
        tenios.interrupt_block(ACCESS_KEY, CALL)
    stats = sim.stats()
    assert stats["requests"] == 5
    assert stats["connections"] == 1
    assert len({r["connection"] for r in api_requests(sim)}) == 1


def test_call_not_found(sim: Sim) -> None:
    err = expect(tenios.CallNotFoundError, Status.ERR_CALL_UUID_NOT_FOUND, ACCESS_KEY, UNKNOWN_CALL)
    assert err.message == NOT_FOUND
    assert sim.interrupts() == []


def test_stuck_call(sim: Sim) -> None:
    err = expect(tenios.ApiError, Status.ERR_API, ACCESS_KEY, STUCK_CALL)
    assert err.message == (
        "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)"
    )
    assert sim.interrupts() == []


def test_bad_access_key(sim: Sim) -> None:
    err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, "wrong-key", CALL)
    assert err.message == "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section"
    assert sim.interrupts() == []


def test_invalid_call_uuid(sim: Sim) -> None:
    err = expect(tenios.InvalidFieldError, Status.ERR_INVALID_FIELD, ACCESS_KEY, "123456789")
    assert "123456789" in err.message
    assert err.message == (
        "INVALID_FIELD: Invalid 'call_uuid' input parameter. Invalid value - '123456789'. (fields: call_uuid)"
    )


# --- injected faults -------------------------------------------------------------------------

def api_error_body(code: str, message: str, fields: list[str], success: bool | None = False) -> str:
    body: dict[str, Any] = {} if success is None else {"success": success}
    body.update(error_code=code, error_message=message, fields=fields)
    return json.dumps(body)


def test_fault_invalid_value(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=api_error_body(
        "INVALID_VALUE", "Invalid parameter type or format", ["destination_type"]))
    err = expect(tenios.InvalidValueError, Status.ERR_INVALID_VALUE, ACCESS_KEY, CALL)
    assert err.message == "INVALID_VALUE: Invalid parameter type or format (fields: destination_type)"
    assert len(api_requests(sim)) == 1
    assert sim.interrupts() == []


def test_fault_invalid_json_without_fields(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=api_error_body(
        "INVALID_JSON", "An invalid JSON object was provided in the request body.", [], success=None))
    err = expect(tenios.InvalidJsonError, Status.ERR_INVALID_JSON, ACCESS_KEY, CALL)
    assert err.message == "INVALID_JSON: An invalid JSON object was provided in the request body."


def test_fault_several_fields(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=api_error_body(
        "INVALID_FIELD", "Invalid input", ["call_uuid", "access_key"]))
    err = expect(tenios.InvalidFieldError, Status.ERR_INVALID_FIELD, ACCESS_KEY, CALL)
    assert err.message == "INVALID_FIELD: Invalid input (fields: call_uuid, access_key)"


def test_fault_unknown_error_code_is_an_api_error(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=api_error_body("SOMETHING_NEW", "New failure", []))
    err = expect(tenios.ApiError, Status.ERR_API, ACCESS_KEY, CALL)
    assert err.message == "SOMETHING_NEW: New failure"


def test_fault_success_false_without_code(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": false}')
    err = expect(tenios.ApiError, Status.ERR_API, ACCESS_KEY, CALL)
    assert err.message == "the API reported failure without an error code (HTTP 200)"


def test_fault_503_html(sim: Sim) -> None:
    sim.fault(status=503, headers=[["Content-Type", "text/html"]],
              body="<html><body><h1>503 Service Unavailable</h1></body></html>")
    err = expect(tenios.HttpError, Status.ERR_HTTP, ACCESS_KEY, CALL)
    assert err.message == "HTTP 503 with no API error in the body"
    assert "503" in err.message


def test_fault_403_empty_body(sim: Sim) -> None:
    sim.fault(status=403, body="")
    err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, ACCESS_KEY, CALL)
    assert err.message == "HTTP 403: access key rejected (no API error in the body); check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section"


def test_fault_401_empty_body(sim: Sim) -> None:
    sim.fault(status=401, body="")
    err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, ACCESS_KEY, CALL)
    assert err.message == "HTTP 401: access key rejected (no API error in the body); check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section"


def test_fault_200_not_json(sim: Sim) -> None:
    sim.fault(status=200, headers=[["Content-Type", "text/plain"]], body="OK, interrupted")
    err = expect(tenios.ProtocolError, Status.ERR_PROTOCOL, ACCESS_KEY, CALL)
    assert err.message == "protocol error: response body is not JSON (HTTP 200)"


def test_fault_200_body_over_one_mebibyte(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', pad_to=1024 * 1024 + 4096)
    err = expect(tenios.ProtocolError, Status.ERR_PROTOCOL, ACCESS_KEY, CALL)
    assert err.message == "protocol error: response body is larger than 1048576 bytes"


def test_fault_200_body_just_under_one_mebibyte_is_fine(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', pad_to=1024 * 1024 - 16)
    assert tenios.interrupt_block(ACCESS_KEY, CALL) is None


def test_echoed_access_key_is_redacted(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=api_error_body(
        "BAD_CREDENTIALS", f"The access key {ACCESS_KEY} is not valid", [ACCESS_KEY]))
    err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, ACCESS_KEY, CALL)
    assert ACCESS_KEY not in err.message
    assert ACCESS_KEY not in repr(err)
    assert err.message == ("BAD_CREDENTIALS: The access key [REDACTED] is not valid (fields: [REDACTED]); "
                           + KEY_HINT)


def test_echoed_key_in_an_http_error_body_is_not_shown(sim: Sim) -> None:
    sim.fault(status=500, headers=[["Content-Type", "text/plain"]], body=f"bad key {ACCESS_KEY}")
    err = expect(tenios.HttpError, Status.ERR_HTTP, ACCESS_KEY, CALL)
    assert ACCESS_KEY not in err.message
    assert err.message == "HTTP 500 with no API error in the body"


def test_a_connection_closed_by_the_server_is_replaced(sim: Sim) -> None:
    tenios.interrupt_block(ACCESS_KEY, CALL)
    sim.fault(status=200, headers=JSON, body='{"success": true}', after="close")
    tenios.interrupt_block(ACCESS_KEY, CALL)
    # The server's FIN follows its answer: a call made before it arrives races it (the
    # documented residue of the send-once rule), so give it a moment.
    time.sleep(0.1)
    tenios.interrupt_block(ACCESS_KEY, CALL)
    assert len(api_requests(sim)) == 3
    assert sim.stats()["connections"] == 2


def test_the_client_recovers_after_faults(sim: Sim) -> None:
    sim.fault(status=503, body="")
    expect(tenios.HttpError, Status.ERR_HTTP, ACCESS_KEY, CALL)
    assert tenios.interrupt_block(ACCESS_KEY, CALL) is None
    assert sim.interrupts() == [CALL]


def test_fault_connection_closed_without_an_answer(sim: Sim) -> None:
    sim.fault(raw="", after="close")
    err = expect(tenios.NetworkError, Status.ERR_NETWORK, ACCESS_KEY, CALL)
    assert isinstance(err, ConnectionError)
    assert err.message.startswith("network error: "), err.message
    assert len(api_requests(sim)) == 1  # a POST is never sent twice


def test_fault_connection_reset_without_an_answer(sim: Sim) -> None:
    sim.fault(raw="", after="reset")
    err = expect(tenios.NetworkError, Status.ERR_NETWORK, ACCESS_KEY, CALL)
    assert err.message.startswith("network error: "), err.message
    assert len(api_requests(sim)) == 1


def test_fault_malformed_http(sim: Sim) -> None:
    sim.fault(raw="HTTP/1.1 banana\r\n\r\n")
    err = expect(tenios.ProtocolError, Status.ERR_PROTOCOL, ACCESS_KEY, CALL)
    assert err.message.startswith("protocol error: "), err.message


def test_fault_hang_times_out(sim: Sim) -> None:
    # The library allows 10 s for the whole call.
    sim.fault(after="hang")
    err = expect(tenios.TimeoutError, Status.ERR_TIMEOUT, ACCESS_KEY, CALL)
    assert isinstance(err, builtins.TimeoutError)
    assert err.message.startswith("timed out"), err.message
    assert len(api_requests(sim)) == 1
    assert tenios.interrupt_block(ACCESS_KEY, CALL) is None  # the next call is unaffected


def test_fault_slow_but_in_time(sim: Sim) -> None:
    sim.fault(status=200, body='{"success": true}', delay_ms=300, drip_ms=5)
    assert tenios.interrupt_block(ACCESS_KEY, CALL) is None
