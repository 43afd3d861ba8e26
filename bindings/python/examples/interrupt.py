#!/usr/bin/env python3
"""Interrupt the running block of a live TENIOS call.

Usage (from the checkout):
    TENIOS_ACCESS_KEY=... PYTHONPATH=bindings/python python3 bindings/python/examples/interrupt.py CALL_UUID

Exit status: 0 on success, 1 if the call failed, 2 for usage errors.
"""

from __future__ import annotations

import os
import sys

import tenios


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(f"usage: {os.path.basename(argv[0])} CALL_UUID  (access key in TENIOS_ACCESS_KEY)",
              file=sys.stderr)
        return 2
    access_key = os.environ.get("TENIOS_ACCESS_KEY")
    if access_key is None:
        print("error: set TENIOS_ACCESS_KEY to your TENIOS API access key", file=sys.stderr)
        return 2
    call_uuid = argv[1]
    try:
        tenios.interrupt_block(access_key, call_uuid)
    except tenios.TeniosError as err:
        print(f"failed: {tenios.status_name(err.status)}: {err.message}", file=sys.stderr)
        return 1
    except tenios.LibraryNotFoundError as err:
        print(f"failed: {err}", file=sys.stderr)
        return 1
    print(f"interrupted the current block of call {call_uuid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
