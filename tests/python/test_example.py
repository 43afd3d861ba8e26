"""bindings/python/examples/interrupt.py, run as a user would from the checkout."""

from __future__ import annotations

import subprocess
import sys

from conftest import ACCESS_KEY, CALL, CONNECTED_CALL, REPO, NOT_FOUND, UNKNOWN_CALL, Sim, child_env

EXAMPLE = REPO / "bindings" / "python" / "examples" / "interrupt.py"


def run_example(*args: str, key: str | None = ACCESS_KEY) -> subprocess.CompletedProcess[str]:
    env = child_env(TENIOS_ACCESS_KEY=key)
    env["PYTHONPATH"] = "bindings/python"
    return subprocess.run([sys.executable, str(EXAMPLE.relative_to(REPO)), *args], cwd=REPO, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_success(sim: Sim) -> None:
    result = run_example(CALL)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"interrupted the current block of call {CALL}\n"
    assert result.stderr == ""
    assert sim.interrupts() == [CALL]


def test_call_not_found(sim: Sim) -> None:
    result = run_example(UNKNOWN_CALL)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"failed: TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}\n"
    )


def test_bad_key(sim: Sim) -> None:
    result = run_example(CALL, key="wrong-key-0000")
    assert result.returncode == 1
    assert result.stderr == "failed: TENIOS_ERR_BAD_CREDENTIALS: BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section\n"


def test_invalid_argument(sim: Sim) -> None:
    result = run_example(CALL, key="")
    assert result.returncode == 1
    assert result.stderr == "failed: TENIOS_ERR_INVALID_ARGUMENT: access_key is empty\n"
    sim.assert_nothing_sent(lambda: run_example(CALL))


def test_usage_errors(sim: Sim) -> None:
    for args in ([], [CALL, "extra"]):
        result = run_example(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("usage: interrupt.py CALL_UUID")
    missing_key = run_example(CALL, key=None)
    assert missing_key.returncode == 2
    assert "TENIOS_ACCESS_KEY" in missing_key.stderr
    assert sim.stats()["requests"] == 0


# --- bindings/python/examples/client.py: the same with tenios.Client ----------------------------

CLIENT_EXAMPLE = REPO / "bindings" / "python" / "examples" / "client.py"


def run_client_example(*args: str, key: str | None = ACCESS_KEY,
                       url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = child_env(TENIOS_ACCESS_KEY=key)
    if url is not None:
        env["TENIOS_API_URL"] = url
    env["PYTHONPATH"] = "bindings/python"
    return subprocess.run([sys.executable, str(CLIENT_EXAMPLE.relative_to(REPO)), *args], cwd=REPO,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_client_success(sim: Sim) -> None:
    result = run_client_example(CALL)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"interrupted the current block of call {CALL}\n"
    assert result.stderr == ""
    assert sim.interrupts() == [CALL]
    (request,) = sim.requests()
    agents = [v for k, v in request["headers"] if k.lower() == "user-agent"]
    assert agents[0].endswith(" tenios-example/1.0"), agents


def test_client_call_not_found(sim: Sim) -> None:
    result = run_client_example(UNKNOWN_CALL)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"failed: TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}\n"
        "  api_code=CALL_UUID_NOT_FOUND http_status=400 fields=call_uuid\n"
    )


def test_client_http_error(sim: Sim) -> None:
    sim.fault(status=503, body="")
    result = run_client_example(CALL)
    assert result.returncode == 1
    assert result.stderr == (
        "failed: TENIOS_ERR_HTTP: HTTP 503 with no API error in the body\n"
        "  api_code=- http_status=503 fields=-\n"
    )


def test_client_missing_key(sim: Sim) -> None:
    result = run_client_example(CALL, key=None)
    assert result.returncode == 1
    assert result.stderr == (
        "failed: TENIOS_ERR_INVALID_ARGUMENT: access_key is missing: pass it or set TENIOS_ACCESS_KEY\n"
        "  api_code=- http_status=0 fields=-\n"
    )
    sim.assert_nothing_sent(lambda: run_client_example(CALL))


def test_client_unusable_base_url(sim: Sim) -> None:
    result = run_client_example(CALL, url="http://example.com")
    assert result.returncode == 1
    assert result.stderr.startswith("failed: TENIOS_ERR_INVALID_ARGUMENT: base URL is unusable: "), result.stderr
    assert sim.stats()["requests"] == 0


def test_client_usage_errors(sim: Sim) -> None:
    for args in ([], [CALL, "extra"], ["--help"]):
        result = run_client_example(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("usage: client.py CALL_UUID")
    assert sim.stats()["requests"] == 0


# --- bindings/python/examples/call_demo.py: the scripted call with tenios.AsyncClient -----------

CALL_DEMO = REPO / "bindings" / "python" / "examples" / "call_demo.py"


def run_call_demo(*args: str, key: str | None = ACCESS_KEY) -> subprocess.CompletedProcess[str]:
    env = child_env(TENIOS_ACCESS_KEY=key)
    env["PYTHONPATH"] = "bindings/python"
    return subprocess.run([sys.executable, str(CALL_DEMO.relative_to(REPO)), *args], cwd=REPO,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)


def test_call_demo(sim: Sim) -> None:
    result = run_call_demo(CALL, CONNECTED_CALL, "agent-7")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    call = sim.call(CONNECTED_CALL)
    (recording,) = call["recordings"]
    uuid = recording["recording_uuid"]
    assert result.stdout == (
        f"1. interrupted the waiting loop of call {CALL}\n"
        f"2. started recording call {CONNECTED_CALL}: recording {uuid}\n"
        f"3. transferred call {CONNECTED_CALL} to SIP user agent-7\n"
        f"4. stopped recording {uuid}\n"
    )
    assert recording["running"] is False
    assert call["transfers"] == [{"destination_type": "SIP_USER", "destination": "agent-7"}]
    assert sim.interrupts() == [CALL]
    assert [r["path"] for r in sim.requests()] == [
        "/interrupt-ecc-block", "/record-call/start", "/transfer-call", "/record-call/stop"]


def test_call_demo_stops_the_recording_when_the_transfer_fails(sim: Sim) -> None:
    json_headers = [["Content-Type", "application/json"]]
    sim.fault(status=200, headers=json_headers, body='{"success": true}')
    sim.fault(status=200, headers=json_headers, body='{"recording_uuid": "r-1"}')
    sim.fault(status=400, headers=json_headers,
              body='{"error_code": "CALL_NOT_CONNECTED", "error_message": "The call is not connected to a destination"}')
    sim.fault(status=200, headers=json_headers, body='{"success": "true"}')
    result = run_call_demo(CALL, CONNECTED_CALL, "agent-7")
    assert result.returncode == 1
    assert result.stdout == (
        f"1. interrupted the waiting loop of call {CALL}\n"
        f"2. started recording call {CONNECTED_CALL}: recording r-1\n"
        f"4. stopped recording r-1\n"
    )
    assert result.stderr == (
        "call_demo.py: step 3: TENIOS_ERR_API: CALL_NOT_CONNECTED: The call is not connected to a destination\n")
    assert [r["path"] for r in sim.requests()][-1] == "/record-call/stop"


def test_call_demo_unknown_call(sim: Sim) -> None:
    result = run_call_demo(CALL, UNKNOWN_CALL, "agent-7")
    assert result.returncode == 1
    assert result.stdout == f"1. interrupted the waiting loop of call {CALL}\n"
    assert result.stderr == (
        f"call_demo.py: step 2: TENIOS_ERR_CALL_UUID_NOT_FOUND: {NOT_FOUND}\n")


def test_call_demo_usage(sim: Sim) -> None:
    for args in ([], [CALL, CONNECTED_CALL], ["--help"]):
        result = run_call_demo(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("usage: call_demo.py WAITING_CALL CONNECTED_CALL AGENT")
    assert sim.stats()["requests"] == 0
