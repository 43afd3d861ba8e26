#!/usr/bin/env python3
"""`make test-netem`: libtenios over a lossy, slow network and into a blackhole (issue 15).

Two network namespaces of the test's own joined by a veth pair (10.200.0.1 on the client's
side, 10.200.0.2 on the server's; the traffic never leaves this machine): tenios-sim on
127.0.0.1 in the server namespace, behind benches/latency_proxy.c listening on 10.200.0.2,
which delays every chunk 25 ms each way; nftables in the server namespace drops 2 % of the
packets crossing the veth in each direction (`numgen random mod 100 < 2 drop`). The client,
tests/netem/driver.c (one client handle, 4 threads, the public C API only), runs in the client
namespace, for each protocol:

  https  https://10.200.0.2:PORT: the library's own TCP connection crosses the lossy veth
  http   plain http:// is only allowed to loopback hosts, so a second latency_proxy (no delay)
         listens on 127.0.0.1 in the client namespace and forwards across the veth; the loss
         is then on that proxy's connection, and the library sees the delays loss causes

Phases, each with call UUIDs of its own and a whole-call timeout of 2000 ms
(`tenios_client_builder_set_timeout_ms`; one client handle per timeout):

  loss       1,000 calls: 80 % to calls the simulator interrupts (TENIOS_OK), 10 % to calls
             whose block cannot be interrupted (TENIOS_ERR_API), 10 % to unknown calls
             (TENIOS_ERR_CALL_UUID_NOT_FOUND), so that a response read by the wrong call shows;
             every 4th call has a timeout of 200 ms instead, which a lost segment (Linux
             retransmits after at least 200 ms) makes it miss: some calls time out, before or
             after their request reached the simulator
  blackhole  3 warm calls, then nftables drops every packet on the veth; 8 calls (4 threads:
             one on the pooled connection, the others connecting)
  stall      a new client; nftables drops every TCP segment that carries data (an IPv4
             length over 60 bytes: a handshake segment, options included, is at most 60), so
             the TCP connect succeeds and nothing after it arrives; 4 calls

Asserted, from the simulator's request log (GET /_sim/requests, read once it has stopped
changing) and the driver's per-call CLOCK_MONOTONIC times:
  - no call UUID reached the simulator twice;
  - every call returned within its timeout + 500 ms (the margin is scheduling noise on a
    shared 2-core machine, not a latency budget), and none reported TENIOS_ERR_TIMEOUT more
    than 50 ms before its timeout;
  - each status matches what happened: the simulator's answer for that call when it saw the
    request exactly once; TENIOS_ERR_TIMEOUT when it saw it once or not at all (a request can
    arrive after its caller gave up); anything else is a failure. Blackhole and stall calls
    must all be TENIOS_ERR_TIMEOUT, and the simulator must have seen none of them.
Prints the distribution of statuses and times per phase.

Needs root (ip netns, nftables: `make deps` installs nftables); prints "SKIP: ..." and exits
0 only when the kernel refuses to make a network namespace. About a minute.

    TENIOS_SIM=... NETEM_DRIVER=... NETEM_PROXY=... python3 tests/netem/netem.py
        [--calls 1000] [--threads 4] [--timeout-ms 2000] [--margin-ms 500] [--protocols https,http]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = "netem-access-key"
CLIENT_ADDR, SERVER_ADDR = "10.200.0.1", "10.200.0.2"
VETH_CLIENT, VETH_SERVER = "netem-c", "netem-s"
DELAY_MS = 25
LOSS_PERCENT = 2
EARLY_MS = 50  # a TENIOS_ERR_TIMEOUT this much before the timeout is a failure
PHASES = {"loss": 1, "blackhole": 2, "stall": 3}
PROTOCOL_IDS = {"https": 1, "http": 2}
SCRUBBED_ENV = ("TENIOS_API_URL", "TENIOS_CA_FILE", "TENIOS_ACCESS_KEY", "HTTP_PROXY",
                "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                "all_proxy", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR")


def log(msg: str) -> None:
    print(f"netem: {msg}", flush=True)


class Failed(Exception):
    pass


def run(*cmd: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, input=input)
    if check and r.returncode != 0:
        raise Failed(f"{' '.join(cmd)} failed (exit {r.returncode}): {r.stderr.strip()}")
    return r


# --------------------------------------------------------------------------- the network

class Network:
    """Two namespaces and the veth between them; removed by close(), whatever happened."""

    def __init__(self) -> None:
        tag = f"{os.getpid()}"
        self.client, self.server = f"tenios-netem-c{tag}", f"tenios-netem-s{tag}"
        self.made: list[str] = []
        self.procs: list[subprocess.Popen] = []

    def create(self) -> str | None:
        """Makes the namespaces; returns why it cannot (for a SKIP), None when it did."""
        if os.geteuid() != 0:
            return "needs root to make network namespaces"
        r = run("ip", "netns", "add", self.client, check=False)
        if r.returncode != 0:
            return f"the kernel refused a network namespace: {r.stderr.strip()}"
        self.made.append(self.client)
        run("ip", "netns", "add", self.server)
        self.made.append(self.server)
        for ns in (self.client, self.server):
            run("ip", "-n", ns, "link", "set", "lo", "up")
        # made inside the client namespace, its peer moved straight into the server's: the
        # interface names never exist in the host's namespace
        run("ip", "-n", self.client, "link", "add", VETH_CLIENT, "type", "veth", "peer", "name",
            VETH_SERVER, "netns", self.server)
        for ns, dev, addr in ((self.client, VETH_CLIENT, CLIENT_ADDR),
                              (self.server, VETH_SERVER, SERVER_ADDR)):
            run("ip", "-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
            run("ip", "-n", ns, "link", "set", dev, "up")
        return None

    def nft(self, rules: str) -> None:
        """Replaces the server namespace's `netem` table with these chains' rules."""
        run("ip", "netns", "exec", self.server, "nft", "-f", "-", input=f"""
table inet netem
delete table inet netem
table inet netem {{
    chain in {{
        type filter hook input priority 0; policy accept;
        {rules.format(dir="iifname")}
    }}
    chain out {{
        type filter hook output priority 0; policy accept;
        {rules.format(dir="oifname")}
    }}
}}
""")

    def dropped(self) -> int:
        """Packets the rules dropped so far (their counters)."""
        out = run("ip", "netns", "exec", self.server, "nft", "-j", "list", "table", "inet",
                  "netem").stdout
        total = 0
        for item in json.loads(out)["nftables"]:
            for expr in item.get("rule", {}).get("expr", []):
                if "counter" in expr:
                    total += expr["counter"]["packets"]
        return total

    def spawn(self, ns: str, cmd: list[str], **kw) -> subprocess.Popen:
        p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], **kw)
        self.procs.append(p)
        return p

    def stop(self, p: subprocess.Popen) -> None:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self) -> None:
        for p in self.procs:
            self.stop(p)
        for ns in reversed(self.made):
            run("ip", "netns", "del", ns, check=False)


# ------------------------------------------------------------------ the server side

def first_line(p: subprocess.Popen, what: str, prefix: str) -> str:
    line = p.stdout.readline().strip()
    if not line.startswith(prefix):
        err = p.stderr.read() if p.poll() is not None and p.stderr else ""
        raise Failed(f"{what} did not start: {line!r} {err}")
    return line[len(prefix):]


def start_sim(net: Network, sim: str, config: Path, certs: Path | None) -> int:
    cmd = [sim, "--access-key", KEY, "--config", str(config)]
    if certs:
        cmd += ["--tls-cert", str(certs / "netem.pem"), "--tls-key", str(certs / "netem.key")]
    p = net.spawn(net.server, cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return int(first_line(p, "tenios-sim", "listening on ").rsplit(":", 1)[1])


def start_proxy(net: Network, proxy: str, ns: str, listen: str, target: str, delay_ms: float,
                stats: Path) -> str:
    p = net.spawn(ns, [proxy, "-l", listen, "-t", target, "-d", str(delay_ms), "-s", str(stats)],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return first_line(p, "latency_proxy", "listening ")


def upstream_connections(stats: Path) -> int:
    return int(stats.read_text().split()[1])


FETCH = """
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2]) if sys.argv[2] else None
print(urllib.request.urlopen(sys.argv[1], timeout=10, context=ctx).read().decode())
"""


def sim_requests(net: Network, base: str, ca: str) -> list[dict]:
    """The simulator's request log, read from inside its namespace (not across the veth)."""
    r = run("ip", "netns", "exec", net.server, sys.executable, "-c", FETCH,
            f"{base}/_sim/requests", ca)
    return json.loads(r.stdout)


def settled_counts(net: Network, base: str, ca: str) -> Counter:
    """Interrupt requests per call UUID, once the log has not changed for 1.5 s (a request
    whose caller gave up can still be on its way: delayed, or retransmitted), 15 s at most."""
    previous, deadline = -1, time.monotonic() + 15
    while True:
        log_ = sim_requests(net, base, ca)
        if len(log_) == previous or time.monotonic() > deadline:
            break
        previous = len(log_)
        time.sleep(1.5)
    counts: Counter = Counter()
    for req in log_:
        if req.get("path") == "/interrupt-ecc-block":
            try:
                counts[json.loads(req["body"])["call_uuid"].lower()] += 1
            except (ValueError, KeyError, TypeError, AttributeError):
                counts["(unparsable body)"] += 1
    return counts


def make_certs(tmp: Path) -> Path:
    """The CA of tests/tls/make-certs.sh and a server certificate for 10.200.0.2 (the address
    the client connects to) and 127.0.0.1 (the control endpoints, read inside the namespace)."""
    certs = tmp / "certs"
    run("sh", str(ROOT / "tests" / "tls" / "make-certs.sh"), str(certs))
    key, csr, ext, crt = (certs / f"netem.{x}" for x in ("key", "csr", "ext", "crt"))
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   "extendedKeyUsage=serverAuth\n"
                   f"subjectAltName=IP:{SERVER_ADDR},IP:127.0.0.1\n")
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", str(key))
    run("openssl", "req", "-new", "-key", str(key), "-subj", f"/CN={SERVER_ADDR}", "-out",
        str(csr))
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(certs / "ca.pem"), "-CAkey",
        str(certs / "ca.key"), "-CAcreateserial", "-sha256", "-days", "1", "-extfile", str(ext),
        "-out", str(crt))
    (certs / "netem.pem").write_text(crt.read_text() + (certs / "ca.pem").read_text())
    return certs


# ----------------------------------------------------------------------------- the calls

def call_uuid(protocol: str, phase: str, i: int) -> str:
    return f"{PROTOCOL_IDS[protocol]:04x}{PHASES[phase]:04x}-0000-4000-8000-{i:012x}"


def expected_status(i: int) -> str | None:
    """What the simulator answers the loss phase's call i; None: not a configured call."""
    return {3: "TENIOS_ERR_API", 7: "TENIOS_ERR_CALL_UUID_NOT_FOUND"}.get(i % 10, "TENIOS_OK")


def sim_config(protocol: str, calls: int, tmp: Path) -> Path:
    entries = [{"call_uuid": call_uuid(protocol, "loss", i),
                "interruptible": expected_status(i) == "TENIOS_OK"}
               for i in range(calls) if expected_status(i) != "TENIOS_ERR_CALL_UUID_NOT_FOUND"]
    entries.append({"call_uuid": call_uuid(protocol, "blackhole", 999_999), "interruptible": True})
    for phase in ("blackhole", "stall"):
        entries += [{"call_uuid": call_uuid(protocol, phase, i), "interruptible": True}
                    for i in range(100)]
    path = tmp / f"sim-{protocol}.json"
    path.write_text(json.dumps({"access_key": KEY, "calls": entries}))
    return path


class Driver:
    def __init__(self, net: Network, exe: str, url: str, ca: str, args, tmp: Path) -> None:
        self.net, self.exe, self.url, self.ca, self.args, self.tmp = net, exe, url, ca, args, tmp

    def run(self, calls: list[tuple[str, int]], name: str, before_calls=None,
            warm: str | None = None, timeout_s: float = 300) -> list[dict]:
        """Makes one call per (UUID, timeout in ms); `before_calls` runs once the warm-up calls
        are done."""
        uuid_file = self.tmp / f"{name}.calls"
        uuid_file.write_text("".join(f"{uuid} {ms}\n" for uuid, ms in calls))
        cmd = [self.exe, "--url", self.url, "--key", KEY, "--uuids", str(uuid_file),
               "--timeout-ms", str(self.args.timeout_ms), "--threads", str(self.args.threads)]
        if self.ca:
            cmd += ["--ca", self.ca]
        if warm:
            cmd += ["--warm", warm, "--warm-calls", "3"]
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        p = self.net.spawn(self.net.client, cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
        lines = []
        if warm:
            while (line := p.stdout.readline()) and line.strip() != "warm":
                lines.append(line)
            if before_calls:
                before_calls()
            p.stdin.write("go\n")
            p.stdin.flush()
        try:
            out, err = p.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failed(f"{name}: the driver was still running after {timeout_s:.0f} s")
        if p.returncode != 0:
            raise Failed(f"{name}: the driver failed (exit {p.returncode}): {err.strip()}")
        results = []
        for line in lines + out.splitlines():
            parts = line.rstrip("\n").split(" ", 5)
            if parts[0] == "warm-failed":
                raise Failed(f"{name}: a warm-up call failed: {line.strip()}")
            if parts[0] == "call" and len(parts) == 6:
                results.append({"uuid": parts[1].lower(), "status": parts[2],
                                "ms": int(parts[3]) / 1000, "timeout_ms": int(parts[4]),
                                "message": parts[5]})
        if sorted(r["uuid"] for r in results) != sorted(u.lower() for u, _ in calls):
            raise Failed(f"{name}: the driver reported {len(results)} calls of {len(calls)}")
        return results


# ----------------------------------------------------------------------------- checking

def check_times(results: list[dict], args, problems: list[str], name: str) -> None:
    for r in results:
        if r["ms"] > r["timeout_ms"] + args.margin_ms:
            problems.append(f"{name}: {r['uuid']} returned after {r['ms']:.0f} ms, over its "
                            f"timeout {r['timeout_ms']} ms + {args.margin_ms} ms "
                            f"({r['status']}: {r['message']})")
        elif r["status"] == "TENIOS_ERR_TIMEOUT" and r["ms"] < r["timeout_ms"] - EARLY_MS:
            problems.append(f"{name}: {r['uuid']} reported TENIOS_ERR_TIMEOUT after only "
                            f"{r['ms']:.0f} ms, before its {r['timeout_ms']} ms timeout "
                            f"({r['message']})")


def check_duplicates(counts: Counter, problems: list[str], name: str) -> None:
    for uuid, n in sorted(counts.items()):
        if n > 1:
            problems.append(f"{name}: the simulator received {uuid} {n} times")


def summary(results: list[dict], counts: Counter, name: str) -> None:
    dist = Counter(r["status"] for r in results)
    ms = sorted(r["ms"] for r in results)
    timed_out = [r for r in results if r["status"] == "TENIOS_ERR_TIMEOUT"]
    seen = sum(1 for r in timed_out if counts.get(r["uuid"]))
    late = max(r["ms"] - r["timeout_ms"] for r in results)
    log(f"{name}: {len(results)} calls: "
        + ", ".join(f"{k} {v}" for k, v in sorted(dist.items()))
        + f"; times ms: median {statistics.median(ms):.0f}, p99 "
        f"{ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.0f}, max {ms[-1]:.0f}"
        + (f"; {len(timed_out)} timed out (the simulator saw {seen} of them), at most "
           f"{late:.0f} ms after their timeout" if timed_out else ""))


def loss_phase(net: Network, driver: Driver, protocol: str, base: str, ca: str, args,
               problems: list[str]) -> None:
    name = f"{protocol} loss"
    net.nft(f"{{dir}} \"{VETH_SERVER}\" numgen random mod 100 < {LOSS_PERCENT} counter drop")
    calls = [(call_uuid(protocol, "loss", i),
              args.short_timeout_ms if i % 4 == 1 else args.timeout_ms) for i in range(args.calls)]
    started = time.monotonic()
    results = driver.run(calls, f"{protocol}-loss")
    elapsed = time.monotonic() - started
    dropped = net.dropped()
    counts = settled_counts(net, base, ca)
    log(f"{name}: {args.calls} calls in {elapsed:.1f} s; nftables dropped {dropped} packets")
    if dropped == 0:
        problems.append(f"{name}: nftables dropped no packet: the loss is not in effect")
    check_times(results, args, problems, name)
    check_duplicates(counts, problems, name)
    for r in results:
        i = int(r["uuid"].rsplit("-", 1)[1], 16)
        want, seen = expected_status(i), counts.get(r["uuid"], 0)
        if r["status"] == want and seen == 1:
            continue
        if r["status"] == "TENIOS_ERR_TIMEOUT" and seen <= 1:
            continue
        problems.append(f"{name}: {r['uuid']} returned {r['status']} ({r['message']}) after "
                        f"{r['ms']:.0f} ms; the simulator saw it {seen} times and answers "
                        f"{want}")
    summary(results, counts, name)


def blackhole_phase(net: Network, driver: Driver, protocol: str, phase: str, base: str,
                    ca: str, stats: Path, args, problems: list[str]) -> None:
    name = f"{protocol} {phase}"
    net.nft("")  # no loss: the warm-up calls and the connects must succeed
    calls = [(call_uuid(protocol, phase, i), args.timeout_ms)
             for i in range(8 if phase == "blackhole" else 4)]
    connections = upstream_connections(stats)
    if phase == "blackhole":
        # every packet on the veth, once the client has a pooled connection
        def blackhole() -> None:
            nonlocal connections
            connections = upstream_connections(stats)  # the warm-up calls' included
            net.nft(f"{{dir}} \"{VETH_SERVER}\" counter drop")

        results = driver.run(calls, f"{protocol}-{phase}",
                             warm=call_uuid(protocol, phase, 999_999), before_calls=blackhole)
    else:
        # every TCP segment carrying data: the handshake gets through, nothing after it
        net.nft(f"{{dir}} \"{VETH_SERVER}\" meta l4proto tcp ip length > 60 counter drop")
        results = driver.run(calls, f"{protocol}-{phase}")
        if upstream_connections(stats) == connections:
            problems.append(f"{name}: no TCP connection reached the server side's proxy: the "
                            "phase did not test a stall after the connect")
    counts = settled_counts(net, base, ca)
    check_times(results, args, problems, name)
    for r in results:
        if r["status"] != "TENIOS_ERR_TIMEOUT":
            problems.append(f"{name}: {r['uuid']} returned {r['status']} ({r['message']}) "
                            f"after {r['ms']:.0f} ms, not TENIOS_ERR_TIMEOUT")
        if counts.get(r["uuid"]):
            problems.append(f"{name}: the simulator received {r['uuid']} through a blackhole")
    if phase == "blackhole" and upstream_connections(stats) != connections:
        problems.append(f"{name}: a connection got through the blackhole")
    summary(results, counts, name)


def run_protocol(net: Network, protocol: str, exe: dict[str, str], certs: Path, tmp: Path,
                 args, problems: list[str]) -> None:
    https = protocol == "https"
    sim_port = start_sim(net, exe["sim"], sim_config(protocol, args.calls, tmp),
                         certs if https else None)
    base = f"{protocol}://127.0.0.1:{sim_port}"
    ca = str(certs / "ca.pem") if https else ""
    stats = tmp / f"proxy-{protocol}.stats"
    far = start_proxy(net, exe["proxy"], net.server, f"{SERVER_ADDR}:0",
                      f"127.0.0.1:{sim_port}", DELAY_MS, stats)
    if https:
        url = f"https://{far}"
    else:
        near = start_proxy(net, exe["proxy"], net.client, "127.0.0.1:0", far, 0,
                           tmp / "proxy-near.stats")
        url = f"http://{near}"
    log(f"{protocol}: the client calls {url}; tenios-sim on {base} in the server namespace "
        f"behind {far} ({DELAY_MS} ms each way)")
    driver = Driver(net, exe["driver"], url, ca, args, tmp)
    loss_phase(net, driver, protocol, base, ca, args, problems)
    for phase in ("blackhole", "stall"):
        blackhole_phase(net, driver, protocol, phase, base, ca, stats, args, problems)
    net.nft("")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--timeout-ms", type=int, default=2000)
    p.add_argument("--short-timeout-ms", type=int, default=200,
                   help="the timeout of every 4th call of the loss phase (default 200)")
    p.add_argument("--margin-ms", type=int, default=500,
                   help="scheduling noise allowed past the timeout (default 500)")
    p.add_argument("--protocols", default="https,http")
    args = p.parse_args()
    exe = {"sim": os.environ.get("TENIOS_SIM", str(ROOT / "target/release/tenios-sim")),
           "driver": os.environ.get("NETEM_DRIVER", str(ROOT / "build/netem_driver")),
           "proxy": os.environ.get("NETEM_PROXY", str(ROOT / "build/latency_proxy"))}
    for what, path in exe.items():
        if not os.access(path, os.X_OK):
            print(f"netem: {what} {path} is missing (make test-netem builds it)", file=sys.stderr)
            return 1
    for tool in ("ip", "nft", "openssl"):
        if not shutil.which(tool):
            print(f"netem: `{tool}` is missing (make deps installs it)", file=sys.stderr)
            return 1
    net = Network()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="tenios-netem-"))
    os.chmod(tmp, 0o755)
    problems: list[str] = []
    started = time.monotonic()
    try:
        why = net.create()
        if why:
            print(f"SKIP: {why}")
            return 0
        certs = make_certs(tmp)
        for protocol in args.protocols.split(","):
            run_protocol(net, protocol, exe, certs, tmp, args, problems)
    except Failed as exc:
        problems.append(str(exc))
    finally:
        net.close()
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    if problems:
        for line in problems[:40]:
            print(f"FAIL {line}")
        if len(problems) > 40:
            print(f"FAIL ... and {len(problems) - 40} more")
        log(f"failed: {len(problems)} problems, in {elapsed:.0f} s")
        return 1
    log(f"passed in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
