#!/usr/bin/env python3
"""A TENIOS Call Control webhook with tenios.webhook and the standard library's http.server.

Usage (from the checkout):
    TENIOS_WEBHOOK_KEY=my-access-key PYTHONPATH=bindings/python \
        python3 bindings/python/examples/webhook_server.py [--port N]

The same loop as bindings/c/tenios-webhook-server.c: request 0 (loopCount 0) gets an
ANNOUNCEMENT ($TENIOS_WEBHOOK_ANNOUNCEMENT, default WaitingMusic), which TENIOS plays until your
program interrupts it (tenios.interrupt_block); every later request a SEQUENTIAL BRIDGE to the
agent's SIP account ($TENIOS_WEBHOOK_AGENT, default 1001, 30 s). VALIDATION_ERRORS are logged
and answered with {"blocks":[]}; a bad body gets 400, a wrong accessKey 403
(tenios.webhook.handle does all three). Listens on 127.0.0.1 only and prints
"listening on http://127.0.0.1:PORT" once bound; TENIOS calls HTTPS only, so put a
TLS-terminating proxy in front.
"""

from __future__ import annotations

import argparse
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Optional

from tenios.webhook import Blocks, WebhookRequest, handle

MAX_BODY = 1024 * 1024  # the library's limit too


def answer(request: WebhookRequest) -> Optional[Blocks]:
    """The webhook's logic: which blocks for this request."""
    if request.is_validation_errors:
        for error in request.validation_errors:
            print(f"webhook: validation error: {error}", file=sys.stderr)
        return None
    blocks = Blocks()
    if request.loop_count == 0:
        blocks.add_announcement(os.environ.get("TENIOS_WEBHOOK_ANNOUNCEMENT", "WaitingMusic"))
    else:
        agent = os.environ.get("TENIOS_WEBHOOK_AGENT", "1001")
        blocks.add_bridge("SEQUENTIAL", [("SIP_USER", agent, 30)])
    for warning in blocks.warnings:
        print(f"webhook: warning: {warning}", file=sys.stderr)
    return blocks


class WebhookHandler(BaseHTTPRequestHandler):
    access_key = ""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(411, b'{"error":"Content-Length required"}')
            return
        if not 0 <= length <= MAX_BODY:
            self._send(413, b'{"error":"body larger than 1 MiB"}')
            return
        status, body = handle(self.rfile.read(length), answer, access_key=self.access_key)
        self._send(status, body)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    key = os.environ.get("TENIOS_WEBHOOK_KEY")
    if not key:
        print("webhook_server.py: TENIOS_WEBHOOK_KEY is not set", file=sys.stderr)
        return 1
    WebhookHandler.access_key = key
    server = HTTPServer(("127.0.0.1", args.port), WebhookHandler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
