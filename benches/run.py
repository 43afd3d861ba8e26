#!/usr/bin/env python3
"""`make bench`: libtenios against libcurl, a raw socket, requests and urllib3, on loopback.

Starts nginx (Debian's, installed when missing) with its own configuration in a temporary
directory: plain HTTP on one port and HTTPS (TLS 1.3/1.2, a certificate for localhost and
127.0.0.1 from a CA made by tests/tls/make-certs.sh) on another, answering
POST /interrupt-ecc-block with 200 {"success": true}. Builds the C clients in benches/ with
-O2 -Wall -Wextra -Werror, makes a venv under build/bench/venv with requests, urllib3 and
matplotlib, then runs every client --runs times (default 5), each run a fresh process making
the same --calls timed calls. Then the wide-area benchmark, benches/wan.py (round trips through
a proxy that delays 20 ms each way; --no-wan skips it). Prints the tables and writes
BENCHMARKS.md and BENCHMARKS.png at the top of the checkout.

    python3 benches/run.py [--calls N] [--runs R] [--warmup W] [--no-write] [--no-wan]

Needs target/release/libtenios.so (`make build`). Installs with apt-get (as root, or through
sudo) what is missing: nginx-light, libcurl4-openssl-dev, openssl, python3-venv. Talks only to
127.0.0.1; the only downloads are Debian and PyPI packages.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
OUT = ROOT / "build" / "bench"
VENV = OUT / "venv"
# Cargo's output directory, as `make` finds it: $CARGO_TARGET_DIR when set, else target/.
BUILT_LIB = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve() / "release" / "libtenios.so"
# The runs use a copy, so that a rebuild in the checkout while they go on cannot mix two builds.
LIB = OUT / "lib" / "libtenios.so"
PIP_PACKAGES = ["requests>=2.32,<3", "urllib3>=2.2,<3", "matplotlib>=3.8,<4"]
KEY = "bench-access-key"
CALL_UUID = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread"]

# Variables that would change what a client trusts or where it connects: never inherited.
SCRUBBED_ENV = ("TENIOS_API_URL", "TENIOS_CA_FILE", "TENIOS_ACCESS_KEY", "TENIOS_LIBRARY",
                "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                "https_proxy", "all_proxy", "no_proxy", "PYTHONPATH")


def log(msg: str) -> None:
    print(f"bench: {msg}", flush=True)


# --------------------------------------------------------------------------------- set-up

def sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def apt_install(*packages: str) -> None:
    log(f"installing {' '.join(packages)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo() + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo() + ["apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def bootstrap_venv(script: Path = Path(__file__).resolve()) -> None:
    """Re-runs `script` (this one) inside build/bench/venv, made and filled on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        log(f"making a venv in {VENV.relative_to(ROOT)}")
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            apt_install(f"python3.{sys.version_info.minor}-venv")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = "import requests, urllib3, matplotlib"
    if subprocess.run([str(python), "-c", probe], capture_output=True).returncode != 0:
        log(f"pip install {' '.join(PIP_PACKAGES)} (into the venv)")
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *PIP_PACKAGES], check=True)
    os.environ.setdefault("BENCH_STARTED_NS", str(time.monotonic_ns()))
    os.execv(str(python), [str(python), str(script), *sys.argv[1:]])


def find_nginx() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    try:
        apt_install("nginx-light")
    except subprocess.CalledProcessError:
        apt_install("nginx")
    return "/usr/sbin/nginx"


def ensure_tools() -> None:
    if not (Path("/usr/include/curl/curl.h").exists()
            or Path("/usr/include/x86_64-linux-gnu/curl/curl.h").exists()
            or shutil.which("curl-config")):
        apt_install("libcurl4-openssl-dev")
    if not shutil.which("openssl"):
        apt_install("openssl")


def snapshot_library() -> str:
    """Copies target/release/libtenios.so to build/bench/lib; returns its SHA-256 prefix."""
    import hashlib

    LIB.parent.mkdir(parents=True, exist_ok=True)
    tmp = LIB.with_suffix(".tmp")
    shutil.copy2(BUILT_LIB, tmp)
    os.replace(tmp, LIB)
    # Programs linked with -ltenios ask for its SONAME (libtenios.so.1): a link beside the copy
    soname = re.search(rb"libtenios\.so\.\d+", LIB.read_bytes())
    if soname:
        link = LIB.parent / soname.group().decode()
        if not link.is_symlink():
            link.unlink(missing_ok=True)
            link.symlink_to(LIB.name)
    return hashlib.sha256(LIB.read_bytes()).hexdigest()[:12]


def build_clients() -> dict[str, Path]:
    cc = os.environ.get("CC", "cc")
    include = ROOT / "include"
    release = LIB.parent
    specs = {
        "bench_tenios": [f"-I{include}", f"-L{release}", f"-Wl,-rpath,{release}", "-ltenios"],
        "bench_curl": ["-lcurl"],
        "bench_raw": [],
    }
    built = {}
    for name, extra in specs.items():
        src, exe = BENCHES / f"{name}.c", OUT / name
        cmd = [cc, *CFLAGS, "-o", str(exe), str(src), *extra]
        subprocess.run(cmd, check=True)
        built[name] = exe
    return built


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------- nginx

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 600s;
    log_format tls '$ssl_protocol $ssl_cipher';
    # A third port, the same as HTTPS but logging what TLS each client negotiated: probed with
    # one call per client before the runs (the measured ports log nothing).
    server {{
        listen 127.0.0.1:{probe_port} ssl;
        access_log {tmp}/tls.log tls;
        ssl_certificate {certs}/server.pem;
        ssl_certificate_key {certs}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location = /interrupt-ecc-block {{
            default_type application/json;
            return 200 '{{"success": true}}';
        }}
    }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {certs}/server.pem;
        ssl_certificate_key {certs}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location = /interrupt-ecc-block {{
            default_type application/json;
            return 200 '{{"success": true}}';
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, binary: str, certs: Path, workers: int = 2) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tenios-bench-nginx-"))
        ports: set[int] = set()
        while len(ports) < 3:
            ports.add(free_port())
        self.http_port, self.https_port, self.probe_port = sorted(ports)
        self._launch(binary, NGINX_CONF.format(workers=workers, tmp=self.tmp, certs=certs,
                                               http_port=self.http_port,
                                               https_port=self.https_port,
                                               probe_port=self.probe_port),
                     (self.http_port, self.https_port, self.probe_port))
        for _ in range(100):  # the workers are forked right after the sockets are bound
            if len(self.workers()) >= workers:
                break
            time.sleep(0.02)

    def _launch(self, binary: str, conf_text: str, ports: tuple[int, ...]) -> None:
        """Starts nginx with this configuration in self.tmp and waits until every port of
        `ports` accepts connections (10 s at most)."""
        conf = self.tmp / "nginx.conf"
        conf.write_text(conf_text)
        self.proc = subprocess.Popen([binary, "-p", str(self.tmp), "-c", str(conf),
                                      "-e", str(self.tmp / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode() +
                                   self.error_log())
            try:
                for port in ports:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nginx did not start listening: " + self.error_log())
                time.sleep(0.05)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def probe_url(self) -> str:
        return f"https://127.0.0.1:{self.probe_port}"

    def tls_log(self) -> list[str]:
        try:
            return (self.tmp / "tls.log").read_text().splitlines()
        except OSError:
            return []

    def error_log(self) -> str:
        try:
            return (self.tmp / "error.log").read_text()
        except OSError:
            return ""

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> dict[int, float]:
        """utime + stime of the master and each worker."""
        tick = os.sysconf("SC_CLK_TCK")
        out = {}
        for pid in [self.proc.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def version(self) -> str:
        binary = self.proc.args[0]
        r = subprocess.run([binary, "-v"], capture_output=True, text=True)
        return (r.stderr or r.stdout).strip().replace("nginx version: ", "")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


# -------------------------------------------------------------------------------- clients

# (id, label, family, program, mode, threads, protocols)
CLIENTS = [
    ("c-default", "C tenios_interrupt_block", "tenios-c", "bench_tenios", "default", 1, "both"),
    ("c-handle", "C tenios_client (handle)", "tenios-c", "bench_tenios", "handle", 1, "both"),
    ("c-curl", "C libcurl easy handle", "baseline", "bench_curl", "curl", 1, "both"),
    ("c-raw", "C raw socket (floor)", "floor", "bench_raw", "raw", 1, "http"),
    ("py-tenios", "Python tenios.interrupt_block", "tenios-py", "py", "tenios", 1, "both"),
    ("py-client", "Python tenios.Client", "tenios-py", "py", "tenios-client", 1, "both"),
    ("py-requests", "Python requests.Session", "baseline", "py", "requests", 1, "both"),
    ("py-urllib3", "Python urllib3.PoolManager", "baseline", "py", "urllib3", 1, "both"),
    ("py-urllib3-pool", "Python urllib3.HTTP(S)ConnectionPool", "baseline", "py", "urllib3-pool",
     1, "both"),
    ("c-default-8", "C tenios_interrupt_block, 8 threads", "tenios-c", "bench_tenios",
     "default", 8, "both"),
    ("c-handle-8", "C tenios_client (handle), 8 threads", "tenios-c", "bench_tenios", "handle",
     8, "both"),
    ("c-curl-8", "C libcurl, 8 threads, a handle each", "baseline", "bench_curl", "curl", 8,
     "both"),
    ("c-default-16", "C tenios_interrupt_block, 16 threads", "tenios-c", "bench_tenios",
     "default", 16, "both"),
    ("c-curl-16", "C libcurl, 16 threads, a handle each", "baseline", "bench_curl", "curl", 16,
     "both"),
]


CLIENT_IDS = {spec[0] for spec in CLIENTS}


class Config:
    def __init__(self, spec: tuple, proto: str) -> None:
        (self.cid, self.label, self.family, self.program, self.mode, self.threads,
         _) = spec
        self.proto = proto
        self.key = f"{self.cid}/{proto}"


def configs() -> list[Config]:
    out = []
    for proto in ("http", "https"):
        for spec in CLIENTS:
            if spec[6] in ("both", proto):
                out.append(Config(spec, proto))
    return out


def proc_stat_cpu() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def system_busy_seconds() -> float:
    """User + nice + system CPU time of all processes, summed over CPUs (/proc/stat). Interrupt
    and softirq time is left out: loopback TCP is mostly processed there, for the benchmark's
    own traffic, without being charged to the client or nginx."""
    fields = proc_stat_cpu()
    return (fields[0] + fields[1] + fields[2]) / os.sysconf("SC_CLK_TCK")


def steal_seconds() -> float:
    """Time the hypervisor ran something else while this machine's CPUs wanted to run."""
    return proc_stat_cpu()[7] / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def client_command(cfg: Config, url: str, programs: dict[str, Path], certs: Path,
                   calls: int, warmup: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run client `cfg` against `url`."""
    ca = str(certs / "ca.pem")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    args = ["--mode", cfg.mode, "--url", url, "--key", KEY, "--uuid", CALL_UUID,
            "--calls", str(calls), "--warmup", str(warmup)]
    if cfg.proto == "https":
        args += ["--ca", ca]
    if cfg.mode in ("default", "tenios"):  # the default client is configured by environment
        env["TENIOS_API_URL"] = url
        if cfg.proto == "https":
            env["TENIOS_CA_FILE"] = ca
    if cfg.program == "py":
        env["PYTHONPATH"] = str(ROOT / "bindings" / "python")
        env["TENIOS_LIBRARY"] = str(LIB)
        cmd = [str(VENV / "bin" / "python"), str(BENCHES / "bench_py.py"), *args]
    else:
        cmd = [str(programs[cfg.program]), *args, "--threads", str(cfg.threads)]
    return cmd, env


def run_client(cfg: Config, nginx: Nginx, programs: dict[str, Path], certs: Path,
               calls: int, warmup: int, url: str | None = None) -> dict:
    url = url or (nginx.http_url if cfg.proto == "http" else nginx.https_url)
    cmd, env = client_command(cfg, url, programs, certs, calls, warmup)
    cpu0, busy0, child0 = nginx.cpu_seconds(), system_busy_seconds(), children_cpu_seconds()
    steal0 = steal_seconds()
    env["BENCH_T0_NS"] = str(time.monotonic_ns())  # CLOCK_MONOTONIC, as in the clients
    wall0 = time.monotonic()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - wall0
    cpu1, busy1, child1 = nginx.cpu_seconds(), system_busy_seconds(), children_cpu_seconds()
    steal1 = steal_seconds()
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"{cfg.key} failed (exit {r.returncode}):\n{r.stderr.strip()}")
    result = json.loads(lines[-1])
    per_pid = [cpu1[p] - cpu0.get(p, 0.0) for p in cpu1]
    result["nginx_cpu_pct"] = 100 * sum(per_pid) / wall
    result["nginx_max_proc_pct"] = 100 * max(per_pid, default=0.0) / wall
    # whatever else ran on the machine meanwhile (other users' builds and tests, the driver)
    other = (busy1 - busy0) - (child1 - child0) - sum(per_pid)
    result["other_cpu_pct"] = max(0.0, 100 * other / wall)
    result["steal_pct"] = 100 * (steal1 - steal0) / wall
    return result


def probe_tls(cfgs: list[Config], nginx: Nginx, programs: dict[str, Path],
              certs: Path) -> dict[str, str]:
    """What TLS version and cipher each HTTPS client negotiates (one call on the probe port)."""
    out = {}
    for cfg in cfgs:
        if cfg.proto != "https" or cfg.threads != 1:
            continue
        seen = len(nginx.tls_log())
        try:
            run_client(cfg, nginx, programs, certs, 1, 0, url=nginx.probe_url)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            log(f"TLS probe: {exc}")
            continue
        time.sleep(0.05)  # nginx writes the log line after the response
        lines = sorted(set(nginx.tls_log()[seen:]))
        out[cfg.label] = ", ".join(lines) or "?"
        log(f"TLS probe: {cfg.label}: {out[cfg.label]}")
    return out


# ------------------------------------------------------------------------------- analysis

def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def per_run_ratio(results: dict, a: str, b: str, field: str = "cps") -> list[float]:
    """a/b for each run in which both ran (the ratio is taken within one run)."""
    ra, rb = results.get(a, []), results.get(b, [])
    return [x[field] / y[field] for x, y in zip(ra, rb) if x and y and y[field] > 0]


def summarize(results: dict, cfgs: list[Config]) -> list[dict]:
    rows = []
    for cfg in cfgs:
        runs = [r for r in results.get(cfg.key, []) if r]
        if not runs:
            continue
        row = {"cfg": cfg, "runs": len(runs)}
        for field in ("cps", "p50_us", "p99_us", "first_exec_ms", "first_call_ms",
                      "peak_rss_kib", "cpu_us_per_call", "nginx_cpu_pct", "nginx_max_proc_pct",
                      "other_cpu_pct", "steal_pct"):
            row[field] = median([r[field] for r in runs])
        row["cps_min"] = min(r["cps"] for r in runs)
        row["cps_max"] = max(r["cps"] for r in runs)
        curl = f"c-curl{f'-{cfg.threads}' if cfg.threads > 1 else ''}/{cfg.proto}"
        row["x_curl"] = median(per_run_ratio(results, cfg.key, curl))
        row["raw_over"] = (median(per_run_ratio(results, "c-raw/http", cfg.key))
                           if cfg.proto == "http" and cfg.threads == 1 else float("nan"))
        rows.append(row)
    return rows


def targets(results: dict) -> list[dict]:
    """Each target: the median over runs of a ratio taken within each run."""
    out = []

    def add(name: str, ratios: list[float], goal: float, higher_is_better: bool,
            fmt: str = "{:.2f}x") -> None:
        value = median(ratios)
        if not ratios:
            met = None
        elif higher_is_better:
            met = value >= goal
        else:
            met = value <= goal
        out.append({"name": name, "value": fmt.format(value) if ratios else "n/a",
                    "goal": ("≥ " if higher_is_better else "≤ ") + fmt.format(goal),
                    "met": met, "runs": len(ratios)})

    # issue 15: at least 1.3x libcurl single-threaded and with 8 threads; 16 threads keeps the
    # earlier goal of at least libcurl's rate
    for proto, p in (("HTTP", "http"), ("HTTPS", "https")):
        for threads, suffix, goal in ((1, "", 1.3), (8, "-8", 1.3), (16, "-16", 1.0)):
            for cid, label in (("c-default", "tenios_interrupt_block"),
                               ("c-handle", "tenios_client (handle)")):
                if f"{cid}{suffix}" not in CLIENT_IDS:
                    continue
                add(f"C {label} calls/s ÷ libcurl, {proto}, {threads} "
                    f"thread{'s' if threads > 1 else ''}",
                    per_run_ratio(results, f"{cid}{suffix}/{p}", f"c-curl{suffix}/{p}"), goal,
                    True)
    add("raw floor calls/s ÷ C tenios_interrupt_block, HTTP (within 1.2x)",
        per_run_ratio(results, "c-raw/http", "c-default/http"), 1.2, False)
    add("raw floor calls/s ÷ C tenios_client (handle), HTTP (within 1.2x)",
        per_run_ratio(results, "c-raw/http", "c-handle/http"), 1.2, False)
    for proto, p in (("HTTP", "http"), ("HTTPS", "https")):
        for cid, label in (("py-tenios", "tenios.interrupt_block"),
                           ("py-client", "tenios.Client")):
            add(f"Python {label} calls/s ÷ requests.Session, {proto}",
                per_run_ratio(results, f"{cid}/{p}", f"py-requests/{p}"), 4.0, True)
            # against the faster of the two urllib3 clients in the same run
            ratios = [m["cps"] / max(a["cps"], b["cps"])
                      for m, a, b in zip(results.get(f"{cid}/{p}", []),
                                         results.get(f"py-urllib3/{p}", []),
                                         results.get(f"py-urllib3-pool/{p}", []))
                      if m and a and b]
            add(f"Python {label} calls/s ÷ urllib3 (the faster of PoolManager and "
                f"ConnectionPool), {proto}", ratios, 2.0, True)
    for cid, label in (("c-default", "tenios_interrupt_block"), ("c-handle", "tenios_client")):
        add(f"first HTTPS call, exec to response: C {label} ÷ libcurl (no slower)",
            per_run_ratio(results, f"{cid}/https", "c-curl/https", "first_exec_ms"), 1.0, False)
    return out


# --------------------------------------------------------------------------------- output

def fmt_num(x: float, digits: int = 0) -> str:
    if x != x:  # NaN
        return "-"
    return f"{x:,.{digits}f}"


TABLE_HEAD = ["client", "proto", "thr", "calls/s", "÷curl", "raw÷", "p50 µs", "p99 µs",
              "1st call ms (exec)", "1st call ms (in-proc)", "peak RSS MiB", "CPU µs/call",
              "nginx CPU %", "other CPU %"]


def table_rows(rows: list[dict]) -> list[list[str]]:
    out = []
    for r in rows:
        c = r["cfg"]
        out.append([c.label, c.proto.upper(), str(c.threads), fmt_num(r["cps"]),
                     fmt_num(r["x_curl"], 2), fmt_num(r["raw_over"], 2), fmt_num(r["p50_us"], 1),
                     fmt_num(r["p99_us"], 1), fmt_num(r["first_exec_ms"], 2),
                     fmt_num(r["first_call_ms"], 2), fmt_num(r["peak_rss_kib"] / 1024, 1),
                     fmt_num(r["cpu_us_per_call"], 1), fmt_num(r["nginx_cpu_pct"], 0),
                     fmt_num(r["other_cpu_pct"], 0)])
    return out


def text_table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in body)) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(head, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def md_table(head: list[str], body: list[list[str]], left: int = 1) -> str:
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" if i < left else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


# The generated sections other scripts write into BENCHMARKS.md, each between its two markers:
# the wide-area one (benches/wan.py) and the cost per warm call (benches/cost.py).
WAN_BEGIN, WAN_END = "<!-- wan:begin -->", "<!-- wan:end -->"
COST_BEGIN, COST_END = "<!-- cost:begin -->", "<!-- cost:end -->"
# Written by `make bench-sip` (tests/kamailio/run.py); kept as it is.
SIP_BEGIN, SIP_END = "<!-- kamailio:begin -->", "<!-- kamailio:end -->"


def section_of(md_path: Path, begin: str, end: str) -> str:
    """The section of md_path between begin and end (markers included), or "" when absent."""
    text = md_path.read_text() if md_path.exists() else ""
    if begin in text and end in text:
        return text[text.index(begin):text.index(end) + len(end)]
    return ""


def write_section(md_path: Path, section: str, begin: str, end: str,
                  before: str = "\n## Machine") -> None:
    """Replaces the section of md_path between begin and end with `section` (which carries
    the markers), or adds it before the heading `before` (at the end when that is absent)."""
    text = md_path.read_text() if md_path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        a, b = text.index(begin), text.index(end) + len(end)
        text = text[:a] + section + text[b:]
    elif before in text:
        i = text.index(before)
        text = text[:i] + "\n" + section + "\n" + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    md_path.write_text(text)


def machine_info(nginx: Nginx) -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    lib = ctypes.CDLL(str(LIB))
    lib.tenios_version.restype = ctypes.c_char_p
    curl = ctypes.CDLL("libcurl.so.4")
    curl.curl_version.restype = ctypes.c_char_p
    import matplotlib
    import requests
    import urllib3
    return {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "kernel": f"{platform.system()} {platform.release()}",
        "C compiler": first_line([os.environ.get("CC", "cc"), "--version"]),
        "rustc": first_line(["rustc", "--version"]),
        "libtenios": lib.tenios_version().decode(),
        "libcurl": curl.curl_version().decode(),
        "nginx": nginx.version(),
        "Python": platform.python_version(),
        "requests / urllib3 / matplotlib": (f"{requests.__version__} / {urllib3.__version__} / "
                                            f"{matplotlib.__version__}"),
    }


def lib_sizes() -> tuple[int, int]:
    stripped = OUT / "libtenios.stripped.so"
    subprocess.run(["strip", "-o", str(stripped), str(LIB)], check=True)
    return LIB.stat().st_size, stripped.stat().st_size


LOOPBACK_JSON = OUT / "loopback.json"


def save_rows(rows: list[dict], subtitle: str) -> None:
    """Keeps this run's chart figures, for `make bench-wan` to redraw BENCHMARKS.png with."""
    data = [{**{k: v for k, v in r.items() if k != "cfg"},
             "cfg": {"spec": [r["cfg"].cid, r["cfg"].label, r["cfg"].family, r["cfg"].program,
                              r["cfg"].mode, r["cfg"].threads, "both"],
                     "proto": r["cfg"].proto}} for r in rows]
    LOOPBACK_JSON.write_text(json.dumps({"subtitle": subtitle, "rows": data}))


def redraw_chart(path: Path, wan: dict) -> bool:
    """BENCHMARKS.png from the last run's loopback figures and these wide-area ones."""
    try:
        saved = json.loads(LOOPBACK_JSON.read_text())
    except (OSError, ValueError):
        return False
    rows = [{**r, "cfg": Config(tuple(r["cfg"]["spec"]), r["cfg"]["proto"])}
            for r in saved["rows"]]
    chart(rows, path, saved["subtitle"], wan)
    return True


def chart(rows: list[dict], path: Path, subtitle: str, wan: dict | None = None) -> None:
    """Calls per second on loopback, one panel per group; then, with `wan` (benches/wan.py),
    a panel of round trips per call over the simulated wide-area network."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    from matplotlib.patches import Patch

    colors = {"tenios-c": "#1f5fa8", "tenios-py": "#6fa8dc", "baseline": "#9e9e9e",
              "floor": "#333333"}
    groups = [("HTTP, 1 thread", lambda c: c.proto == "http" and c.threads == 1),
              ("HTTPS, 1 thread", lambda c: c.proto == "https" and c.threads == 1),
              ("8 threads", lambda c: c.threads == 8),
              ("16 threads", lambda c: c.threads == 16)]
    panels = [(title, [r for r in rows if keep(r["cfg"])]) for title, keep in groups]
    panels = [(t, rs) for t, rs in panels if rs]
    heights = [max(len(rs), 2) for _, rs in panels]
    wan_rows = 0
    if wan:
        wan_rows = sum(1 for r in wan["summary"]["rows"] if r["tenios"]["n"] or r["curl"]["n"])
        heights.append(max(2, int(wan_rows * 1.6)))
    fig, axes = plt.subplots(len(heights), 1, figsize=(10, 1.4 + 0.42 * sum(heights)),
                             gridspec_kw={"height_ratios": heights})
    if len(heights) == 1:
        axes = [axes]
    if wan:
        import wan as wan_module  # benches/wan.py, beside this file

        wan_module.chart_panel(axes[-1], wan)
        axes = axes[:-1]
    xmax = max(r["cps"] for r in rows) * 1.18
    for ax, (title, rs) in zip(axes, panels):
        labels = [r["cfg"].label if r["cfg"].threads == 1 else
                  f"{r['cfg'].label.split(',')[0]}, {r['cfg'].proto.upper()}" for r in rs]
        values = [r["cps"] for r in rs]
        y = range(len(rs))
        bars = ax.barh(y, values, color=[colors[r["cfg"].family] for r in rs])
        ax.set_yticks(list(y), labels, fontsize=9)
        ax.invert_yaxis()
        ax.set_xlim(0, xmax)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        for bar, v in zip(bars, values):
            ax.text(bar.get_width() + xmax * 0.005, bar.get_y() + bar.get_height() / 2,
                    f"{v:,.0f}", va="center", fontsize=8)
    legend = [("tenios-c", "libtenios from C"), ("tenios-py", "libtenios from Python"),
              ("baseline", "libcurl / requests / urllib3"), ("floor", "raw socket (floor)")]
    axes[0].legend(handles=[Patch(color=colors[k], label=v) for k, v in legend],
                   loc="lower right", fontsize=8)
    axes[-1].set_xlabel("calls per second (median of runs; higher is better)")
    fig.suptitle("libtenios: POST /interrupt-ecc-block to nginx on loopback"
                 + (" and over a simulated wide-area network" if wan else "") + "\n" + subtitle,
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# What profiling found; kept here so that BENCHMARKS.md, which this script rewrites, keeps it.
FINDINGS = """## What profiling found

The first run of this benchmark (commit 622d4c7) had libtenios at 0.57x libcurl's calls per
second over HTTP, 0.66x over HTTPS, and 3.6x slower than the raw floor. callgrind and
`strace -c` per call (client 1 against client 3, plain HTTP) showed libtenios running *fewer*
user-space instructions than libcurl (51.7k against 73.6k) but ~22 system calls against 5, and
88 us of system CPU against 18. Two fixes, each measured with `strace -f -c` over 1,000 and
3,000 calls against tenios-sim:

1. ureq 3 resolves the host on every call, before looking in its connection pool, and with a
   timeout set its resolver starts a thread for the lookup, even for an IP address (clone3,
   futexes, signal masks, a cross-thread wake-up). src/resolver.rs: IP literals need no
   lookup; host names are resolved with ureq's resolver and its timeout at most every 30 s.
   ~22 -> ~11 system calls per call; libtenios went from 0.57x to 1.13x libcurl over HTTP.
2. ureq wrote the request head and the body in two writes (two TCP segments, two server
   wake-ups) and probed a pooled connection both when returning it to the pool and when
   taking it out (three system calls each). src/transport.rs, a thin layer on top of ureq's
   transport chain: the head is held back and sent with its body in one write, and only the
   checkout probe runs (it sees the same closed or garbage-sending connections, after the idle
   time). ~11 -> 7 system calls per call: one write, one read, one probe (two ioctl and a
   recvfrom), and two setsockopt.

The two setsockopt are ureq re-arming SO_SNDTIMEO/SO_RCVTIMEO for the time left under the
whole-call timeout, which changes on every call; they are inside ureq's TCP transport, out of
reach of a layer on top. libcurl makes 5 system calls per call, the raw floor 2."""


def write_markdown(path: Path, rows: list[dict], tgts: list[dict], info: dict[str, str],
                   tls: dict[str, str], sizes: tuple[int, int], lib_sha: str,
                   args: argparse.Namespace,
                   elapsed: float, command: str, notes: list[str],
                   wan_section: str = "") -> None:
    full, stripped = sizes
    # the sections other scripts wrote are kept: `make bench-cost`'s always, the wide-area one
    # when this run made none (--no-wan, --only)
    cost_section = section_of(path, COST_BEGIN, COST_END)
    sip_section = section_of(path, SIP_BEGIN, SIP_END)
    wan_section = wan_section or section_of(path, WAN_BEGIN, WAN_END)
    mark = {True: "**met**", False: "**missed**", None: "n/a"}
    body = table_rows(rows)
    t_rows = [[t["name"], t["value"], t["goal"], mark[t["met"]]] for t in tgts]
    info_rows = [[k, v] for k, v in info.items()]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = f"""# Benchmarks

Generated by `{command}` (benches/run.py) on {date}, in {elapsed / 60:.1f} minutes. Do not edit
by hand: run it again.

Every client makes the same `POST /interrupt-ecc-block` with the body
`{{"access_key":"…","call_uuid":"…"}}` to nginx on 127.0.0.1 (plain HTTP on one port, HTTPS on
another, with a certificate from a CA made for the run), which answers
`200 {{"success": true}}` on a kept-alive connection. Each client is a fresh process making
{args.warmup} warm-up calls and then {args.calls:,} timed calls; each figure is the median of
{args.runs} runs, and the runs interleave the clients (run 1 of every client, then run 2, ...).
Ratios are taken within one run and then the median is given.

![calls per second]({path.with_suffix('.png').name})

## Results

{md_table(TABLE_HEAD, body, left=2)}

- **calls/s**: timed calls ÷ wall time of the timed phase (8 and 16 threads: all threads start
  together at a barrier; the calls are split evenly). **÷curl**: calls/s ÷ the libcurl client's
  with the same protocol and thread count, in the same run. **raw÷**: the raw socket client's
  calls/s ÷ this client's (HTTP, 1 thread; 1.00 = as fast as the floor).
- **p50/p99**: per-call latency, `clock_gettime(CLOCK_MONOTONIC)` (C) or
  `time.perf_counter_ns` (Python) around each timed call.
- **1st call ms (exec)**: from just before the driver spawns the process (CLOCK_MONOTONIC,
  handed over in `BENCH_T0_NS`) to the return of the process's first call: exec, dynamic
  loading (C) or interpreter start and imports (Python), client set-up, TCP connect, TLS
  handshake (HTTPS), request and response. **1st call ms (in-proc)**: the same from just before
  the client is set up (C: before `curl_global_init` / `tenios_client_builder_new` / the first
  `tenios_interrupt_block`; Python: after the imports; the tenios binding loads libtenios
  lazily, inside this span).
- **peak RSS**: the process's peak resident set at its end, `VmHWM` from
  `/proc/self/status`. (`getrusage` `ru_maxrss` is printed by the clients too, but Linux carries
  it over `execve` from the image that exec'd, here the Python driver, so it would show the
  driver's size for every small client.) **CPU µs/call**: the client
  process's user + system CPU over the timed phase ÷ calls (all threads).
- **nginx CPU %**: nginx's CPU time (master + 2 workers, /proc) over the client's whole run,
  in % of one core: the server is never the bottleneck when this stays well below 100 % per
  worker (busiest single worker, median: {fmt_num(max(r['nginx_max_proc_pct'] for r in rows), 0)} % at most). **other CPU %**: the CPU
  time of everything else on the machine during the client's run (user + system time of all
  CPUs from /proc/stat minus the client's and nginx's), in % of one core: this machine is shared, and
  figures from runs with much other load are noisier. The machine is a VM: the hypervisor took
  (steal time) a median of {fmt_num(median([r['steal_pct'] for r in rows]), 1)} % and at most {fmt_num(max(r['steal_pct'] for r in rows), 1)} % of one core over a
  client's runs.

## Targets

{md_table(["target", "value (median of per-run ratios)", "goal", ""], t_rows)}

{FINDINGS}
{chr(10) + cost_section + chr(10) if cost_section else ""}
## TLS negotiated

nginx offers TLS 1.3 and 1.2 with its defaults (Debian's OpenSSL); the certificate is EC P-256.
What each client negotiated, from nginx's log of one probe call per client:

{md_table(["client", "protocol and cipher"], [[k, v] for k, v in tls.items()], left=2)}
{chr(10) + wan_section + chr(10) if wan_section else ""}
{chr(10) + sip_section + chr(10) if sip_section else ""}
## libtenios size

| `target/release/libtenios.so` (SHA-256 {lib_sha}…) | bytes |
|---|---:|
| as built (`cargo build --release`) | {full:,} |
| stripped (`strip -o`) | {stripped:,} ({100 * stripped / full:.0f} %) |

## Machine

{md_table(["", ""], info_rows, left=2)}

Command: `{command}` ({args.runs} runs × {args.calls:,} calls, {args.warmup} warm-up calls;
the driver is `benches/run.py --calls {args.calls} --runs {args.runs} --warmup {args.warmup}`).
"""
    if notes:
        text += "\n## Notes\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    path.write_text(text)


# ----------------------------------------------------------------------------------- main

def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=int(os.environ.get("BENCH_CALLS", 10000)))
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 5)))
    p.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 200)))
    p.add_argument("--only", help="comma-separated client ids (e.g. c-default,c-curl)")
    p.add_argument("--no-write", action="store_true",
                   help="print the table only; leave BENCHMARKS.md/.png alone")
    p.add_argument("--no-wan", action="store_true",
                   help="skip the wide-area benchmark (benches/wan.py, about 3.5 minutes)")
    import wan  # benches/wan.py, beside this file

    wan.add_arguments(p)
    args = p.parse_args()

    started = int(os.environ.get("BENCH_STARTED_NS", time.monotonic_ns())) / 1e9
    OUT.mkdir(parents=True, exist_ok=True)
    if not in_venv():
        if not BUILT_LIB.exists():
            print(f"bench: {BUILT_LIB} is missing: run `make build` first", file=sys.stderr)
            return 1
        ensure_tools()
        find_nginx()
        bootstrap_venv()  # does not return
    nginx_bin = find_nginx()
    lib_sha = snapshot_library()
    programs = build_clients()
    certs = OUT / "certs"
    subprocess.run(["sh", str(ROOT / "tests" / "tls" / "make-certs.sh"), str(certs)],
                   check=True)

    cfgs = configs()
    if args.only:
        wanted = set(args.only.split(","))
        cfgs = [c for c in cfgs if c.cid in wanted or c.key in wanted]
    # SIGTERM unwinds like Ctrl-C, so that the finally below stops nginx
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    nginx = Nginx(nginx_bin, certs)
    notes: list[str] = []
    results: dict[str, list] = {c.key: [] for c in cfgs}
    try:
        log(f"nginx {nginx.version()} on {nginx.http_url} and {nginx.https_url}, "
            f"workers {nginx.workers()}")
        tls = probe_tls(cfgs, nginx, programs, certs)
        log(f"{len(cfgs)} clients × {args.runs} runs × {args.calls:,} calls")
        for run in range(args.runs):
            # rotate the order each run so that no client always goes first or last
            order = cfgs[run % len(cfgs):] + cfgs[:run % len(cfgs)]
            for cfg in order:
                try:
                    r = run_client(cfg, nginx, programs, certs, args.calls, args.warmup)
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    log(f"run {run + 1}: {exc}")
                    results[cfg.key].append(None)
                    continue
                results[cfg.key].append(r)
                log(f"run {run + 1}/{args.runs} {cfg.key:24} {r['cps']:>9,.0f} calls/s  "
                    f"p99 {r['p99_us']:>8,.1f} µs  first {r['first_exec_ms']:6.1f} ms  "
                    f"nginx {r['nginx_cpu_pct']:3.0f} %  other {r['other_cpu_pct']:3.0f} %")
        info = machine_info(nginx)
    finally:
        nginx.stop()
    wan_res = None
    if not args.no_wan and not args.only:
        log("wide area: benches/wan.py")
        try:
            wan_res = wan.run(nginx_bin, certs, args)
            wan.RESULTS_JSON.write_text(json.dumps(wan_res, indent=1))
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            log(f"wide area: failed: {exc}")
            notes.append(f"the wide-area benchmark failed: {str(exc).splitlines()[0]}")

    failed = [k for k, v in results.items() if any(x is None for x in v)]
    for key in failed:
        notes.append(f"{key}: {sum(x is None for x in results[key])} of {args.runs} runs "
                     "failed (see the log of `make bench`); its figures are from the others.")
    rows = summarize(results, cfgs)
    tgts = targets(results)
    noisy = [f"{k} run {i + 1} ({r['other_cpu_pct']:.0f} %)" for k, runs in results.items()
             for i, r in enumerate(runs) if r and r["other_cpu_pct"] >= 30]
    if noisy:
        notes.append("other processes used ≥ 30 % of a core during: " + ", ".join(noisy) +
                     ". The medians damp this, but the machine was not idle.")
    busiest = max((r["nginx_max_proc_pct"] for r in rows), default=0)
    if busiest >= 90:
        notes.append(f"an nginx process reached {busiest:.0f} % of a core: the server may "
                     "have limited some figures.")
    print()
    print(text_table(TABLE_HEAD, table_rows(rows)))
    print()
    mark = {True: "met", False: "MISSED", None: "n/a"}
    print(text_table(["target", "value", "goal", ""],
                     [[t["name"], t["value"], t["goal"], mark[t["met"]]] for t in tgts]))
    sizes = lib_sizes()
    print(f"\nlibtenios.so: {sizes[0]:,} bytes, stripped {sizes[1]:,} bytes")
    if wan_res:
        wan.print_result(wan_res)
    for n in notes:
        print(f"note: {n}")
    elapsed = time.monotonic() - started
    if not args.no_write and rows:
        md, png = ROOT / "BENCHMARKS.md", ROOT / "BENCHMARKS.png"
        command = os.environ.get("BENCH_COMMAND", "python3 benches/run.py")
        subtitle = (f"{info['CPU']}, {info['nproc']} cores; median of {args.runs} runs "
                    f"of {args.calls:,} calls")
        save_rows(rows, subtitle)
        chart(rows, png, subtitle, wan_res)
        if wan_res:
            wan_res["command"] = command
        write_markdown(md, rows, tgts, info, tls, sizes, lib_sha, args, elapsed, command,
                       notes, wan.markdown(wan_res) if wan_res else "")
        log(f"wrote {md.relative_to(ROOT)} and {png.relative_to(ROOT)}")
    log(f"done in {elapsed:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
