"""Python binding (ctypes) for libtenios: interrupt the running block of a live TENIOS call.

    import tenios
    tenios.interrupt_block("my-access-key", "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4")

``interrupt_block`` returns ``None`` or raises a ``TeniosError`` subclass. The base URL comes
from the environment variable ``TENIOS_API_URL`` (default https://api.tenios.com), read once per
process when the library first talks to the API.
"""

from __future__ import annotations

import builtins
import ctypes
import enum

from ._native import LibraryNotFoundError, library, library_path

__all__ = [
    "ApiError",
    "BadCredentialsError",
    "CallNotFoundError",
    "HttpError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidFieldError",
    "InvalidJsonError",
    "InvalidValueError",
    "LibraryNotFoundError",
    "NetworkError",
    "ProtocolError",
    "Status",
    "TeniosError",
    "TimeoutError",
    "ERROR_CLASSES",
    "interrupt_block",
    "library_path",
    "status_name",
    "version",
]


class Status(enum.IntEnum):
    """``tenios_status`` from tenios.h, without the ``TENIOS_`` prefix."""

    OK = 0
    ERR_INVALID_ARGUMENT = 1
    ERR_INVALID_VALUE = 2
    ERR_INVALID_FIELD = 3
    ERR_INVALID_JSON = 4
    ERR_CALL_UUID_NOT_FOUND = 5
    ERR_BAD_CREDENTIALS = 6
    ERR_API = 7
    ERR_HTTP = 8
    ERR_TIMEOUT = 9
    ERR_NETWORK = 10
    ERR_PROTOCOL = 11
    ERR_INTERNAL = 12


class TeniosError(Exception):
    """A failed libtenios call. ``status`` is a ``Status`` (a plain int if the library returned
    a value this binding does not know); ``message`` is the library's message, also ``str(err)``."""

    status: Status | int
    message: str

    def __init__(self, status: Status | int, message: str) -> None:
        # Only the message goes to the builtin bases (OSError would read 2 args as errno, strerror).
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        status = self.status.name if isinstance(self.status, Status) else self.status
        return f"{type(self).__name__}({status}, {self.message!r})"

    def __reduce__(self) -> tuple[type[TeniosError], tuple[Status | int, str]]:
        return (type(self), (self.status, self.message))


class InvalidArgumentError(TeniosError, ValueError):
    """TENIOS_ERR_INVALID_ARGUMENT: an argument was rejected before anything was sent."""


class InvalidValueError(TeniosError):
    """TENIOS_ERR_INVALID_VALUE: the API's INVALID_VALUE."""


class InvalidFieldError(TeniosError):
    """TENIOS_ERR_INVALID_FIELD: the API's INVALID_FIELD (e.g. a malformed call UUID)."""


class InvalidJsonError(TeniosError):
    """TENIOS_ERR_INVALID_JSON: the API's INVALID_JSON."""


class CallNotFoundError(TeniosError):
    """TENIOS_ERR_CALL_UUID_NOT_FOUND: the API's CALL_UUID_NOT_FOUND."""


class BadCredentialsError(TeniosError):
    """TENIOS_ERR_BAD_CREDENTIALS: the access key was rejected."""


class ApiError(TeniosError):
    """TENIOS_ERR_API: any other API error (e.g. BLOCK_NOT_INTERRUPTIBLE)."""


class HttpError(TeniosError):
    """TENIOS_ERR_HTTP: an HTTP error status without an API error in the body."""


class TimeoutError(TeniosError, builtins.TimeoutError):  # noqa: A001 - mirrors the C name
    """TENIOS_ERR_TIMEOUT: the API did not answer in time. Also a ``builtins.TimeoutError``."""


class NetworkError(TeniosError, ConnectionError):
    """TENIOS_ERR_NETWORK: connecting, sending or receiving failed. Also a ``ConnectionError``."""


class ProtocolError(TeniosError):
    """TENIOS_ERR_PROTOCOL: the response could not be understood."""


class InternalError(TeniosError):
    """TENIOS_ERR_INTERNAL: a bug in libtenios."""


ERROR_CLASSES: dict[Status, type[TeniosError]] = {
    Status.ERR_INVALID_ARGUMENT: InvalidArgumentError,
    Status.ERR_INVALID_VALUE: InvalidValueError,
    Status.ERR_INVALID_FIELD: InvalidFieldError,
    Status.ERR_INVALID_JSON: InvalidJsonError,
    Status.ERR_CALL_UUID_NOT_FOUND: CallNotFoundError,
    Status.ERR_BAD_CREDENTIALS: BadCredentialsError,
    Status.ERR_API: ApiError,
    Status.ERR_HTTP: HttpError,
    Status.ERR_TIMEOUT: TimeoutError,
    Status.ERR_NETWORK: NetworkError,
    Status.ERR_PROTOCOL: ProtocolError,
    Status.ERR_INTERNAL: InternalError,
}

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def version() -> str:
    """The library's version (``tenios_version``), e.g. ``"0.1.0"``."""
    raw = library().version()
    return raw.decode("utf-8", "replace") if raw is not None else ""


def status_name(status: int) -> str:
    """The C name of a status (``tenios_status_str``), e.g. ``"TENIOS_ERR_API"``;
    ``"TENIOS_UNKNOWN"`` for values the library does not know."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not _INT32_MIN <= status <= _INT32_MAX:
        raise OverflowError(f"status {status} does not fit in an int32")
    raw = library().status_str(int(status))
    return raw.decode("utf-8", "replace") if raw is not None else "TENIOS_UNKNOWN"


def _to_c(name: str, value: str | bytes | None) -> bytes | None:
    if value is None:
        return None  # NULL: the library answers "<name> is NULL"
    if isinstance(value, str):
        # surrogatepass: a str holding lone surrogates becomes bytes the library rejects as
        # "not valid UTF-8" instead of failing here with UnicodeEncodeError.
        data = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, bytes):
        data = value
    else:
        raise TypeError(f"{name} must be str or bytes, not {type(value).__name__}")
    if b"\0" in data:
        raise InvalidArgumentError(Status.ERR_INVALID_ARGUMENT, f"{name} contains a NUL byte")
    return data


def interrupt_block(access_key: str | bytes, call_uuid: str | bytes) -> None:
    """Interrupt the currently executing block of the call ``call_uuid``.

    ``str`` arguments are encoded as UTF-8; ``bytes`` are passed unchanged. Returns ``None`` on
    success, otherwise raises the ``TeniosError`` subclass for the library's status.
    """
    key = _to_c("access_key", access_key)
    uuid = _to_c("call_uuid", call_uuid)
    lib = library()
    err = ctypes.c_void_p()
    try:
        rc = lib.interrupt_block(key, uuid, ctypes.byref(err))
        message = ctypes.string_at(err.value).decode("utf-8", "replace") if err.value else None
    finally:
        lib.string_free(err)
    if rc == Status.OK:
        return None
    if message is None:
        message = status_name(rc)
    try:
        status = Status(rc)
    except ValueError:
        raise TeniosError(rc, message) from None
    raise ERROR_CLASSES[status](status, message)
