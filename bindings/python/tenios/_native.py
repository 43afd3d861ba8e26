"""Loading of libtenios and the ctypes prototypes of its C functions.

Every C function gets ``argtypes`` and ``restype``. Owned strings (``char **out_err``) are
received as ``c_void_p`` so ctypes never copies-and-forgets them: the caller reads them with
``ctypes.string_at`` and frees them with ``tenios_string_free``. The opaque handles of the
handle API (``tenios_client_builder *``, ``tenios_client *``, ``tenios_error *``) are
``c_void_p`` too; each is freed with its own ``*_free`` function. Strings *borrowed* from an
error object (``const char *``) are ``c_char_p``: ctypes copies them into ``bytes`` while the
error object is still alive.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Any

__all__ = ["LibraryNotFoundError", "library", "library_path"]

if sys.platform == "darwin":
    LIBRARY_FILE = "libtenios.dylib"
elif sys.platform == "win32":
    LIBRARY_FILE = "tenios.dll"
else:
    LIBRARY_FILE = "libtenios.so"

_PACKAGE_DIR = Path(__file__).resolve().parent
# bindings/python/tenios/ -> the checkout's root
_CHECKOUT_DIR = _PACKAGE_DIR.parent.parent.parent


class LibraryNotFoundError(OSError):
    """No candidate location yielded a loadable libtenios; the message lists each attempt."""


def _prototype(cdll: ctypes.CDLL, name: str, restype: Any, argtypes: list[Any]) -> Any:
    function = getattr(cdll, name)  # AttributeError when the symbol is missing
    function.argtypes = argtypes
    function.restype = restype
    return function


class _ClientApi:
    """The handle API (``tenios_client_*``, ``tenios_error_*``), present since libtenios 0.2."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        p = ctypes.c_void_p
        out = ctypes.POINTER(ctypes.c_void_p)  # tenios_client **, tenios_error **
        status = ctypes.c_int  # enum tenios_status

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

        self.client_build = _prototype(
            cdll, "tenios_client_build", status, [p, ctypes.c_char_p, out, out])
        self.client_free = _prototype(cdll, "tenios_client_free", None, [p])
        self.client_interrupt_block = _prototype(
            cdll, "tenios_client_interrupt_block", status, [p, ctypes.c_char_p, out])

        self.error_status = _prototype(cdll, "tenios_error_status", status, [p])
        self.error_message = _prototype(cdll, "tenios_error_message", ctypes.c_char_p, [p])
        self.error_api_code = _prototype(cdll, "tenios_error_api_code", ctypes.c_char_p, [p])
        self.error_http_status = _prototype(cdll, "tenios_error_http_status", ctypes.c_uint16, [p])
        self.error_field_count = _prototype(cdll, "tenios_error_field_count", ctypes.c_size_t, [p])
        self.error_field = _prototype(
            cdll, "tenios_error_field", ctypes.c_char_p, [p, ctypes.c_size_t])
        self.error_free = _prototype(cdll, "tenios_error_free", None, [p])


class _Library:
    """A loaded libtenios with its prototypes set."""

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self.path = path

        self.interrupt_block = cdll.tenios_interrupt_block
        self.interrupt_block.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_void_p),
        ]
        self.interrupt_block.restype = ctypes.c_int

        self.string_free = cdll.tenios_string_free
        self.string_free.argtypes = [ctypes.c_void_p]
        self.string_free.restype = None

        self.status_str = cdll.tenios_status_str
        self.status_str.argtypes = [ctypes.c_int32]
        self.status_str.restype = ctypes.c_char_p

        self.version = cdll.tenios_version
        self.version.argtypes = []
        self.version.restype = ctypes.c_char_p

        # Optional, so that the module-level interrupt_block keeps working with an older
        # library; tenios.Client reports the missing symbol instead.
        self.client_api: _ClientApi | None
        self.client_api_missing: str | None
        try:
            self.client_api, self.client_api_missing = _ClientApi(cdll), None
        except AttributeError as exc:
            self.client_api, self.client_api_missing = None, str(exc)

        self._cdll = cdll  # keep the handle alive


def _candidates() -> list[tuple[str, str]]:
    """(description, path-or-name) in search order; a name without '/' goes to the loader."""
    found: list[tuple[str, str]] = []
    env = os.environ.get("TENIOS_LIBRARY")
    if env:
        found.append(("TENIOS_LIBRARY", env))
    found.append(("beside the package", str(_PACKAGE_DIR / LIBRARY_FILE)))
    for profile in ("release", "debug"):
        found.append((f"checkout {profile} build", str(_CHECKOUT_DIR / "target" / profile / LIBRARY_FILE)))
    system = ctypes.util.find_library("tenios")
    if system:
        found.append(("system (ctypes.util.find_library)", system))
    found.append(("system loader", LIBRARY_FILE))
    return found


def _load() -> _Library:
    failures: list[str] = []
    for where, candidate in _candidates():
        is_path = os.sep in candidate or (os.altsep is not None and os.altsep in candidate)
        if is_path and not os.path.exists(candidate):
            failures.append(f"{where}: {candidate}: no such file")
            continue
        try:
            cdll = ctypes.CDLL(candidate)
        except OSError as exc:
            reason = str(exc)  # dlopen's message usually starts with the path already
            if not reason.startswith(candidate + ":"):
                reason = f"{candidate}: {reason}"
            failures.append(f"{where}: {reason}")
            continue
        try:
            return _Library(cdll, candidate)
        except AttributeError as exc:
            failures.append(f"{where}: {candidate}: not libtenios ({exc})")
    raise LibraryNotFoundError(
        f"could not load {LIBRARY_FILE}; looked in:\n  " + "\n  ".join(failures)
    )


_lock = threading.Lock()
_loaded: _Library | None = None


def library() -> _Library:
    """The loaded library: found on first use, then cached (thread-safe)."""
    global _loaded
    lib = _loaded
    if lib is not None:
        return lib
    with _lock:
        if _loaded is None:
            _loaded = _load()
        return _loaded


def library_path() -> str:
    """The path (or loader name) the library was loaded from; loads it if needed."""
    return library().path
