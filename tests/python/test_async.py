"""tenios.AsyncClient: the live-call methods as coroutines that run the blocking C call in a
thread. The event loop keeps running while a call waits; calls overlap; cancelling the awaiting
task leaves the C call to finish on its own, and aclose() still cancels and waits for it; the
same errors as Client; and the whole of it on Python 3.9."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import textwrap
import time
from typing import Any, Awaitable, Callable

import pytest

import tenios
from conftest import ACCESS_KEY, CALL, CONNECTED_CALL, SUPERVISOR_KEY, NOT_FOUND, UNKNOWN_CALL, Sim, run_python
from tenios import DestinationType
from test_loading import older_python

JSON = [["Content-Type", "application/json"]]
SUCCESS = '{"success": true}'


def api_requests(sim: Sim) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if not r["path"].startswith("/_sim/")]


def run(coro: Awaitable[Any], *, errors: list[dict[str, Any]] | None = None) -> Any:
    """asyncio.run, with every exception the loop's handler sees collected into `errors` (an
    abandoned future's unretrieved exception would land there)."""
    async def main() -> Any:
        if errors is not None:
            asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        return await coro
    return asyncio.run(main())


async def wait_for_requests(sim: Sim, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(api_requests(sim)) < count:
        assert time.monotonic() < deadline, "the call never reached the simulator"
        await asyncio.sleep(0.01)


def test_every_method(sim: Sim) -> None:
    async def main() -> str:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url, user_agent="bot/1") as c:
            await c.interrupt_block(CALL)
            recording = await c.record_start(CONNECTED_CALL, record_callee=False)
            await c.transfer_call(CONNECTED_CALL, destination_type=DestinationType.SIP_USER,
                                  destination="agent-7")
            await c.record_stop(CONNECTED_CALL, recording_uuid=recording)
            await c.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                                    supervisor_destination="+4922155400300", whisper_to_agent=True)
            await c.refer_call(CONNECTED_CALL, sip_uri="sip:4044@192.0.2.10:5060")
            assert not c.closed
        assert c.closed
        return recording

    recording = run(main())
    assert isinstance(recording, str) and len(recording) == 36
    assert [r["path"] for r in api_requests(sim)] == [
        "/interrupt-ecc-block", "/record-call/start", "/transfer-call", "/record-call/stop",
        "/call/listen-in/start", "/refer-call"]
    call = sim.call(CONNECTED_CALL)
    assert call["transfers"] == [{"destination_type": "SIP_USER", "destination": "agent-7"}]
    assert [(r["recording_uuid"], r["running"]) for r in call["recordings"]] == [(recording, False)]


def test_errors_are_the_client_s(sim: Sim) -> None:
    async def main() -> tenios.TeniosError:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as c:
            with pytest.raises(tenios.CallNotFoundError) as info:
                await c.transfer_call(UNKNOWN_CALL, destination_type="SIP_USER", destination="a")
            with pytest.raises(tenios.InvalidArgumentError):
                await c.refer_call(CONNECTED_CALL, sip_uri="x")
            with pytest.raises(TypeError):
                await c.record_start(CONNECTED_CALL, record_caller="yes")  # type: ignore[arg-type]
            return info.value

    err = run(main())
    assert err.message == NOT_FOUND
    assert (err.api_code, err.http_status, err.fields) == ("CALL_UUID_NOT_FOUND", 400, ("call_uuid",))
    assert len(api_requests(sim)) == 1


def test_echoed_keys_are_redacted(sim: Sim) -> None:
    sim.fault(status=400, headers=JSON, body=json.dumps(
        {"error_code": "X", "error_message": f"{ACCESS_KEY} {SUPERVISOR_KEY}"}))

    async def main() -> tenios.TeniosError:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as c:
            with pytest.raises(tenios.ApiError) as info:
                await c.listen_in_start(CONNECTED_CALL, supervisor_key=SUPERVISOR_KEY,
                                        supervisor_destination="+4922155400300")
            return info.value

    err = run(main())
    assert err.message == "X: [REDACTED] [REDACTED]"


def test_the_event_loop_runs_while_a_call_waits(sim: Sim) -> None:
    # The simulator answers after 1.5 s; a ticker on the same loop must keep ticking meanwhile.
    sim.fault(status=200, headers=JSON, body=SUCCESS, delay_ms=1500)

    async def main() -> tuple[int, float]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.ensure_future(ticker())
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as c:
            started = time.monotonic()
            await c.transfer_call(CONNECTED_CALL, destination_type="SIP_USER", destination="agent-7")
            elapsed = time.monotonic() - started
        stop.set()
        await task
        return ticks, elapsed

    ticks, elapsed = run(main())
    assert elapsed >= 1.4, elapsed  # the call really waited for the delay
    # 10 ms ticks over 1.5 s: about 150 if the loop was free; a blocked loop gives 1 or 2.
    assert ticks >= 50, ticks


def test_calls_overlap(sim: Sim) -> None:
    for _ in range(4):
        sim.fault(status=200, headers=JSON, body=SUCCESS, delay_ms=1000)

    async def main() -> float:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as c:
            started = time.monotonic()
            await asyncio.gather(*(c.interrupt_block(CALL) for _ in range(4)))
            return time.monotonic() - started

    elapsed = run(main())
    assert elapsed < 1.9, elapsed  # four 1 s answers at once, not one after the other
    assert sim.stats()["requests"] == 4


def test_cancelling_the_task_leaves_the_call_to_finish(sim: Sim) -> None:
    # Cancelling the awaiting task does not cancel the request: the C call finishes in its
    # thread, the client stays usable, and nothing is reported to the loop.
    sim.fault(status=200, headers=JSON, body=SUCCESS, delay_ms=1000)
    errors: list[dict[str, Any]] = []

    async def main() -> None:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as c:
            task = asyncio.ensure_future(c.transfer_call(
                CONNECTED_CALL, destination_type="SIP_USER", destination="agent-7"))
            await wait_for_requests(sim, 1)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < 0.5  # the task ends at once
            assert c.sync_client._active == 1  # the C call is still running in its thread
            deadline = time.monotonic() + 10
            while c.sync_client._active:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
            assert time.monotonic() - started >= 0.8  # it ran to the simulator's answer
            await c.interrupt_block(CALL)  # the client goes on working

    run(main(), errors=errors)
    assert errors == []
    assert sim.stats()["requests"] == 2


def test_aclose_cancels_a_call_whose_task_was_cancelled(sim: Sim) -> None:
    sim.fault(status=200, headers=JSON, body=SUCCESS, delay_ms=10_000)
    errors: list[dict[str, Any]] = []

    async def main() -> float:
        c = tenios.AsyncClient(ACCESS_KEY, base_url=sim.url, timeout=30)
        task = asyncio.ensure_future(c.record_start(CONNECTED_CALL))
        await wait_for_requests(sim, 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started = time.monotonic()
        await c.aclose()
        waited = time.monotonic() - started
        assert c.closed
        assert c.sync_client._active == 0  # close() waited for the C call to return
        with pytest.raises(tenios.ShutdownError) as info:
            await c.record_start(CONNECTED_CALL)
        assert info.value.message == "client is closed"
        return waited

    waited = run(main(), errors=errors)
    assert waited < 2.5, waited  # of a 10 s delay and a 30 s timeout
    assert errors == []


def test_aclose_does_not_queue_behind_a_busy_executor(sim: Sim) -> None:
    # Every executor thread is inside a call waiting 10 s; aclose() must not need one of them.
    for _ in range(2):
        sim.fault(status=200, headers=JSON, body=SUCCESS, delay_ms=10_000)

    async def main() -> tuple[float, list[Any]]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=2))
        c = tenios.AsyncClient(ACCESS_KEY, base_url=sim.url, timeout=30)
        calls = [asyncio.ensure_future(c.interrupt_block(CALL)) for _ in range(2)]
        await wait_for_requests(sim, 2)
        started = time.monotonic()
        await c.aclose()
        waited = time.monotonic() - started
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        return waited, outcomes

    waited, outcomes = run(main())
    assert waited < 2.5, waited
    assert [type(o) for o in outcomes] == [tenios.ShutdownError, tenios.ShutdownError]
    assert all(o.message.startswith("the client was shut down during the call") for o in outcomes)


def test_aclose_is_idempotent_and_close_works_outside_a_loop(sim: Sim) -> None:
    c = tenios.AsyncClient(ACCESS_KEY, base_url=sim.url)
    assert repr(c) == "<tenios.AsyncClient open>"

    async def main() -> None:
        await c.interrupt_block(CALL)
        await c.aclose()
        await c.aclose()

    run(main())
    c.close()
    assert repr(c) == "<tenios.AsyncClient closed>"
    other = tenios.AsyncClient(ACCESS_KEY, base_url=sim.url)
    other.close()
    assert other.closed


def test_constructor_errors_are_the_client_s(sim: Sim) -> None:
    with pytest.raises(tenios.InvalidArgumentError) as info:
        tenios.AsyncClient(ACCESS_KEY, base_url=sim.url, timeout=0)
    assert info.value.message == "timeout must be 1 to 600000 ms, not 0"


def test_an_async_client_cannot_be_pickled(sim: Sim) -> None:
    import pickle
    c = tenios.AsyncClient(ACCESS_KEY, base_url=sim.url)
    with pytest.raises(TypeError):
        pickle.dumps(c)
    c.close()


ON_OLD_PYTHON = textwrap.dedent("""
    import asyncio, tenios
    async def main():
        async with tenios.AsyncClient({key!r}, base_url={url!r}) as c:
            recording = await c.record_start({call!r})
            await c.transfer_call({call!r}, destination_type=tenios.DestinationType.SIP_USER,
                                  destination="agent-7")
            await c.record_stop({call!r}, recording_uuid=recording)
            try:
                await c.listen_in_start({call!r}, supervisor_key="wrong-supervisor-key",
                                        supervisor_destination="+4922155400300")
            except tenios.BadCredentialsError as err:
                print(len(recording), err.api_code, c.closed)
        print(c.closed)
    asyncio.run(main())
""")


@pytest.mark.parametrize("version", ["3.9"])
def test_on_older_pythons(sim: Sim, version: str) -> None:
    python = older_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (set TENIOS_PYTHON_{version.replace('.', '_')})")
    result = run_python(ON_OLD_PYTHON.format(key=ACCESS_KEY, url=sim.url, call=CONNECTED_CALL),
                        python=python)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "36 BAD_CREDENTIALS False\nTrue\n"
