"""Concurrent use of the library from many Python threads (ctypes drops the GIL in calls)."""

from __future__ import annotations

import threading

import tenios
from conftest import ACCESS_KEY, CALL, UNKNOWN_CALL, Sim

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
            assert err.message == "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid)"
