"""fork: a Client inherited by a child process works there (with its own connections, never the
parent's), close() and interpreter exit in the child never wait for calls that the parent's
threads had in flight, multiprocessing with the fork start method works, and the parent keeps
working. Each case runs in a child interpreter (the pytest process itself is never forked)."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ACCESS_KEY, CALL, STUCK_CALL, UNKNOWN_CALL, Sim, run_python

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")

PRELUDE = textwrap.dedent("""
    import json, os, sys, threading, time, urllib.request
    import tenios
    KEY, URL = {key!r}, {url!r}
    CALL, UNKNOWN, STUCK = {call!r}, {unknown!r}, {stuck!r}

    def outcome(client, uuid):
        try:
            client.interrupt_block(uuid)
            return "ok"
        except tenios.TeniosError as err:
            return err.status.name

    def sim(method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(URL + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def wait_child(pid, seconds):
        # The child's exit status, or "hung" (and the child is killed) after `seconds`.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") \\
                    else status >> 8
            time.sleep(0.02)
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return "hung"

    def read_all(fd):
        chunks = []
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)
""")


def run(sim: Sim, body: str, timeout: float = 90) -> list[str]:
    code = PRELUDE.format(key=ACCESS_KEY, url=sim.url, call=CALL, unknown=UNKNOWN_CALL,
                          stuck=STUCK_CALL) + textwrap.dedent(body)
    result = run_python(code, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def connections_of(sim: Sim) -> list[int]:
    """The connection id of every API request, in order."""
    return [r["connection"] for r in sim.requests()]


def test_a_forked_child_uses_an_inherited_client(sim: Sim) -> None:
    lines = run(sim, """
        client = tenios.Client(KEY, base_url=URL, timeout=5)
        print("parent", outcome(client, CALL))  # the parent now has a pooled connection
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            results = [outcome(client, uuid) for uuid in (CALL, UNKNOWN, STUCK, CALL)]
            os.write(w, " ".join(results).encode())
            os.close(w)
            sys.exit(0)  # a normal exit: the client is closed by interpreter shutdown
        os.close(w)
        print("child", read_all(r))
        print("child exit", wait_child(pid, 30))
        print("parent", outcome(client, CALL), outcome(client, UNKNOWN))
        client.close()
    """)
    assert lines == [
        "parent ok",
        "child ok ERR_CALL_UUID_NOT_FOUND ERR_API ok",
        "child exit 0",
        "parent ok ERR_CALL_UUID_NOT_FOUND",
    ]
    assert sim.interrupts() == [CALL] * 4
    # The child never touched the parent's connection: it opened its own, and the parent went
    # on with the one it had.
    first, *child, after_1, after_2 = connections_of(sim)
    assert len(child) == 4
    assert len(set(child)) == 1 and child[0] != first, (first, child)
    assert after_1 == after_2 == first
    assert sim.stats() == {"connections": 2, "requests": 7}


def test_a_child_forked_while_a_call_is_in_flight_closes_promptly(sim: Sim) -> None:
    lines = run(sim, """
        client = tenios.Client(KEY, base_url=URL, timeout=30)
        sim("POST", "/_sim/faults", {"status": 200, "headers": [["Content-Type", "application/json"]],
                                     "body": '{"success": true}', "delay_ms": 10000})
        in_flight = []
        thread = threading.Thread(target=lambda: in_flight.append(outcome(client, CALL)))
        thread.start()
        deadline = time.monotonic() + 10
        while not sim("GET", "/_sim/requests") and time.monotonic() < deadline:
            time.sleep(0.01)
        print("requests before fork", len(sim("GET", "/_sim/requests")))

        # child 1: calls, then close(), which must not wait for the parent's call
        pid = os.fork()
        if pid == 0:
            result = outcome(client, UNKNOWN)
            started = time.monotonic()
            client.close()
            took = time.monotonic() - started
            with tenios.Client(KEY, base_url=URL) as other:
                second = outcome(other, CALL)
            os._exit(0 if (result, second) == ("ERR_CALL_UUID_NOT_FOUND", "ok") and took < 5 else 1)
        print("child with close()", wait_child(pid, 30))

        # child 2: no close(); interpreter exit (which closes the client) must not wait either
        pid = os.fork()
        if pid == 0:
            sys.exit(0)
        print("child at exit", wait_child(pid, 30))

        # the parent: its call is still in flight; close() cancels it
        started = time.monotonic()
        client.close()
        thread.join(10)
        print("parent", in_flight, time.monotonic() - started < 5)
    """)
    assert lines == [
        "requests before fork 1",
        "child with close() 0",
        "child at exit 0",
        "parent ['ERR_SHUTDOWN'] True",
    ]
    assert sim.interrupts() == [CALL]  # child 1's second client
    assert sim.stats()["requests"] == 3


def test_multiprocessing_pool_with_fork(sim: Sim) -> None:
    lines = run(sim, """
        import multiprocessing
        client = tenios.Client(KEY, base_url=URL, timeout=5)
        print("parent", outcome(client, CALL))

        def work(uuid):
            return os.getpid(), outcome(client, uuid)

        with multiprocessing.get_context("fork").Pool(4) as pool:
            results = pool.map(work, [CALL, UNKNOWN, STUCK, CALL] * 5, chunksize=1)
        print("workers", " ".join(r for _, r in results))
        print("worker processes", 1 < len({pid for pid, _ in results}) <= 4)
        print("parent", outcome(client, CALL), outcome(client, STUCK))
        client.close()
    """)
    assert lines == [
        "parent ok",
        "workers " + " ".join(["ok", "ERR_CALL_UUID_NOT_FOUND", "ERR_API", "ok"] * 5),
        "worker processes True",
        "parent ok ERR_API",
    ]
    assert sim.interrupts() == [CALL] * (1 + 10 + 1)
    requests = sim.requests()
    assert len(requests) == 1 + 20 + 2
    # The parent kept its own connection; no worker used it.
    parent_connection = requests[0]["connection"]
    assert [r["connection"] for r in requests[-2:]] == [parent_connection] * 2
    assert parent_connection not in {r["connection"] for r in requests[1:-2]}
