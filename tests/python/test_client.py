"""tenios.Client (the handle API) against the simulator: success and the request on the wire,
errors with api_code/http_status/fields, every option, closing, threads and connection reuse,
and that every C object the binding receives is freed exactly once."""

from __future__ import annotations

import builtins
import copy
import ctypes
import gc
import json
import math
import os
import pickle
import socket
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import pytest

import tenios
import tenios._native as native
from conftest import ACCESS_KEY, CALL, STUCK_CALL, NOT_FOUND, UNKNOWN_CALL, Sim
from tenios import Status

JSON = [["Content-Type", "application/json"]]


def header(request: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in request["headers"] if k.lower() == name.lower()]


def api_requests(sim: Sim) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if not r["path"].startswith("/_sim/")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make(sim: Sim, **options: Any) -> tenios.Client:
    options.setdefault("base_url", sim.url)
    return tenios.Client(ACCESS_KEY, **options)


def expect(cls: type[tenios.TeniosError], status: Status, client: tenios.Client,
           call: Any) -> tenios.TeniosError:
    with pytest.raises(tenios.TeniosError) as info:
        client.interrupt_block(call)
    err = info.value
    assert type(err) is cls, repr(err)
    assert err.status is status
    assert str(err) == err.message
    return err


def expect_invalid(message: str, **kwargs: Any) -> tenios.InvalidArgumentError:
    """Client(**kwargs) is rejected with exactly `message`."""
    with pytest.raises(tenios.InvalidArgumentError) as info:
        tenios.Client(**kwargs)
    err = info.value
    assert type(err) is tenios.InvalidArgumentError
    assert err.status is Status.ERR_INVALID_ARGUMENT
    assert err.message == message
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    return err


@pytest.fixture
def client(sim: Sim) -> Any:
    with make(sim) as c:
        yield c


# --- success and the request on the wire ---------------------------------------------------------

def test_success_and_the_request(sim: Sim) -> None:
    with make(sim, user_agent="myapp/2.0") as c:
        assert c.interrupt_block(CALL) is None
    assert sim.interrupts() == [CALL]
    (request,) = api_requests(sim)
    assert request["method"] == "POST"
    assert request["path"] == "/interrupt-ecc-block"
    assert header(request, "Content-Type") == ["application/json"]
    assert header(request, "Accept") == ["application/json"]
    assert header(request, "User-Agent") == [f"libtenios/{tenios.version()} myapp/2.0"]
    expected = f'{{"access_key":"{ACCESS_KEY}","call_uuid":"{CALL}"}}'.encode()
    assert request["body"].encode() == expected


def test_default_user_agent_is_the_library_s(sim: Sim, client: tenios.Client) -> None:
    client.interrupt_block(CALL)
    (request,) = api_requests(sim)
    assert header(request, "User-Agent") == [f"libtenios/{tenios.version()}"]


def test_bytes_arguments(sim: Sim) -> None:
    with tenios.Client(ACCESS_KEY.encode(), base_url=sim.url) as c:
        assert c.interrupt_block(CALL.encode()) is None
    assert sim.interrupts() == [CALL]


def test_one_client_many_calls(sim: Sim, client: tenios.Client) -> None:
    for _ in range(3):
        client.interrupt_block(CALL)
    expect(tenios.CallNotFoundError, Status.ERR_CALL_UUID_NOT_FOUND, client, UNKNOWN_CALL)
    client.interrupt_block(CALL)
    assert sim.interrupts() == [CALL] * 4


# --- errors carry api_code, http_status and fields -----------------------------------------------

def test_call_not_found(sim: Sim, client: tenios.Client) -> None:
    err = expect(tenios.CallNotFoundError, Status.ERR_CALL_UUID_NOT_FOUND, client, UNKNOWN_CALL)
    assert err.message == NOT_FOUND
    assert err.api_code == "CALL_UUID_NOT_FOUND"
    assert err.http_status == 400
    assert err.fields == ("call_uuid",)
    assert sim.interrupts() == []


def test_stuck_call(sim: Sim, client: tenios.Client) -> None:
    err = expect(tenios.ApiError, Status.ERR_API, client, STUCK_CALL)
    assert err.message == (
        "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)"
    )
    assert err.api_code == "BLOCK_NOT_INTERRUPTIBLE"
    assert err.http_status == 400
    assert err.fields == ("call_uuid",)
    assert sim.interrupts() == []


def test_bad_credentials(sim: Sim) -> None:
    with tenios.Client("wrong-key", base_url=sim.url) as c:
        err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, c, CALL)
    assert err.message == "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section"
    assert (err.api_code, err.http_status, err.fields) == ("BAD_CREDENTIALS", 400, ())


def test_invalid_field(sim: Sim, client: tenios.Client) -> None:
    err = expect(tenios.InvalidFieldError, Status.ERR_INVALID_FIELD, client, "123456789")
    assert (err.api_code, err.http_status, err.fields) == ("INVALID_FIELD", 400, ("call_uuid",))


def test_fault_503(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=503, headers=[["Content-Type", "text/html"]], body="<h1>503</h1>")
    err = expect(tenios.HttpError, Status.ERR_HTTP, client, CALL)
    assert err.message == "HTTP 503 with no API error in the body"
    assert err.api_code is None
    assert err.http_status == 503
    assert err.fields == ()


def test_fault_several_fields_in_order(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=400, headers=JSON, body=json.dumps({
        "success": False, "error_code": "INVALID_FIELD", "error_message": "Invalid input",
        "fields": ["call_uuid", "access_key", "x"]}))
    err = expect(tenios.InvalidFieldError, Status.ERR_INVALID_FIELD, client, CALL)
    assert err.fields == ("call_uuid", "access_key", "x")
    assert (err.api_code, err.http_status) == ("INVALID_FIELD", 400)


def test_fault_api_error_with_403(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=403, headers=JSON, body=json.dumps({
        "error_code": "BAD_CREDENTIALS", "error_message": "Bad credentials", "fields": []}))
    err = expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, client, CALL)
    assert (err.api_code, err.http_status, err.fields) == ("BAD_CREDENTIALS", 403, ())


def test_fault_success_false_without_code(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": false}')
    err = expect(tenios.ApiError, Status.ERR_API, client, CALL)
    assert err.message == "the API reported failure without an error code (HTTP 200)"
    assert (err.api_code, err.http_status, err.fields) == (None, 200, ())


def test_fault_not_json_keeps_the_http_status(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=200, headers=[["Content-Type", "text/plain"]], body="OK")
    err = expect(tenios.ProtocolError, Status.ERR_PROTOCOL, client, CALL)
    assert err.message == "protocol error: response body is not JSON (HTTP 200)"
    assert (err.api_code, err.http_status, err.fields) == (None, 200, ())


def test_echoed_access_key_is_redacted_everywhere(sim: Sim, client: tenios.Client) -> None:
    sim.fault(status=400, headers=JSON, body=json.dumps({
        "success": False, "error_code": f"BAD_{ACCESS_KEY}",
        "error_message": f"The access key {ACCESS_KEY} is not valid", "fields": [ACCESS_KEY]}))
    err = expect(tenios.ApiError, Status.ERR_API, client, CALL)
    assert err.api_code == "BAD_[REDACTED]"
    assert err.fields == ("[REDACTED]",)
    assert err.message == "BAD_[REDACTED]: The access key [REDACTED] is not valid (fields: [REDACTED])"
    assert ACCESS_KEY not in err.message
    assert ACCESS_KEY not in repr(err)
    assert ACCESS_KEY not in repr(client)


def test_connection_refused(sim: Sim) -> None:
    with tenios.Client(ACCESS_KEY, base_url=f"http://127.0.0.1:{free_port()}") as c:
        err = expect(tenios.NetworkError, Status.ERR_NETWORK, c, CALL)
    assert isinstance(err, ConnectionError)
    assert err.message.startswith("network error: "), err.message
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())


def test_fault_connection_closed_without_an_answer(sim: Sim, client: tenios.Client) -> None:
    sim.fault(raw="", after="close")
    err = expect(tenios.NetworkError, Status.ERR_NETWORK, client, CALL)
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    assert len(api_requests(sim)) == 1  # a POST is never sent twice
    assert client.interrupt_block(CALL) is None  # the client recovers


@pytest.mark.parametrize(("value", "message"), [
    (None, "call_uuid is None"),
    ("", "call_uuid is empty"),
    ("a" * 1025, "call_uuid is longer than 1024 bytes"),
    (b"\xff", "call_uuid is not valid UTF-8"),
    ("ab\ncd", "call_uuid contains a control character"),
    ("ab\0cd", "call_uuid contains a NUL byte"),
])
def test_invalid_call_uuid_argument(sim: Sim, client: tenios.Client, value: Any, message: str) -> None:
    err = expect(tenios.InvalidArgumentError, Status.ERR_INVALID_ARGUMENT, client, value)
    assert err.message == message
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    sim.assert_nothing_sent(lambda: client.interrupt_block(CALL))


@pytest.mark.parametrize("value", [123, bytearray(b"abc"), object()])
def test_other_call_uuid_types_raise_type_error(sim: Sim, client: tenios.Client, value: Any) -> None:
    with pytest.raises(TypeError):
        client.interrupt_block(value)
    sim.assert_nothing_sent(lambda: client.interrupt_block(CALL))


def test_the_module_function_still_has_no_details(sim: Sim) -> None:
    with pytest.raises(tenios.CallNotFoundError) as info:
        tenios.interrupt_block(ACCESS_KEY, UNKNOWN_CALL)
    err = info.value
    assert err.message == NOT_FOUND
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    assert repr(err) == f"CallNotFoundError(ERR_CALL_UUID_NOT_FOUND, {NOT_FOUND!r})"


def test_error_details_survive_pickling_and_copying(sim: Sim, client: tenios.Client) -> None:
    err = expect(tenios.CallNotFoundError, Status.ERR_CALL_UUID_NOT_FOUND, client, UNKNOWN_CALL)
    if sys.version_info >= (3, 11):
        err.add_note("a note")
    else:  # no add_note before 3.11: set the attribute it sets
        err.__notes__ = ["a note"]
    for clone in (pickle.loads(pickle.dumps(err)), copy.copy(err), copy.deepcopy(err)):
        assert type(clone) is tenios.CallNotFoundError
        assert clone.status is Status.ERR_CALL_UUID_NOT_FOUND
        assert clone.message == err.message and str(clone) == err.message
        assert (clone.api_code, clone.http_status, clone.fields) == (
            "CALL_UUID_NOT_FOUND", 400, ("call_uuid",))
        assert clone.__notes__ == ["a note"]
    assert repr(err) == (
        f"CallNotFoundError(ERR_CALL_UUID_NOT_FOUND, {NOT_FOUND!r}, "
        "api_code='CALL_UUID_NOT_FOUND', http_status=400, fields=('call_uuid',))"
    )


def test_error_details_are_keyword_only() -> None:
    err = tenios.HttpError(Status.ERR_HTTP, "m", api_code="X", http_status=502, fields=["a", "b"])
    assert (err.api_code, err.http_status, err.fields) == ("X", 502, ("a", "b"))
    with pytest.raises(TypeError):
        tenios.HttpError(Status.ERR_HTTP, "m", "X")  # type: ignore[call-arg]


# --- options ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "reason"), [
    ("http://example.com", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://"),
    ("http://10.1.2.3:8080/", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not 10.1.2.3; use https://"),
    ("ftp://x", "scheme ftp:// is not supported (use https://)"),
    ("127.0.0.1:8080", "expected https://host[:port][/path]"),
    ("not a url", "it contains whitespace or control characters"),
    ("https://h:0", 'port "0" is not a number from 1 to 65535'),
])
def test_unusable_base_url(sim: Sim, url: str, reason: str) -> None:
    expect_invalid(f"base URL is unusable: {reason}", access_key=ACCESS_KEY, base_url=url)
    assert sim.stats()["requests"] == 0


def test_empty_base_url(sim: Sim) -> None:
    # The library checks the string like every argument first, then parses it.
    expect_invalid("base URL is empty", access_key=ACCESS_KEY, base_url="")
    expect_invalid("base URL is longer than 1024 bytes", access_key=ACCESS_KEY,
                   base_url="https://h/" + "p" * 1024)


def test_base_url_with_a_nul_byte(sim: Sim) -> None:
    expect_invalid("base_url contains a NUL byte", access_key=ACCESS_KEY, base_url="http://127.0.0.1\0x")


class _OneRequestProxy:
    """A loopback 'proxy' that records the head of the first request it gets, then hangs up."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(20)
        self.port = self.server.getsockname()[1]
        self.head = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(20)
            while b"\r\n\r\n" not in self.head:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                self.head += chunk

    def close(self) -> str:
        self.thread.join(timeout=20)
        self.server.close()
        return self.head.decode("latin-1").split("\r\n")[0]


def test_tenios_api_url_is_never_read(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    # A client handle never reads TENIOS_API_URL (only the default client does): an unusable
    # value is not even looked at, and without base_url the client goes to the library's
    # default, https://api.tenios.com, which a loopback proxy shows without leaving the machine.
    for value in ("ftp://x", "", sim.url):
        monkeypatch.setenv("TENIOS_API_URL", value)
        with tenios.Client(ACCESS_KEY) as c:
            assert not c.closed
    proxy = _OneRequestProxy()
    with tenios.Client(ACCESS_KEY, proxy=f"http://127.0.0.1:{proxy.port}", timeout=5) as c:
        with pytest.raises(tenios.NetworkError):
            c.interrupt_block(CALL)
    assert proxy.close() == "CONNECT api.tenios.com:443 HTTP/1.1"
    assert sim.stats()["requests"] == 0


def test_explicit_base_url_beats_tenios_api_url(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENIOS_API_URL", "ftp://x")
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as c:
        c.interrupt_block(CALL)
    assert sim.interrupts() == [CALL]


def test_without_tenios_api_url_the_library_default_is_used(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    # Building sends nothing, so this never reaches https://api.tenios.com.
    monkeypatch.delenv("TENIOS_API_URL")
    with tenios.Client(ACCESS_KEY) as c:
        assert not c.closed


def test_base_url_path_prefix(sim: Sim) -> None:
    with make(sim, base_url=sim.url + "/gw/v1/") as c:
        err = expect(tenios.HttpError, Status.ERR_HTTP, c, CALL)  # the simulator has no /gw
    assert err.http_status == 404
    (request,) = api_requests(sim)
    assert request["path"] == "/gw/v1/interrupt-ecc-block"


@pytest.mark.parametrize("option", ["connect_timeout", "timeout"])
@pytest.mark.parametrize(("seconds", "ms"), [
    (0, 0), (0.0, 0), (-0.0, 0), (-0.0001, 0), (600.0001, 600001), (601, 601000),
    (4294967.295, 4294967295),
])
def test_timeout_out_of_range_is_the_library_s_answer(sim: Sim, option: str, seconds: float, ms: int) -> None:
    what = "connect timeout" if option == "connect_timeout" else "timeout"
    expect_invalid(f"{what} must be 1 to 600000 ms, not {ms}", access_key=ACCESS_KEY,
                   base_url=sim.url, **{option: seconds})


@pytest.mark.parametrize("option", ["connect_timeout", "timeout"])
@pytest.mark.parametrize(("seconds", "message"), [
    (-1, "{option} of -1 s is out of range (-1000 ms does not fit in a uint32)"),
    (-0.001, "{option} of -0.001 s is out of range (-1 ms does not fit in a uint32)"),
    (4294967.296, "{option} of 4294967.296 s is out of range (4294967296 ms does not fit in a uint32)"),
    (1e300, None),
    (math.inf, "{option} must be a finite number of seconds, not inf"),
    (-math.inf, "{option} must be a finite number of seconds, not -inf"),
    (math.nan, "{option} must be a finite number of seconds, not nan"),
])
def test_timeout_that_does_not_fit_is_caught_here(sim: Sim, option: str, seconds: float,
                                                    message: str | None) -> None:
    options: dict[str, Any] = {option: seconds}
    with pytest.raises(tenios.InvalidArgumentError) as info:
        tenios.Client(ACCESS_KEY, base_url=sim.url, **options)
    if message is not None:
        assert info.value.message == message.format(option=option)
    else:
        assert info.value.message.startswith(f"{option} of 1e+300 s is out of range"), info.value.message


@pytest.mark.parametrize("option", ["connect_timeout", "timeout"])
@pytest.mark.parametrize("seconds", ["5", None, True, [1]])
def test_timeout_must_be_a_number(sim: Sim, option: str, seconds: Any) -> None:
    with pytest.raises(TypeError):
        tenios.Client(ACCESS_KEY, base_url=sim.url, **{option: seconds})


@pytest.mark.parametrize("seconds", [1e-9, 0.001, 1, 600, 600.0, 599.9999])
def test_timeouts_in_range_are_accepted(sim: Sim, seconds: float) -> None:
    # Rounded up: a positive value never becomes 0 ms.
    with tenios.Client(ACCESS_KEY, base_url=sim.url, connect_timeout=seconds, timeout=seconds) as c:
        assert not c.closed


def test_timeout_fires(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=3000)
    with make(sim, timeout=0.3) as c:
        started = time.monotonic()
        err = expect(tenios.TimeoutError, Status.ERR_TIMEOUT, c, CALL)
        elapsed = time.monotonic() - started
    assert isinstance(err, builtins.TimeoutError)
    assert err.message.startswith("timed out"), err.message
    assert "300 ms" in err.message, err.message
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    assert 0.25 <= elapsed < 2.5, elapsed
    assert len(api_requests(sim)) == 1


def test_ca_file_missing(sim: Sim, tmp_path: Path) -> None:
    path = tmp_path / "missing.pem"
    for value in (str(path), path, bytes(path)):
        with pytest.raises(tenios.InvalidArgumentError) as info:
            make(sim, ca_file=value)
        assert info.value.message.startswith(f"CA file {path}: "), info.value.message


def test_ca_file_without_certificates(sim: Sim, tmp_path: Path) -> None:
    path = tmp_path / "empty.pem"
    path.write_text("no certificates here\n")
    expect_invalid(f"CA file {path}: no PEM certificates in it", access_key=ACCESS_KEY,
                   base_url=sim.url, ca_file=path)


def test_ca_file_type(sim: Sim) -> None:
    with pytest.raises(TypeError):
        make(sim, ca_file=42)


def test_trust_store_and_proxy_env_flags_are_accepted(sim: Sim) -> None:
    with make(sim, system_trust_store=True, proxy_from_env=True) as c:
        c.interrupt_block(CALL)
    assert sim.interrupts() == [CALL]
    for flag in ("system_trust_store", "proxy_from_env"):
        with pytest.raises(TypeError):
            make(sim, **{flag: 1})


@pytest.mark.parametrize("proxy", ["not a url", "https://proxy.example:3128", "socks5://127.0.0.1:1080",
                                   "http://"])
def test_unusable_proxy(sim: Sim, proxy: str) -> None:
    with pytest.raises(tenios.InvalidArgumentError) as info:
        make(sim, proxy=proxy)
    assert info.value.message.startswith("proxy URL is unusable: "), info.value.message


def test_proxy_without_a_port(sim: Sim) -> None:
    expect_invalid("proxy URL is unusable: it has no port (expected http://host:port)",
                   access_key=ACCESS_KEY, base_url=sim.url, proxy="http://127.0.0.1")


def test_empty_proxy(sim: Sim) -> None:
    expect_invalid("proxy URL is empty", access_key=ACCESS_KEY, base_url=sim.url, proxy="")


def test_proxy_for_a_plain_http_base_url_must_be_loopback(sim: Sim) -> None:
    expect_invalid("proxy 10.1.2.3 is not on a loopback host, but the base URL is plain http://",
                   access_key=ACCESS_KEY, base_url=sim.url, proxy="http://10.1.2.3:3128")


@pytest.mark.parametrize(("product", "message"), [
    ("my\x01app", "user agent product contains a control character"),
    ("myapp/2.0\n", "user agent product contains a control character"),
    ("", "user agent product is empty"),
    ("   ", "user agent product is empty"),
    ("a" * 257, "user agent product is longer than 256 bytes"),
    ("café/1", "user agent product is not ASCII"),
    ("my\0app", "user_agent contains a NUL byte"),
])
def test_unusable_user_agent(sim: Sim, product: str, message: str) -> None:
    expect_invalid(message, access_key=ACCESS_KEY, base_url=sim.url, user_agent=product)


def test_long_non_ascii_user_agent_is_reported_as_too_long(sim: Sim) -> None:
    expect_invalid("user agent product is longer than 256 bytes", access_key=ACCESS_KEY,
                   base_url=sim.url, user_agent="é" * 200)


def test_user_agent_of_256_bytes(sim: Sim) -> None:
    product = "p/" + "1" * 254
    with make(sim, user_agent=product) as c:
        c.interrupt_block(CALL)
    (request,) = api_requests(sim)
    assert header(request, "User-Agent") == [f"libtenios/{tenios.version()} {product}"]


# --- the access key -----------------------------------------------------------------------------

def test_access_key_from_the_environment(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENIOS_ACCESS_KEY", ACCESS_KEY)
    with tenios.Client(base_url=sim.url) as c:
        c.interrupt_block(CALL)
    assert json.loads(api_requests(sim)[0]["body"])["access_key"] == ACCESS_KEY


def test_explicit_access_key_beats_the_environment(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENIOS_ACCESS_KEY", "wrong-key")
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as c:
        c.interrupt_block(CALL)
    with tenios.Client(base_url=sim.url) as c:
        expect(tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, c, CALL)


def test_access_key_missing(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TENIOS_ACCESS_KEY", raising=False)
    expect_invalid("access_key is missing: pass it or set TENIOS_ACCESS_KEY", base_url=sim.url)
    expect_invalid("access_key is missing: pass it or set TENIOS_ACCESS_KEY", access_key=None,
                   base_url="ftp://not-even-looked-at")


@pytest.mark.parametrize(("key", "message"), [
    ("", "access_key is empty"),
    ("k" * 1025, "access_key is longer than 1024 bytes"),
    ("a\x02", "access_key contains a control character"),
    (b"\xff", "access_key is not valid UTF-8"),
    ("a\0b", "access_key contains a NUL byte"),
])
def test_invalid_access_key(sim: Sim, key: Any, message: str) -> None:
    expect_invalid(message, access_key=key, base_url=sim.url)


def test_empty_access_key_in_the_environment_is_passed_on(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENIOS_ACCESS_KEY", "")
    expect_invalid("access_key is empty", base_url=sim.url)


# --- closing ------------------------------------------------------------------------------------

def test_context_manager_closes(sim: Sim) -> None:
    with make(sim) as c:
        assert isinstance(c, tenios.Client)
        assert c.closed is False
        assert repr(c) == "<tenios.Client open>"
        c.interrupt_block(CALL)
    assert c.closed is True
    assert repr(c) == "<tenios.Client closed>"


def test_context_manager_closes_on_an_exception(sim: Sim) -> None:
    with pytest.raises(tenios.CallNotFoundError), make(sim) as c:
        c.interrupt_block(UNKNOWN_CALL)
    assert c.closed


def test_close_is_idempotent(sim: Sim) -> None:
    c = make(sim)
    c.close()
    c.close()
    with c:
        pass
    c.close()
    assert c.closed


def test_use_after_close_raises(sim: Sim) -> None:
    c = make(sim)
    c.close()
    with pytest.raises(tenios.ShutdownError) as info:
        c.interrupt_block(CALL)
    assert info.value.message == "client is closed"
    assert info.value.status is Status.ERR_SHUTDOWN
    assert sim.stats()["requests"] == 0


def wait_for_api_requests(sim: Sim, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(api_requests(sim)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(api_requests(sim)) == count, "the calls never reached the simulator"


def test_close_cancels_calls_in_flight(sim: Sim) -> None:
    # The simulator answers only after 10 s; close() shuts the client down, so the call in
    # flight returns at once with ShutdownError, and close() waits for it before freeing.
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=10_000)
    c = make(sim, timeout=30)
    outcome: list[BaseException | None] = []

    def call() -> None:
        try:
            c.interrupt_block(CALL)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - checked below
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    wait_for_api_requests(sim, 1)  # recorded before the delay: the call is inside the library
    started = time.monotonic()
    c.close()
    waited = time.monotonic() - started
    worker.join(timeout=10)
    finished = time.monotonic() - started
    assert c.closed
    assert waited < 2.5, waited  # of a 10 s delay (and a 30 s timeout)
    assert finished < 2.5, finished
    (err,) = outcome
    assert type(err) is tenios.ShutdownError, repr(err)
    assert err.status is Status.ERR_SHUTDOWN
    assert err.message == ("the client was shut down during the call; "
                           "the request may or may not have reached the API")
    assert (err.api_code, err.http_status, err.fields) == (None, 0, ())
    with pytest.raises(tenios.ShutdownError):
        c.interrupt_block(CALL)
    assert sim.interrupts() == []  # the simulator records an interrupt only when it answers


def _sockets_connected_to(port: int) -> int:
    """How many of this process's file descriptors are TCP sockets connected to 127.0.0.1:port
    (Linux: /proc/self/fd and /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs Linux /proc")
def test_garbage_collection_frees_the_client(sim: Sim) -> None:
    # Freeing a client closes its pooled connection: the socket leaves this process.
    port = int(sim.url.rsplit(":", 1)[1])
    before = _sockets_connected_to(port)
    c = make(sim)
    c.interrupt_block(CALL)
    assert _sockets_connected_to(port) == before + 1  # the client's pooled connection
    alive = weakref.ref(c)
    del c
    gc.collect()
    assert alive() is None
    assert _sockets_connected_to(port) == before
    with make(sim) as c:
        c.interrupt_block(CALL)
        assert _sockets_connected_to(port) == before + 1
    assert _sockets_connected_to(port) == before  # close() frees too
    assert sim.interrupts() == [CALL, CALL]
    assert sim.stats() == {"connections": 2, "requests": 2}


def test_a_client_cannot_be_copied_or_pickled(sim: Sim, client: tenios.Client) -> None:
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError):
            attempt(client)
    client.interrupt_block(CALL)


# --- threads and connections ---------------------------------------------------------------------

THREADS = 8
CALLS = 100


def test_eight_threads_share_one_client(sim: Sim, client: tenios.Client) -> None:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    done = [0] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(CALLS):
                assert client.interrupt_block(CALL) is None
                done[index] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert done == [CALLS] * THREADS
    stats = sim.stats()
    assert stats["requests"] == THREADS * CALLS
    assert 1 <= stats["connections"] <= THREADS, stats
    interrupts = sim.interrupts()
    assert len(interrupts) == THREADS * CALLS and set(interrupts) == {CALL}


def test_threads_get_their_own_errors(sim: Sim, client: tenios.Client) -> None:
    results: dict[int, object] = {}

    def worker(index: int) -> None:
        try:
            client.interrupt_block(CALL if index % 2 == 0 else UNKNOWN_CALL)
            results[index] = None
        except tenios.TeniosError as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for index in range(16):
        err = results[index]
        if index % 2 == 0:
            assert err is None
        else:
            assert isinstance(err, tenios.CallNotFoundError)
            assert (err.api_code, err.http_status, err.fields) == ("CALL_UUID_NOT_FOUND", 400, ("call_uuid",))


def test_sequential_calls_reuse_one_connection(sim: Sim, client: tenios.Client) -> None:
    for _ in range(5):
        client.interrupt_block(CALL)
    assert sim.stats() == {"connections": 1, "requests": 5}


def test_each_client_has_its_own_pool(sim: Sim) -> None:
    with make(sim) as first, make(sim) as second:
        for _ in range(3):
            first.interrupt_block(CALL)
            second.interrupt_block(CALL)
    assert sim.stats() == {"connections": 2, "requests": 6}


# --- every C object is freed exactly once -------------------------------------------------------

def _address(value: object) -> int | None:
    return value.value if isinstance(value, ctypes.c_void_p) else value  # type: ignore[return-value]


class _RecordingApi:
    """Wraps the real handle API: every call goes through, and (name, first argument, result)
    is recorded, with c_void_p arguments read as addresses at call time."""

    def __init__(self, real: object) -> None:
        self._real = real
        self.calls: list[tuple[str, object, object]] = []

    def __getattr__(self, name: str) -> Any:
        function = getattr(self._real, name)

        def call(*args: Any) -> Any:
            first = _address(args[0]) if args else None
            result = function(*args)
            self.calls.append((name, first, result))
            return result

        return call

    def named(self, name: str) -> list[tuple[object, object]]:
        return [(first, result) for n, first, result in self.calls if n == name]

    def errors_freed(self) -> list[object]:
        return [first for first, _ in self.named("error_free") if first is not None]


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> _RecordingApi:
    lib = native.library()
    assert lib.client_api is not None
    recorder = _RecordingApi(lib.client_api)
    monkeypatch.setattr(lib, "client_api", recorder)
    return recorder


def test_a_failing_setter_frees_its_error_and_the_builder(sim: Sim, recording: _RecordingApi) -> None:
    expect_invalid("timeout must be 1 to 600000 ms, not 0", access_key=ACCESS_KEY, base_url=sim.url, timeout=0)
    ((_, builder),) = recording.named("builder_new")
    assert builder
    assert recording.named("builder_free") == [(builder, None)]
    assert len(recording.errors_freed()) == 1
    assert recording.named("client_build") == []


def test_a_failing_build_frees_its_error_and_the_builder(sim: Sim, recording: _RecordingApi) -> None:
    expect_invalid("access_key is empty", access_key="", base_url=sim.url)
    assert len(recording.named("builder_free")) == 1
    assert len(recording.errors_freed()) == 1
    assert recording.named("client_free") == []


def test_the_client_is_freed_once(sim: Sim, recording: _RecordingApi) -> None:
    c = make(sim)
    assert len(recording.named("builder_free")) == 1
    assert recording.errors_freed() == []
    handle = c._handle.value  # type: ignore[union-attr]
    with pytest.raises(tenios.CallNotFoundError):
        c.interrupt_block(UNKNOWN_CALL)
    c.interrupt_block(CALL)
    assert len(recording.errors_freed()) == 1
    c.close()
    c.close()
    del c
    gc.collect()
    assert recording.named("client_free") == [(handle, None)]


def test_close_shuts_down_only_with_calls_in_flight(sim: Sim, recording: _RecordingApi) -> None:
    c = make(sim)
    c.interrupt_block(CALL)
    c.close()
    assert recording.named("client_shutdown") == []  # nothing to cancel
    assert len(recording.named("client_free")) == 1
