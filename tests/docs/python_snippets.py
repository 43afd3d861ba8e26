#!/usr/bin/env python3
"""Runs every ```python block of some Markdown files against a simulator, on one interpreter.

    python_snippets.py PYTHON FILE.md...

Starts tenios-sim ($TENIOS_SIM, with --follow-parent), then runs each block in a fresh PYTHON
process (PYTHONPATH=bindings/python, TENIOS_LIBRARY=$TENIOS_LIBRARY, TENIOS_API_URL and
TENIOS_ACCESS_KEY set to the simulator's), after resetting the simulator. The names the pages
call "yours" are defined first: access_key, call_uuid (a call in a block, or with
`<!-- snippet: call=connected ... -->` on the line before the fence, a connected one),
supervisor_key, base_url (the simulator), request_body (a webhook request) and client (a
tenios.Client on the simulator); sys.argv is [the snippet, call_uuid]. A block with a
top-level `await` runs inside `async def` under asyncio.run. A block passes when it exits 0
(and, with `expect=TEXT` among the directives, prints exactly TEXT).

A block must never reach TENIOS itself: one that builds a Client or AsyncClient without a
base_url fails here. Prints one line per block; exits 1 when any failed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY = "docs-key-4b1e"
SUPERVISOR_KEY = "docs-supervisor-key"
CALL = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"
CONNECTED = "9b2f4c1d-7e3a-4b5c-8d6e-0f1a2b3c4d5e"

PRELUDE = '''\
import asyncio, logging, os, sys
import tenios
access_key = {key!r}
supervisor_key = {supervisor!r}
call_uuid = {call!r}
base_url = {url!r}
request_body = json.dumps({{"requestType": "EXTERNAL_CALL_CONTROL", "customerNumber": 200002,
    "accessKey": "my-access-key", "variables": {{"call_uuid": call_uuid}}, "loopCount": 0,
    "requestStatus": "REQUESTING_BLOCKS", "blocksProcessingResult": None}}).encode()
client = tenios.Client(access_key, base_url=base_url)
sys.argv = [{source!r}, call_uuid]
'''


def blocks(path: Path) -> list[tuple[int, str, dict[str, str]]]:
    """(line of the code, code, directives) of each ```python block."""
    found = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```python":
            i += 1
            continue
        directives: dict[str, str] = {}
        m = re.match(r"<!-- snippet: (.*?)(?: \(.*\))? -->", lines[i - 1]) if i else None
        if m:
            directives = dict(part.split("=", 1) for part in m.group(1).split())
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        found.append((i + 2, "\n".join(lines[i + 1:j]) + "\n", directives))
        i = j + 1
    return found


def script(code: str, source: str, url: str, call: str) -> str:
    prelude = "import json\n" + PRELUDE.format(key=KEY, supervisor=SUPERVISOR_KEY, call=call,
                                                url=url, source=source)
    if re.search(r"^(async with|await |\S.*\bawait )", code, re.M):
        code = "async def _snippet():\n    global client\n" + textwrap.indent(code, "    ") \
            + "\nasyncio.run(_snippet())\n"
    return prelude + code + "client.close()\n"


def reaches_tenios(code: str) -> bool:
    for m in re.finditer(r"\b(?:Async)?Client\(", code):
        depth, k = 1, m.end()
        while depth and k < len(code):
            depth += {"(": 1, ")": -1}.get(code[k], 0)
            k += 1
        if "base_url" not in code[m.end():k]:
            return True
    return False


def start_sim() -> tuple[subprocess.Popen[bytes], str]:
    sim = os.environ.get("TENIOS_SIM") or str(ROOT / "target" / "release" / "tenios-sim")
    process = subprocess.Popen(
        [sim, "--follow-parent", "--access-key", KEY, "--supervisor-key", SUPERVISOR_KEY,
         "--call", CALL, "--connected-call", CONNECTED,
         # What docs/contact-center.md's examples name: a callback configuration and an agent.
         "--callback-config", "cfg-id", "--wrap-up-agent", "agent@example.com"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    line = process.stdout.readline().decode().strip()  # type: ignore[union-attr]
    if not line.startswith("listening on http://127.0.0.1:"):
        process.kill()
        sys.exit(f"python_snippets.py: tenios-sim said {line!r}")
    return process, line[len("listening on "):]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    python, sources = argv[0], [Path(a) for a in argv[1:]]
    process, url = start_sim()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bindings" / "python"), TENIOS_API_URL=url,
               TENIOS_ACCESS_KEY=KEY)
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    failed = total = 0
    try:
        for source in sources:
            for line, code, directives in blocks(source):
                total += 1
                where = f"{source}:{line}"
                if reaches_tenios(code):
                    print(f"FAIL {where}: builds a client without base_url (would reach TENIOS)")
                    failed += 1
                    continue
                call = {"connected": CONNECTED}.get(directives.get("call", ""), CALL)
                req = urllib.request.Request(url + "/_sim/reset", data=b"", method="POST")
                urllib.request.urlopen(req, timeout=10).read()
                result = subprocess.run([python, "-c", script(code, str(source), url, call)],
                                        env=env, cwd=ROOT, capture_output=True, text=True,
                                        timeout=60, stdin=subprocess.DEVNULL)
                expected = directives.get("expect")
                if result.returncode == 0 and expected is not None \
                        and result.stdout.strip() != expected:
                    failed += 1
                    print(f"FAIL {where} (Python {version}): printed {result.stdout.strip()!r},"
                          f" not {expected!r}")
                elif result.returncode == 0:
                    print(f"ok   {where} (Python {version})")
                else:
                    failed += 1
                    print(f"FAIL {where} (Python {version}): exit {result.returncode}\n"
                          + textwrap.indent(result.stdout + result.stderr, "     | "))
    finally:
        process.terminate()
        process.wait()
    print(f"python_snippets: {total - failed} of {total} Python blocks ran on Python {version}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
