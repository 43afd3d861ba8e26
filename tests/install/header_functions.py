#!/usr/bin/env python3
"""Prints the names of the functions a C header declares, one a line, sorted.

    header_functions.py tenios.h            the names
    header_functions.py --c-check tenios.h  a C file that takes the address of each one, so that
                                            compiling and linking it proves the list is right

Used by tests/install/run.sh to compare the installed tenios.h with the library's exported
symbols. It reads cbindgen's output: comments, preprocessor lines and `extern "C" {` wrappers
are dropped, then every top-level declaration of the form `TYPE NAME(PARAMS);` that is not a
typedef is a function.
"""

from __future__ import annotations

import re
import sys


def functions(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Preprocessor lines, with their continuations.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    text = re.sub(r'extern\s+"C"\s*\{', " ", text)
    names = []
    for statement in text.split(";"):
        statement = " ".join(statement.replace("{", " { ").replace("}", " } ").split())
        # What follows the last brace is the declaration (braces close an enum or extern block).
        statement = statement.rsplit("}", 1)[-1].strip()
        if not statement or statement.startswith("typedef"):
            continue
        m = re.fullmatch(r"[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(([^()]*)\)", statement)
        if m:
            names.append(m.group(1))
    if len(names) != len(set(names)):
        sys.exit("header_functions.py: a function is declared twice")
    return sorted(names)


def main() -> None:
    args = sys.argv[1:]
    check = args[:1] == ["--c-check"]
    if check:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        names = functions(f.read())
    if not check:
        print("\n".join(names))
        return
    print("#include <stdio.h>\n#include <tenios.h>\n")
    print("int main(void)\n{\n    void (*const fns[])(void) = {")
    for name in names:
        print(f"        (void (*)(void)){name},")
    print("    };")
    print('    printf("%zu\\n", sizeof fns / sizeof fns[0]);\n    return 0;\n}')


if __name__ == "__main__":
    main()
