"""Shared fixtures: one tenios-sim per session, reset before every test.

The library's default client reads TENIOS_API_URL when the library is loaded (or in
tenios.global_init()), so the simulator is started and TENIOS_API_URL set before any test
loads the library. Tests that need another base URL run a child interpreter with its own
environment (see run_python).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[2]
BINDINGS = REPO / "bindings" / "python"

ACCESS_KEY = "test-key-7f3a9c1e-5b2d"
CALL = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"
STUCK_CALL = "9d5e2b1a-7c3f-4e8d-a6b0-1f2e3d4c5b6a"
UNKNOWN_CALL = "0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
# What every message about a rejected access key says after the API's text.
KEY_HINT = ("check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General "
            "settings, API section")
# The library's message for UNKNOWN_CALL: the API's text, then the hint repeating the uuid.
NOT_FOUND = ("CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the "
             f"uuid {UNKNOWN_CALL}: the call may have ended (the caller hung up or it was "
             "transferred away), or the uuid is wrong")
# A call bridged to a destination: it can be transferred, recorded, listened in on.
CONNECTED_CALL = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
SUPERVISOR_KEY = "test-supervisor-key-2d8e4f1a"
BLACKLISTED = "+4922100000666"  # a supervisor destination on the account's blacklist
# ACD agents of the session's simulator: one READY, one READY and in wrap-up.
AGENT = "py-agent@example.com"
WRAP_UP_AGENT = "py-wrap-up@example.com"


def _artifact(env_name: str, file_name: str) -> str | None:
    value = os.environ.get(env_name)
    if value:
        return value
    for profile in ("release", "debug"):
        candidate = REPO / "target" / profile / file_name
        if candidate.exists():
            return str(candidate)
    return None


LIBRARY = _artifact("TENIOS_LIBRARY", "libtenios.so")
SIM_BINARY = _artifact("TENIOS_SIM", "tenios-sim")
if LIBRARY:
    # The binding (and every child interpreter) loads exactly this library.
    os.environ["TENIOS_LIBRARY"] = LIBRARY


class Sim:
    """Client for the simulator's control endpoints (urllib only)."""

    def __init__(self, base_url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = base_url
        self.process = process

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def requests(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_sim/requests")

    def interrupts(self) -> list[str]:
        return self._call("GET", "/_sim/interrupts")

    def stats(self) -> dict[str, int]:
        return self._call("GET", "/_sim/stats")

    def call(self, call_uuid: str) -> dict[str, Any]:
        """The simulator's view of one call: state, transfers, refers, recordings, listen-ins."""
        return self._call("GET", f"/_sim/calls/{call_uuid}")

    def reset(self) -> None:
        self._call("POST", "/_sim/reset", {})

    def fault(self, **fault: Any) -> None:
        """Queue a fault: the next API request is answered by it."""
        self._call("POST", "/_sim/faults", fault)

    def assert_nothing_sent(self, reach: Callable[[], object]) -> None:
        """No request arrived, and it fails closed: ``reach`` (a valid call through the same
        client, or the default client) then does arrive, so the zero was measured where a
        request would have gone, not at a simulator the client never talks to."""
        assert self.stats()["requests"] == 0
        reach()
        assert self.stats()["requests"] == 1, "the valid call did not reach the simulator"


def _read_listening_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return box[0].decode(errors="replace").strip() if box else ""


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not LIBRARY or not Path(LIBRARY).exists():
        pytest.fail(f"libtenios not found (TENIOS_LIBRARY={LIBRARY!r}); run cargo build --release --features sim")
    if not SIM_BINARY or not Path(SIM_BINARY).exists():
        pytest.fail(f"tenios-sim not found (TENIOS_SIM={SIM_BINARY!r}); run cargo build --release --features sim")
    stderr_path = tmp_path_factory.mktemp("sim") / "stderr.txt"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [SIM_BINARY, "--follow-parent", "--port", "0", "--access-key", ACCESS_KEY,
             "--call", CALL, "--stuck-call", STUCK_CALL, "--connected-call", CONNECTED_CALL,
             "--supervisor-key", SUPERVISOR_KEY, "--blacklist", BLACKLISTED,
             "--agent", AGENT, "--wrap-up-agent", WRAP_UP_AGENT],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
        )
    try:
        line = _read_listening_line(process, timeout=20)
        prefix = "listening on "
        if not line.startswith(prefix + "http://127.0.0.1:"):
            process.kill()
            process.wait()
            pytest.fail(f"tenios-sim did not announce itself (got {line!r}); stderr: "
                        f"{stderr_path.read_text(errors='replace')}")
        url = line[len(prefix):]
        # Before the library is loaded: the default client reads it then.
        os.environ["TENIOS_API_URL"] = url
        yield Sim(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(autouse=True)
def _reset_sim(sim: Sim) -> None:
    sim.reset()


def child_env(**overrides: str | None) -> dict[str, str]:
    """os.environ with PYTHONPATH=bindings/python, then overrides (None removes a variable)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(BINDINGS)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_python(code: str, *, env: dict[str, str] | None = None, cwd: Path | str = REPO,
               prefix: list[str] | None = None, timeout: float = 60,
               python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), python, "-c", code],
        env=child_env() if env is None else env, cwd=cwd, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )


# Child snippet: one call, prints "ok" or "ClassName|status|message" on one line.
CALL_ONCE = """
import tenios
try:
    tenios.interrupt_block({key!r}, {call!r})
except tenios.TeniosError as e:
    print(type(e).__name__, int(e.status), e.message, sep="|")
else:
    print("ok")
"""


def call_once_code(key: str = ACCESS_KEY, call: str = CALL) -> str:
    return CALL_ONCE.format(key=key, call=call)
