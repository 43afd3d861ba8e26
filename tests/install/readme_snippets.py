#!/usr/bin/env python3
"""Turns every ```c and ```cpp block of Markdown files into a program, so that they cannot rot.

    readme_snippets.py README.md [docs/x.md ...] OUTDIR

Writes OUTDIR/STEM-N.c or .cpp for the N-th such block of each file (STEM: the file's name in
lower case without .md: readme-1.c, c-api-2.c) and prints one line per file: "FILE LINE
SOURCE" (LINE: where the block starts in SOURCE). A block that is a whole program (it defines
`int main(`) is written as it is, after a #line directive. Any other block becomes the body of

    int snippet(const char *access_key, const char *call_uuid)

with its #include lines moved above it (after stdio.h and tenios.h or tenios.hpp), and a main() that calls it with argv[1] and argv[2].
A block may start with definitions (a log callback, say): the lines before a line that reads
`/* then, in a function: */` go to file scope.
A #line directive makes the compiler's messages point into the Markdown file. tests/install/run.sh
compiles README.md's with -Wall -Wextra -Werror against an installed libtenios and runs the
first one against the simulator; tests/docs/run.sh compiles those of README.md and docs/*.md
against the build tree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

C_PRELUDE = "#include <stddef.h>\n#include <stdio.h>\n#include <tenios.h>\n"
CPP_PRELUDE = "#include <cstddef>\n#include <cstdio>\n#include <iostream>\n#include <tenios.hpp>\n"


def blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """(language, first line number of the code, lines) for each ```c / ```cpp block."""
    found = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.fullmatch(r"```(c|cpp)\s*", lines[i])
        if not m:
            i += 1
            continue
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if j == len(lines):
            sys.exit(f"readme_snippets.py: the block at line {i + 1} is not closed")
        found.append((m.group(1), start + 1, lines[start:j]))
        i = j + 1
    return found


SPLIT = "/* then, in a function: */"


def program(lang: str, readme: str, line: int, code: list[str]) -> str:
    if any(re.match(r"\s*int\s+main\s*\(", c) for c in code):
        return "\n".join([f'#line {line} "{readme}"'] + code + [""])
    includes = [c for c in code if c.lstrip().startswith("#include")]
    code = [c if not c.lstrip().startswith("#include") else "" for c in code]
    top: list[str] = []
    body = code
    body_line = line
    if SPLIT in (c.strip() for c in code):
        at = [c.strip() for c in code].index(SPLIT)
        top, body = code[:at], code[at + 1:]
        body_line = line + at + 1
    out = [C_PRELUDE if lang == "c" else CPP_PRELUDE]
    out += includes
    if top:
        out += [f'#line {line} "{readme}"'] + top
    out += [
        "",
        "int snippet(const char *access_key, const char *call_uuid);",
        "int snippet(const char *access_key, const char *call_uuid)",
        "{",
        "    (void)access_key;",
        "    (void)call_uuid;",
        f'#line {body_line} "{readme}"',
    ]
    out += body
    out += [
        "    return 0;",
        "}",
        "",
        "int main(int argc, char **argv)",
        "{",
        "    if (argc != 3)",
        "        return 2;",
        "    return snippet(argv[1], argv[2]);",
        "}",
        "",
    ]
    return "\n".join(out)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = Path(sys.argv[-1])
    for source in map(Path, sys.argv[1:-1]):
        stem = source.name.lower().removesuffix(".md") if hasattr(str, "removesuffix") \
            else source.name.lower()[:-3]
        found = blocks(source.read_text(encoding="utf-8"))
        for n, (lang, line, code) in enumerate(found, 1):
            path = outdir / f"{stem}-{n}.{lang}"
            path.write_text(program(lang, str(source), line, code), encoding="utf-8")
            print(path, line, source)


if __name__ == "__main__":
    main()
