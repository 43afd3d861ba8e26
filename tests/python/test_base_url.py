"""TENIOS_API_URL handling. The library reads it once per process, so each case runs a child
interpreter with its own environment."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from conftest import ACCESS_KEY, CALL, Sim, call_once_code, child_env, run_python


def _unshare_prefix() -> list[str]:
    """Run children that are handed a non-loopback URL in an empty network namespace, so a
    library bug could never reach a real host."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
    return [unshare, "-rn"] if probe.returncode == 0 else []


NO_NET = _unshare_prefix()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_call(url: str | None, *, isolated: bool = False) -> str:
    result = run_python(call_once_code(), env=child_env(TENIOS_API_URL=url),
                        prefix=NO_NET if isolated else None)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_connection_refused_is_a_network_error(sim: Sim) -> None:
    out = one_call(f"http://127.0.0.1:{free_port()}")
    name, status, message = out.split("|", 2)
    assert (name, status) == ("NetworkError", "10")
    assert message.startswith("network error: "), message


def test_localhost_is_loopback(sim: Sim) -> None:
    out = one_call(f"http://localhost:{free_port()}")
    assert out.split("|", 2)[:2] == ["NetworkError", "10"], out


@pytest.mark.parametrize("url", [
    "http://example.com",
    "http://example.com:80/",
    "http://10.1.2.3:8080",
    "ftp://x",
    "not a url",
    "127.0.0.1:8080",
])
def test_unusable_base_url(sim: Sim, url: str) -> None:
    out = one_call(url, isolated=True)
    name, status, message = out.split("|", 2)
    assert (name, status) == ("InvalidArgumentError", "1"), out
    assert message.startswith("TENIOS_API_URL is unusable: "), message
    assert sim.stats()["requests"] == 0


def test_unusable_base_url_still_checks_arguments_first(sim: Sim) -> None:
    # An empty key: refused by the library (None would be refused by the binding already).
    code = "import tenios\ntry:\n    tenios.interrupt_block('', 'x')\nexcept tenios.TeniosError as e:\n    print(e.message)\n"
    result = run_python(code, env=child_env(TENIOS_API_URL="ftp://x"), prefix=NO_NET)
    assert result.stdout.strip() == "access_key is empty", result.stderr


def test_trailing_slash_in_base_url(sim: Sim) -> None:
    assert one_call(sim.url + "/") == "ok"
    (request,) = sim.requests()
    assert request["path"] == "/interrupt-ecc-block"


def test_base_url_is_read_once_per_process(sim: Sim) -> None:
    code = (
        "import os, tenios\n"
        f"tenios.interrupt_block({ACCESS_KEY!r}, {CALL!r})\n"
        "os.environ['TENIOS_API_URL'] = 'ftp://x'\n"
        f"tenios.interrupt_block({ACCESS_KEY!r}, {CALL!r})\n"
        "print('ok')\n"
    )
    result = run_python(code, env=child_env(TENIOS_API_URL=sim.url))
    assert result.stdout.strip() == "ok", result.stderr
    assert sim.stats()["requests"] == 2
