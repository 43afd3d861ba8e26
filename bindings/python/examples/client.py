#!/usr/bin/env python3
"""Interrupt the running block of a live TENIOS call with a tenios.Client.

Usage (from the checkout):
    TENIOS_ACCESS_KEY=... PYTHONPATH=bindings/python python3 bindings/python/examples/client.py CALL_UUID

The client takes its access key from TENIOS_ACCESS_KEY (tenios.Client's default) and its base
URL from TENIOS_API_URL, which this program passes on itself: a tenios.Client never reads that
variable (default https://api.tenios.com). On failure, the API's error code, the HTTP status and the
fields the API named are printed too.

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
    call_uuid = argv[1]
    try:
        base_url = os.environ.get("TENIOS_API_URL")  # None: the library's default
        with tenios.Client(base_url=base_url, user_agent="tenios-example/1.0") as client:
            client.interrupt_block(call_uuid)
    except tenios.TeniosError as err:
        print(f"failed: {tenios.status_name(err.status)}: {err.message}", file=sys.stderr)
        fields = ",".join(err.fields) or "-"
        print(f"  api_code={err.api_code or '-'} http_status={err.http_status} fields={fields}",
              file=sys.stderr)
        return 1
    except tenios.LibraryNotFoundError as err:
        print(f"failed: {err}", file=sys.stderr)
        return 1
    print(f"interrupted the current block of call {call_uuid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
