"""Loading of libtenios and the ctypes prototypes of its C functions.

Every C function gets ``argtypes`` and ``restype``. Owned strings (``char **out_err``) are
received as ``c_void_p`` so ctypes never copies-and-forgets them: the caller reads them with
``ctypes.string_at`` and frees them with ``tenios_string_free``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path

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
