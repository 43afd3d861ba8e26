#!/usr/bin/env python3
"""Man pages and an HTML reference, generated from include/tenios.h and tenios-sim's --help.

    mk/manpages.py man OUTDIR       writes OUTDIR/man3/*.3 and OUTDIR/man1/tenios-sim.1
    mk/manpages.py check OUTDIR     exits 1 (with a diff) when OUTDIR differs from what it writes
    mk/manpages.py html MANDIR OUT  renders every page under MANDIR with `mandoc -T html` into
                                    OUT/, with OUT/index.html listing them

Section 3: one page per function the header declares (its prototype and its doc comment),
one per type (the enums with every value, the handles, the callback, the timings struct) and
libtenios(3), the overview: the header's own comment and every function and type, each with
its first sentence. Section 1: tenios-sim(1), from the HELP text in src/bin/tenios-sim/cli.rs.
So whatever a branch adds to the header (cbindgen writes every doc comment) gets its page
from `make man`, and `make man-check` (in `make test-docs`) says when the committed pages are
stale. Standard library only; the pages are man(7), checked with `mandoc -T lint`.
"""

from __future__ import annotations

import difflib
import html
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / "include" / "tenios.h"
SIM_CLI = ROOT / "src" / "bin" / "tenios-sim" / "cli.rs"
CARGO_TOML = ROOT / "Cargo.toml"
CHANGELOG = ROOT / "CHANGELOG.md"
# The pages' date when CHANGELOG.md has no dated entry for the version (1.0.0's release).
FALLBACK_DATE = "2026-11-28"
WIDTH = 78
SOURCE = "libtenios"
MANUAL = "libtenios manual"


@dataclass
class Item:
    name: str
    kind: str  # "function", "enum", "struct", "handle", "callback"
    doc: str
    declaration: str
    members: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, doc


def clean_comment(comment: str) -> str:
    """The text of a /** ... */ comment, without the leading stars."""
    body = comment[3:-2]
    lines = [re.sub(r"^\s*\* ?", "", line) for line in body.split("\n")]
    return "\n".join(lines).strip()


def parse_header(text: str) -> tuple[str, list[Item]]:
    """The header's file comment and its documented items, in header order."""
    file_doc = ""
    items: list[Item] = []
    pos = 0
    token = re.compile(r"/\*\*.*?\*/", re.S)
    first = token.search(text)
    if first and "@file" in first.group(0):
        file_doc = re.sub(r"^@file\s+\S+\s*\n", "", clean_comment(first.group(0)))
        pos = first.end()
    while True:
        m = token.search(text, pos)
        if not m:
            break
        doc = clean_comment(m.group(0))
        rest = text[m.end():]
        stripped = rest.lstrip()
        if stripped.startswith("#define"):
            pos = m.end()
            continue
        if stripped.startswith("enum "):
            end = rest.index("};") + 2
            body = rest[:end]
            name = re.match(r"\s*enum\s+(\w+)", body).group(1)
            members = []
            for mm in re.finditer(r"(/\*\*.*?\*/)\s*(\w+)\s*=\s*(\w+),", body, re.S):
                members.append((mm.group(2), mm.group(3), clean_comment(mm.group(1))))
            items.append(Item(name, "enum", doc, f"typedef uint32_t {name};", members))
            pos = m.end() + end
            continue
        if stripped.startswith("typedef struct") and "{" in stripped.split(";", 1)[0]:
            end = rest.index("}")
            tail = rest.index(";", end) + 1
            body = rest[:tail]
            name = re.search(r"}\s*(\w+)\s*;", body).group(1)
            members = []
            for mm in re.finditer(r"(/\*\*.*?\*/)\s*([^;/]+?)\s+(\w+);", body, re.S):
                members.append((mm.group(3), mm.group(2).strip(), clean_comment(mm.group(1))))
            declaration = "typedef struct " + name + " {\n" + "".join(
                f"    {t} {n};\n" for n, t, _ in members) + "} " + name + ";"
            items.append(Item(name, "struct", doc, declaration, members))
            pos = m.end() + tail
            continue
        end = rest.index(";") + 1
        declaration = " ".join(rest[:end].split())
        pos = m.end() + end
        if declaration.startswith("typedef struct"):
            name = re.search(r"(\w+)\s*;$", declaration).group(1)
            items.append(Item(name, "handle", doc, declaration))
        elif declaration.startswith("typedef"):
            name = re.search(r"\(\*\s*(\w+)\)", declaration).group(1)
            items.append(Item(name, "callback", doc, declaration))
        else:
            fm = re.match(r"(.*?)\b(tenios_\w+)\s*\((.*)\);$", declaration)
            if not fm:
                raise SystemExit(f"manpages.py: cannot read the declaration {declaration!r}")
            items.append(Item(fm.group(2), "function", doc, declaration))
    return file_doc, items


def header_function_names(text: str) -> list[str]:
    """Every function the header declares, documented or not (tests/install's reader)."""
    sys.path.insert(0, str(ROOT / "tests" / "install"))
    import header_functions  # noqa: E402

    return header_functions.functions(text)


# ------------------------------------------------------------------------------ roff


def escape(text: str) -> str:
    """Plain text for roff: backslashes escaped, no line starting with a control character."""
    text = text.replace("\\", "\\e")
    return text


def inline(text: str, names: set[str]) -> str:
    """Doc comment text as roff: `code` and known names in bold, one sentence per line."""
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", text)):
        if i % 2:
            out.append("\\fB" + escape(part) + "\\fR")
        else:
            part = escape(part)
            part = re.sub(
                r"\b(tenios_\w+)(\(\))?",
                lambda m: ("\\fB" + m.group(1) + "\\fR" + (m.group(2) or ""))
                if m.group(1) in names else m.group(0),
                part,
            )
            out.append(part)
    joined = "".join(out)
    # One sentence per line (man style), then no line may start with . or '.
    joined = re.sub(r"([a-z0-9)\]`'\"R][.!?:;]) +(?=[A-Z\\(`\"])", "\\1\n", joined)
    lines = []
    for sentence in joined.split("\n"):
        for line in textwrap.wrap(sentence.strip(), WIDTH, break_long_words=False,
                                  break_on_hyphens=False):
            if line.startswith((".", "'")):
                line = "\\&" + line
            lines.append(line)
    return "\n".join(lines)


def paragraphs(doc: str, names: set[str]) -> str:
    blocks = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc) if p.strip()]
    return "\n.PP\n".join(inline(b, names) for b in blocks)


def first_sentence(doc: str) -> str:
    text = " ".join(doc.split())
    m = re.match(r"(.+?(?<!e\.g)(?<!i\.e)[.!?])(\s|$)", text)
    sentence = m.group(1) if m else text
    return sentence.rstrip(".")


def name_line(name: str, summary: str) -> str:
    """NAME: "name \\- summary", the summary cut to its first clause when long, wrapped."""
    summary = re.sub(r"\s+", " ", summary.replace("`", "")).strip()
    if len(summary) > 60:
        summary = re.split(r": |; | \(|,? e\.g\.", summary)[0]
    summary = summary.replace("\\", "\\e")
    lines = textwrap.wrap(f"{name} \\- {summary}", WIDTH, break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(lines)


def synopsis(declaration: str) -> str:
    lines = [".nf", ".B #include <tenios.h>", ".PP"]
    if "(" in declaration and not declaration.startswith("typedef"):
        m = re.match(r"(.*?)\b(tenios_\w+)\s*\((.*)\);$", declaration)
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3)
        params = [p.strip() for p in params.split(",")]
        head = f"{ret} {name}(" if not ret.endswith("*") else f"{ret}{name}("
        indent = " " * len(head)
        text = head + (",\n" + indent).join(params) + ");"
        lines += ["\\fB" + escape(text).replace("\n", "\\fR\n\\fB") + "\\fR"]
        lines = lines[:-1] + [ln for ln in lines[-1].split("\n")]
    else:
        lines += [escape(line) for line in declaration.split("\n")]
    lines.append(".fi")
    return "\n".join(lines)


def page(title: str, section: str, date: str, version: str, body: list[str]) -> str:
    head = [
        f'.\\" Generated by mk/manpages.py from include/tenios.h: run `make man`, do not edit.',
        f'.TH {title.upper()} {section} {date} "{SOURCE} {version}" "{MANUAL}"',
    ]
    text = "\n".join(head + body) + "\n"
    return re.sub(r"\n\n+", "\n", text)


def see_also(names: list[str], section: str = "3") -> str:
    return ",\n".join(f".BR {n} ({section})" for n in names)


def family(name: str) -> str:
    """The handle a function belongs to, for SEE ALSO: the longest known prefix."""
    for prefix in ("tenios_client_builder", "tenios_webhook_request", "tenios_blocks",
                   "tenios_client", "tenios_error", "tenios_global"):
        if name.startswith(prefix + "_") or name == prefix:
            return prefix
    return ""


def function_page(item: Item, items: list[Item], names: set[str], date: str, version: str) -> str:
    mentioned = [n for n in dict.fromkeys(re.findall(r"\btenios_\w+", item.doc + " " + item.declaration))
                 if n in names and n != item.name]
    fam = family(item.name)
    siblings = [i.name for i in items if i.kind == "function" and i.name != item.name
                and fam and family(i.name) == fam]
    also = sorted(set(mentioned) | set(siblings)) + ["libtenios"]
    return page(item.name, "3", date, version, [
        ".SH NAME", name_line(item.name, first_sentence(item.doc)),
        ".SH SYNOPSIS", synopsis(item.declaration),
        ".PP", "Link with \\fB\\-ltenios\\fR (pkg-config: \\fBtenios\\fR).",
        ".SH DESCRIPTION", paragraphs(item.doc, names),
        ".SH SEE ALSO", see_also(also),
    ])


def type_page(item: Item, names: set[str], date: str, version: str) -> str:
    body = [".SH NAME", name_line(item.name, first_sentence(item.doc)),
            ".SH SYNOPSIS", synopsis(item.declaration),
            ".SH DESCRIPTION", paragraphs(item.doc, names)]
    if item.members:
        body.append(".SH VALUES" if item.kind == "enum" else ".SH FIELDS")
        for member, extra, doc in item.members:
            tag = f"{member} = {extra}" if item.kind == "enum" else f"{extra} {member}"
            body += [".TP", "\\fB" + escape(tag) + "\\fR", paragraphs(doc, names)]
    users = [n for n in sorted(names) if n in set(re.findall(r"\btenios_\w+", item.doc))]
    body += [".SH SEE ALSO", see_also(users + ["libtenios"])]
    return page(item.name, "3", date, version, body)


def overview_page(file_doc: str, items: list[Item], names: set[str], date: str, version: str) -> str:
    body = [".SH NAME", "libtenios \\- control live calls through the TENIOS Call Control Voice API",
            ".SH SYNOPSIS", ".nf", ".B #include <tenios.h>", ".fi", ".PP",
            "Link with \\fB\\-ltenios\\fR, or \\fBpkg-config --cflags --libs tenios\\fR.",
            ".SH DESCRIPTION", paragraphs(file_doc, names),
            ".PP", "Each function below has its own page: \\fBman 3\\fR \\fIname\\fR.",
            ".SH FUNCTIONS"]
    for item in items:
        if item.kind == "function":
            body += [".TP", f".BR {item.name} (3)", inline(first_sentence(item.doc) + ".", names)]
    body.append(".SH TYPES")
    for item in items:
        if item.kind != "function":
            body += [".TP", f".BR {item.name} (3)", inline(first_sentence(item.doc) + ".", names)]
    body += [".SH FILES", ".TP", ".I tenios.h", "the C header", ".TP", ".I tenios.hpp",
             "the header-only C++17 binding", ".TP", ".I libtenios.so", "the shared library",
             ".SH SEE ALSO", ".BR tenios-sim (1)"]
    return page("libtenios", "3", date, version, body)


# --------------------------------------------------------------------------- tenios-sim


def sim_help() -> str:
    source = SIM_CLI.read_text(encoding="utf-8")
    m = re.search(r'pub const HELP: &str = "\\\n(.*?)";\n', source, re.S)
    if not m:
        raise SystemExit(f"manpages.py: no HELP text in {SIM_CLI}")
    text = m.group(1)
    return re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), text)


def sim_page(date: str, version: str) -> str:
    text = sim_help()
    lines = text.split("\n")
    summary = lines[0].split(":", 1)[1].strip()
    # The options: lines starting with two spaces and "--", continued by deeper indentation.
    options: list[tuple[str, list[str]]] = []
    after: list[str] = []
    in_options = False
    for line in lines[1:]:
        if re.match(r"  --", line):
            in_options = True
            m = re.match(r"  (--\S+(?: [A-Z]+)?)\s*(.*)$", line)
            options.append((m.group(1), [m.group(2)] if m.group(2) else []))
        elif in_options and line.startswith("   "):
            options[-1][1].append(line.strip())
        elif in_options and not line.strip():
            in_options = False
        elif options:
            after.append(line)
    usage = " ".join(text.split("usage: tenios-sim", 1)[1].split("\n\n", 1)[0].split())
    body = [".SH NAME", name_line("tenios-sim", summary),
            ".SH SYNOPSIS", ".B tenios-sim",
            "\n".join(textwrap.wrap(escape(usage), WIDTH, break_long_words=False,
                                    break_on_hyphens=False)),
            ".SH DESCRIPTION",
            "A local stand-in for the TENIOS Call Control Voice API, for integration tests.",
            "It listens on 127.0.0.1 only, keeps the state of the calls it was given, answers",
            "the live-call methods the way the API documents, and records every request.",
            ".SH OPTIONS"]
    for flag, desc in options:
        body += [".TP", "\\fB" + escape(flag.split(" ")[0]).replace("-", "\\-") + "\\fR"
                 + (" \\fI" + flag.split(" ", 1)[1] + "\\fR" if " " in flag else ""),
                 inline(" ".join(desc), set())]
    notes = [p for p in re.split(r"\n\s*\n", "\n".join(after)) if p.strip()]
    body += [".SH NOTES", "\n.PP\n".join(inline(" ".join(n.split()), set()) for n in notes)]
    body += [".SH EXAMPLES",
             "A CI job: start the simulator in one step, use it in the next,",
             "stop it in the last.",
             ".PP", ".nf", ".RS 4",
             "tenios-sim --access-key ci-key --call c0b93a5e-4ce0-4adb-940e-5079f2abbcb4 \\e",
             "    --address-file sim.address >sim.log 2>&1 &",
             "echo $! >sim.pid",
             "TENIOS_API_URL=$(cat sim.address) make check",
             "kill \"$(cat sim.pid)\"",
             ".RE", ".fi",
             ".PP", "The libtenios documentation, docs/simulator.md, has the whole recipe.",
             ".SH EXIT STATUS",
             "0 after \\fB\\-\\-help\\fR or when the parent exited (\\fB\\-\\-follow\\-parent\\fR);",
             "1 when it cannot listen or write the address file; 2 for a bad argument or file.",
             ".SH SEE ALSO", ".BR libtenios (3),", ".BR tenios_client_builder_set_base_url (3)"]
    return page("tenios-sim", "1", date, version, body)


# -------------------------------------------------------------------------------- main


def version() -> str:
    m = re.search(r'^version = "([^"]+)"', CARGO_TOML.read_text(encoding="utf-8"), re.M)
    return m.group(1)


def release_date(ver: str) -> str:
    """The date of the version's entry in CHANGELOG.md (`## [1.0.0] - 2026-11-28`)."""
    if CHANGELOG.exists():
        m = re.search(r"^## \[" + re.escape(ver) + r"\] - (\d{4}-\d{2}-\d{2})",
                      CHANGELOG.read_text(encoding="utf-8"), re.M)
        if m:
            return m.group(1)
    return FALLBACK_DATE


def pages() -> dict[str, str]:
    """Relative path -> content of every page."""
    text = HEADER.read_text(encoding="utf-8")
    file_doc, items = parse_header(text)
    declared = header_function_names(text)
    documented = {i.name for i in items if i.kind == "function"}
    missing = sorted(set(declared) - documented)
    if missing:
        raise SystemExit("manpages.py: functions without a doc comment in the header: "
                         + ", ".join(missing))
    names = {i.name for i in items}
    # The date is the version's, not today's: regenerating never changes a page by itself.
    ver = version()
    date = release_date(ver)
    out = {"man3/libtenios.3": overview_page(file_doc, items, names, date, ver),
           "man1/tenios-sim.1": sim_page(date, ver)}
    for item in items:
        if item.kind == "function":
            out[f"man3/{item.name}.3"] = function_page(item, items, names, date, ver)
        else:
            out[f"man3/{item.name}.3"] = type_page(item, names, date, ver)
    return out


def write(outdir: Path) -> None:
    generated = pages()
    for sub in ("man1", "man3"):
        (outdir / sub).mkdir(parents=True, exist_ok=True)
        for old in (outdir / sub).glob("*.[13]"):
            if f"{sub}/{old.name}" not in generated:
                old.unlink()
    for rel, content in generated.items():
        path = outdir / rel
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    print(f"manpages.py: {len(generated)} pages in {outdir}")


def check(outdir: Path) -> int:
    generated = pages()
    present = {f"{p.parent.name}/{p.name}" for p in outdir.glob("man[13]/*.[13]")}
    problems = []
    for rel in sorted(present - set(generated)):
        problems.append(f"{outdir}/{rel} is not generated any more")
    for rel, content in sorted(generated.items()):
        path = outdir / rel
        if not path.exists():
            problems.append(f"{path} is missing")
        elif path.read_text(encoding="utf-8") != content:
            problems.append("".join(difflib.unified_diff(
                path.read_text(encoding="utf-8").splitlines(True), content.splitlines(True),
                str(path), "generated")))
    if problems:
        print("\n".join(problems))
        print("man-check: the man pages differ from the header; run `make man` and commit man/")
        return 1
    print(f"man-check: {len(generated)} man pages are up to date")
    return 0


def render_html(mandir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for path in sorted(mandir.glob("man[13]/*.[13]")):
        name, section = path.stem, path.suffix[1:]
        result = subprocess.run(
            ["mandoc", "-T", "html", "-O", "man=%N.%S.html,style=mandoc.css", str(path)],
            check=True, capture_output=True, text=True)
        (out / f"{name}.{section}.html").write_text(result.stdout, encoding="utf-8")
        summary = ""
        for line in path.read_text(encoding="utf-8").split("\n"):
            if " \\- " in line:
                summary = line.split(" \\- ", 1)[1].replace("\\e", "\\")
                break
        entries.append((section, name, summary))
    css = Path("/usr/share/mandoc/mandoc.css")
    (out / "mandoc.css").write_text(css.read_text() if css.exists() else "", encoding="utf-8")
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(n)}.{s}.html">{html.escape(n)}({s})</a></td>'
        f"<td>{html.escape(d)}</td></tr>" for s, n, d in sorted(entries))
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>libtenios reference</title>"
        "<link rel=\"stylesheet\" href=\"mandoc.css\"></head><body>\n"
        f"<h1>libtenios {html.escape(version())} reference</h1>\n<table>\n{rows}\n</table>\n"
        "</body></html>\n", encoding="utf-8")
    print(f"manpages.py: {len(entries)} pages rendered into {out}/index.html")


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "man":
        write(Path(argv[1]))
        return 0
    if len(argv) == 2 and argv[0] == "check":
        return check(Path(argv[1]))
    if len(argv) == 3 and argv[0] == "html":
        render_html(Path(argv[1]), Path(argv[2]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
