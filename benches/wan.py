#!/usr/bin/env python3
"""`make bench-wan`: libtenios and libcurl over a simulated wide-area network, in round trips.

benches/latency_proxy.c, on loopback, delays every chunk by 20 ms each way (RTT 40 ms) in front
of nginx over HTTPS (TLS 1.3 and 1.2 offered, a certificate from a CA made by
tests/tls/make-certs.sh), and benches/connect_delay.c (LD_PRELOAD) makes the TCP handshake to
the proxy take one RTT, which the kernel would otherwise complete at once on loopback. Two
nginx servers: one that keeps idle connections 75 s (keepalive_timeout 75s, nginx's default)
and one that closes them after 1 s (for calls after the server closed the idle connection).
benches/bench_wan.c runs the scenarios (see its comment) for a libtenios client handle and a
reused libcurl easy handle, in four processes at once (the 20 s and 60 s apart ones take real
time; each process has proxies of its own, so that the proxies' connection counters say
exactly how many connections each step opened, and libtenios's per-process name cache is
not shared between the idle scenarios). Before that it checks the set-up (a raw socket through
the proxy: connect = 1 RTT, a 1-byte ping-pong = 1 RTT) and, with strace, which system calls
one warm call makes.

    python3 benches/wan.py [--delay-ms 20] [--samples 10] [--idle-samples 3] [--no-write]

Writes the "Wide area" section of BENCHMARKS.md (between its markers; `make bench` writes the
whole file with it) and the round-trip panel of BENCHMARKS.png (with the loopback figures of
the last `make bench`, kept in build/bench/loopback.json). Takes about 3.5 minutes, most of it
waiting for the 60 s apart calls. Needs target/release/libtenios.so (`make build`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as loopback  # noqa: E402  (benches/run.py: nginx, venv, machine info, tables)

ROOT, BENCHES, OUT = loopback.ROOT, loopback.BENCHES, loopback.OUT
WAN_OUT = OUT / "wan"
RESULTS_JSON = OUT / "wan.json"
BEGIN, END = loopback.WAN_BEGIN, loopback.WAN_END
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"]
log = loopback.log


# ------------------------------------------------------------------------------- building

def header_has(name: str) -> bool:
    return re.search(rf"\b{name}\b", (ROOT / "include" / "tenios.h").read_text()) is not None


def build() -> dict[str, Path]:
    cc = os.environ.get("CC", "cc")
    WAN_OUT.mkdir(parents=True, exist_ok=True)
    exe = {"proxy": WAN_OUT / "latency_proxy", "shim": WAN_OUT / "connect_delay.so",
           "bench": WAN_OUT / "bench_wan"}
    subprocess.run([cc, *CFLAGS, "-o", str(exe["proxy"]), str(BENCHES / "latency_proxy.c")],
                   check=True)
    subprocess.run([cc, *CFLAGS, "-shared", "-fPIC", "-o", str(exe["shim"]),
                    str(BENCHES / "connect_delay.c"), "-ldl"], check=True)
    # the newer API is used when this checkout's header has it
    defs = [f"-D{d}" for d, fn in (("HAVE_TENIOS_PRECONNECT", "tenios_client_preconnect"),
                                   ("HAVE_TENIOS_TIMINGS", "tenios_last_call_timings"),
                                   ("HAVE_TENIOS_LOG", "tenios_client_builder_set_log_callback"))
            if header_has(fn)]
    release = loopback.LIB.parent
    subprocess.run([cc, *CFLAGS, *defs, f"-I{ROOT / 'include'}", "-o", str(exe["bench"]),
                    str(BENCHES / "bench_wan.c"), f"-L{release}", f"-Wl,-rpath,{release}",
                    "-ltenios", "-lcurl"], check=True)
    return exe


# ---------------------------------------------------------------------------- the servers

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_requests 1000000;
    log_format wan '$server_port|$http_user_agent|$ssl_protocol|$ssl_cipher|'
                   '$ssl_session_reused|$connection|$connection_requests|$request_time';
    access_log {tmp}/access.log wan;
    ssl_certificate {certs}/server.pem;
    ssl_certificate_key {certs}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    default_type application/json;
    # keeps idle connections 75 s, nginx's default
    server {{
        listen 127.0.0.1:{keep_port} ssl;
        keepalive_timeout 75s;
        location / {{ return 200 '{{"success":true}}'; }}
    }}
    # closes them after 1 s: the calls "after the server closed the idle connection"
    server {{
        listen 127.0.0.1:{short_port} ssl;
        keepalive_timeout 1s;
        location / {{ return 200 '{{"success":true}}'; }}
    }}
}}
"""


class WanNginx(loopback.Nginx):
    """nginx with the two HTTPS servers above; stop(), workers(), version() from run.py."""

    def __init__(self, binary: str, certs: Path) -> None:  # noqa: super().__init__ not wanted
        self.tmp = Path(tempfile.mkdtemp(prefix="tenios-bench-wan-nginx-"))
        ports: set[int] = set()
        while len(ports) < 2:
            ports.add(loopback.free_port())
        self.keep_port, self.short_port = sorted(ports)
        self._launch(binary, NGINX_CONF.format(tmp=self.tmp, certs=certs,
                                               keep_port=self.keep_port,
                                               short_port=self.short_port),
                     (self.keep_port, self.short_port))

    def access_log(self) -> list[list[str]]:
        try:
            return [line.split("|") for line in (self.tmp / "access.log").read_text().splitlines()]
        except OSError:
            return []


class Proxy:
    def __init__(self, binary: Path, target_port: int, delay_ms: float, name: str) -> None:
        self.stats = WAN_OUT / f"proxy-{name}.stats"
        self.proc = subprocess.Popen([str(binary), "-t", f"127.0.0.1:{target_port}",
                                      "-d", str(delay_ms), "-s", str(self.stats)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"latency_proxy did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])

    def connections(self) -> int:
        return int(self.stats.read_text().split()[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def client_env(shim: Path, delay_ms: float, ports: list[int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in loopback.SCRUBBED_ENV}
    env.update(LD_PRELOAD=str(shim), CONNECT_DELAY_MS=str(2 * delay_ms),
               CONNECT_DELAY_PORTS=",".join(str(p) for p in ports))
    return env


# ----------------------------------------------------------------------------- the checks

# Run with the shim preloaded: one connect through the proxy, then 1-byte ping-pongs.
RAW_CHECK = """
import json, socket, statistics, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
connects = []
for _ in range(3):  # the last socket stays for the ping-pong
    s = socket.socket()
    t = time.perf_counter_ns()
    s.connect(("127.0.0.1", port))
    connects.append((time.perf_counter_ns() - t) / 1e6)
connect = statistics.median(connects)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
pp = []
for _ in range(n):
    t = time.perf_counter_ns()
    s.sendall(b"x")
    if s.recv(1) != b"x":
        sys.exit("echo failed")
    pp.append((time.perf_counter_ns() - t) / 1e6)
    time.sleep(0.02)
print(json.dumps({"connect_ms": connect, "pingpong_ms": pp}))
"""


def raw_check(exe: dict[str, Path], delay_ms: float, n: int = 20) -> dict:
    """A raw socket through the proxy to an echo server: connect and ping-pong in RTTs."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def echo(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=echo, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    proxy = Proxy(exe["proxy"], srv.getsockname()[1], delay_ms, "raw")
    try:
        r = subprocess.run([sys.executable, "-c", RAW_CHECK, str(proxy.port), str(n)],
                           env=client_env(exe["shim"], delay_ms, [proxy.port]),
                           capture_output=True, text=True, timeout=60, check=True)
        out = json.loads(r.stdout)
        out["connections"] = proxy.connections()
    finally:
        proxy.stop()
        srv.close()
    return out


def strace_check(exe: dict[str, Path], nginx: WanNginx, certs: Path, delay_ms: float,
                 lib: str) -> dict:
    """Which system calls one warm call makes (strace -f -e trace=network,write)."""
    if not shutil.which("strace"):
        return {"error": "strace is not installed"}
    proxy = Proxy(exe["proxy"], nginx.keep_port, delay_ms, f"strace-{lib}")
    trace = WAN_OUT / f"strace-{lib}.txt"
    try:
        subprocess.run(["strace", "-f", "-qq", "-s", "64", "-e", "trace=network,write", "-o",
                        str(trace), str(exe["bench"]), "--strace-warm", lib,
                        "--keep-url", f"https://localhost:{proxy.port}",
                        "--ca", str(certs / "ca.pem"), "--key", loopback.KEY,
                        "--uuid", loopback.CALL_UUID],
                       env=client_env(exe["shim"], delay_ms, [proxy.port]),
                       capture_output=True, text=True, timeout=60, check=True)
    finally:
        proxy.stop()
    lines = trace.read_text().splitlines()
    inside, calls = False, []
    for line in lines:
        if "strace mark begin" in line:
            inside = True
            continue
        if "strace mark end" in line:
            break
        if inside:
            m = re.match(r"^\d+\s+(\w+)\((.*)", line)
            if m:
                calls.append((m.group(1), line))
    sends = [c for c in calls if c[0] in ("write", "sendto", "sendmsg", "writev", "send")]
    counts: dict[str, int] = {}
    for name, _ in calls:
        counts[name] = counts.get(name, 0) + 1
    return {"sends": len(sends), "connects": counts.get("connect", 0),
            "syscalls": counts,
            "send_lines": [re.sub(r'".*"(\.\.\.)?', "…", s[1].split(None, 1)[1]) for s in sends]}


# ----------------------------------------------------------------------------- the runs

# Each process: (name, sequences, needs the 1 s server). Run at the same time.
PROCESSES = [
    ("main", ["tenios-warm", "curl-warm", "tenios-new", "curl-new", "tenios-closed",
              "curl-closed", "tenios-pre-closed", "tenios-pre-new", "curl-connect-only"], True),
    ("tenios-idle20", ["tenios-idle20"], False),
    ("tenios-idle60", ["tenios-idle60"], False),
    ("curl-idle", ["curl-idle20", "curl-idle60"], False),
]


def run_scenarios(exe: dict[str, Path], nginx: WanNginx, certs: Path, args) -> list[dict]:
    have_pre = header_has("tenios_client_preconnect")
    proxies: list[Proxy] = []
    procs = []
    try:
        for name, seqs, short in PROCESSES:
            if not have_pre:
                seqs = [s for s in seqs if not s.startswith("tenios-pre")]
            keep = Proxy(exe["proxy"], nginx.keep_port, args.delay_ms, f"{name}-keep")
            proxies.append(keep)
            cmd = [str(exe["bench"]), "--keep-url", f"https://localhost:{keep.port}",
                   "--keep-stats", str(keep.stats), "--ca", str(certs / "ca.pem"),
                   "--key", loopback.KEY, "--uuid", loopback.CALL_UUID, "--seq", ",".join(seqs),
                   "--samples", str(args.samples), "--warm-samples", str(args.warm_samples),
                   "--idle-samples", str(args.idle_samples)]
            ports = [keep.port]
            if short:
                sp = Proxy(exe["proxy"], nginx.short_port, args.delay_ms, f"{name}-short")
                proxies.append(sp)
                cmd += ["--short-url", f"https://localhost:{sp.port}", "--short-stats",
                        str(sp.stats)]
                ports.append(sp.port)
            procs.append((name, subprocess.Popen(
                cmd, env=client_env(exe["shim"], args.delay_ms, ports),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
            time.sleep(0.011)  # their first steps do not start together
        steps = []
        for name, p in procs:
            out, err = p.communicate(timeout=1200)
            if p.returncode != 0:
                raise RuntimeError(f"bench_wan ({name}) failed (exit {p.returncode}):\n{err}")
            for line in out.splitlines():
                if line.startswith("{"):
                    steps.append(dict(json.loads(line), proc=name))
            log(f"{name}: {sum(1 for s in steps if s['proc'] == name)} steps")
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for proxy in proxies:
            proxy.stop()
    return steps


# --------------------------------------------------------------------------- the analysis

# (step label for libtenios, for libcurl, the row's text, its label on the chart)
ROWS = [
    ("warm", "warm", "warm call (a pooled connection, 100 ms after the previous call)",
     "warm call"),
    ("first", "first", "first call of a new handle (name lookup, TCP, TLS, request)",
     "first call, new handle"),
    ("closed", "closed", "after the server closed the idle connection (1 s server, 2 s idle)",
     "after the server closed it"),
    ("pre-closed", "after-connect-only",
     "after pre-connect, 100 ms before the call, on that closed connection's handle "
     "(libcurl: CURLOPT_CONNECT_ONLY)", "after pre-connect (libcurl: CONNECT_ONLY)"),
    ("pre-new", None, "after pre-connect of a new handle, 100 ms before the call",
     "after pre-connect, new handle"),
    ("idle20", "idle20", "20 s after the previous call (server keeps 75 s)", "20 s apart"),
    ("idle60", "idle60", "60 s after the previous call (server keeps 75 s)", "60 s apart"),
]


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def summarize(steps: list[dict], rtt_ms: float) -> dict:
    def pick(lib: str, label: str | None) -> list[dict]:
        return [s for s in steps if label and s["lib"] == lib and s["step"] == label]

    rows = []
    for t_label, c_label, text, short in ROWS:
        row = {"text": text, "short": short, "t_label": t_label, "c_label": c_label}
        for lib, label in (("tenios", t_label), ("curl", c_label)):
            ss = [s for s in pick(lib, label) if s["ok"]]
            row[lib] = {
                "n": len(ss), "failed": len(pick(lib, label)) - len(ss),
                "ms": med([s["us"] / 1e3 for s in ss]),
                "min_ms": min((s["us"] / 1e3 for s in ss), default=float("nan")),
                "max_ms": max((s["us"] / 1e3 for s in ss), default=float("nan")),
                "new_conns": sum(max(s["new_conns"], 0) for s in ss),
                "idle_s": med([s["idle_ms"] / 1e3 for s in ss]),
            }
            row[lib]["rtt"] = row[lib]["ms"] / rtt_ms
            tim = [s["timings"] for s in ss if "timings" in s]
            if tim:
                row[lib]["timings"] = {k: med([t[k] for t in tim]) for k in
                                       ("resolve_us", "connect_us", "tls_us", "first_byte_us",
                                        "total_us")}
                row[lib]["reused"] = sum(1 for t in tim if t["connection_reused"])
        rows.append(row)
    pre = [s for s in steps if s["step"] in ("preconnect", "preconnect-new") and s["ok"]]
    errors = [f"{s['lib']} {s['step']}: {s.get('error', '')}" for s in steps if not s["ok"]]
    return {"rows": rows, "preconnect_ms": med([s["us"] / 1e3 for s in pre]),
            "connect_only_ms": med([s["us"] / 1e3 for s in steps
                                    if s["step"] == "connect-only" and s["ok"]]),
            "errors": errors}


def targets(summary: dict, steps: list[dict], rtt_ms: float, tls: dict, strace: dict) -> list:
    rows = {r["t_label"]: r for r in summary["rows"]}
    out = []

    def add(name: str, value: str, goal: str, met) -> None:
        out.append({"name": name, "value": value, "goal": goal, "met": met})

    def one_rtt(label: str, name: str, slack_ms: float, goal: str) -> None:
        t = rows[label]["tenios"]
        if not t["n"]:
            add(name, "not measured", goal, None)
            return
        met = t["ms"] <= rtt_ms + slack_ms and t["new_conns"] == 0 if label != "pre-closed" \
            else t["ms"] <= rtt_ms + slack_ms
        add(name, f"{t['rtt']:.3f} RTT ({t['ms']:.2f} ms; {t['new_conns']} new connections "
                  f"in {t['n']} calls)", goal, met)

    one_rtt("warm", "warm call", 1.0, "1.0 RTT + < 1 ms, no new connection")
    one_rtt("pre-closed", "after pre-connect (server had closed the idle connection)", 2.0,
            "1.0 RTT (+ < 2 ms)")
    one_rtt("pre-new", "after pre-connect (new handle)", 2.0, "1.0 RTT (+ < 2 ms)")
    one_rtt("idle20", "calls 20 s apart, server keeps 75 s", 2.0,
            "1.0 RTT (+ < 2 ms), no new connection")
    one_rtt("idle60", "calls 60 s apart, server keeps 75 s", 2.0,
            "1.0 RTT (+ < 2 ms), no new connection")
    for label, name in (("closed", "cold call after the server closed the connection"),
                        ("first", "first call of a new handle")):
        t, c = rows[label]["tenios"], rows[label]["curl"]
        if t["n"] and c["n"]:
            add(f"{name}: libtenios ÷ libcurl", f"{t['ms'] / c['ms']:.3f}x ({t['rtt']:.2f} "
                f"against {c['rtt']:.2f} RTT)", "≤ 1.00x", t["ms"] <= c["ms"])
    # no name lookup on a pooled connection (needs the per-call timings)
    reused = [s for s in steps if s["lib"] == "tenios" and s["ok"] and "timings" in s
              and s["timings"]["connection_reused"]]
    if reused:
        looked = sum(1 for s in reused if s["timings"]["resolve_us"] > 0)
        add("no name lookup when a pooled connection is used (resolve_us == 0)",
            f"{looked} of {len(reused)} reused-connection calls looked the name up", "0",
            looked == 0)
    else:
        add("no name lookup when a pooled connection is used (resolve_us == 0)",
            "not measured (no per-call timings in this libtenios)", "0", None)
    proto = tls.get("libtenios", {})
    add("TLS 1.3 where 1.3 is offered (nginx's log of every libtenios call)",
        ", ".join(f"{k}: {v}" for k, v in sorted(proto.get("protocols", {}).items())) or "?",
        "TLSv1.3 only", set(proto.get("protocols", {})) == {"TLSv1.3"})
    lines = [s["tls_log"] for s in steps if s["lib"] == "tenios" and s.get("tls_log")]
    if lines:
        v13 = sum(1 for x in lines if "TLSv1_3" in x or "TLSv1.3" in x or "TLS 1.3" in x)
        resumed = sum(1 for x in lines if "resumed" in x)
        add("TLS 1.3 on every new libtenios connection (its log callback's TLS line)",
            f"{v13} of {len(lines)} lines say TLS 1.3 ({resumed} resumed), e.g. "
            f"`{lines[-1]}`", "all", v13 == len(lines))
    st = strace.get("tenios", {})
    if "sends" in st:
        add("head and body in one write (strace of one warm call)",
            f"{st['sends']} write/send calls, {st['connects']} connect", "1, 0",
            st["sends"] == 1 and st["connects"] == 0)
    return out


def tls_summary(nginx: WanNginx) -> dict:
    """From nginx's access log: protocol and cipher per client, and resumed handshakes."""
    out: dict[str, dict] = {}
    seen_conn: set[str] = set()
    for f in nginx.access_log():
        if len(f) < 8:
            continue
        who = "libcurl" if f[1] == "libcurl-bench" else "libtenios" if "tenios" in f[1] else f[1]
        d = out.setdefault(who, {"protocols": {}, "ciphers": {}, "requests": 0,
                                 "handshakes": 0, "resumed": 0})
        d["requests"] += 1
        d["protocols"][f[2]] = d["protocols"].get(f[2], 0) + 1
        d["ciphers"][f[3]] = d["ciphers"].get(f[3], 0) + 1
        if f[6] == "1" and f[5] not in seen_conn:  # the first request on a connection
            seen_conn.add(f[5])
            d["handshakes"] += 1
            d["resumed"] += f[4] == "r"
    return out


# ------------------------------------------------------------------------------- output

def fmt(x: float, d: int = 2) -> str:
    return "-" if x != x else f"{x:,.{d}f}"


def table(summary: dict) -> tuple[list[str], list[list[str]]]:
    head = ["scenario", "libtenios RTT", "libcurl RTT", "libtenios ms", "libcurl ms",
            "new connections (tenios / curl)", "samples"]
    body = []
    for r in summary["rows"]:
        t, c = r["tenios"], r["curl"]
        if not t["n"] and not c["n"]:
            continue
        body.append([r["text"], fmt(t["rtt"]) if t["n"] else "-", fmt(c["rtt"]) if c["n"] else "-",
                     fmt(t["ms"], 1) if t["n"] else "-", fmt(c["ms"], 1) if c["n"] else "-",
                     f"{t['new_conns'] if t['n'] else '-'} / {c['new_conns'] if c['n'] else '-'}",
                     f"{t['n']} / {c['n']}"])
    return head, body


def timings_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    head = ["scenario", "library", "reused", "resolve µs", "connect µs", "TLS µs",
            "first byte µs", "total µs"]
    body = []
    for r in summary["rows"]:
        for lib, name in (("tenios", "libtenios"), ("curl", "libcurl")):
            x = r[lib]
            if not x["n"] or "timings" not in x:
                continue
            t = x["timings"]
            body.append([r["t_label"] if lib == "tenios" else (r["c_label"] or "-"), name,
                         f"{x['reused']} of {x['n']}",
                         *[fmt(t[k], 0) for k in ("resolve_us", "connect_us", "tls_us",
                                                  "first_byte_us", "total_us")]])
    return head, body


def findings(res: dict) -> list[str]:
    """What the figures mean where a target is missed or a client failed, in words."""
    rows = {r["t_label"]: r for r in res["summary"]["rows"]}
    out = []
    pre = [rows[k]["tenios"] for k in ("pre-closed", "pre-new") if rows[k]["tenios"]["n"]]
    if any(x["new_conns"] for x in pre):
        out.append(
            "**Pre-connect unused**: the call after `tenios_client_preconnect` opened a new "
            "connection anyway (see the new connections), so it cost a cold call's round trips. "
            "strace shows why: before using the pre-connected connection libtenios probes its "
            "socket (`recvfrom(fd, …, 1, MSG_PEEK) = 1`), and finds bytes there: the TLS 1.3 "
            "NewSessionTicket records nginx (OpenSSL) sends right after the handshake, which "
            "arrive one RTT after it and nobody reads, so the probe takes the connection for one "
            "that received stray data and discards it. A warm pooled connection does not have "
            "this: its first response is read after the tickets, which rustls consumes.")
    idle60 = rows["idle60"]["tenios"]
    if idle60["n"] and idle60["new_conns"]:
        out.append(
            f"**60 s apart**: the calls come {idle60['idle_s']:.1f} s after the previous one "
            "(median), just past libtenios's idle timeout, so the pooled connection was no "
            "longer reused although nginx still kept it (75 s); libcurl reuses one for up to "
            "118 s.")
    curl_failed = [e for e in res["summary"]["errors"] if "tried 5 times" in e]
    if curl_failed:
        out.append(
            "**libcurl failures**: on a reused easy handle, libcurl sends the request on the "
            "connection the server has closed (it reads the close_notify only then), and retries "
            "on a new connection; it counts those retries over the handle's life instead of per "
            "request (curl/curl#19066), so the sixth such call fails with \"Connection died, "
            "tried 5 times before giving up\". Those calls are left out of its figures.")
    return out


def markdown(res: dict) -> str:
    s, rtt, d = res["summary"], res["rtt_ms"], res["delay_ms"]
    head, body = table(s)
    mark = {True: "**met**", False: "**missed**", None: "n/a"}
    t_rows = [[t["name"], t["value"], t["goal"], mark[t["met"]]] for t in res["targets"]]
    raw = res["raw"]
    pp = med(raw["pingpong_ms"])
    tls_rows = []
    for who, x in sorted(res["tls"].items()):
        tls_rows.append([who, ", ".join(f"{k} ({v})" for k, v in sorted(x["protocols"].items())),
                         ", ".join(sorted(x["ciphers"])), str(x["requests"]),
                         f"{x['resumed']} of {x['handshakes']}"])
    st_lines = []
    for lib, x in sorted(res["strace"].items()):
        if "sends" in x:
            calls = ", ".join(f"{k} {v}" for k, v in sorted(x["syscalls"].items()))
            st_lines.append(f"- {'libtenios' if lib == 'tenios' else 'libcurl'}: {calls}; the "
                            f"request in {x['sends']} write: `{x['send_lines'][0] if x['send_lines'] else ''}`")
        else:
            st_lines.append(f"- {lib}: {x.get('error')}")
    th, tb = timings_table(s)
    timings = (f"Where the time went, medians, from libtenios's `tenios_last_call_timings` "
               f"(when the library has it) and libcurl's `CURLINFO_*_TIME_T` (libcurl's connect "
               f"and TLS times are differences of its cumulative times):\n\n"
               f"{loopback.md_table(th, tb, left=3)}\n\n" if tb else "")
    extra = []
    if s["preconnect_ms"] == s["preconnect_ms"]:
        extra.append(f"`tenios_client_preconnect` itself took {fmt(s['preconnect_ms'], 1)} ms "
                     f"({fmt(s['preconnect_ms'] / rtt)} RTT, median).")
    if s["connect_only_ms"] == s["connect_only_ms"]:
        extra.append(f"libcurl's CURLOPT_CONNECT_ONLY transfer took {fmt(s['connect_only_ms'], 1)} ms; "
                     "libcurl does not reuse a connect-only connection for a later transfer "
                     "(see the new connections), so it has no pre-connect.")
    extra += findings(res)
    for e in s["errors"][:10]:
        extra.append(f"failed: {e}")
    notes = "\n".join(f"- {e}" for e in extra)
    return f"""{BEGIN}
## Wide area ({d:g} ms one-way, RTT {rtt:g} ms)

Generated by `{res['command']}` (benches/wan.py) on {res['date']}, in {res['elapsed'] / 60:.1f}
minutes, on the machine below. Do not edit by hand.

`benches/latency_proxy.c` on loopback delays every chunk of data by {d:g} ms each way in front of
nginx over HTTPS; `benches/connect_delay.c` (LD_PRELOAD) makes the TCP handshake to the proxy
take one RTT, which the kernel would otherwise complete at once on loopback. One nginx server
keeps idle connections 75 s (`keepalive_timeout 75s`, nginx's default), another closes them
after 1 s: a call 2 s after the previous one on a handle finds the connection closed by the
server. libtenios: a client handle (`https://localhost:PORT`, the bench CA); libcurl: a reused
easy handle, HTTP/1.1, keep-alive, the same CA, its default connection reuse (up to 118 s
idle). Each call is timed around `tenios_client_interrupt_block` / `curl_easy_perform`; the
figures are medians, in round trips (time ÷ {rtt:g} ms) and milliseconds; the proxies count the
connections each call opened. Both libraries run in the same processes, their calls interleaved
and never overlapping. Set-up check: a raw socket through the proxy connects in
{raw['connect_ms'] / rtt:.3f} RTT and a 1-byte ping-pong takes {pp / rtt:.3f} RTT
({pp:.2f} ms, median of {len(raw['pingpong_ms'])}).

{loopback.md_table(head, body)}

{timings}{notes}

Targets (issue 11):

{loopback.md_table(["target", "measured", "goal", ""], t_rows)}

TLS, from nginx's log of every call ($ssl_protocol, $ssl_cipher, $ssl_session_reused):

{loopback.md_table(["client", "protocol (calls)", "cipher", "calls", "resumed handshakes"], tls_rows)}

System calls of one warm call, `strace -f -e trace=network,write` (bench_wan --strace-warm):

{chr(10).join(st_lines)}

Command: `{res['command']}` (`benches/wan.py --delay-ms {d:g} --samples {res['samples']}
--warm-samples {res['warm_samples']} --idle-samples {res['idle_samples']}`).
{END}"""


def write_section(md_path: Path, section: str) -> None:
    """Replaces the wide-area section of BENCHMARKS.md, or adds it before "## Machine"."""
    loopback.write_section(md_path, section, BEGIN, END)


def chart_panel(ax, res: dict) -> None:
    """Horizontal bars: each scenario's median in RTTs, libtenios and libcurl side by side."""
    rows = [r for r in res["summary"]["rows"] if r["tenios"]["n"] or r["curl"]["n"]]
    labels = [r["short"] for r in rows]
    h = 0.38
    y = list(range(len(rows)))
    for off, lib, color, name in ((-h / 2, "tenios", "#1f5fa8", "libtenios"),
                                  (h / 2, "curl", "#9e9e9e", "libcurl")):
        vals = [r[lib]["rtt"] if r[lib]["n"] else 0 for r in rows]
        bars = ax.barh([i + off for i in y], vals, height=h, color=color, label=name)
        for bar, r in zip(bars, rows):
            if r[lib]["n"]:
                ax.text(bar.get_width() + 0.03, bar.get_y() + bar.get_height() / 2,
                        f"{r[lib]['rtt']:.2f}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(4.0, max(max(r["tenios"]["rtt"] if r["tenios"]["n"] else 0,
                                    r["curl"]["rtt"] if r["curl"]["n"] else 0) for r in rows) + 1.3))
    ax.axvline(1.0, color="#333333", lw=0.8, ls=":")
    ax.set_title(f"Wide area, HTTPS, {res['delay_ms']:g} ms one-way (RTT {res['rtt_ms']:g} ms)",
                 loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("round trips per call (time ÷ RTT; median; lower is better)")


# ----------------------------------------------------------------------------------- main

def run(nginx_bin: str, certs: Path, args) -> dict:
    """The whole wide-area benchmark; returns what markdown() and chart_panel() need."""
    started = time.monotonic()
    exe = build()
    rtt = 2 * args.delay_ms
    raw = raw_check(exe, args.delay_ms)
    log(f"wan: raw socket through the proxy: connect {raw['connect_ms']:.2f} ms, ping-pong "
        f"median {med(raw['pingpong_ms']):.2f} ms (RTT {rtt:g} ms)")
    nginx = WanNginx(nginx_bin, certs)
    try:
        log(f"wan: nginx on {nginx.keep_port} (keepalive 75 s) and {nginx.short_port} (1 s)")
        strace = {lib: strace_check(exe, nginx, certs, args.delay_ms, lib)
                  for lib in ("tenios", "curl")}
        for lib, x in strace.items():
            log(f"wan: strace, one warm {lib} call: {x}")
        log(f"wan: scenarios; the 60 s apart calls take {60 * args.idle_samples + 5} s")
        steps = run_scenarios(exe, nginx, certs, args)
        time.sleep(0.1)
        tls = tls_summary(nginx)
    finally:
        nginx.stop()
    summary = summarize(steps, rtt)
    tg = targets(summary, steps, rtt, tls, strace)
    return {"summary": summary, "targets": tg, "raw": raw, "tls": tls, "strace": strace,
            "steps": steps, "delay_ms": args.delay_ms, "rtt_ms": rtt, "samples": args.samples,
            "warm_samples": args.warm_samples,
            "idle_samples": args.idle_samples, "elapsed": time.monotonic() - started,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": os.environ.get("BENCH_COMMAND", "python3 benches/wan.py")}


def print_result(res: dict) -> None:
    head, body = table(res["summary"])
    print()
    print(loopback.text_table(head, body))
    th, tb = timings_table(res["summary"])
    if tb:
        print()
        print(loopback.text_table(th, tb))
    print()
    mark = {True: "met", False: "MISSED", None: "n/a"}
    print(loopback.text_table(["target", "measured", "goal", ""],
                              [[t["name"], t["value"], t["goal"], mark[t["met"]]]
                               for t in res["targets"]]))
    for s in res["steps"]:
        if not s["ok"]:
            print(f"failed: {s['lib']} {s['step']}: {s.get('error', '')}")
            if s.get("curl_trace"):
                print("  libcurl said:\n    " + "\n    ".join(s["curl_trace"].splitlines()[-8:]))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--delay-ms", type=float, default=float(os.environ.get("BENCH_WAN_DELAY_MS", 20)),
                   help="one-way delay (default 20: RTT 40 ms)")
    p.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_WAN_SAMPLES", 10)),
                   help="calls per quick scenario (default 10)")
    p.add_argument("--warm-samples", type=int,
                   default=int(os.environ.get("BENCH_WAN_WARM_SAMPLES", 30)),
                   help="warm calls (default 30)")
    p.add_argument("--idle-samples", type=int,
                   default=int(os.environ.get("BENCH_WAN_IDLE_SAMPLES", 3)),
                   help="calls 20 s and 60 s apart (default 3)")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(p)
    p.add_argument("--no-write", action="store_true",
                   help="print only; leave BENCHMARKS.md/.png alone")
    p.add_argument("--rewrite", action="store_true",
                   help="run nothing: rewrite the section and chart from build/bench/wan.json")
    args = p.parse_args()
    if args.rewrite:
        res = json.loads(RESULTS_JSON.read_text())
        res["summary"] = summarize(res["steps"], res["rtt_ms"])
        res["targets"] = targets(res["summary"], res["steps"], res["rtt_ms"], res["tls"],
                                 res["strace"])
        write_section(ROOT / "BENCHMARKS.md", markdown(res))
        loopback.redraw_chart(ROOT / "BENCHMARKS.png", res)
        print_result(res)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    if not loopback.in_venv():
        if not loopback.BUILT_LIB.exists():
            print(f"bench: {loopback.BUILT_LIB} is missing: run `make build` first",
                  file=sys.stderr)
            return 1
        loopback.ensure_tools()
        loopback.find_nginx()
        loopback.bootstrap_venv(Path(__file__).resolve())  # does not return
    nginx_bin = loopback.find_nginx()
    loopback.snapshot_library()
    certs = OUT / "certs"
    subprocess.run(["sh", str(ROOT / "tests" / "tls" / "make-certs.sh"), str(certs)], check=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    res = run(nginx_bin, certs, args)
    RESULTS_JSON.write_text(json.dumps(res, indent=1))
    print_result(res)
    if not args.no_write:
        md = ROOT / "BENCHMARKS.md"
        write_section(md, markdown(res))
        if loopback.redraw_chart(ROOT / "BENCHMARKS.png", res):
            log("wan: wrote BENCHMARKS.md (its wide-area section) and BENCHMARKS.png")
        else:
            log("wan: wrote BENCHMARKS.md (its wide-area section); BENCHMARKS.png needs the "
                "loopback figures of a `make bench` run (build/bench/loopback.json): left alone")
    # libcurl's "tried 5 times" failures are its own known limit (explained in BENCHMARKS.md);
    # any other failure, and any failure of libtenios, fails the run.
    unexplained = [e for e in res["summary"]["errors"] if "tried 5 times" not in e]
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
