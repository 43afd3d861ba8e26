#!/usr/bin/env python3
"""Checks that every relative link and anchor in some Markdown files resolves.

    check_links.py FILE.md...

A link is `[text](target)` outside code (fences and `inline code`). A target that is a path
(relative to the file) must exist in the checkout; `path#anchor` and `#anchor` must name a
heading of that Markdown file, spelled the way GitHub makes anchors (lower case, punctuation
but `-` and `_` dropped, spaces to `-`, a repeated heading gets `-1`, `-2`, ...). Links with a
scheme (https:, mailto:) are not fetched: no test reaches the internet. Prints one line per
broken link and exits 1 when there is any.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")


def strip_code(text: str, inline: bool = True) -> str:
    """The text with fenced blocks (and inline code) blanked out, line numbers kept."""
    out = []
    fence = None
    for line in text.split("\n"):
        m = re.match(r"\s*(```+|~~~+)", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append("")
            continue
        if m:
            fence = m.group(1)
            out.append("")
            continue
        out.append(re.sub(r"(`+)(.+?)\1", lambda c: " " * len(c.group(0)), line) if inline else line)
    return "\n".join(out)


def slug(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[`*]", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its text
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@lru_cache(maxsize=None)
def anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in strip_code(path.read_text(encoding="utf-8"), inline=False).split("\n"):
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    # Explicit anchors: <a id="..."></a> or <a name="...">.
    for m in re.finditer(r"<a\s+(?:id|name)=\"([^\"]+)\"", path.read_text(encoding="utf-8")):
        found.add(m.group(1))
    return frozenset(found)


def check(path: Path) -> list[str]:
    problems = []
    text = strip_code(path.read_text(encoding="utf-8"))
    for number, line in enumerate(text.split("\n"), 1):
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path.resolve()
            where = f"{path}:{number}: {target}"
            if not dest.exists():
                problems.append(f"{where}: no such file {dest}")
                continue
            if anchor:
                if dest.is_dir() or dest.suffix != ".md":
                    problems.append(f"{where}: an anchor into a file that is not Markdown")
                elif anchor not in anchors(dest):
                    problems.append(f"{where}: no heading #{anchor} in {dest.name}")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    problems = []
    links = 0
    for name in argv:
        path = Path(name)
        links += sum(len(LINK.findall(line)) for line in strip_code(path.read_text(encoding="utf-8")).split("\n"))
        problems += check(path)
    for problem in problems:
        print(problem)
    print(f"check_links: {links} links in {len(argv)} files, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
