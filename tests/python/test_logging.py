"""Logging, timings and pre-connect in the Python binding: the library's lines as records of
logger ``tenios`` (in order, exact messages, levels, never a key), the callback's safety (an
exception in a handler, a handler that calls the client again, other threads running meanwhile,
fork), ``Timings`` (they add up; per thread; on errors), ``preconnect()`` (one connection, one
request) and ``idle_timeout``, for ``Client``, ``AsyncClient`` and the default client."""

from __future__ import annotations

import asyncio
import logging
import re
import textwrap
import threading
import time
from typing import Any, Iterator

import pytest

import tenios
from conftest import (ACCESS_KEY, BLACKLISTED, CALL, CONNECTED_CALL, NOT_FOUND, SUPERVISOR_KEY, UNKNOWN_CALL,
                      Sim, run_python)
from test_threads import ticks_during

JSON = [["Content-Type", "application/json"]]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[tuple[str, str]]:
        return [(r.levelname, normalise(r.getMessage())) for r in self.records]


def normalise(message: str) -> str:
    """Numbers that change from run to run: the port, times, sizes."""
    message = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", message)
    message = re.sub(r"\d+\.\d+ ms", "N ms", message)
    return re.sub(r"\(\d+ bytes\)", "(N bytes)", message)


@pytest.fixture
def records() -> Iterator[ListHandler]:
    """Logger ``tenios`` at DEBUG with a handler that keeps every record; restored after."""
    log = logging.getLogger("tenios")
    handler = ListHandler()
    old_level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)


def make(sim: Sim, **options: Any) -> tenios.Client:
    options.setdefault("base_url", sim.url)
    return tenios.Client(ACCESS_KEY, **options)


SUCCESS_COLD = [
    ("DEBUG", "connecting to 127.0.0.1:PORT"),
    ("INFO", "connected to 127.0.0.1:PORT in N ms"),
    ("INFO", "POST /interrupt-ecc-block sent (N bytes)"),
    ("INFO", "HTTP 200 after N ms (N bytes)"),
]
NOT_FOUND_WARM = [
    ("INFO", "reusing a pooled connection"),
    ("INFO", "POST /interrupt-ecc-block sent (N bytes)"),
    ("INFO", "HTTP 400 after N ms (N bytes)"),
    ("ERROR", f"TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}"),
]


# --- the lines ---------------------------------------------------------------------------------


def test_records_in_order_for_a_success_and_an_api_error(sim: Sim, records: ListHandler) -> None:
    with make(sim) as client:  # built while the logger is at DEBUG: every line
        client.interrupt_block(CALL)
        assert records.lines() == SUCCESS_COLD  # all of them before the method returned
        records.records.clear()
        with pytest.raises(tenios.CallNotFoundError):
            client.interrupt_block(UNKNOWN_CALL)
        assert records.lines() == NOT_FOUND_WARM
    # Emitted on the calling thread, by logger "tenios".
    assert {(r.name, r.thread) for r in records.records} == {("tenios", threading.get_ident())}


def test_the_default_level_costs_a_success_nothing(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the logger's default level (WARNING) the library is told WARN: a successful call makes
    no line at all (the callback is never entered), a failed one makes its ERROR line."""
    entered: list[tuple[int, str]] = []
    original = tenios.logger.log
    monkeypatch.setattr(tenios.logger, "log",
                        lambda level, msg, *a, **k: (entered.append((level, msg)),
                                                     original(level, msg, *a, **k)))
    assert tenios.logger.getEffectiveLevel() == logging.WARNING
    with make(sim) as client:
        for _ in range(3):
            client.interrupt_block(CALL)
        assert entered == []
        with pytest.raises(tenios.CallNotFoundError):
            client.interrupt_block(UNKNOWN_CALL)
    assert entered == [(logging.ERROR, NOT_FOUND_WARM[-1][1])]


@pytest.mark.parametrize(("log_level", "expected"), [
    (logging.INFO, [line for line in SUCCESS_COLD if line[0] != "DEBUG"]),
    ("INFO", [line for line in SUCCESS_COLD if line[0] != "DEBUG"]),
    ("warning", []),
    (logging.ERROR, []),
    (logging.CRITICAL, []),  # above ERROR: no callback at all
    (logging.NOTSET, SUCCESS_COLD),
])
def test_log_level_overrides_the_logger(sim: Sim, records: ListHandler, log_level: Any,
                                        expected: list[tuple[str, str]]) -> None:
    with make(sim, log_level=log_level) as client:
        client.interrupt_block(CALL)
        assert records.lines() == expected


def test_error_lines_at_error_level(sim: Sim, records: ListHandler) -> None:
    with make(sim, log_level=logging.ERROR) as client:
        client.interrupt_block(CALL)
        with pytest.raises(tenios.CallNotFoundError):
            client.interrupt_block(UNKNOWN_CALL)
    assert records.lines() == NOT_FOUND_WARM[-1:]


def test_changing_the_logger_level_later(sim: Sim, records: ListHandler) -> None:
    """A client's maximum is fixed when it is built. Raising the logger's level later still
    filters records as usual; lowering it does not bring lines the client was not built for."""
    log = logging.getLogger("tenios")
    with make(sim) as client:  # built at DEBUG
        log.setLevel(logging.ERROR)
        client.interrupt_block(CALL)
        assert records.lines() == []
    log.setLevel(logging.WARNING)
    with make(sim) as client:  # built at WARNING
        log.setLevel(logging.DEBUG)
        client.interrupt_block(CALL)
        assert records.lines() == []
        with pytest.raises(tenios.CallNotFoundError):
            client.interrupt_block(UNKNOWN_CALL)
        assert records.lines() == NOT_FOUND_WARM[-1:]


@pytest.mark.parametrize(("value", "error", "message"), [
    ("LOUD", tenios.InvalidArgumentError, "log_level 'LOUD' is not a logging level name"),
    (1.5, TypeError, "log_level must be a logging level (int or name), not float"),
    (True, TypeError, "log_level must be a logging level (int or name), not bool"),
])
def test_unusable_log_level(sim: Sim, value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        make(sim, log_level=value)
    assert str(info.value) == message


def test_no_key_in_any_record(sim: Sim, records: ListHandler) -> None:
    with make(sim) as client:
        client.interrupt_block(CALL)
        for call in (UNKNOWN_CALL, "not-a-uuid"):
            with pytest.raises(tenios.TeniosError):
                client.interrupt_block(call)
        client.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                               supervisor_destination="+4922155400300")
        with pytest.raises(tenios.SupervisorDestinationBlacklistedError):
            client.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                                   supervisor_destination=BLACKLISTED)
    with tenios.Client("wrong-key-0", base_url=sim.url) as bad:
        with pytest.raises(tenios.BadCredentialsError):
            bad.interrupt_block(CALL)
    assert len(records.records) > 15
    for record in records.records:
        text = repr(record.__dict__)
        assert ACCESS_KEY not in text and SUPERVISOR_KEY not in text and "wrong-key-0" not in text
        assert '"call_uuid"' not in text  # no request body


# --- the callback's safety -----------------------------------------------------------------------


class RaisingHandler(logging.Handler):
    """A handler whose emit raises (unlike logging's own handlers, it does not catch it)."""

    def __init__(self, exception: BaseException, times: int = 1) -> None:
        super().__init__()
        self.exception = exception
        self.times = times

    def emit(self, record: logging.LogRecord) -> None:
        if self.times > 0:
            self.times -= 1
            raise self.exception

    def handle(self, record: logging.LogRecord) -> bool:  # no try/handleError around emit
        self.emit(record)
        return True


@pytest.fixture
def raising() -> Iterator[Any]:
    handlers: list[logging.Handler] = []

    def add(exception: BaseException, times: int = 1) -> RaisingHandler:
        handler = RaisingHandler(exception, times)
        logging.getLogger("tenios").addHandler(handler)
        handlers.append(handler)
        return handler

    yield add
    for handler in handlers:
        logging.getLogger("tenios").removeHandler(handler)


def test_an_exception_in_a_handler_does_not_fail_the_call(sim: Sim, records: ListHandler,
                                                          raising: Any,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    raising(RuntimeError("handler broke"))
    with make(sim) as client:
        client.interrupt_block(CALL)  # no exception: the call succeeded
    err = capsys.readouterr().err
    # logging's own report (Handler.handleError), with the line that could not be logged.
    assert err.startswith("--- Logging error ---\n"), err
    assert "RuntimeError: handler broke" in err
    assert "Message: 'connecting to 127.0.0.1:" in err
    assert [line for _, line in records.lines()] == [line for _, line in SUCCESS_COLD]
    assert sim.interrupts() == [CALL]


def test_an_exception_in_a_handler_without_raise_exceptions(sim: Sim, records: ListHandler,
                                                            raising: Any,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(logging, "raiseExceptions", False)
    raising(ValueError("quiet"), times=100)
    with make(sim) as client:
        client.interrupt_block(CALL)
        with pytest.raises(tenios.CallNotFoundError):
            client.interrupt_block(UNKNOWN_CALL)
    assert capsys.readouterr().err == ""
    assert len(records.records) == len(SUCCESS_COLD) + len(NOT_FOUND_WARM)


def test_keyboard_interrupt_in_a_handler_is_raised_after_the_call(sim: Sim, records: ListHandler,
                                                                  raising: Any) -> None:
    raising(KeyboardInterrupt())
    with make(sim) as client:
        with pytest.raises(KeyboardInterrupt):
            client.interrupt_block(CALL)
        # The call itself completed (the interrupt could not cross C), and later lines were
        # still logged.
        assert sim.interrupts() == [CALL]
        assert len(records.records) == len(SUCCESS_COLD)
        client.interrupt_block(CALL)  # nothing left over
    assert sim.interrupts() == [CALL, CALL]


def test_the_gil_is_free_while_a_logging_call_waits(sim: Sim, records: ListHandler) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=2000)
    with make(sim) as client:
        inside, took = ticks_during(lambda: client.interrupt_block(CALL))
    assert took >= 1.9, took
    assert inside >= 10, (inside, took)
    assert records.lines()[-1] == ("INFO", "HTTP 200 after N ms (N bytes)")


def test_callbacks_run_python_while_other_threads_run(sim: Sim, records: ListHandler) -> None:
    """8 threads, 20 calls each, every line through a handler that runs Python: every record
    arrives, on the thread whose call made it, in that thread's order."""
    threads_n, calls_n = 8, 20
    errors: list[BaseException] = []
    with make(sim) as client:

        def work() -> None:
            try:
                for i in range(calls_n):
                    if i % 2:
                        client.interrupt_block(CALL)
                    else:
                        with pytest.raises(tenios.CallNotFoundError):
                            client.interrupt_block(UNKNOWN_CALL)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
    assert errors == []
    by_thread: dict[int, list[str]] = {}
    for record in records.records:
        by_thread.setdefault(record.thread, []).append(normalise(record.getMessage()))
    assert set(by_thread) == {t.ident for t in threads}
    for lines in by_thread.values():
        # Each thread's records: its calls one after the other, each ending with the response
        # line (and the error line for the failures).
        assert lines.count("POST /interrupt-ecc-block sent (N bytes)") == calls_n
        assert lines.count(NOT_FOUND_WARM[-1][1]) == calls_n // 2
        assert lines[-1] == "HTTP 200 after N ms (N bytes)"


def test_a_handler_that_calls_the_client_again(sim: Sim, records: ListHandler) -> None:
    """The callback runs with no libtenios lock held: a handler may make another call on the
    same client (whose lines it then receives too)."""
    with make(sim) as client:
        client.interrupt_block(CALL)
        records.records.clear()
        again: list[str] = []

        class CallAgain(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.levelno == logging.ERROR and not again:
                    again.append("calling")
                    client.interrupt_block(CALL)
                    again.append("returned")

        handler = CallAgain()
        logging.getLogger("tenios").addHandler(handler)
        try:
            outcome: list[Any] = []

            def outer() -> None:
                try:
                    client.interrupt_block(UNKNOWN_CALL)
                except tenios.TeniosError as err:
                    outcome.append(err)
                    outcome.append(client.last_timings)

            thread = threading.Thread(target=outer)
            thread.start()
            thread.join(20)
            assert not thread.is_alive(), "deadlock: the nested call never returned"
        finally:
            logging.getLogger("tenios").removeHandler(handler)
        assert again == ["calling", "returned"]
        assert isinstance(outcome[0], tenios.CallNotFoundError)
        # The outer call's lines, then the nested call's (emitted while the outer ERROR record
        # was being handled).
        assert records.lines() == NOT_FOUND_WARM + [
            ("INFO", "reusing a pooled connection"),
            ("INFO", "POST /interrupt-ecc-block sent (N bytes)"),
            ("INFO", "HTTP 200 after N ms (N bytes)"),
        ]
        assert sim.interrupts() == [CALL, CALL]
        # The outer error's own timings come from its error object: the failed call's.
        assert outcome[0].timings is not None and outcome[0].timings.connection_reused
        # And this thread's last call on the client is the outer one, not the nested one.
        assert outcome[1] == outcome[0].timings


def test_a_nested_call_leaves_the_outer_call_s_timings(sim: Sim, records: ListHandler) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=300)
    with make(sim) as client:
        nested: list[Any] = []

        class CallAgain(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.getMessage().startswith("HTTP 200") and not nested:
                    with pytest.raises(tenios.CallNotFoundError) as info:
                        client.interrupt_block(UNKNOWN_CALL)
                    nested.append(info.value.timings)

        handler = CallAgain()
        logging.getLogger("tenios").addHandler(handler)
        try:
            client.interrupt_block(CALL)
        finally:
            logging.getLogger("tenios").removeHandler(handler)
        outer = client.last_timings
    assert nested[0] is not None and nested[0].first_byte < 0.3
    assert outer is not None and outer.first_byte >= 0.3, (outer, nested[0])


def test_the_callback_outlives_every_client(sim: Sim, records: ListHandler) -> None:
    """Clients created and collected while others log: the C function pointer stays valid."""
    import gc
    keep = make(sim)
    for _ in range(20):
        make(sim).interrupt_block(CALL)  # the temporary is freed at once
        gc.collect()
    keep.interrupt_block(CALL)
    assert keep._log_callback is tenios._log_trampoline
    keep.close()
    assert len(records.records) == 21 * len(SUCCESS_COLD)


# --- timings -------------------------------------------------------------------------------------


def adds_up(t: tenios.Timings) -> bool:
    return t.resolve_us + t.connect_us + t.tls_us <= t.first_byte_us <= t.total_us


def test_timings_add_up(sim: Sim) -> None:
    with make(sim) as client:
        assert client.last_timings is None
        client.interrupt_block(CALL)
        cold = client.last_timings
        assert cold is not None and not cold.connection_reused
        assert cold.resolve_us == 0  # an IP address: no lookup
        assert cold.connect_us > 0 and cold.tls_us == 0  # http: no TLS
        assert adds_up(cold) and cold.total_us > 0, cold
        assert cold.total == cold.total_us / 1e6 and cold.connect == cold.connect_us / 1e6
        assert cold.resolve + cold.connect + cold.tls <= cold.first_byte + 1e-9
        assert cold.first_byte <= cold.total

        client.interrupt_block(CALL)
        warm = client.last_timings
        assert warm is not None and warm is not cold and warm.connection_reused
        assert (warm.resolve_us, warm.connect_us, warm.tls_us) == (0, 0, 0)
        assert adds_up(warm) and warm.first_byte_us > 0, warm

        with pytest.raises(tenios.CallNotFoundError) as info:
            client.interrupt_block(UNKNOWN_CALL)
        failed = info.value.timings
        assert failed is not None and failed.connection_reused and failed.first_byte_us > 0
        assert adds_up(failed)
        assert client.last_timings == failed

        # Refused by the library, nothing sent: zero timings, never the previous call's.
        zero = tenios.Timings(False, 0, 0, 0, 0, 0)
        with pytest.raises(tenios.InvalidArgumentError) as refused:
            client.interrupt_block("")
        assert refused.value.timings == zero
        assert client.last_timings == zero
        with pytest.raises(tenios.CallNotFoundError) as info:
            client.interrupt_block(UNKNOWN_CALL)
        failed = info.value.timings
        assert failed is not None and failed != zero

        # Refused before reaching the library: last_timings stays; the error has none.
        with pytest.raises(TypeError):
            client.interrupt_block(42)  # type: ignore[arg-type]
        assert client.last_timings == failed
    with pytest.raises(tenios.ShutdownError) as closed:
        client.interrupt_block(CALL)
    assert closed.value.timings is None
    assert client.last_timings == failed


def test_timings_of_a_slow_answer(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=300)
    with make(sim) as client:
        client.interrupt_block(CALL)
        t = client.last_timings
    assert t is not None and adds_up(t)
    assert 0.3 <= t.first_byte < 2.0 and t.first_byte <= t.total, t


def test_timings_of_a_timeout(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=1500)
    with make(sim, timeout=0.3) as client:
        with pytest.raises(tenios.TimeoutError) as info:
            client.interrupt_block(CALL)
    t = info.value.timings
    assert t is not None and t.first_byte_us == 0 and 0.25 <= t.total < 1.5, t


def test_timings_are_per_thread(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=300)
    with make(sim) as client:
        other: list[Any] = []
        thread = threading.Thread(target=lambda: (client.interrupt_block(CALL),
                                                  other.append(client.last_timings)))
        thread.start()
        thread.join(10)
        assert client.last_timings is None  # this thread made no call yet
        client.interrupt_block(CALL)
        mine = client.last_timings
        assert mine is not None and other[0] is not None
        assert other[0].first_byte >= 0.3 and mine.first_byte < 0.3


def test_module_function_errors_have_no_timings(sim: Sim) -> None:
    with pytest.raises(tenios.CallNotFoundError) as info:
        tenios.interrupt_block(ACCESS_KEY, UNKNOWN_CALL)
    assert info.value.timings is None


def test_timings_survive_pickling(sim: Sim) -> None:
    import pickle
    with make(sim) as client:
        with pytest.raises(tenios.CallNotFoundError) as info:
            client.interrupt_block(UNKNOWN_CALL)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.timings == info.value.timings is not None


# --- pre-connect and the idle timeout ------------------------------------------------------------


def test_preconnect_then_one_call_is_one_connection_and_one_request(sim: Sim,
                                                                     records: ListHandler) -> None:
    with make(sim) as client:
        client.preconnect()
        assert sim.stats()["requests"] == 0  # (the simulator counts a connection at its first request)
        assert client.last_timings is None  # pre-connect is not a call
        client.interrupt_block(CALL)
        t = client.last_timings
        assert t is not None and t.connection_reused and t.connect_us == 0 and adds_up(t)
    assert sim.stats() == {"connections": 1, "requests": 1}
    assert records.lines() == [
        ("DEBUG", "connecting to 127.0.0.1:PORT"),
        ("INFO", "connected to 127.0.0.1:PORT in N ms"),
        ("INFO", "pre-connected to 127.0.0.1:PORT"),
        ("INFO", "using the connection pre-connected N ms ago"),
        ("INFO", "reusing a pooled connection"),
        ("INFO", "POST /interrupt-ecc-block sent (N bytes)"),
        ("INFO", "HTTP 200 after N ms (N bytes)"),
    ]


def test_preconnect_errors(sim: Sim) -> None:
    with pytest.raises(tenios.InvalidArgumentError) as info:
        with tenios.Client(ACCESS_KEY, base_url=sim.url, proxy="http://127.0.0.1:9") as client:
            client.preconnect()
    assert info.value.message == "pre-connect does not work through a proxy"
    client = make(sim)
    client.close()
    with pytest.raises(tenios.ShutdownError):
        client.preconnect()
    assert sim.stats()["connections"] == 0


def test_idle_timeout(sim: Sim) -> None:
    with make(sim, idle_timeout=0.1) as client:
        client.interrupt_block(CALL)
        time.sleep(0.3)
        client.interrupt_block(CALL)
        assert client.last_timings is not None and not client.last_timings.connection_reused
    assert sim.stats() == {"connections": 2, "requests": 2}
    with make(sim, idle_timeout=30) as client:
        client.interrupt_block(CALL)
        time.sleep(0.3)
        client.interrupt_block(CALL)
    assert sim.stats() == {"connections": 3, "requests": 4}


@pytest.mark.parametrize(("value", "message"), [
    (0, "idle timeout must be 1 to 600000 ms, not 0"),
    (601, "idle timeout must be 1 to 600000 ms, not 601000"),
    (float("nan"), "idle_timeout must be a finite number of seconds, not nan"),
])
def test_unusable_idle_timeout(sim: Sim, value: float, message: str) -> None:
    with pytest.raises(tenios.InvalidArgumentError) as info:
        make(sim, idle_timeout=value)
    assert info.value.message == message


# --- AsyncClient ---------------------------------------------------------------------------------


def test_async_client_logs_and_hands_back_timings(sim: Sim, records: ListHandler) -> None:
    async def main() -> list[Any]:
        seen: list[Any] = []
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url, idle_timeout=5) as client:
            assert client.last_timings is None

            async def read_later() -> Any:
                await asyncio.sleep(0.2)
                return client.last_timings

            # Created before this task's calls: its context is a copy from before them.
            earlier_task = asyncio.get_running_loop().create_task(read_later())
            await client.preconnect()
            assert client.last_timings is None
            await client.interrupt_block(CALL)
            seen.append(client.last_timings)
            try:
                await client.interrupt_block(UNKNOWN_CALL)
            except tenios.CallNotFoundError as err:
                seen.append(err.timings)
            seen.append(client.last_timings)
            seen.append(await earlier_task)
            # A call awaited in a task of its own (gather) sets that task's, not this one's.
            await asyncio.gather(client.interrupt_block(CALL))
            seen.append(client.last_timings)
        return seen

    first, failed, last, other, after_gather = asyncio.run(main())
    assert first is not None and first.connection_reused and adds_up(first)  # pre-connected
    assert failed is not None and last == failed and adds_up(failed)
    assert other is None
    assert after_gather is failed
    assert sim.stats() == {"connections": 1, "requests": 3}
    assert records.lines()[-len(NOT_FOUND_WARM) - 3:-3] == NOT_FOUND_WARM
    # Emitted in the executor's threads, not the loop's.
    assert threading.get_ident() not in {r.thread for r in records.records}


# --- the default client (tenios.interrupt_block) -------------------------------------------------

DEFAULT_CLIENT = textwrap.dedent("""
    import logging, sys
    {setup}
    import tenios
    KEY, CALL, UNKNOWN = {key!r}, {call!r}, {unknown!r}
    {body}
    for uuid in (CALL, UNKNOWN):
        try:
            tenios.interrupt_block(KEY, uuid)
        except tenios.TeniosError as err:
            pass
""")


def run_default(setup: str, body: str = "") -> Any:
    code = DEFAULT_CLIENT.format(setup=setup, body=body, key=ACCESS_KEY, call=CALL,
                                 unknown=UNKNOWN_CALL)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    return result


FORMAT = 'logging.basicConfig(stream=sys.stdout, level=logging.{level}, format="%(levelname)s %(name)s %(message)s")'


def test_default_client_logs_at_the_level_when_loaded(sim: Sim) -> None:
    result = run_default(FORMAT.format(level="DEBUG"))
    assert [normalise(line) for line in result.stdout.splitlines()] == [
        "DEBUG tenios connecting to 127.0.0.1:PORT",
        "INFO tenios connected to 127.0.0.1:PORT in N ms",
        "INFO tenios POST /interrupt-ecc-block sent (N bytes)",
        "INFO tenios HTTP 200 after N ms (N bytes)",
        "INFO tenios reusing a pooled connection",
        "INFO tenios POST /interrupt-ecc-block sent (N bytes)",
        "INFO tenios HTTP 400 after N ms (N bytes)",
        f"ERROR tenios TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}",
    ]


def test_default_client_at_the_default_level_logs_only_errors(sim: Sim) -> None:
    result = run_default(FORMAT.format(level="WARNING"))
    assert result.stdout.splitlines() == [
        f"ERROR tenios TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}",
    ]


def test_nothing_on_stderr_without_logging_configured(sim: Sim) -> None:
    """No handler configured: the NullHandler keeps logging's last resort from printing the
    ERROR line (the exception already says it)."""
    result = run_default("")
    assert (result.stdout, result.stderr) == ("", "")


def test_set_default_client_log_level(sim: Sim) -> None:
    # Loaded at WARNING: lowering the logger's level later is not enough ...
    result = run_default(FORMAT.format(level="WARNING"),
                         "tenios.version(); logging.getLogger().setLevel(logging.INFO)")
    assert len(result.stdout.splitlines()) == 1
    # ... until the default client is told.
    result = run_default(FORMAT.format(level="WARNING"),
                         "tenios.version(); logging.getLogger().setLevel(logging.INFO); "
                         "tenios.set_default_client_log_level()")
    assert len(result.stdout.splitlines()) == 7  # the 8 lines less the DEBUG one
    result = run_default(FORMAT.format(level="DEBUG"), "tenios.set_default_client_log_level('INFO')")
    assert len(result.stdout.splitlines()) == 7
    result = run_default(FORMAT.format(level="DEBUG"),
                         "tenios.set_default_client_log_level(logging.CRITICAL)")
    assert result.stdout == ""


# --- fork ----------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_logging_works_in_a_forked_child(sim: Sim) -> None:
    code = textwrap.dedent("""
        import logging, os, sys
        import tenios
        KEY, URL, CALL, UNKNOWN = {key!r}, {url!r}, {call!r}, {unknown!r}
        lines = []

        class Keep(logging.Handler):
            def emit(self, record):
                lines.append(f"{{os.getpid() == PARENT}} {{record.levelname}} {{record.getMessage().split(' after ')[0]}}")

        PARENT = os.getpid()
        logging.getLogger("tenios").addHandler(Keep())
        logging.getLogger("tenios").setLevel(logging.INFO)
        client = tenios.Client(KEY, base_url=URL)
        client.interrupt_block(CALL)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            lines.clear()
            client.interrupt_block(CALL)
            try:
                client.interrupt_block(UNKNOWN)
            except tenios.CallNotFoundError:
                pass
            os.write(w, "\\n".join(lines).encode())
            os._exit(0)
        os.close(w)
        child = b""
        while True:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            child += chunk
        os.waitpid(pid, 0)
        lines.clear()
        client.interrupt_block(CALL)
        print(child.decode())
        print("\\n".join(lines))
    """).format(key=ACCESS_KEY, url=sim.url, call=CALL, unknown=UNKNOWN_CALL)
    result = run_python(code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [normalise(line) for line in result.stdout.splitlines()] == [
        "False INFO connected to 127.0.0.1:PORT in N ms",  # the child's own connection
        "False INFO POST /interrupt-ecc-block sent (N bytes)",
        "False INFO HTTP 200",
        "False INFO reusing a pooled connection",
        "False INFO POST /interrupt-ecc-block sent (N bytes)",
        "False INFO HTTP 400",
        f"False ERROR TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}",
        "True INFO reusing a pooled connection",
        "True INFO POST /interrupt-ecc-block sent (N bytes)",
        "True INFO HTTP 200",
    ]


# --- Python 3.9 ----------------------------------------------------------------------------------

ON_OLD_PYTHON = textwrap.dedent("""
    import asyncio, logging, sys
    import tenios
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(levelname)s %(message)s")
    with tenios.Client({key!r}, base_url={url!r}, idle_timeout=5, log_level="ERROR") as c:
        c.preconnect()
        c.interrupt_block({call!r})
        t = c.last_timings
        print(t.connection_reused, t.resolve_us + t.connect_us + t.tls_us <= t.first_byte_us <= t.total_us)

    async def main():
        async with tenios.AsyncClient({key!r}, base_url={url!r}) as c:
            await c.preconnect()
            try:
                await c.interrupt_block({unknown!r})
            except tenios.CallNotFoundError as err:
                print(err.timings == c.last_timings, err.timings.connection_reused)
    asyncio.run(main())
""")


@pytest.mark.parametrize("version", ["3.9"])
def test_on_older_pythons(sim: Sim, version: str) -> None:
    from test_loading import older_python
    python = older_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (set TENIOS_PYTHON_{version.replace('.', '_')})")
    result = run_python(ON_OLD_PYTHON.format(key=ACCESS_KEY, url=sim.url, call=CALL,
                                             unknown=UNKNOWN_CALL), python=python)
    assert result.returncode == 0, result.stderr
    assert normalise(result.stdout).splitlines() == [
        "True True",
        "INFO connected to 127.0.0.1:PORT in N ms",
        "INFO pre-connected to 127.0.0.1:PORT",
        "INFO using the connection pre-connected N ms ago",
        "INFO reusing a pooled connection",
        "INFO POST /interrupt-ecc-block sent (N bytes)",
        "INFO HTTP 400 after N ms (N bytes)",
        f"ERROR TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}",
        "True True",
    ]
