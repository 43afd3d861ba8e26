"""make test-kamailio: Kamailio (bindings/kamailio/kamailio.cfg, 4 SIP workers) with the Lua
and then the Python KEMI script, driven by SIPp, against tenios-sim; then against a blackholed
and an unreachable API. Every SIP reply is checked against what the simulator did; the SIP
round trips and the time inside libtenios go into BENCHMARKS.md (a measurement: no speed is
asserted, except that OPTIONS are answered in well under the client timeout while every
TENIOS request waits it out).

Environment: TENIOS_SIM, TENIOS_LUA_CPATH (the module built for app_lua's Lua 5.1),
TENIOS_LIBRARY and PYTHONPATH (the Python binding). Ends with "N passed, N failed".
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import sipp

ROOT = Path(__file__).resolve().parents[2]
CFG = ROOT / "bindings" / "kamailio" / "kamailio.cfg"
SCRIPTS = {"lua": ROOT / "bindings" / "kamailio" / "tenios.lua",
           "python": ROOT / "bindings" / "kamailio" / "tenios_kemi.py"}
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- kamailio:begin -->", "<!-- kamailio:end -->"

SIP_WORKERS = 4
TENIOS_WORKERS = 8
STEADY = (2000, 100)  # requests, per second
BURST = (600, 600)  # each of BURSTS bursts
BURSTS = 2
OUTAGE_TIMEOUT_MS = 1000  # the client timeout while the API is blackholed
OUTAGE_TENIOS = (30, 6)  # more at once than there are SIP workers: they would all block
OUTAGE_OPTIONS = (300, 50)

# The simulated account: calls in an interruptible block, in a stuck block, connected.
INTERRUPTIBLE = [f"10000000-0000-4000-8000-{i:012d}" for i in range(20)]
STUCK = [f"20000000-0000-4000-8000-{i:012d}" for i in range(5)]
CONNECTED = [f"30000000-0000-4000-8000-{i:012d}" for i in range(10)]
UNKNOWN = [f"40000000-0000-4000-8000-{i:012d}" for i in range(5)]

# (action, call list, the SIP reply the documented table gives, its X-Tenios-Status), weight
CASES = [
    (("interrupt", INTERRUPTIBLE, 200, "TENIOS_OK"), 40),
    (("interrupt", STUCK, 409, "TENIOS_ERR_API"), 10),
    (("interrupt", CONNECTED, 409, "TENIOS_ERR_API"), 5),
    (("interrupt", UNKNOWN, 404, "TENIOS_ERR_CALL_UUID_NOT_FOUND"), 10),
    (("interrupt", ["not-a-uuid"], 400, "TENIOS_ERR_INVALID_FIELD"), 5),
    (("transfer", CONNECTED, 200, "TENIOS_OK"), 20),
    (("transfer", INTERRUPTIBLE, 409, "TENIOS_ERR_API"), 5),
    (("transfer", UNKNOWN, 404, "TENIOS_ERR_CALL_UUID_NOT_FOUND"), 5),
]

passed = failed = 0


def check(condition: bool, what: str) -> bool:
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")
    return condition


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return {"n": len(ordered), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99),
            "max": ordered[-1], "mean": statistics.fmean(ordered)}


class Simulator:
    def __init__(self, work: Path, key: str):
        config = work / "sim.json"
        calls = ([{"call_uuid": u, "state": "in_block", "interruptible": True} for u in INTERRUPTIBLE]
                 + [{"call_uuid": u, "state": "in_block", "interruptible": False} for u in STUCK]
                 + [{"call_uuid": u, "state": "connected"} for u in CONNECTED])
        config.write_text(json.dumps({"access_key": key, "calls": calls}))
        self.process = subprocess.Popen([os.environ["TENIOS_SIM"], "--config", str(config)],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), f"simulator said {line!r}"
        self.url = line.removeprefix("listening on ")

    def get(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.url + "/_sim/reset", data=b"",
                                                      method="POST"), timeout=10).read()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


class Blackhole:
    """A loopback listener that accepts connections, reads and never answers."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.held.append(connection)
            threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    @staticmethod
    def _drain(connection: socket.socket) -> None:
        try:
            while connection.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        """From now on the port is closed: connecting is refused."""
        self.closing = True
        # shutdown() first: it stops the listening (and wakes the thread blocked in accept(),
        # which would otherwise keep the socket open and the port accepting).
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        for connection in self.held:
            connection.close()


class Kamailio:
    def __init__(self, work: Path, language: str, api_url: str, key: str, timeout_ms: int):
        self.port = free_port(socket.SOCK_DGRAM)
        self.log = work / f"kamailio-{language}.log"
        env = dict(os.environ, TENIOS_ACCESS_KEY=key, TENIOS_API_URL=api_url,
                   TENIOS_TIMEOUT_MS=str(timeout_ms), LUA_CPATH=os.environ["TENIOS_LUA_CPATH"])
        define = "WITH_LUA" if language == "lua" else "WITH_PYTHON"
        script = "LUA_SCRIPT" if language == "lua" else "PYTHON_SCRIPT"
        command = ["kamailio", "-f", str(CFG), "-DD", "-E", "-m", "64", "-M", "16",
                   "-A", define, "-A", f"LISTEN=udp:127.0.0.1:{self.port}",
                   "-A", f'{script}="{SCRIPTS[language]}"',
                   "-A", f"SIP_WORKERS={SIP_WORKERS}", "-A", f"TENIOS_WORKERS={TENIOS_WORKERS}"]
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                                        stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.target = f"127.0.0.1:{self.port}"
        self._wait_ready()

    def _wait_ready(self) -> None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        probe.settimeout(0.2)
        local = probe.getsockname()[1]
        deadline = time.monotonic() + 20
        n = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            n += 1
            probe.sendto((f"OPTIONS sip:probe@{self.target} SIP/2.0\r\nVia: SIP/2.0/UDP "
                          f"127.0.0.1:{local};branch=z9hG4bK-probe{n}\r\nFrom: <sip:p@127.0.0.1>"
                          f";tag={n}\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe{n}@run.py\r\n"
                          f"CSeq: {n} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                          ).encode(), ("127.0.0.1", self.port))
            try:
                if probe.recv(4096).startswith(b"SIP/2.0 200"):
                    probe.close()
                    return
            except socket.timeout:
                pass
        probe.close()
        self.stop()
        raise RuntimeError(f"Kamailio did not answer OPTIONS; its log:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def requests_for(count: int, rng: random.Random) -> list[tuple[str, str, int, str]]:
    cases, weights = zip(*CASES)
    chosen = rng.choices(cases, weights=weights, k=count)
    return [(action, rng.choice(calls), code, status) for action, calls, code, status in chosen]


def write_injection(path: Path, requests: list[tuple[str, str, int, str]]) -> None:
    lines = ["SEQUENTIAL"]
    for index, (action, call_uuid, _, _) in enumerate(requests):
        lines.append(f"{index};{action};{call_uuid};agent-{index % 7};")
    path.write_text("\n".join(lines) + "\n")


def run_sipp(work: Path, name: str, target: str, scenario: str, count: int, rate: float,
             injection: Path | None = None) -> list[sipp.Reply]:
    process, log = sipp.start(work, name, target, scenario, count=count, rate=rate,
                              injection=injection)
    process.wait(timeout=180)
    return parse_log_or_empty(log)


def parse_log_or_empty(log: Path) -> list[sipp.Reply]:
    return sipp.parse_log(log) if log.exists() else []


def check_replies(label: str, replies: list[sipp.Reply], requests) -> None:
    by_index = {reply.index: reply for reply in replies}
    check(len(by_index) == len(requests), f"{label}: {len(by_index)} of {len(requests)} requests answered")
    wrong = [(i, requests[i], by_index[i]) for i in range(len(requests))
             if i in by_index and (by_index[i].code, by_index[i].status) != requests[i][2:]]
    check(not wrong, f"{label}: every SIP reply is the documented one for what the simulator did"
          + (f" (first wrong: request {wrong[0][0]} {wrong[0][1]} got {wrong[0][2]})" if wrong else ""))


def check_simulator(label: str, sim: Simulator, requests) -> None:
    """The simulator's own record: each request reached it once, each 200 changed a call."""
    stats = sim.get("/_sim/stats")
    check(stats["requests"] == len(requests),
          f"{label}: the simulator received {stats['requests']} API requests, one per MESSAGE ({len(requests)})")
    calls = {call["call_uuid"]: call for call in sim.get("/_sim/calls")}
    mismatched = []
    for call_uuid, call in calls.items():
        interrupts = sum(1 for a, u, code, _ in requests if a == "interrupt" and u == call_uuid and code == 200)
        transfers = sum(1 for a, u, code, _ in requests if a == "transfer" and u == call_uuid and code == 200)
        if call["interrupts"] != interrupts or len(call["transfers"]) != transfers:
            mismatched.append(call_uuid)
    check(not mismatched, f"{label}: each call's interrupts and transfers in the simulator match the 200 replies"
          + (f" (differ: {mismatched[:3]})" if mismatched else ""))


def phase_normal(work: Path, language: str, sim: Simulator, key: str, rng: random.Random) -> dict:
    sim.reset()
    kamailio = Kamailio(work, language, sim.url, key, 3000)
    results = {}
    try:
        all_requests = []
        gathered: dict[str, list[sipp.Reply]] = {"steady": [], "burst": []}
        runs = [("steady", "steady", STEADY)] + [("burst", f"burst{i}", BURST) for i in range(1, BURSTS + 1)]
        for group, phase, (count, rate) in runs:
            requests = requests_for(count, rng)
            injection = work / f"{language}-{phase}.csv"
            write_injection(injection, requests)
            options = None
            if phase == "steady":  # keep-alives alongside, for their normal latency
                options = sipp.start(work, f"{language}-options-normal", kamailio.target,
                                     sipp.OPTIONS_SCENARIO, count=count // 10, rate=rate / 10)
            else:
                time.sleep(1)  # a quiet second before each burst
            replies = run_sipp(work, f"{language}-{phase}", kamailio.target, sipp.MESSAGE_SCENARIO,
                               count, rate, injection)
            check_replies(f"{language} {phase} ({count} at {rate}/s)", replies, requests)
            gathered[group] += replies
            results[group] = {"rate": rate, "count": len(gathered[group]),
                              "runs": 1 if group == "steady" else BURSTS,
                              "sip_ms": percentiles([r.rtt_ms for r in gathered[group]]),
                              "lib_ms": percentiles([r.lib_us / 1000 for r in gathered[group]
                                                     if r.lib_us is not None])}
            if options is not None:
                process, log = options
                process.wait(timeout=180)
                option_replies = parse_log_or_empty(log)
                check(len(option_replies) == count // 10 and all(r.code == 200 for r in option_replies),
                      f"{language}: {count // 10} OPTIONS alongside, each answered 200")
                results["options_normal_ms"] = percentiles([r.rtt_ms for r in option_replies])
            all_requests += requests
        check_simulator(language, sim, all_requests)
    finally:
        kamailio.stop()
    return results


def phase_outage(work: Path, language: str, key: str) -> dict:
    """The API blackholed, then unreachable: OPTIONS stay fast, TENIOS requests get 504, 503."""
    blackhole = Blackhole()
    kamailio = Kamailio(work, language, f"http://127.0.0.1:{blackhole.port}", key, OUTAGE_TIMEOUT_MS)
    results = {}
    try:
        for phase in ("blackholed", "unreachable"):
            if phase == "unreachable":
                blackhole.close()
            count, rate = OUTAGE_TENIOS
            requests = [("interrupt", INTERRUPTIBLE[i % len(INTERRUPTIBLE)]) for i in range(count)]
            injection = work / f"{language}-{phase}.csv"
            write_injection(injection, [(a, u, 0, "") for a, u in requests])
            options, options_log = sipp.start(work, f"{language}-options-{phase}", kamailio.target,
                                              sipp.OPTIONS_SCENARIO, count=OUTAGE_OPTIONS[0],
                                              rate=OUTAGE_OPTIONS[1])
            time.sleep(0.5)  # keep-alives flowing before the first TENIOS request
            replies = run_sipp(work, f"{language}-{phase}", kamailio.target, sipp.MESSAGE_SCENARIO,
                               count, rate, injection)
            options.wait(timeout=180)
            option_replies = parse_log_or_empty(options_log)
            want = (504, "TENIOS_ERR_TIMEOUT") if phase == "blackholed" else (503, "TENIOS_ERR_NETWORK")
            check(len(replies) == count and all((r.code, r.status) == want for r in replies),
                  f"{language} {phase}: all {count} TENIOS requests answered {want[0]} {want[1]}"
                  f" ({sorted({(r.code, r.status) for r in replies})})")
            if phase == "blackholed":
                lib = [r.lib_us / 1000 for r in replies if r.lib_us is not None]
                check(len(lib) == count and all(OUTAGE_TIMEOUT_MS <= t < OUTAGE_TIMEOUT_MS + 500 for t in lib),
                      f"{language} {phase}: each ended inside libtenios at the {OUTAGE_TIMEOUT_MS} ms client timeout"
                      f" ({min(lib, default=0):.0f} to {max(lib, default=0):.0f} ms)")
            check(len(option_replies) == OUTAGE_OPTIONS[0] and all(r.code == 200 for r in option_replies),
                  f"{language} {phase}: {OUTAGE_OPTIONS[0]} OPTIONS alongside, each answered 200")
            worst = max((r.rtt_ms for r in option_replies), default=float("inf"))
            # Generous: a blocked SIP worker would hold an OPTIONS for the whole client timeout.
            check(worst < OUTAGE_TIMEOUT_MS / 2,
                  f"{language} {phase}: the slowest OPTIONS took {worst:.1f} ms, well under the "
                  f"{OUTAGE_TIMEOUT_MS} ms the TENIOS requests wait")
            results[phase] = {"tenios_sip_ms": percentiles([r.rtt_ms for r in replies]),
                              "options_ms": percentiles([r.rtt_ms for r in option_replies])}
    finally:
        kamailio.stop()
        blackhole.close()
    return results


def fmt(p: dict) -> str:
    if not p.get("n"):
        return "–"
    return f"{p['p50']:.2f} / {p['p90']:.2f} / {p['p99']:.2f} / {p['max']:.2f}"


def render(results: dict, seconds: float) -> str:
    lines = [BEGIN, f"## Inside a PBX: Kamailio + SIPp (make test-kamailio)", "",
             f"Kamailio {kamailio_version()} on loopback, {SIP_WORKERS} SIP workers, "
             f"{TENIOS_WORKERS} async workers making the libtenios calls "
             "(bindings/kamailio/kamailio.cfg), against tenios-sim over plain HTTP on loopback; "
             "SIPp sends MESSAGE requests (a mix of interrupts and transfers, every outcome of the "
             "reply table) and OPTIONS keep-alives. Times in ms as p50 / p90 / p99 / max. "
             "\"SIP round trip\" is SIPp's send to its receipt of the reply; \"inside libtenios\" "
             "is the call's `total_us` (tenios_call_timings) as the script reported it in "
             f"X-Tenios-Time-Us. The whole run took {seconds:.0f} s on this 2-core machine.", "",
             "| script | load | SIP round trip | inside libtenios |",
             "| --- | --- | --- | --- |"]
    for language in ("lua", "python"):
        r = results[language]
        for phase in ("steady", "burst"):
            p = r[phase]
            load = (f"{p['count']} MESSAGE at {p['rate']}/s" if p["runs"] == 1 else
                    f"{p['runs']} × {p['count'] // p['runs']} MESSAGE at {p['rate']}/s, 1 s apart")
            lines.append(f"| {language} | {phase}: {load} | "
                         f"{fmt(p['sip_ms'])} | {fmt(p['lib_ms'])} |")
        lines.append(f"| {language} | OPTIONS alongside the steady load | {fmt(r['options_normal_ms'])} | – |")
    lines += ["", f"With the API blackholed (accepts, never answers; client timeout "
              f"{OUTAGE_TIMEOUT_MS} ms) and then unreachable (port closed): "
              f"{OUTAGE_TENIOS[0]} TENIOS requests at {OUTAGE_TENIOS[1]}/s (more at once than "
              f"there are SIP workers) with {OUTAGE_OPTIONS[0]} OPTIONS at {OUTAGE_OPTIONS[1]}/s.", "",
              "| script | API | TENIOS requests (SIP round trip) | OPTIONS (SIP round trip) |",
              "| --- | --- | --- | --- |"]
    for language in ("lua", "python"):
        for phase, reply in (("blackholed", "504"), ("unreachable", "503")):
            p = results[language][phase]
            lines.append(f"| {language} | {phase} ({reply}) | {fmt(p['tenios_sip_ms'])} | {fmt(p['options_ms'])} |")
    lines.append(END)
    return "\n".join(lines)


def kamailio_version() -> str:
    out = subprocess.run(["kamailio", "-v"], capture_output=True, text=True).stdout
    return out.split()[2] if out.startswith("version:") else "?"


def write_section(section: str) -> None:
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        a, b = text.index(BEGIN), text.index(END) + len(END)
        text = text[:a] + section + text[b:]
    elif "\n## Machine" in text:
        i = text.index("\n## Machine")
        text = text[:i] + "\n" + section + "\n" + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)


def main() -> int:
    for tool in ("kamailio", "sipp"):
        if shutil.which(tool) is None:
            print(f"run.py: {tool} is not installed (make kamailio-deps)", file=sys.stderr)
            return 2
    started = time.monotonic()
    key = "kamailio-key-" + secrets.token_hex(8)
    rng = random.Random(18)
    results = {}
    with tempfile.TemporaryDirectory(prefix="tenios-kamailio.") as scratch:
        work = Path(scratch)
        sim = Simulator(work, key)
        try:
            for language in ("lua", "python"):
                try:
                    results[language] = phase_normal(work, language, sim, key, rng)
                    results[language].update(phase_outage(work, language, key))
                except Exception as error:  # one language's failure must not hide the other's
                    check(False, f"{language}: {type(error).__name__}: {error}")
                logs = "".join(p.read_text() for p in work.glob(f"kamailio-{language}.log"))
                check(key not in logs, f"{language}: the access key is not in Kamailio's log")
        finally:
            sim.stop()
    seconds = time.monotonic() - started
    if failed == 0:
        out = ROOT / "build" / "kamailio"
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(results, indent=2))
        section = render(results, seconds)
        (out / "section.md").write_text(section)
        # A test run leaves the tracked tree alone; `make bench-sip` records the figures.
        if os.environ.get("TENIOS_BENCH_WRITE") == "1":
            write_section(section)
            print(f"BENCHMARKS.md: the Kamailio section rewritten ({seconds:.0f} s)")
        else:
            print(section)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
