"""Concurrent use of the library from many Python threads, and the GIL: ctypes.CDLL releases
it for the length of every call, so other Python threads run while a call waits on the
network (ctypes.PyDLL would not)."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest

import tenios
from conftest import ACCESS_KEY, CALL, NOT_FOUND, UNKNOWN_CALL, Sim

JSON = [["Content-Type", "application/json"]]
DELAY_S = 2.0


def ticks_during(call: Callable[[], None]) -> tuple[int, float]:
    """Run `call` in this thread while a pure-Python thread records the time every 10 ms.
    Returns the number of ticks strictly inside the call (with 0.3 s margins at both ends)
    and how long the call took. A call that holds the GIL gets no ticks inside it."""
    ticks: list[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        while not ticks:  # the ticker is running before the call starts
            time.sleep(0.01)
        started = time.monotonic()
        call()
        ended = time.monotonic()
    finally:
        stop.set()
        thread.join(timeout=10)
    inside = [t for t in ticks if started + 0.3 < t < ended - 0.3]
    return len(inside), ended - started


@pytest.mark.parametrize("api", ["module", "client"])
def test_the_gil_is_released_while_a_call_waits(sim: Sim, api: str) -> None:
    sim.fault(status=200, headers=JSON, body='{"success": true}', delay_ms=int(DELAY_S * 1000))
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as client:
        call = (lambda: tenios.interrupt_block(ACCESS_KEY, CALL)) if api == "module" \
            else (lambda: client.interrupt_block(CALL))
        inside, took = ticks_during(call)
    assert took >= DELAY_S - 0.1, took  # the call really waited in the library
    # About 140 ticks when the GIL is released; none at all when the call holds it. Even a
    # badly overloaded machine wakes a sleeping thread 10 times in 1.4 s.
    assert inside >= 10, (inside, took)
    assert sim.stats()["requests"] == 1  # answered by the fault (so not recorded as an interrupt)

THREADS = 8
CALLS = 50


def test_eight_threads_fifty_calls_each(sim: Sim) -> None:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    done = [0] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(CALLS):
                assert tenios.interrupt_block(ACCESS_KEY, CALL) is None
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
    assert sim.stats()["requests"] == THREADS * CALLS
    interrupts = sim.interrupts()
    assert len(interrupts) == THREADS * CALLS and set(interrupts) == {CALL}


def test_threads_get_their_own_errors(sim: Sim) -> None:
    results: dict[int, object] = {}

    def worker(index: int) -> None:
        try:
            tenios.interrupt_block(ACCESS_KEY, CALL if index % 2 == 0 else UNKNOWN_CALL)
            results[index] = None
        except tenios.TeniosError as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for index in range(16):
        if index % 2 == 0:
            assert results[index] is None
        else:
            err = results[index]
            assert isinstance(err, tenios.CallNotFoundError)
            assert err.message == NOT_FOUND
