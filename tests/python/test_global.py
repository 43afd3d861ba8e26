"""The default client (tenios.interrupt_block): global_cleanup() shuts it down (calls in flight
return promptly, later ones are refused) until global_init(), which re-reads TENIOS_API_URL.
Each case runs in a child interpreter, since the default client is per process."""

from __future__ import annotations

import textwrap

from conftest import ACCESS_KEY, CALL, UNKNOWN_CALL, Sim, child_env, run_python

PRELUDE = textwrap.dedent("""
    import json, os, threading, time, urllib.request
    import tenios
    KEY, URL, CALL, UNKNOWN = {key!r}, {url!r}, {call!r}, {unknown!r}

    def outcome(call):
        try:
            call()
            return "ok"
        except tenios.TeniosError as err:
            return f"{{type(err).__name__}}|{{err.status.name}}|{{err.message}}"

    def module(uuid=CALL):
        return outcome(lambda: tenios.interrupt_block(KEY, uuid))

    def sim(method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(URL + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")
""")


def run(sim: Sim, body: str, **env: str | None) -> list[str]:
    code = PRELUDE.format(key=ACCESS_KEY, url=sim.url, call=CALL, unknown=UNKNOWN_CALL)
    result = run_python(code + textwrap.dedent(body), env=child_env(**env))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


REFUSED = ("ShutdownError|ERR_SHUTDOWN|the default client was shut down by tenios_global_cleanup; "
           "call tenios_global_init to use it again")


def test_cleanup_refuses_calls_until_init(sim: Sim) -> None:
    lines = run(sim, """
        print(module())
        tenios.global_cleanup()
        tenios.global_cleanup()  # idempotent
        print(module())
        with tenios.Client(KEY, base_url=URL) as client:  # other clients are not affected
            print(outcome(lambda: client.interrupt_block(CALL)))
        tenios.global_init()
        print(module(), module(UNKNOWN).split("|")[0])
    """)
    assert lines == ["ok", REFUSED, "ok", "ok CallNotFoundError"]
    assert sim.interrupts() == [CALL] * 3
    assert sim.stats()["requests"] == 4


def test_cleanup_cancels_a_call_in_flight(sim: Sim) -> None:
    lines = run(sim, """
        sim("POST", "/_sim/faults", {"status": 200, "headers": [["Content-Type", "application/json"]],
                                     "body": '{"success": true}', "delay_ms": 10000})
        result = []
        thread = threading.Thread(target=lambda: result.append(module()))
        thread.start()
        deadline = time.monotonic() + 10
        while not sim("GET", "/_sim/requests") and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        tenios.global_cleanup()
        thread.join(10)
        print(result, time.monotonic() - started < 2.5)
    """)
    assert lines == [
        "['ShutdownError|ERR_SHUTDOWN|the client was shut down during the call; "
        "the request may or may not have reached the API'] True"
    ]
    assert sim.interrupts() == []


def test_init_rereads_the_environment(sim: Sim) -> None:
    lines = run(sim, """
        print(module())                       # TENIOS_API_URL as it was at load: unusable
        os.environ["TENIOS_API_URL"] = URL    # changed later: used after global_init()
        tenios.global_init()
        print(module())
        os.environ["TENIOS_API_URL"] = "ftp://x"
        print(outcome(tenios.global_init).split(":")[0])
    """, TENIOS_API_URL="http://example.com")
    assert lines[0].startswith("InvalidArgumentError|ERR_INVALID_ARGUMENT|TENIOS_API_URL is unusable: "), lines
    assert lines[1:] == ["ok", "InvalidArgumentError|ERR_INVALID_ARGUMENT|TENIOS_API_URL is unusable"]
    assert sim.interrupts() == [CALL]
