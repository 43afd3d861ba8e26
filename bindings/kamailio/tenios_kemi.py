"""Kamailio KEMI script (app_python3) for kamailio.cfg: the Python twin of tenios.lua.

A SIP MESSAGE carrying ``X-Tenios-Action: interrupt | transfer``, ``X-Tenios-Call: <uuid>``
and, for a transfer, ``X-Tenios-Destination: <SIP user>`` makes the libtenios call in an async
worker and is answered with the SIP reply of REPLIES, plus ``X-Tenios-Status`` (the status
name) and ``X-Tenios-Time-Us`` (time inside libtenios). OPTIONS get 200 at once on the SIP
worker; other methods 405.

Needs the ``tenios`` package (bindings/python) on PYTHONPATH and libtenios where it finds it
(TENIOS_LIBRARY, or installed).
"""

import os

import KSR  # provided by app_python3
import tenios

# KSR.async: "async" is a Python keyword, so the submodule is reached with getattr.
KSR_ASYNC = getattr(KSR, "async")

# status name -> SIP reply (docs/lua-and-kamailio.md has the same table); ERR_API is refined
# by the API's error_code in API_REPLIES.
REPLIES = {
    "TENIOS_OK": (200, "OK"),
    "TENIOS_ERR_INVALID_ARGUMENT": (400, "Bad Request"),
    "TENIOS_ERR_INVALID_VALUE": (400, "Bad Request"),
    "TENIOS_ERR_INVALID_FIELD": (400, "Bad Request"),
    "TENIOS_ERR_CALL_UUID_NOT_FOUND": (404, "Call Not Found"),
    "TENIOS_ERR_BAD_CREDENTIALS": (500, "TENIOS Credentials Rejected"),
    "TENIOS_ERR_API": (500, "TENIOS API Error"),
    "TENIOS_ERR_INVALID_JSON": (502, "Bad Gateway"),
    "TENIOS_ERR_HTTP": (502, "Bad Gateway"),
    "TENIOS_ERR_PROTOCOL": (502, "Bad Gateway"),
    "TENIOS_ERR_NETWORK": (503, "TENIOS Unreachable"),
    "TENIOS_ERR_SHUTDOWN": (503, "Service Unavailable"),
    "TENIOS_ERR_TIMEOUT": (504, "TENIOS Timeout"),
    "TENIOS_ERR_INTERNAL": (500, "Server Internal Error"),
}
API_REPLIES = {
    "BLOCK_NOT_INTERRUPTIBLE": (409, "Block Not Interruptible"),
    "CALL_NOT_CONNECTED": (409, "Call Not Connected"),
}


def mod_init():
    return Router()


class Router:
    def __init__(self):
        # One client per Kamailio process, made on first use (after the fork).
        self.client = None

    def child_init(self, rank):
        return 0

    def get_client(self):
        if self.client is None:
            self.client = tenios.Client(
                os.environ.get("TENIOS_ACCESS_KEY", ""),
                base_url=os.environ.get("TENIOS_API_URL"),
                timeout=int(os.environ.get("TENIOS_TIMEOUT_MS", "3000")) / 1000,
                user_agent="kamailio-app_python3",
            )
        return self.client

    def reply(self, code, reason, status, time_us):
        KSR.hdr.append_to_reply("X-Tenios-Status: %s\r\n" % status)
        if time_us is not None:
            KSR.hdr.append_to_reply("X-Tenios-Time-Us: %d\r\n" % time_us)
        KSR.tm.t_reply(code, reason)

    # Runs in an async worker with the suspended transaction.
    def ksr_tenios_task(self, msg):
        action = KSR.pv.get("$hdr(X-Tenios-Action)")
        call_uuid = KSR.pv.get("$hdr(X-Tenios-Call)") or ""
        timings = None
        try:
            client = self.get_client()
            if action == "interrupt":
                client.interrupt_block(call_uuid)
            else:
                destination = KSR.pv.get("$hdr(X-Tenios-Destination)") or ""
                client.transfer_call(call_uuid, destination_type="SIP_USER",
                                     destination=destination)
            timings = client.last_timings
            answer, status = REPLIES["TENIOS_OK"], "TENIOS_OK"
        except tenios.TeniosError as error:
            timings = error.timings
            status = tenios.status_name(error.status)
            answer = API_REPLIES.get(error.api_code) or REPLIES.get(status) or (500, "Server Internal Error")
        time_us = timings.total_us if timings is not None else None
        self.reply(answer[0], answer[1], status, time_us)
        return 1

    def ksr_request_route(self, msg):
        if KSR.is_OPTIONS():
            KSR.sl.sl_send_reply(200, "OK")
            return 1
        if not KSR.is_MESSAGE():
            KSR.sl.sl_send_reply(405, "Method Not Allowed")
            return 1
        action = KSR.pv.get("$hdr(X-Tenios-Action)")
        if action not in ("interrupt", "transfer"):
            KSR.sl.sl_send_reply(400, "Unknown X-Tenios-Action")
            return 1
        # Suspends the transaction and hands it to an async worker; this SIP worker goes on.
        if KSR.tm.t_newtran() < 0 or KSR_ASYNC.task_route("ksr_tenios_task") < 0:
            KSR.sl.sl_send_reply(500, "Server Internal Error")
        return 1
