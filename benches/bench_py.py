"""Benchmark client in Python: the tenios binding and the usual HTTP libraries.

    bench_py.py --mode M --url URL --key K --uuid U [--ca PEM] --calls N [--warmup W]

Modes: tenios (tenios.interrupt_block, base URL from TENIOS_API_URL, CA from TENIOS_CA_FILE),
tenios-client (tenios.Client), requests (requests.Session), urllib3 (urllib3.PoolManager),
urllib3-pool (urllib3.HTTPConnectionPool / HTTPSConnectionPool). Every mode POSTs the same JSON
with Content-Type: application/json on one kept-alive connection and checks HTTP 200 with
{"success": true}; the tenios modes do that inside the library.

Measures exactly what bench_common.h measures for the C clients and prints the same JSON line:
first_exec_ms from BENCH_T0_NS (taken by the driver just before it spawned this process:
interpreter start-up and imports included) to the return of the first call; first_call_ms from
just before the client is set up (after the imports) to that return; then W warm-up calls and N
timed calls (time.perf_counter_ns around each; the same CLOCK_MONOTONIC as the C clients).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable


def _check(status: int, body: bytes | dict) -> None:
    data = json.loads(body) if isinstance(body, bytes | bytearray) else body
    if status != 200 or data.get("success") is not True:
        raise RuntimeError(f"unexpected response: HTTP {status} {body!r}")


def make_call(mode: str, url: str, key: str, uuid: str, ca: str | None) -> Callable[[], None]:
    endpoint = url.rstrip("/") + "/interrupt-ecc-block"
    payload = {"access_key": key, "call_uuid": uuid}
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if mode == "tenios":
        import tenios

        return lambda: tenios.interrupt_block(key, uuid)
    if mode == "tenios-client":
        import tenios

        client = tenios.Client(key, base_url=url, ca_file=ca)
        return lambda: client.interrupt_block(uuid)
    if mode == "requests":
        import requests

        session = requests.Session()
        if ca:
            session.verify = ca

        def call() -> None:
            r = session.post(endpoint, json=payload, headers=headers, timeout=(5, 10))
            _check(r.status_code, r.json())

        return call
    if mode == "urllib3":
        import urllib3

        http = urllib3.PoolManager(ca_certs=ca, timeout=urllib3.Timeout(connect=5, read=10))

        def call() -> None:
            r = http.request("POST", endpoint, json=payload, headers=headers)
            _check(r.status, r.data)

        return call
    if mode == "urllib3-pool":
        import urllib3

        tls = {"ca_certs": ca} if url.startswith("https:") else {}
        pool = urllib3.connection_from_url(url, maxsize=1, **tls,
                                           timeout=urllib3.Timeout(connect=5, read=10))

        def call() -> None:
            r = pool.request("POST", "/interrupt-ecc-block", json=payload, headers=headers)
            _check(r.status, r.data)

        return call
    raise SystemExit(f"bench_py: unknown mode {mode}")


def quantile_us(sorted_ns: list[int], q: float) -> float:
    rank = min(max(int(q * len(sorted_ns) + 0.999999), 1), len(sorted_ns))
    return sorted_ns[rank - 1] / 1000.0


def peak_rss_kib() -> int:
    """VmHWM, as in bench_common.h (ru_maxrss is carried over execve from the driver)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    p = argparse.ArgumentParser()
    for name in ("mode", "url", "key", "uuid"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--ca")
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--warmup", type=int, default=200)
    a = p.parse_args()

    t0 = int(os.environ.get("BENCH_T0_NS", "0"))

    before = time.perf_counter_ns()
    call = make_call(a.mode, a.url, a.key, a.uuid, a.ca)
    call()
    after = time.perf_counter_ns()

    for _ in range(a.warmup):
        call()
    lat = [0] * a.calls
    clock = time.perf_counter_ns
    cpu0 = cpu_seconds()
    start = clock()
    for i in range(a.calls):
        t = clock()
        call()
        lat[i] = clock() - t
    end = clock()
    cpu1 = cpu_seconds()
    lat.sort()
    seconds = (end - start) / 1e9
    print(json.dumps({
        "mode": a.mode, "threads": 1, "calls": a.calls, "seconds": round(seconds, 6),
        "cps": round(a.calls / seconds, 1),
        "p50_us": round(quantile_us(lat, 0.50), 2), "p99_us": round(quantile_us(lat, 0.99), 2),
        "cpu_us_per_call": round((cpu1 - cpu0) * 1e6 / a.calls, 3),
        "first_exec_ms": round((after - t0) / 1e6, 3) if t0 else -1.0,
        "first_call_ms": round((after - before) / 1e6, 3),
        "peak_rss_kib": peak_rss_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "failures": 0,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
