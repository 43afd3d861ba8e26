#!/usr/bin/env python3
"""Makes a deliberately changed copy of a libabigail dump of libtenios (abidw's XML).

    abi_edit.py EDIT IN.abi OUT.abi

EDIT is one of:
  remove-function     tenios_version disappears (its declaration and its ELF symbol)
  param-u32-to-u64    tenios_client_builder_set_timeout_ms takes a u64 milliseconds
  return-u16-to-u32   tenios_error_http_status returns a u32
  renumber-status     TENIOS_ERR_TIMEOUT becomes 99
  remove-last-status  the highest status disappears from the tenios_status enum
  grow-struct         the opaque struct tenios_client gets a u64 where it had its marker field

tests/install/abi-gate.sh feeds these to mk/abi-compare.sh to show what the ABI gate catches
(and, with OLD and NEW swapped, that an addition passes). Exits 2 when the edit finds nothing
to change, so that a stale edit cannot make the proof pass by accident.
"""

from __future__ import annotations

import re
import sys


def function_span(xml: str, name: str) -> tuple[int, int]:
    m = re.search(rf"<function-decl name='{name}'.*?</function-decl>", xml, flags=re.S)
    if not m:
        sys.exit(f"abi_edit.py: no function {name} in the dump")
    return m.span()


def type_id(xml: str, name: str) -> str:
    m = re.search(rf"<type-decl name='{name}'[^>]*\bid='([^']+)'", xml)
    if not m:
        sys.exit(f"abi_edit.py: no type {name} in the dump")
    return m.group(1)


def retype(xml: str, function: str, tag: str, index: int, old: str, new: str) -> str:
    """The index-th <tag> of a function, of type old, gets type new."""
    start, end = function_span(xml, function)
    decl = xml[start:end]
    items = list(re.finditer(rf"<{tag} type-id='([^']+)'", decl))
    if len(items) <= index or items[index].group(1) != type_id(xml, old):
        sys.exit(f"abi_edit.py: {function}'s {tag} {index} is not a {old}")
    a, b = items[index].span(1)
    decl = decl[:a] + type_id(xml, new) + decl[b:]
    return xml[:start] + decl + xml[end:]


def status_enum(xml: str) -> tuple[int, int]:
    m = re.search(r"<enum-decl name='tenios_status'.*?</enum-decl>", xml, flags=re.S)
    if not m:
        sys.exit("abi_edit.py: no enum tenios_status in the dump")
    return m.span()


def edit(what: str, xml: str) -> str:
    if what == "remove-function":
        start, end = function_span(xml, "tenios_version")
        xml = xml[:start] + xml[end:]
        xml, n = re.subn(r"\s*<elf-symbol name='tenios_version'[^>]*/>", "", xml)
        if n != 1:
            sys.exit("abi_edit.py: no ELF symbol tenios_version in the dump")
        return xml
    if what == "param-u32-to-u64":
        return retype(xml, "tenios_client_builder_set_timeout_ms", "parameter", 1, "u32", "u64")
    if what == "return-u16-to-u32":
        return retype(xml, "tenios_error_http_status", "return", 0, "u16", "u32")
    if what in ("renumber-status", "remove-last-status"):
        start, end = status_enum(xml)
        enum = xml[start:end]
        if what == "renumber-status":
            enum, n = re.subn(r"(<enumerator name='TENIOS_ERR_TIMEOUT' value=')9'", r"\g<1>99'", enum)
        else:
            values = [(int(v), m) for m, v in re.findall(r"(\s*<enumerator name='[^']+' value='(\d+)'/>)", enum)]
            if not values:
                sys.exit("abi_edit.py: the enum tenios_status has no enumerators")
            enum, n = enum.replace(max(values)[1], "", 1), 1
        if n != 1:
            sys.exit(f"abi_edit.py: {what} found nothing to change")
        return xml[:start] + enum + xml[end:]
    if what == "grow-struct":
        m = re.search(r"<class-decl name='tenios_client' is-struct='yes'.*?</class-decl>", xml, flags=re.S)
        if not m:
            sys.exit("abi_edit.py: no struct tenios_client in the dump")
        decl, n = re.subn(r"(<var-decl name='_private' type-id=')[^']+'",
                          rf"\g<1>{type_id(xml, 'u64')}'", m.group(0))
        if n != 1:
            sys.exit("abi_edit.py: tenios_client has no _private field")
        return xml[: m.start()] + decl + xml[m.end():]
    sys.exit(f"abi_edit.py: unknown edit {what}\n{__doc__}")


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    what, src, dst = sys.argv[1:]
    with open(src, encoding="utf-8") as f:
        xml = f.read()
    changed = edit(what, xml)
    if changed == xml:
        sys.exit(f"abi_edit.py: {what} changed nothing")
    with open(dst, "w", encoding="utf-8") as f:
        f.write(changed)


if __name__ == "__main__":
    main()
