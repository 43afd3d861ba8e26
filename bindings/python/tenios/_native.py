"""Loading of libtenios and the ctypes prototypes of its C functions.

Every C function gets ``argtypes`` and ``restype``. ``tenios_status`` is a ``uint32_t`` in the
C ABI, so every status is received as ``c_uint32``. Owned strings (``char **out_err``) are
received as ``c_void_p`` so ctypes never copies-and-forgets them: the caller reads them with
``ctypes.string_at`` and frees them with ``tenios_string_free``. The opaque handles of the
handle API (``tenios_client_builder *``, ``tenios_client *``, ``tenios_error *``) are
``c_void_p`` too; each is freed with its own ``*_free`` function. Strings *borrowed* from an
error object (``const char *``) are ``c_char_p``: ctypes copies them into ``bytes`` while the
error object is still alive.

Loading never starts a process (no ``ctypes.util.find_library``, which runs ``ldconfig`` and a
compiler): it only calls ``dlopen`` on the candidates below, in order.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
from typing import Any, Callable, List, Optional, Tuple

__all__ = ["CallTimings", "LOG_CALLBACK", "LibraryNotFoundError", "library", "library_path"]

# The version of this binding (and of the libtenios it is released with).
VERSION = "1.0.0"
# The oldest library this binding works with: the same major version, and at least this minor
# (1.0 added tenios_client_shutdown, tenios_global_init and tenios_global_cleanup).
REQUIRED_MAJOR = 1
REQUIRED_MINOR = 0

if sys.platform == "darwin":
    LIBRARY_FILE = "libtenios.dylib"
    LOADER_NAMES = (f"libtenios.{REQUIRED_MAJOR}.dylib", "libtenios.dylib")
elif sys.platform == "win32":
    LIBRARY_FILE = "tenios.dll"
    LOADER_NAMES = ("tenios.dll",)
else:
    LIBRARY_FILE = "libtenios.so"
    LOADER_NAMES = (f"libtenios.so.{REQUIRED_MAJOR}", "libtenios.so")

# Where a wheel puts the library: inside the package, beside this file.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class LibraryNotFoundError(OSError):
    """No candidate location yielded a loadable, compatible libtenios; the message lists each
    attempt and why it failed."""


# tenios_log_callback: void (*)(void *user_data, uint32_t level, const char *message). The line is
# c_char_p: ctypes copies it into bytes before the Python function runs (it is valid only during
# the callback).
LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p)


class CallTimings(ctypes.Structure):
    """``tenios_call_timings``: ``struct_size`` first (set it to ``ctypes.sizeof`` before a call;
    the library fills no more than that), then fields that are only ever appended."""

    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("connection_reused", ctypes.c_bool),
        ("resolve_us", ctypes.c_uint64),
        ("connect_us", ctypes.c_uint64),
        ("tls_us", ctypes.c_uint64),
        ("first_byte_us", ctypes.c_uint64),
        ("total_us", ctypes.c_uint64),
    ]


def _prototype(cdll: ctypes.CDLL, name: str, restype: Any, argtypes: List[Any]) -> Any:
    function = getattr(cdll, name)  # AttributeError when the symbol is missing
    function.argtypes = argtypes
    function.restype = restype
    return function


class _ClientApi:
    """The handle API (``tenios_client_*``, ``tenios_error_*``)."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        p = ctypes.c_void_p
        out = ctypes.POINTER(ctypes.c_void_p)  # tenios_client **, tenios_error **
        status = ctypes.c_uint32  # typedef uint32_t tenios_status

        self.builder_new = _prototype(cdll, "tenios_client_builder_new", p, [])
        self.builder_free = _prototype(cdll, "tenios_client_builder_free", None, [p])
        self.set_base_url = _prototype(
            cdll, "tenios_client_builder_set_base_url", status, [p, ctypes.c_char_p, out])
        self.set_connect_timeout_ms = _prototype(
            cdll, "tenios_client_builder_set_connect_timeout_ms", status, [p, ctypes.c_uint32, out])
        self.set_timeout_ms = _prototype(
            cdll, "tenios_client_builder_set_timeout_ms", status, [p, ctypes.c_uint32, out])
        self.set_ca_file = _prototype(
            cdll, "tenios_client_builder_set_ca_file", status, [p, ctypes.c_char_p, out])
        self.set_system_trust_store = _prototype(
            cdll, "tenios_client_builder_set_system_trust_store", status, [p, ctypes.c_bool, out])
        self.set_proxy = _prototype(
            cdll, "tenios_client_builder_set_proxy", status, [p, ctypes.c_char_p, out])
        self.set_proxy_from_env = _prototype(
            cdll, "tenios_client_builder_set_proxy_from_env", status, [p, ctypes.c_bool, out])
        self.set_user_agent_product = _prototype(
            cdll, "tenios_client_builder_set_user_agent_product", status, [p, ctypes.c_char_p, out])
        # Logging, timings and pre-connect (issue 11).
        self.set_log_callback = _prototype(
            cdll, "tenios_client_builder_set_log_callback", status,
            [p, LOG_CALLBACK, p, ctypes.c_uint32, out])
        self.set_idle_timeout_ms = _prototype(
            cdll, "tenios_client_builder_set_idle_timeout_ms", status, [p, ctypes.c_uint32, out])
        self.global_set_log_callback = _prototype(
            cdll, "tenios_global_set_log_callback", status, [LOG_CALLBACK, p, ctypes.c_uint32, out])
        self.client_preconnect = _prototype(cdll, "tenios_client_preconnect", status, [p, out])
        timings = ctypes.POINTER(CallTimings)
        self.last_call_timings = _prototype(cdll, "tenios_last_call_timings", status, [timings])
        self.error_timings = _prototype(cdll, "tenios_error_timings", status, [p, timings])

        self.client_build = _prototype(
            cdll, "tenios_client_build", status, [p, ctypes.c_char_p, out, out])
        self.client_free = _prototype(cdll, "tenios_client_free", None, [p])
        self.client_shutdown = _prototype(cdll, "tenios_client_shutdown", None, [p])
        self.client_interrupt_block = _prototype(
            cdll, "tenios_client_interrupt_block", status, [p, ctypes.c_char_p, out])
        # The live-call methods (1.0): strings are const char *, flags C bool, the destination
        # type a uint32_t; record_start's recording UUID is an owned char * (c_void_p, freed
        # with string_free below).
        text = ctypes.c_char_p
        self.client_transfer_call = _prototype(
            cdll, "tenios_client_transfer_call", status, [p, text, ctypes.c_uint32, text, out])
        self.client_refer_call = _prototype(
            cdll, "tenios_client_refer_call", status, [p, text, text, out])
        self.client_record_start = _prototype(
            cdll, "tenios_client_record_start", status,
            [p, text, ctypes.c_bool, ctypes.c_bool, out, out])
        self.client_record_stop = _prototype(
            cdll, "tenios_client_record_stop", status, [p, text, text, out])
        self.client_listen_in_start = _prototype(
            cdll, "tenios_client_listen_in_start", status, [p, text, text, text, ctypes.c_bool, out])
        # The contact-center methods and the generic call: optional fields are char * that may
        # be NULL (None); each id, state or answer comes back as an owned char * (c_void_p,
        # freed with string_free below).
        self.client_makecall_init = _prototype(
            cdll, "tenios_client_makecall_init", status, [p, text, text, text, text, out, out])
        self.client_makecall_status = _prototype(
            cdll, "tenios_client_makecall_status", status, [p, text, out, out])
        self.client_callback_init = _prototype(
            cdll, "tenios_client_callback_init", status,
            [p, text, text, ctypes.c_uint32, text, text, out, out])
        self.client_callback_status = _prototype(
            cdll, "tenios_client_callback_status", status, [p, text, out, out])
        self.client_agent_state_retrieve = _prototype(
            cdll, "tenios_client_agent_state_retrieve", status, [p, text, out, out])
        self.client_agent_state_change = _prototype(
            cdll, "tenios_client_agent_state_change", status, [p, text, text, text, out])
        self.client_wrap_up_extend = _prototype(
            cdll, "tenios_client_wrap_up_extend", status, [p, text, text, out, out])
        self.client_wrap_up_cancel = _prototype(
            cdll, "tenios_client_wrap_up_cancel", status, [p, text, out])
        self.client_call_json = _prototype(
            cdll, "tenios_client_call_json", status, [p, text, text, out, out])
        self.destination_type_str = _prototype(
            cdll, "tenios_destination_type_str", ctypes.c_char_p, [ctypes.c_uint32])
        # The same function as _Library.string_free, here too so that everything a Client
        # receives and frees goes through this one object (tests wrap it to count the frees).
        self.string_free = _prototype(cdll, "tenios_string_free", None, [p])

        self.error_status = _prototype(cdll, "tenios_error_status", status, [p])
        self.error_message = _prototype(cdll, "tenios_error_message", ctypes.c_char_p, [p])
        self.error_api_code = _prototype(cdll, "tenios_error_api_code", ctypes.c_char_p, [p])
        self.error_http_status = _prototype(cdll, "tenios_error_http_status", ctypes.c_uint16, [p])
        self.error_field_count = _prototype(cdll, "tenios_error_field_count", ctypes.c_size_t, [p])
        self.error_field = _prototype(
            cdll, "tenios_error_field", ctypes.c_char_p, [p, ctypes.c_size_t])
        self.error_free = _prototype(cdll, "tenios_error_free", None, [p])

        # The default client (the one behind tenios_interrupt_block).
        self.global_init = _prototype(cdll, "tenios_global_init", status, [out])
        self.global_cleanup = _prototype(cdll, "tenios_global_cleanup", None, [])


class _Library:
    """A loaded libtenios with its prototypes set."""

    def __init__(self, cdll: ctypes.CDLL, path: str, version: str) -> None:
        self.path = path
        self.version_string = version

        self.interrupt_block = _prototype(
            cdll, "tenios_interrupt_block", ctypes.c_uint32,
            [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)])
        self.string_free = _prototype(cdll, "tenios_string_free", None, [ctypes.c_void_p])
        self.status_str = _prototype(cdll, "tenios_status_str", ctypes.c_char_p, [ctypes.c_uint32])
        self.version = _prototype(cdll, "tenios_version", ctypes.c_char_p, [])

        # A missing symbol here is reported by _load as "not libtenios" with its name. (The
        # attribute stays replaceable, so that tests can stand in a recording wrapper.)
        self.client_api: Optional[_ClientApi] = _ClientApi(cdll)
        self.client_api_missing: Optional[str] = None

        self._cdll = cdll  # keep the handle alive


def parse_version(text: str) -> Optional[Tuple[int, int, int]]:
    """``"1.2.3"`` (optionally followed by ``-pre`` or ``+build``) -> ``(1, 2, 3)``; else None."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?", text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def incompatibility(version: str) -> Optional[str]:
    """Why a library of this version cannot serve this binding, or None when it can."""
    parsed = parse_version(version)
    needed = f"this binding ({VERSION}) needs libtenios {REQUIRED_MAJOR}.x with x >= {REQUIRED_MINOR}"
    if parsed is None:
        return f"its version {version!r} is not a version number; {needed}"
    major, minor, _ = parsed
    if major != REQUIRED_MAJOR or minor < REQUIRED_MINOR:
        return f"it is libtenios {version}; {needed}"
    return None


def _candidates() -> List[Tuple[str, str]]:
    """(description, path-or-name) in search order; a name without '/' goes to the loader."""
    found: List[Tuple[str, str]] = [("bundled", os.path.join(_PACKAGE_DIR, LIBRARY_FILE))]
    env = os.environ.get("TENIOS_LIBRARY")
    if env:
        found.append(("TENIOS_LIBRARY", env))
    for name in LOADER_NAMES:
        found.append(("dynamic loader", name))
    return found


def _open(candidate: str) -> Tuple[ctypes.CDLL, str]:
    """dlopen the candidate and read its tenios_version (OSError/AttributeError on failure)."""
    cdll = ctypes.CDLL(candidate)
    version_function = _prototype(cdll, "tenios_version", ctypes.c_char_p, [])
    raw = version_function()
    return cdll, raw.decode("utf-8", "replace") if raw is not None else ""


def _load() -> _Library:
    failures: List[str] = []
    for where, candidate in _candidates():
        is_path = os.sep in candidate or (os.altsep is not None and os.altsep in candidate)
        if is_path and not os.path.exists(candidate):
            failures.append(f"{where}: {candidate}: no such file")
            continue
        try:
            cdll, version = _open(candidate)
        except OSError as exc:
            reason = str(exc)  # dlopen's message usually starts with the path already
            if not reason.startswith(candidate + ":"):
                reason = f"{candidate}: {reason}"
            failures.append(f"{where}: {reason}")
            continue
        except AttributeError as exc:
            failures.append(f"{where}: {candidate}: not libtenios ({exc})")
            continue
        why_not = incompatibility(version)
        if why_not is not None:
            failures.append(f"{where}: {candidate}: incompatible: {why_not}")
            continue
        try:
            return _Library(cdll, candidate, version)
        except AttributeError as exc:
            failures.append(f"{where}: {candidate}: not libtenios {version} ({exc})")
    raise LibraryNotFoundError(
        f"could not load a compatible {LIBRARY_FILE}; tried:\n  " + "\n  ".join(failures)
    )


_lock = threading.Lock()
_loaded: Optional[_Library] = None
# Run once, under the lock, right after the library is loaded (the package installs the default
# client's log callback here). An exception from a hook is not a loading failure: it is ignored.
on_load: List[Callable[[_Library], None]] = []


def library() -> _Library:
    """The loaded library: found on first use, then cached (thread-safe)."""
    global _loaded
    lib = _loaded
    if lib is not None:
        return lib
    with _lock:
        if _loaded is None:
            loaded = _load()
            for hook in on_load:
                try:
                    hook(loaded)
                except Exception:  # noqa: BLE001 - a hook never makes loading fail
                    pass
            _loaded = loaded
        return _loaded


def library_path() -> str:
    """The path (or loader name) the library was loaded from; loads it if needed."""
    return library().path


def _after_fork_in_child() -> None:
    # A thread of the parent may have held the lock at the fork; no such thread exists here.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# --- the Call Control webhook (tenios_webhook_request_*, tenios_blocks_*) ----------------------
# Used by tenios.webhook. Prototyped on first use, so that a library without these functions
# still serves the rest of the binding.


class _WebhookApi:
    """``tenios_webhook_request_*`` and ``tenios_blocks_*``. Handles are ``c_void_p``; borrowed
    strings ``c_char_p`` (copied by ctypes while their object lives); the owned JSON string of
    ``tenios_blocks_to_json`` a ``c_void_p`` freed with ``tenios_string_free``."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        p = ctypes.c_void_p
        s = ctypes.c_char_p
        size = ctypes.c_size_t
        out = ctypes.POINTER(ctypes.c_void_p)
        status = ctypes.c_uint32
        u32 = ctypes.c_uint32
        i32 = ctypes.c_int32
        b = ctypes.c_bool

        self.request_parse = _prototype(
            cdll, "tenios_webhook_request_parse", status, [s, size, out, out])
        self.request_free = _prototype(cdll, "tenios_webhook_request_free", None, [p])
        self.request_type = _prototype(cdll, "tenios_webhook_request_request_type", s, [p])
        self.customer_number = _prototype(
            cdll, "tenios_webhook_request_customer_number", s, [p])
        self.call_control_uuid = _prototype(
            cdll, "tenios_webhook_request_call_control_uuid", s, [p])
        self.loop_count = _prototype(cdll, "tenios_webhook_request_loop_count", u32, [p])
        self.request_status = _prototype(cdll, "tenios_webhook_request_request_status", s, [p])
        self.variable = _prototype(cdll, "tenios_webhook_request_variable", s, [p, s])
        self.variable_count = _prototype(
            cdll, "tenios_webhook_request_variable_count", size, [p])
        self.variable_name = _prototype(
            cdll, "tenios_webhook_request_variable_name", s, [p, size])
        self.variable_value = _prototype(
            cdll, "tenios_webhook_request_variable_value", s, [p, size])
        self.validation_error_count = _prototype(
            cdll, "tenios_webhook_request_validation_error_count", size, [p])
        self.validation_error = _prototype(
            cdll, "tenios_webhook_request_validation_error", s, [p, size])
        self.access_key_matches = _prototype(
            cdll, "tenios_webhook_request_access_key_matches", b, [p, s])

        self.blocks_new = _prototype(cdll, "tenios_blocks_new", p, [])
        self.blocks_free = _prototype(cdll, "tenios_blocks_free", None, [p])
        self.empty_answer = _prototype(cdll, "tenios_blocks_empty_answer", s, [])
        self.bridge_begin = _prototype(
            cdll, "tenios_blocks_bridge_begin", status, [p, u32, i32, out])
        self.bridge_add_destination = _prototype(
            cdll, "tenios_blocks_bridge_add_destination", status, [p, u32, s, i32, out])
        self.bridge_end = _prototype(cdll, "tenios_blocks_bridge_end", status, [p, out])
        self.add_announcement = _prototype(
            cdll, "tenios_blocks_add_announcement", status, [p, b, s, out])
        self.add_say = _prototype(cdll, "tenios_blocks_add_say", status, [p, s, s, b, out])
        self.add_routing_plan = _prototype(
            cdll, "tenios_blocks_add_routing_plan", status, [p, s, out])
        self.add_collect_digits = _prototype(
            cdll, "tenios_blocks_add_collect_digits", status,
            [p, s, b, s, b, s, u32, u32, s, u32, u32, out])
        self.add_collect_speech = _prototype(
            cdll, "tenios_blocks_add_collect_speech", status, [p, s, b, s, b, s, s, u32, out])
        self.add_hangup = _prototype(cdll, "tenios_blocks_add_hangup", status, [p, s, out])
        self.add_call_settings = _prototype(
            cdll, "tenios_blocks_add_call_settings", status, [p, s, out])
        self.add_refer = _prototype(cdll, "tenios_blocks_add_refer", status, [p, s, out])
        self.blocks_count = _prototype(cdll, "tenios_blocks_count", size, [p])
        self.to_json = _prototype(cdll, "tenios_blocks_to_json", status, [p, out, out])
        self.warning_count = _prototype(cdll, "tenios_blocks_warning_count", size, [p])
        self.warning = _prototype(cdll, "tenios_blocks_warning", s, [p, size])


_webhook_api: Optional[_WebhookApi] = None


def webhook_api() -> _WebhookApi:
    """The webhook functions of the loaded library (loads it if needed)."""
    global _webhook_api
    api = _webhook_api
    if api is None:
        api = _WebhookApi(library()._cdll)  # AttributeError names a missing function
        _webhook_api = api
    return api
