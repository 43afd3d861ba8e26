"""SIPp scenarios and runs for tests/kamailio/run.py: a MESSAGE scenario whose headers come
from an injection file, an OPTIONS keep-alive scenario, and the parsing of the per-request log
lines both write (index, reply code, X-Tenios-Status, X-Tenios-Time-Us, send and receive
times)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

# Every reply code the scenarios accept (anything else fails the SIPp call).
REPLY_CODES = (200, 400, 403, 404, 405, 409, 500, 502, 503, 504)

_RECV_ACTIONS = """
    <action>
      <gettimeofday assign_to="s2,u2"/>
      <ereg regexp="^SIP/2.0 ([0-9]+)" search_in="msg" assign_to="m1,code"/>
      <ereg regexp="X-Tenios-Status: ([A-Z_]+)" search_in="msg" assign_to="m2,status"/>
      <ereg regexp="X-Tenios-Time-Us: ([0-9]+)" search_in="msg" assign_to="m3,libus"/>
    </action>"""


def _scenario(name: str, method: str, extra_headers: str, first_field: str) -> str:
    recvs = ['  <recv response="100" optional="true"/>']
    for i, code in enumerate(REPLY_CODES):
        optional = ' optional="true"' if i < len(REPLY_CODES) - 1 else ""
        recvs.append(f'  <recv response="{code}"{optional} next="done">{_RECV_ACTIONS}\n  </recv>')
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="{name}">
  <nop><action><gettimeofday assign_to="s1,u1"/></action></nop>
  <send>
    <![CDATA[

      {method} sip:tenios@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:tenios@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 {method}
      Max-Forwards: 70
{extra_headers}      Content-Length: 0

    ]]>
  </send>
{chr(10).join(recvs)}
  <label id="done"/>
  <nop><action><log message="{first_field};[$code];[$status];[$libus];[$s1];[$u1];[$s2];[$u2]"/></action></nop>
  <Reference variables="m1,m2,m3"/>
</scenario>
"""


MESSAGE_SCENARIO = _scenario(
    "tenios MESSAGE", "MESSAGE",
    "      X-Tenios-Action: [field1]\n      X-Tenios-Call: [field2]\n"
    "      X-Tenios-Destination: [field3]\n",
    "[field0]")
OPTIONS_SCENARIO = _scenario("OPTIONS keep-alive", "OPTIONS", "", "[call_number]")


@dataclass
class Reply:
    index: int
    code: int
    status: str  # X-Tenios-Status ("" when absent)
    lib_us: int | None  # X-Tenios-Time-Us
    rtt_ms: float  # from just before the send to the reply, as SIPp saw it


def parse_log(path: Path) -> list[Reply]:
    replies = []
    for line in path.read_text().splitlines():
        parts = line.strip().split(";")
        if len(parts) != 8:
            continue
        index, code, status, lib_us, s1, u1, s2, u2 = parts
        # SIPp prints its variables as doubles ("1796522922.000000").
        sent = float(s1) + float(u1) / 1e6
        received = float(s2) + float(u2) / 1e6
        replies.append(Reply(int(index), int(float(code)), status,
                             int(float(lib_us)) if lib_us else None,
                             (received - sent) * 1000))
    return replies


def start(work: Path, name: str, target: str, scenario: str, *, count: int, rate: float,
          injection: Path | None = None) -> tuple[subprocess.Popen, Path]:
    """Starts SIPp sending `count` requests at `rate` per second; returns it and its log."""
    scenario_path = work / f"{name}.xml"
    scenario_path.write_text(scenario)
    log = work / f"{name}.log"
    log.unlink(missing_ok=True)
    command = ["sipp", target, "-sf", str(scenario_path), "-m", str(count),
               "-r", f"{rate:g}", "-rp", "1000", "-nr", "-i", "127.0.0.1",
               "-trace_logs", "-log_file", str(log), "-timeout", "120s",
               "-trace_err", "-error_file", str(work / f"{name}.errors")]
    if injection is not None:
        command += ["-inf", str(injection)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=open(work / f"{name}.stderr", "w"), cwd=work)
    return process, log
