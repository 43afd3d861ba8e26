#!/usr/bin/env python3
"""`make bench-cost`: what one warm call costs, in instructions and in system calls.

For each client (libtenios through tenios_interrupt_block and through a client handle, a
reused libcurl easy handle, and the raw keep-alive socket of benches/bench_raw.c, which speaks
plain HTTP only) and each protocol, against nginx on loopback (benches/run.py's, the same
clients and configuration as `make bench`), the client runs twice: with N and with 2N warm-up
calls, then one timed call. Everything else the process does (start-up, TLS handshake, the
first and the timed call, exit) is the same in both runs, so the difference divided by N is
the cost of one warm call:

  instructions   valgrind --tool=callgrind, total Ir: (Ir at 2N - Ir at N) / N, with the
                 functions that take most of it (self cost, the same difference per call)
  system calls   strace -f -c: (count at 2N - count at N) / N, per system call name

    python3 benches/cost.py [--calls N] [--no-write]

Writes the "Cost per warm call" section of BENCHMARKS.md between its markers (`make bench`
keeps it). Needs target/release/libtenios.so (`make build`); installs with apt-get what is
missing (valgrind, strace, nginx-light, libcurl4-openssl-dev, openssl). Talks only to
127.0.0.1. About a minute.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as loopback  # noqa: E402  (benches/run.py: nginx, the clients, tables)

ROOT, OUT = loopback.ROOT, loopback.OUT
COST_OUT = OUT / "cost"
log = loopback.log

# (client id in run.py's CLIENTS, protocols)
MEASURED = [("c-default", ("http", "https")), ("c-handle", ("http", "https")),
            ("c-curl", ("http", "https")), ("c-raw", ("http",))]
TENIOS_IDS = ("c-default", "c-handle")
# issue 15, per warm call on loopback: (instructions, system calls); None: no target
TARGETS = {"http": (24_000, 3), "https": (30_000, None)}
TOP_FUNCTIONS = 12
# Functions whose calls are counted (from callgrind's call counts): the allocator and the clock.
COUNTED_CALLS = {"malloc": "malloc", "calloc": "malloc", "realloc": "realloc", "free": "free",
                 "clock_gettime": "clock_gettime", "__clock_gettime": "clock_gettime"}


def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("valgrind", "valgrind"), ("callgrind_annotate", "valgrind"),
                                     ("strace", "strace")) if not shutil.which(tool)]
    if missing:
        loopback.apt_install(*sorted(set(missing)))
    loopback.ensure_tools()


# ----------------------------------------------------------------------------- measuring

def callgrind(cmd: list[str], env: dict[str, str], out: Path) -> dict[str, int]:
    """Runs cmd under callgrind; returns the self Ir of each function, "TOTAL" included."""
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
                       env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"callgrind {' '.join(cmd[:1])} failed:\n{r.stderr[-2000:]}")
    text = subprocess.run(["callgrind_annotate", "--threshold=100", str(out)],
                          capture_output=True, text=True, check=True).stdout
    costs: dict[str, int] = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.+?)\s*$", line)
        if not m:
            continue
        ir, what = int(m.group(1).replace(",", "")), m.group(2)
        if what.startswith("PROGRAM TOTALS"):
            costs["TOTAL"] = ir
        elif ":" in what:
            # "file:function [object]": the function is what identifies it across runs
            name = re.sub(r"\s+\[[^\]]*\]$", "", what.split(":", 1)[1])
            costs[name] = costs.get(name, 0) + ir
    if "TOTAL" not in costs:
        raise RuntimeError(f"no PROGRAM TOTALS in callgrind_annotate's output for {out}")
    return costs


def call_counts(out: Path) -> dict[str, int]:
    """How often the functions of COUNTED_CALLS were called, from a callgrind output file:
    "cfn=(id) name" (the name only where an id first appears) then "calls=N ..." per call site."""
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    callee = None
    with out.open() as f:
        for line in f:
            if line.startswith(("fn=", "cfn=")):
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
                if m and m.group(2):
                    names[m.group(1)] = m.group(2).split("@")[0]
                callee = names.get(m.group(1)) if m and line.startswith("cfn=") else None
            elif line.startswith("calls=") and callee in COUNTED_CALLS:
                key = COUNTED_CALLS[callee]
                counts[key] = counts.get(key, 0) + int(line[6:].split()[0])
    return counts


def strace_counts(cmd: list[str], env: dict[str, str], out: Path) -> dict[str, int]:
    """Runs cmd under strace -f -c; returns the number of calls of each system call."""
    r = subprocess.run(["strace", "-f", "-c", "-U", "name,calls", "-o", str(out), *cmd],
                       env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"strace {' '.join(cmd[:1])} failed:\n{r.stderr[-2000:]}")
    counts = {}
    for line in out.read_text().splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def per_call(at_2n: dict[str, int], at_n: dict[str, int], n: int) -> dict[str, float]:
    return {k: (at_2n.get(k, 0) - at_n.get(k, 0)) / n for k in set(at_2n) | set(at_n)}


def measure(cfg: loopback.Config, url: str, programs: dict[str, Path], certs: Path,
            n: int) -> dict:
    runs = {}
    for warmup in (n, 2 * n):
        cmd, env = loopback.client_command(cfg, url, programs, certs, 1, warmup)
        stem = COST_OUT / f"{cfg.cid}-{cfg.proto}-{warmup}"
        runs[warmup] = (callgrind(cmd, env, stem.with_suffix(".callgrind")),
                        strace_counts(cmd, env, stem.with_suffix(".strace")),
                        call_counts(stem.with_suffix(".callgrind")))
    ir = per_call(runs[2 * n][0], runs[n][0], n)
    sc = per_call(runs[2 * n][1], runs[n][1], n)
    calls = per_call(runs[2 * n][2], runs[n][2], n)
    total_ir = ir.pop("TOTAL")
    top = sorted(((v, k) for k, v in ir.items() if v >= 1), reverse=True)[:TOP_FUNCTIONS]
    # names made by fewer than one call in 20 are noise (a futex, an munmap of the allocator)
    syscalls = {k: v for k, v in sorted(sc.items(), key=lambda kv: (-kv[1], kv[0]))
                if abs(v) >= 0.05}
    return {"key": cfg.key, "label": cfg.label, "proto": cfg.proto, "cid": cfg.cid,
            "instructions": total_ir, "syscalls": sum(sc.values()),
            "by_syscall": syscalls, "top": [(k, v) for v, k in top],
            "calls": {k: calls.get(k, 0.0) for k in ("malloc", "realloc", "free",
                                                       "clock_gettime")}}


# ------------------------------------------------------------------------------- output

def verdict(value: float, target: float | None) -> str:
    if target is None:
        return "-"
    return "pass" if value <= target else f"miss (+{(value - target) / target:.0%})"


def fmt_syscalls(by: dict[str, float]) -> str:
    return ", ".join(f"{name} {v:.2f}".rstrip("0").rstrip(".") for name, v in by.items()) or "-"


def table(results: list[dict], bold: bool) -> tuple[list[str], list[list[str]]]:
    head = ["client", "proto", "instructions", "target", "", "system calls", "target", "",
            "system calls by name (per call)", "malloc / realloc / free", "clock reads"]
    body = []
    for r in results:
        instr_t, sys_t = TARGETS[r["proto"]] if r["cid"] in TENIOS_IDS else (None, None)
        marks = [verdict(r["instructions"], instr_t), verdict(r["syscalls"], sys_t)]
        if bold:
            marks = [f"**{m}**" if m != "-" else m for m in marks]
        body.append([r["label"], r["proto"].upper(), f"{r['instructions']:,.0f}",
                     f"≤ {instr_t:,}" if instr_t else "-", marks[0], f"{r['syscalls']:.2f}",
                     f"≤ {sys_t}" if sys_t else "-", marks[1], fmt_syscalls(r["by_syscall"]),
                     " / ".join(f"{r['calls'][k]:.1f}" for k in ("malloc", "realloc", "free")),
                     f"{r['calls']['clock_gettime']:.1f}"])
    return head, body


def short_name(name: str, width: int = 110) -> str:
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)  # Rust's symbol hash
    return name if len(name) <= width else name[:width - 1] + "…"


# What the profiles above showed, kept here so that a rerun keeps it (measured with the
# exchange on ureq-proto: 25,995 instructions per warm HTTP call on a client handle).
WHERE_THE_REST_GOES = """Where the rest over the targets goes (HTTP 26.0k against 24k, HTTPS 31.6k against 30k on
a client handle): about 6.5k instructions are ureq-proto and the `http` crate it is built on,
and are the price of not writing HTTP framing by hand: the request line and header fields are
written with `core::fmt` (`write!`, about 1.5k), the header map is scanned for framing headers
(`HeaderIterExt::has`, 1.0k) and the response's header map is built (`http::response::Builder`,
1.0k, and httparse 0.9k), and each state of ureq-proto's `Call` is a move of a few hundred
bytes (much of `memcpy`'s 2.4k). The library's own share is the argument checks (0.9k), JSON
encoding of the request (0.8k), 16 allocations (about 2k with their frees: the request's
header map and URI, the JSON body, the answer) and 8 clock reads (the deadline before every
blocking step, the timings). Removed on the way from 1.0.0's 41.8k: ureq's Agent (request
plumbing, timeout bookkeeping, 38 allocations), a buffer cleared per call (8.3k of `memset`),
fixed headers parsed per call (they are built once per client), and 5 of 8 system calls
(`getpid`, the `ioctl`s that toggled non-blocking mode around the probe, and the
`setsockopt`s that re-armed timeouts: a socket timeout is now set only when the time left no
longer fits it)."""


def markdown(results: list[dict], n: int, command: str, elapsed: float, lib_sha: str) -> str:
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head, body = table(results, bold=True)
    tops = []
    for r in results:
        if r["cid"] != "c-handle":
            continue
        rows = [[f"`{short_name(name)}`", f"{v:,.0f}"] for name, v in r["top"]]
        tops.append(f"libtenios client handle, {r['proto'].upper()} "
                    f"({r['instructions']:,.0f} instructions per call):\n\n"
                    + loopback.md_table(["function (self cost)", "instructions per call"], rows)
                    + "\n")
    return f"""{loopback.COST_BEGIN}
## Cost per warm call

Generated by `{command}` (benches/cost.py) on {date}, in {elapsed / 60:.1f} minutes, with
libtenios.so SHA-256 {lib_sha}…, on the machine below. Do not edit by hand.

The clients of `make bench`, one thread, against the same nginx on 127.0.0.1. Each runs twice,
with {n} and with {2 * n} warm-up calls on one kept-alive connection; everything else it does
(start-up, connect, TLS handshake, exit) is the same in both runs, so a figure is
(count at {2 * n} calls − count at {n} calls) ÷ {n}, for the whole process (all threads, the
harness's loop included: a few instructions). **instructions**: callgrind's total Ir
(`valgrind --tool=callgrind`). **system calls**: `strace -f -c`, all names; a fraction means
a system call that some calls make and others do not. The targets are issue 15's for
libtenios: HTTP ≤ 24k instructions and ≤ 3 system calls (one write, one read, at most one
liveness probe), HTTPS ≤ 30k instructions (no system-call target). The raw socket speaks plain
HTTP only: it is the floor for HTTP. **malloc / realloc / free** (calloc counted as malloc;
free(NULL) counted too) and **clock reads** (`clock_gettime`, which the vDSO answers without a
system call): calls per warm call, from callgrind's call counts, the same difference. A system
call made by fewer than one call in 20 is counted in the total but not named. libcurl's `poll`
count depends on timing (it polls until the answer is there, and strace slows the process
down), so it varies from run to run; the other clients block in one read.

{loopback.md_table(head, body, left=2)}

Where the instructions of a warm call go: the functions with the largest self cost per call
(the same difference, per function, from `callgrind_annotate`), the {TOP_FUNCTIONS} largest.

{chr(10).join(tops)}
{WHERE_THE_REST_GOES}

Command: `{command}` (`benches/cost.py --calls {n}`).
{loopback.COST_END}"""


# ----------------------------------------------------------------------------------- main

def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=int(os.environ.get("BENCH_COST_CALLS", 200)),
                   help="N: the runs make N and 2N warm calls (default 200)")
    p.add_argument("--only", help="comma-separated client ids (c-default,c-handle,c-curl,c-raw)")
    p.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md")
    args = p.parse_args()
    started = time.monotonic()
    if not loopback.BUILT_LIB.exists():
        print(f"bench-cost: {loopback.BUILT_LIB} is missing: run `make build` first",
              file=sys.stderr)
        return 1
    ensure_tools()
    nginx_bin = loopback.find_nginx()
    COST_OUT.mkdir(parents=True, exist_ok=True)
    lib_sha = loopback.snapshot_library()
    programs = loopback.build_clients()
    certs = OUT / "certs"
    subprocess.run(["sh", str(ROOT / "tests" / "tls" / "make-certs.sh"), str(certs)], check=True)
    specs = {spec[0]: spec for spec in loopback.CLIENTS}
    wanted = set(args.only.split(",")) if args.only else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    nginx = loopback.Nginx(nginx_bin, certs, workers=1)
    results = []
    try:
        for cid, protos in MEASURED:
            if wanted and cid not in wanted:
                continue
            for proto in protos:
                cfg = loopback.Config(specs[cid], proto)
                url = nginx.http_url if proto == "http" else nginx.https_url
                r = measure(cfg, url, programs, certs, args.calls)
                log(f"cost: {cfg.key:16} {r['instructions']:>9,.0f} instructions, "
                    f"{r['syscalls']:.2f} system calls per warm call "
                    f"({fmt_syscalls(r['by_syscall'])})")
                results.append(r)
    finally:
        nginx.stop()
    head, body = table(results, bold=False)
    print()
    print(loopback.text_table(head, body))
    elapsed = time.monotonic() - started
    if not args.no_write and results:
        command = os.environ.get("BENCH_COMMAND", "python3 benches/cost.py")
        md = ROOT / "BENCHMARKS.md"
        loopback.write_section(md, markdown(results, args.calls, command, elapsed, lib_sha),
                               loopback.COST_BEGIN, loopback.COST_END,
                               before="\n## TLS negotiated")
        log(f"cost: wrote {md.relative_to(ROOT)} (its cost section)")
    log(f"cost: done in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
