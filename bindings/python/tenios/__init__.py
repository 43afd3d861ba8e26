"""Python binding (ctypes) for libtenios: interrupt the running block of a live TENIOS call.

    import tenios
    tenios.interrupt_block("my-access-key", "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4")

``interrupt_block`` returns ``None`` or raises a ``TeniosError`` subclass. It uses the library's
default client, whose base URL is the environment variable ``TENIOS_API_URL`` (default
https://api.tenios.com) as it was when the library was loaded, or when ``global_init()`` was
last called.

``Client`` is the handle API: a client with its own options (base URL, timeouts, trust store,
proxy, user agent) and its own connection pool, shareable between threads. It never reads
``TENIOS_API_URL``:

    with tenios.Client("my-access-key", base_url="https://api.tenios.com", timeout=3.0) as client:
        client.interrupt_block("c0b93a5e-4ce0-4adb-940e-5079f2abbcb4")

Its errors also carry ``api_code``, ``http_status`` and ``fields``. A ``Client`` also controls
the rest of a live call: ``transfer_call``, ``refer_call``, ``record_start``/``record_stop`` and
``listen_in_start``; starts calls and drives agents: ``makecall_init``/``makecall_status``,
``callback_init``/``callback_status``, ``agent_state_retrieve``/``agent_state_change``,
``wrap_up_extend``/``wrap_up_cancel``; and reaches any other method of the API with
``call_json(path, body)`` (docs/contact-center.md). ``AsyncClient`` is the same for asyncio programs: ``async`` methods that run
the blocking call in a thread, so the event loop keeps running:

    async with tenios.AsyncClient("my-access-key") as client:
        await client.transfer_call(call_uuid, destination_type=tenios.DestinationType.SIP_USER,
                                   destination="agent-7")
"""

from __future__ import annotations

import asyncio
import atexit
import builtins
import contextvars
import ctypes
import datetime
import enum
import json
import logging
import math
import os
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, NoReturn

from . import _native
from ._native import (LOG_CALLBACK, VERSION, CallTimings, LibraryNotFoundError, _ClientApi,
                      _Library, library, library_path)

__version__ = VERSION

__all__ = [
    "AgentNotFoundError",
    "AgentNotInWrapUpError",
    "ApiError",
    "AsyncClient",
    "BadCredentialsError",
    "CallNotFoundError",
    "Client",
    "DestinationType",
    "HttpError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidFieldError",
    "InvalidJsonError",
    "InvalidValueError",
    "LibraryNotFoundError",
    "NetworkError",
    "ProtocolError",
    "ShutdownError",
    "Status",
    "SupervisorDestinationBlacklistedError",
    "TeniosError",
    "TimeoutError",
    "Timings",
    "ERROR_CLASSES",
    "__version__",
    "global_cleanup",
    "global_init",
    "interrupt_block",
    "library_path",
    "set_default_client_log_level",
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
    ERR_SHUTDOWN = 13
    ERR_SUPERVISOR_DESTINATION_BLACKLISTED = 14
    ERR_AGENT_NOT_FOUND = 15
    ERR_AGENT_NOT_IN_WRAP_UP = 16


class DestinationType(enum.IntEnum):
    """``tenios_destination_type`` from tenios.h: where ``Client.transfer_call`` sends a call.
    The member names are the API's names (``DestinationType.SIP_USER.name == "SIP_USER"``), so
    ``transfer_call`` also takes those strings, as a webhook or a configuration file carries
    them."""

    EXTERNALNUMBER = 1  # a phone number in E.164 form, e.g. "+492215540030"
    SIP_USER = 2  # the user name of a SIP account
    SIP_TRUNK = 3  # the user name of a SIP trunk


@dataclass(frozen=True)
class Timings:
    """Where the time of one call went (``tenios_call_timings``), in whole microseconds as the
    library measures them; the properties without ``_us`` give the same in seconds (floats).

    - ``connection_reused``: the call used a pooled or pre-connected connection (then
      ``resolve_us``, ``connect_us`` and ``tls_us`` are 0).
    - ``resolve_us``: the name lookup (0 for an IP address, a cached name, a reused connection).
    - ``connect_us``: the TCP connect; ``tls_us``: the TLS handshake.
    - ``first_byte_us``: from the start of the call to the first byte of the response (0 when
      none arrived).
    - ``total_us``: the whole call.

    They add up: ``resolve_us + connect_us + tls_us <= first_byte_us <= total_us`` (compare
    the integers: the float seconds may differ from such sums in the last bit).
    """

    connection_reused: bool
    resolve_us: int
    connect_us: int
    tls_us: int
    first_byte_us: int
    total_us: int

    @property
    def resolve(self) -> float:
        """``resolve_us`` in seconds."""
        return self.resolve_us / 1e6

    @property
    def connect(self) -> float:
        """``connect_us`` in seconds."""
        return self.connect_us / 1e6

    @property
    def tls(self) -> float:
        """``tls_us`` in seconds."""
        return self.tls_us / 1e6

    @property
    def first_byte(self) -> float:
        """``first_byte_us`` in seconds."""
        return self.first_byte_us / 1e6

    @property
    def total(self) -> float:
        """``total_us`` in seconds."""
        return self.total_us / 1e6

    @classmethod
    def _from_c(cls, raw: CallTimings) -> Timings:
        return cls(bool(raw.connection_reused), int(raw.resolve_us), int(raw.connect_us),
                   int(raw.tls_us), int(raw.first_byte_us), int(raw.total_us))


class TeniosError(Exception):
    """A failed libtenios call. ``status`` is a ``Status`` (a plain int if the library returned
    a value this binding does not know); ``message`` is the library's message, also ``str(err)``.

    Errors raised by ``Client`` also carry what the library's error object knows:
    ``api_code`` (the API's ``error_code``, e.g. ``"CALL_UUID_NOT_FOUND"``; ``None`` unless the
    API itself reported the error), ``http_status`` (``0`` when no response arrived) and
    ``fields`` (the API's ``fields``, e.g. ``("call_uuid",)``). The module-level
    ``interrupt_block`` only gets a message from the library, so there they are ``None``, ``0``
    and ``()``.

    ``timings`` is a ``Timings``: where the time of the failed call went (from the library's
    error object, ``tenios_error_timings``), only that call's; all zero when the library sent
    nothing (every ``InvalidArgumentError`` it raises, a ``ShutdownError`` for a call made after
    the shutdown); ``None`` for an error raised before the library was called (a closed client,
    an argument this binding rejects) and for the module-level ``interrupt_block``, whose C
    function returns no error object."""

    status: Status | int
    message: str
    api_code: str | None
    http_status: int
    fields: tuple[str, ...]
    timings: Timings | None

    def __init__(self, status: Status | int, message: str, *, api_code: str | None = None,
                 http_status: int = 0, fields: Iterable[str] = (),
                 timings: Timings | None = None) -> None:
        # Only the message goes to the builtin bases (OSError would read 2 args as errno, strerror).
        super().__init__(message)
        self.status = status
        self.message = message
        self.api_code = api_code
        self.http_status = http_status
        self.fields = tuple(fields)
        self.timings = timings

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        status = self.status.name if isinstance(self.status, Status) else self.status
        extra = ""
        if self.api_code is not None:
            extra += f", api_code={self.api_code!r}"
        if self.http_status:
            extra += f", http_status={self.http_status}"
        if self.fields:
            extra += f", fields={self.fields!r}"
        return f"{type(self).__name__}({status}, {self.message!r}{extra})"

    def __reduce__(self) -> tuple[type[TeniosError], tuple[Status | int, str], dict[str, Any]]:
        # The state (api_code, http_status, fields and anything else in __dict__, such as
        # __notes__) is restored by BaseException.__setstate__ after cls(status, message).
        return (type(self), (self.status, self.message), dict(self.__dict__))


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


class ShutdownError(TeniosError):
    """TENIOS_ERR_SHUTDOWN: the client was shut down (``Client.close()``, or ``global_cleanup()``
    for the default client): a call in flight was cancelled, or a call was refused. Whether a
    cancelled request reached the API is unknown."""


class SupervisorDestinationBlacklistedError(TeniosError):
    """TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED: the API's
    LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST (``Client.listen_in_start``): the supervisor's
    destination is on the account's blacklist."""


class AgentNotFoundError(TeniosError):
    """TENIOS_ERR_AGENT_NOT_FOUND: the API's AGENT_NOT_FOUND (``Client.wrap_up_extend``,
    ``Client.wrap_up_cancel``): no agent has the e-mail given."""


class AgentNotInWrapUpError(TeniosError):
    """TENIOS_ERR_AGENT_NOT_IN_WRAP_UP: the API's AGENT_NOT_IN_WRAP_UP (``Client.wrap_up_extend``,
    ``Client.wrap_up_cancel``): the agent's wrap-up is already over, or never began."""


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
    Status.ERR_SHUTDOWN: ShutdownError,
    Status.ERR_SUPERVISOR_DESTINATION_BLACKLISTED: SupervisorDestinationBlacklistedError,
    Status.ERR_AGENT_NOT_FOUND: AgentNotFoundError,
    Status.ERR_AGENT_NOT_IN_WRAP_UP: AgentNotInWrapUpError,
}

_UINT32_MAX = 2**32 - 1


def version() -> str:
    """The loaded library's version (``tenios_version``), e.g. ``"1.0.0"``. ``__version__`` is
    the binding's; the binding refuses a library whose major version differs or whose minor
    version is older than the binding needs."""
    raw = library().version()
    return raw.decode("utf-8", "replace") if raw is not None else ""


def status_name(status: int) -> str:
    """The C name of a status (``tenios_status_str``), e.g. ``"TENIOS_ERR_API"``;
    ``"TENIOS_UNKNOWN"`` for values the library does not know."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not 0 <= status <= _UINT32_MAX:
        raise OverflowError(f"status {status} does not fit in a uint32 (tenios_status)")
    raw = library().status_str(int(status))
    return raw.decode("utf-8", "replace") if raw is not None else "TENIOS_UNKNOWN"


def _to_c(name: str, value: str | bytes) -> bytes:
    """A required string argument as the library's bytes. Every check a Python caller can fail
    here speaks Python (``call_uuid is None``): NULL never reaches the library, whose message
    for it would say ``is NULL``."""
    if value is None:
        raise InvalidArgumentError(Status.ERR_INVALID_ARGUMENT, f"{name} is None")
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


def _raise(rc: int, message: str | None, *, api_code: str | None = None, http_status: int = 0,
           fields: Iterable[str] = (), timings: Timings | None = None) -> NoReturn:
    """Raise the TeniosError subclass for the error status ``rc``."""
    if message is None:
        message = status_name(rc)
    try:
        status = Status(rc)
    except ValueError:
        raise TeniosError(rc, message, api_code=api_code, http_status=http_status,
                          fields=fields, timings=timings) from None
    raise ERROR_CLASSES[status](status, message, api_code=api_code, http_status=http_status,
                                fields=fields, timings=timings)


def interrupt_block(access_key: str | bytes, call_uuid: str | bytes) -> None:
    """Interrupt the currently executing block of the call ``call_uuid``.

    ``str`` arguments are encoded as UTF-8; ``bytes`` are passed unchanged. Returns ``None`` on
    success, otherwise raises the ``TeniosError`` subclass for the library's status (its
    ``api_code``, ``http_status`` and ``fields`` are ``None``, ``0`` and ``()``: use ``Client``
    for those).
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
    _raise_deferred()
    if rc == Status.OK:
        return None
    _raise(rc, message)


def global_init() -> None:
    """``tenios_global_init``: read ``TENIOS_API_URL`` and ``TENIOS_CA_FILE`` now and (re)build
    the default client behind ``interrupt_block`` (also after ``global_cleanup()``). Raises
    ``InvalidArgumentError`` when a variable is unusable."""
    api = _client_api()
    _check(api, api.global_init)


def global_cleanup() -> None:
    """``tenios_global_cleanup``: shut the default client down. Calls of ``interrupt_block`` in
    flight return promptly with ``ShutdownError``, and later ones raise it, until
    ``global_init()`` is called. ``Client`` objects are not affected."""
    _client_api().global_cleanup()


# --- the handle API -----------------------------------------------------------------------------


def _decode(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", "replace") if raw is not None else None


def _client_api() -> _ClientApi:
    api = library().client_api
    assert api is not None  # _Library always sets it (tests may wrap it)
    return api


def _read_timings(reader: Callable[..., int], *args: Any) -> Timings | None:
    raw = CallTimings()
    raw.struct_size = ctypes.sizeof(CallTimings)
    if reader(*args, ctypes.byref(raw)) != Status.OK:
        return None
    return Timings._from_c(raw)


def _check(api: _ClientApi, function: Callable[..., int], *args: Any,
           call: bool = False) -> Timings | None:
    """Call a C function whose last parameter is ``tenios_error **out_err``; on an error status
    raise the matching TeniosError with everything the error object holds. The error object is
    freed in every case (tenios_error_free accepts NULL).

    With ``call=True`` (a request to the API) the call's timings are read at once, in this
    thread (``tenios_last_call_timings`` is per thread): returned on success, and on the
    exception (from the error object) on failure."""
    err = ctypes.c_void_p()
    try:
        rc = function(*args, ctypes.byref(err))
        _raise_deferred()  # a KeyboardInterrupt or SystemExit raised in the log callback
        if rc == Status.OK:
            return _read_timings(api.last_call_timings) if call else None
        message = _decode(api.error_message(err))
        api_code = _decode(api.error_api_code(err))
        http_status = int(api.error_http_status(err))
        fields = tuple(
            _decode(api.error_field(err, index)) or ""
            for index in range(api.error_field_count(err))
        )
        timings = _read_timings(api.error_timings, err) if call else None
    finally:
        api.error_free(err)
    _raise(rc, message, api_code=api_code, http_status=http_status, fields=fields,
           timings=timings)


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(Status.ERR_INVALID_ARGUMENT, message)


def _milliseconds(name: str, seconds: float) -> int:
    """Seconds -> whole milliseconds, rounded up (so 0.0001 s is 1 ms, never 0). Whether the
    value is in range is the library's decision; only what a uint32 cannot carry is caught
    here."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise _invalid(f"{name} must be a finite number of seconds, not {seconds!r}")
    # Decimal(repr(x)) is the decimal the user wrote: 1.1 s is 1100 ms, not ceil(1100.0000000000002).
    exact = Decimal(seconds) if isinstance(seconds, int) else Decimal(repr(seconds))
    ms = math.ceil(exact * 1000)
    if not 0 <= ms <= _UINT32_MAX:
        raise _invalid(f"{name} of {seconds!r} s is out of range ({ms} ms does not fit in a uint32)")
    return ms


def _path_to_c(name: str, path: str | os.PathLike[str] | os.PathLike[bytes] | bytes) -> bytes:
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{name} must be a path (str, bytes or os.PathLike), not {type(path).__name__}")
    data = os.fsencode(path)
    if b"\0" in data:
        raise _invalid(f"{name} contains a NUL byte")
    return data


def _flag(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


# --- logging ------------------------------------------------------------------------------------

logger = logging.getLogger("tenios")
# A library adds no handler but this one: without it, a program that configured no logging would
# get the library's ERROR lines on stderr through logging's "last resort" handler.
logger.addHandler(logging.NullHandler())

# tenios_log_level -> logging level, and back.
_TO_LOGGING = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


def _max_level(level: int) -> int:
    """The ``max_level`` (tenios_log_level) that lets through every line a logger at ``level``
    would emit; 0 when it would emit none of them (no callback at all)."""
    if level <= logging.DEBUG:
        return 4
    if level <= logging.INFO:
        return 3
    if level <= logging.WARNING:
        return 2
    if level <= logging.ERROR:
        return 1
    return 0


def _logging_level(name: str, level: int | str | None) -> int:
    """``None`` -> the effective level of logger ``tenios`` now; else a logging level, as an int
    or a name (``"DEBUG"``), as ``Logger.setLevel`` takes it."""
    if level is None:
        return logger.getEffectiveLevel()
    if isinstance(level, str):
        number = logging.getLevelName(level.upper())
        if not isinstance(number, int):
            raise _invalid(f"{name} {level!r} is not a logging level name")
        return number
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"{name} must be a logging level (int or name), not {type(level).__name__}")
    return level


# Logging's own report of a failure inside logging (``Handler.handleError``: a traceback on
# stderr when ``logging.raiseExceptions`` is true, nothing otherwise). Never used to emit.
_error_reporter = logging.Handler()
_deferred = threading.local()


def _on_line(_user_data: int | None, level: int, message: bytes | None) -> None:
    """The C log callback of every client: one line into logger ``tenios``.

    Runs on the thread of the call, which ctypes gives the GIL for the length of this function.
    Nothing may leave it (an exception cannot cross C): an ``Exception`` (from a filter or a
    handler that does not catch its own) is reported by logging's error handling and the call
    goes on; a ``KeyboardInterrupt`` or ``SystemExit`` is kept and raised by the binding in this
    thread as soon as the C call returns."""
    try:
        text = message.decode("utf-8", "replace") if message is not None else ""
        pylevel = _TO_LOGGING.get(level, logging.DEBUG)
        try:
            logger.log(pylevel, text)
        except Exception:  # noqa: BLE001 - reported below, never propagated into C
            try:
                record = logging.LogRecord(logger.name, pylevel, __file__, 0, text, None, None)
                _error_reporter.handleError(record)
            except Exception:  # noqa: BLE001, S110 - the report itself failed: nothing left to do
                pass
    except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, SystemExit
        _deferred.exception = exc


def _raise_deferred() -> None:
    exc = getattr(_deferred, "exception", None)
    if exc is not None:
        _deferred.exception = None
        raise exc


# The one C function pointer every client (and the default client) is given. Module-global, so it
# lives as long as the module: longer than any C client, which is what a ctypes callback needs
# (calling a collected one is a crash). Each Client also keeps a reference, for clarity.
_log_trampoline = LOG_CALLBACK(_on_line)


def _set_global_log_callback(lib: _Library, max_level: int) -> None:
    api = lib.client_api
    assert api is not None
    callback = _log_trampoline if max_level else LOG_CALLBACK()  # LOG_CALLBACK(): NULL, none
    _check(api, api.global_set_log_callback, callback, None, max_level)


def _install_default_client_logging(lib: _Library) -> None:
    """When the library is loaded: route the default client's lines into logger ``tenios``, up
    to the logger's effective level then. Lines above it are never formatted by the library, so
    at the default level (WARNING) a successful call costs nothing more; only failures log."""
    max_level = _max_level(logger.getEffectiveLevel())
    if max_level:
        _set_global_log_callback(lib, max_level)


_native.on_load.append(_install_default_client_logging)


def set_default_client_log_level(level: int | str | None = None) -> None:
    """Set what the default client (``tenios.interrupt_block``) sends to logger ``tenios``:
    every line of a logging ``level`` (an int such as ``logging.DEBUG``, or its name) or more
    severe. ``None``: the logger's effective level now. A level above ``ERROR`` removes the
    callback (the library logs nothing above ERROR). When the library is loaded this happens
    once with ``None``; call it again after changing the logger's level to get lines that were
    below the old one."""
    max_level = _max_level(_logging_level("level", level))
    _set_global_log_callback(library(), max_level)


def _remove_default_client_logging() -> None:
    # At interpreter exit, while Python still runs: a call the host makes later from C (an
    # embedding PBX) must not call into a finalized interpreter.
    lib = _native._loaded
    if lib is not None and lib.client_api is not None:
        try:
            lib.client_api.global_set_log_callback(LOG_CALLBACK(), None, 0, None)
        except Exception:  # noqa: BLE001, S110 - best effort at exit
            pass


atexit.register(_remove_default_client_logging)


def _optional(name: str, value: str | bytes | None) -> bytes | None:
    """An optional argument: ``None`` is NULL (the API field is not sent)."""
    return None if value is None else _to_c(name, value)


def _id(value: str | bytes | int) -> bytes | None:
    """A click-to-call's or callback's id: its text, or an int (sent as its decimal text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    return _to_c("id", value)


def _destination_type(value: DestinationType | int | str) -> int:
    """A ``DestinationType``, or the API's name of one (``"SIP_USER"``; exact spelling), or a
    plain int, which goes to the library unchecked so that the library's own check answers
    (``destination_type 7 is not TENIOS_DESTINATION_EXTERNALNUMBER (1), ...``)."""
    if isinstance(value, str):
        try:
            return int(DestinationType[value])
        except KeyError:
            names = ", ".join(repr(m.name) for m in DestinationType)
            raise _invalid(f"destination_type {value!r} is not one of {names}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"destination_type must be a tenios.DestinationType, not {type(value).__name__}")
    if not 0 <= value <= _UINT32_MAX:
        raise _invalid(f"destination_type {value} does not fit in a uint32 (tenios_destination_type)")
    return int(value)


class Client:
    """A libtenios client (``tenios_client``) with its own options and connection pool.

    Build one per configuration and share it: it is thread-safe, and sequential calls reuse a
    keep-alive connection. ``close()`` (or leaving a ``with`` block) frees it; so does garbage
    collection, as a fallback.

    - ``access_key``: the API key; ``None`` reads ``TENIOS_ACCESS_KEY`` (a convenience of this
      binding, read at construction). When neither is there,
      ``InvalidArgumentError("access_key is missing: ...")``. A key under 8 bytes is refused
      with ``InvalidArgumentError`` (docs/redaction.md). The key is not kept by this object.
    - ``base_url``: ``None`` is the library's default ``https://api.tenios.com``. Like every
      client handle (in C, C++ and Python), a ``Client`` never reads ``TENIOS_API_URL``: only
      the default client behind ``tenios.interrupt_block`` does. Pass
      ``base_url=os.environ.get("TENIOS_API_URL")`` to steer a ``Client`` with it.
    - ``connect_timeout`` (default 5 s, TLS handshake included) and ``timeout`` (default 10 s for
      the whole call): seconds, rounded up to whole milliseconds; the library accepts
      1 ms to 600 s.
    - ``ca_file``: a PEM file of extra CA certificates, read and parsed now.
    - ``system_trust_store``: verify against the system's CA bundle instead of the bundled
      Mozilla roots.
    - ``proxy``: an ``http://host:port`` proxy (the port is required). ``proxy_from_env``:
      honour ``HTTPS_PROXY`` and friends (ignored by default).
    - ``user_agent``: a product token such as ``"myapp/2.0"``, appended to libtenios's own
      ``User-Agent`` (``libtenios/<version> myapp/2.0``).
    - ``idle_timeout``: how long an idle pooled (or pre-connected) connection is reused, in
      seconds (rounded up to whole milliseconds; the library accepts 1 ms to 600 s; ``None``:
      the library's default, 70 s).
    - ``log_level``: which of the library's lines go to logger ``tenios`` (see Logging below):
      ``None`` (the default) follows the logger's effective level at construction; a logging
      level (``logging.DEBUG``, ``"INFO"``, ...) fixes it.

    Logging: the client gives the library a log callback that turns each line into a record of
    logger ``tenios`` (``ERROR``, ``WARNING``, ``INFO``, ``DEBUG`` for the library's levels),
    emitted on the calling thread, in order, before the method returns. The library is told the
    most detailed level wanted when the client is built, and never formats lines above it: at
    the logger's default level (WARNING) only failures log. Changing the logger's level later
    still filters records as usual, but does not make a client produce lines above the level it
    was built with: build a new client, or pass ``log_level=``. Lines never contain the access
    key, the supervisor key or a request body. A handler may call this client again (no lock is
    held while records are emitted; its own call logs too: do not recurse without end), but must
    not ``close()`` it. An exception that escapes a handler is reported by logging's own error
    handling (``logging.raiseExceptions``) and does not fail the call.

    Timings: ``last_timings`` is a ``Timings`` for the last call this thread made on this
    client; a ``TeniosError`` from a call carries its own in ``.timings``. ``preconnect()`` opens
    a connection ahead of a call.

    Every option is checked by the library when the client is built; a rejected one raises
    ``InvalidArgumentError`` with the library's message (e.g. ``timeout must be 1 to 600000 ms,
    not 0``). ``str`` arguments go to the library as UTF-8, ``bytes`` unchanged.

    The methods that act on a live call (``interrupt_block``, ``transfer_call``,
    ``refer_call``, ``record_start``, ``record_stop``, ``listen_in_start``) take the call's UUID
    first and everything else by keyword; each returns when the API confirmed it, or raises the
    ``TeniosError`` subclass for the library's status with ``api_code``, ``http_status`` and
    ``fields`` from the library's error object. Each request is sent at most once.

    Threads: every method may run in any number of threads at once. ``close()`` marks the
    client closed (later calls raise ``ShutdownError("client is closed")`` without touching the
    library), shuts the C client down (``tenios_client_shutdown``) so that calls in flight in
    other threads return promptly with ``ShutdownError``, waits for them to return, and frees
    the handle; so closing is safe at any time. The one thing not to do is call ``close()`` from
    a signal handler that interrupted a call on this same client in the same thread: it would
    wait for itself.

    fork: a child process may go on using a ``Client`` it inherited (the library gives the
    child its own connections), and ``close()`` or interpreter exit in the child never waits for
    calls that threads of the parent had in flight at the fork: those threads do not exist in
    the child.
    """

    # Class-level defaults, so that __del__ and close() work on a half-constructed object
    # (closed, and freed if the library had already handed over a client).
    _handle: ctypes.c_void_p | None = None
    _cond: threading.Condition | None = None
    _closed: bool = True

    def __init__(self, access_key: str | bytes | None = None, *, base_url: str | bytes | None = None,
                 connect_timeout: float = 5.0, timeout: float = 10.0,
                 ca_file: str | os.PathLike[str] | None = None, system_trust_store: bool = False,
                 proxy: str | bytes | None = None, proxy_from_env: bool = False,
                 user_agent: str | bytes | None = None, idle_timeout: float | None = None,
                 log_level: int | str | None = None) -> None:
        if access_key is None:
            access_key = os.environ.get("TENIOS_ACCESS_KEY")
            if access_key is None:
                raise _invalid("access_key is missing: pass it or set TENIOS_ACCESS_KEY")
        # Everything is converted (and type-checked) before the library is touched.
        key = _to_c("access_key", access_key)
        url = _to_c("base_url", base_url) if base_url is not None else None
        connect_ms = _milliseconds("connect_timeout", connect_timeout)
        timeout_ms = _milliseconds("timeout", timeout)
        ca = _path_to_c("ca_file", ca_file) if ca_file is not None else None
        system = _flag("system_trust_store", system_trust_store)
        proxy_url = _to_c("proxy", proxy) if proxy is not None else None
        from_env = _flag("proxy_from_env", proxy_from_env)
        product = _to_c("user_agent", user_agent) if user_agent is not None else None
        idle_ms = _milliseconds("idle_timeout", idle_timeout) if idle_timeout is not None else None
        max_level = _max_level(_logging_level("log_level", log_level))

        api = _client_api()
        self._api = api
        self._cond = threading.Condition(threading.Lock())
        self._active = 0  # calls inside the library right now, in this process
        self._local = threading.local()  # .timings: this thread's last call on this client
        # The C client calls this as long as it lives; it must outlive the handle (it does: it
        # is module-global, and also referenced here until this object is gone).
        self._log_callback = _log_trampoline
        builder = ctypes.c_void_p(api.builder_new())
        if not builder:
            raise MemoryError("tenios_client_builder_new returned NULL")
        handle = ctypes.c_void_p()
        try:
            if url is not None:
                _check(api, api.set_base_url, builder, url)
            _check(api, api.set_connect_timeout_ms, builder, connect_ms)
            _check(api, api.set_timeout_ms, builder, timeout_ms)
            if ca is not None:
                _check(api, api.set_ca_file, builder, ca)
            _check(api, api.set_system_trust_store, builder, system)
            if proxy_url is not None:
                _check(api, api.set_proxy, builder, proxy_url)
            _check(api, api.set_proxy_from_env, builder, from_env)
            if product is not None:
                _check(api, api.set_user_agent_product, builder, product)
            if idle_ms is not None:
                _check(api, api.set_idle_timeout_ms, builder, idle_ms)
            if max_level:
                _check(api, api.set_log_callback, builder, self._log_callback, None, max_level)
            _check(api, api.client_build, builder, key, ctypes.byref(handle))
            if handle:
                self._handle = handle  # owned from here on: close()/__del__ free it
        finally:
            api.builder_free(builder)
        if not handle:  # TENIOS_OK without a client would be a library bug
            raise InternalError(Status.ERR_INTERNAL, "tenios_client_build returned no client")
        self._closed = False
        _live_clients.add(self)

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (or construction failed)."""
        return self._closed

    @property
    def last_timings(self) -> Timings | None:
        """The ``Timings`` of the last call this thread made on this client (successful or
        not; ``None`` before the first). Read in the calling thread right after the C call
        returns, since the library keeps them per thread: calls in other threads do not change
        what this thread sees. Calls refused before reaching the library (a closed client, an
        argument of the wrong type) and ``preconnect()`` leave it as it was."""
        return getattr(self._local, "timings", None)

    def preconnect(self) -> None:
        """Open a connection to the API now (name lookup, TCP connect, TLS handshake) and keep
        it for the next call on this client, so that call costs one round trip: for a program
        that knows a call may come soon (a caller just entered the waiting loop). Sends no
        request. The connection is kept for ``idle_timeout``; the library keeps at most 4.
        Raises like a call (``NetworkError``, ``TimeoutError``; ``InvalidArgumentError`` through
        a proxy, which pre-connect does not support)."""
        self._call(self._api.client_preconnect, timings=False)

    def interrupt_block(self, call_uuid: str | bytes) -> None:
        """Interrupt the currently executing block of the call ``call_uuid``
        (``POST /interrupt-ecc-block``).

        Returns ``None`` or raises the ``TeniosError`` subclass for the library's status, with
        ``api_code``, ``http_status`` and ``fields`` set from the library's error object.
        A call that ``close()`` cancels, or one made after ``close()``, raises ``ShutdownError``.
        """
        uuid = _to_c("call_uuid", call_uuid)
        self._call(self._api.client_interrupt_block, uuid)

    def transfer_call(self, call_uuid: str | bytes, *,
                      destination_type: DestinationType | str,
                      destination: str | bytes) -> None:
        """Transfer the connected call ``call_uuid`` (``POST /transfer-call``); TENIOS transfers
        only a call already put through to a destination.

        ``destination_type`` is a ``DestinationType`` or its API name (``"EXTERNALNUMBER"``,
        ``"SIP_USER"``, ``"SIP_TRUNK"``). ``destination`` is an E.164 number for
        ``EXTERNALNUMBER`` (``+`` and 2 to 15 digits, checked before sending:
        ``InvalidArgumentError``), a SIP user or trunk name otherwise.
        """
        uuid = _to_c("call_uuid", call_uuid)
        kind = _destination_type(destination_type)
        target = _to_c("destination", destination)
        self._call(self._api.client_transfer_call, uuid, kind, target)

    def refer_call(self, call_uuid: str | bytes, *, sip_uri: str | bytes) -> None:
        """Send the call ``call_uuid`` a SIP REFER to ``sip_uri`` (``POST /refer-call``), e.g.
        ``"sip:4044@192.0.2.10:5060;user=phone"``; it must start with ``sip:`` or ``sips:``
        (checked before sending). Once accepted, the call leaves TENIOS."""
        uuid = _to_c("call_uuid", call_uuid)
        uri = _to_c("sip_uri", sip_uri)
        self._call(self._api.client_refer_call, uuid, uri)

    def record_start(self, call_uuid: str | bytes, *, record_caller: bool = True,
                     record_callee: bool = True) -> str:
        """Start recording the call ``call_uuid`` (``POST /record-call/start``): the caller's
        channel, the called party's, or both (the API's default). Returns the new recording's
        UUID, for ``record_stop``. A call may be recorded in several parts."""
        uuid = _to_c("call_uuid", call_uuid)
        caller = _flag("record_caller", record_caller)
        callee = _flag("record_callee", record_callee)
        api = self._api
        recording = ctypes.c_void_p()  # an owned char *: read, then freed whatever happens
        try:
            self._call(api.client_record_start, uuid, caller, callee, ctypes.byref(recording))
            if not recording.value:  # TENIOS_OK without a UUID would be a library bug
                raise InternalError(Status.ERR_INTERNAL,
                                    "tenios_client_record_start returned no recording UUID")
            return ctypes.string_at(recording.value).decode("utf-8", "replace")
        finally:
            api.string_free(recording)

    def _call_string(self, function: Callable[..., int], *args: Any) -> str:
        """``_call`` for a C function that hands back an owned string through its
        second-to-last parameter: the string, decoded and freed whatever happens."""
        text = ctypes.c_void_p()
        try:
            self._call(function, *args, ctypes.byref(text))
            if not text.value:  # TENIOS_OK without a string would be a library bug
                raise InternalError(Status.ERR_INTERNAL,
                                    f"{getattr(function, '__name__', 'the library')} returned TENIOS_OK without a string")
            return ctypes.string_at(text.value).decode("utf-8", "replace")
        finally:
            self._api.string_free(text)

    # --- the contact-center methods (docs/contact-center.md) ---------------------------------

    def makecall_init(self, destination_number: str | bytes, tenios_number: str | bytes, *,
                      caller_id: str | bytes | None = None,
                      callstate_info_url: str | bytes | None = None) -> str:
        """Start a click-to-call (``POST /makecall/init``): TENIOS calls ``destination_number``
        first, then puts it through to ``tenios_number`` (a number of the account), whose
        routing plan runs; a Call Control block there gets the id as
        ``variables["callback_id"]``. ``caller_id`` is the number shown,
        ``callstate_info_url`` an ``https://`` URL TENIOS posts call-state changes to; ``None``
        leaves either out. Returns the id (the API answers a number: ``"10"``), for
        ``makecall_status``."""
        args = (_to_c("destination_number", destination_number),
                _to_c("tenios_number", tenios_number), _optional("caller_id", caller_id),
                _optional("callstate_info_url", callstate_info_url))
        return self._call_string(self._api.client_makecall_init, *args)

    def makecall_status(self, id: str | bytes | int) -> str:  # noqa: A002 - the API's name
        """The state of the click-to-call ``id`` (``POST /makecall/status``), e.g.
        ``"CONNECTED"`` (believed to be the callback states)."""
        return self._call_string(self._api.client_makecall_status, _id(id))

    def callback_init(self, callback_config_id: str | bytes, callback_number: str | bytes, *,
                      delay: int, agent_announcement: str | bytes | None = None,
                      dtmf_key: str | bytes | None = None) -> str:
        """Start a callback (``POST /callback/init``) with the portal's callback configuration
        ``callback_config_id`` to ``callback_number`` after ``delay`` seconds: TENIOS calls the
        agent side first, reads it ``agent_announcement``, and calls the customer once the
        agent presses ``dtmf_key``. Returns the id, for ``callback_status``. A wrong
        configuration id raises ``BadCredentialsError``, as documented."""
        if isinstance(delay, bool) or not isinstance(delay, int):
            raise TypeError(f"delay must be an int (seconds), not {type(delay).__name__}")
        if not 0 <= delay <= _UINT32_MAX:
            raise _invalid(f"delay {delay} does not fit in a uint32 (seconds)")
        args = (_to_c("callback_config_id", callback_config_id),
                _to_c("callback_number", callback_number), delay,
                _optional("agent_announcement", agent_announcement),
                _optional("dtmf_key_to_trigger_customer_call", dtmf_key))
        return self._call_string(self._api.client_callback_init, *args)

    def callback_status(self, id: str | bytes | int) -> str:  # noqa: A002 - the API's name
        """The state of the callback ``id`` (``POST /callback/status``): ``"REQUESTED"``,
        ``"ACCEPTED"``, ``"CALLING_A"``, ``"CALL_A_FAILED"``, ``"CALLING_B"``,
        ``"CALL_B_FAILED"``, ``"CONNECTED"`` or ``"DISCONNECTED"``."""
        return self._call_string(self._api.client_callback_status, _id(id))

    def agent_state_retrieve(self, email: str | bytes) -> str:
        """The ACD state of the agent ``email`` (``POST /acd/agent-state/retrieve``):
        ``"READY"`` or ``"NOT_READY"``."""
        return self._call_string(self._api.client_agent_state_retrieve, _to_c("email", email))

    def agent_state_change(self, email: str | bytes, *, state: str | bytes,
                           not_ready_reason: str | bytes | None = None) -> None:
        """Set the agent ``email`` ``"READY"`` or ``"NOT_READY"`` (``POST
        /acd/agent-state/change``), with a Not-Ready Reason acronym such as ``"COF"`` (sent as
        ``not_ready_reason``)."""
        args = (_to_c("email", email), _to_c("state", state),
                _optional("not_ready_reason", not_ready_reason))
        self._call(self._api.client_agent_state_change, *args)

    def wrap_up_extend(self, agent_email: str | bytes, *,
                       end_time: str | bytes | datetime.datetime) -> str:
        """Extend the wrap-up of the agent ``agent_email`` until ``end_time`` (``POST
        /wrap-up/extend``): a time with a time zone, ``"2020-01-01T09:00:00.000Z"`` or an aware
        ``datetime`` (sent in ISO 8601 with milliseconds; a naive one raises
        ``InvalidArgumentError``). Returns the ``wrap_up_end_time`` TENIOS answers. Raises
        ``AgentNotFoundError`` and ``AgentNotInWrapUpError`` for those API errors."""
        if isinstance(end_time, datetime.datetime):
            if end_time.utcoffset() is None:
                raise _invalid("end_time is a naive datetime: it needs a time zone")
            end_time = end_time.isoformat(timespec="milliseconds")
        args = (_to_c("agent_email", agent_email), _to_c("end_time", end_time))
        return self._call_string(self._api.client_wrap_up_extend, *args)

    def wrap_up_cancel(self, agent_email: str | bytes) -> None:
        """End the wrap-up of the agent ``agent_email`` now (``POST /wrap-up/cancel``; known
        only from a third-party client, not from TENIOS's pages)."""
        self._call(self._api.client_wrap_up_cancel, _to_c("agent_email", agent_email))

    def call_json(self, path: str | bytes, body: dict[str, Any] | str | bytes | None = None
                  ) -> Any:
        """The generic call, for any API method without a method of its own: POST ``body`` (a
        ``dict``, encoded with ``json.dumps``, or JSON text; ``None`` is ``{}``; it must not
        hold ``access_key``: the client's key is put first) to ``path`` (e.g.
        ``"/cdrs/retrieve"``; checked by the library: one absolute path of the API, no query,
        no ``..``) and return the answer parsed (a ``dict`` for every documented method)."""
        if body is None:
            body = {}
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False)
        elif not isinstance(body, (str, bytes)):
            raise TypeError(f"body must be a dict, str or bytes, not {type(body).__name__}")
        answer = self._call_string(self._api.client_call_json, _to_c("path", path),
                                   _to_c("body_json", body))
        return json.loads(answer)

    def record_stop(self, call_uuid: str | bytes, *, recording_uuid: str | bytes) -> None:
        """Stop the recording ``recording_uuid`` (from ``record_start``) of the call
        ``call_uuid`` (``POST /record-call/stop``; both are sent).

        ``recording_uuid`` is keyword-only: both arguments are UUID strings, so a swapped pair
        would be sent without complaint and fail only at the API."""
        uuid = _to_c("call_uuid", call_uuid)
        recording = _to_c("recording_uuid", recording_uuid)
        self._call(self._api.client_record_stop, uuid, recording)

    def listen_in_start(self, call_uuid: str | bytes, *, supervisor_key: str | bytes,
                        supervisor_destination: str | bytes,
                        whisper_to_agent: bool = False) -> None:
        """Let a supervisor listen in on the call ``call_uuid`` (``POST /call/listen-in/start``):
        TENIOS calls the supervisor at ``supervisor_destination`` (a number such as
        ``"+4922155400300"`` or a SIP address). With ``whisper_to_agent`` the supervisor and
        the agent can talk without the caller hearing. There is no stop method: it ends when
        the supervisor hangs up.

        ``supervisor_key`` is the separate key TENIOS issues for this, a secret like the access
        key: it is never part of a message, and this object does not keep it. A destination on
        the account's blacklist raises ``SupervisorDestinationBlacklistedError``."""
        uuid = _to_c("call_uuid", call_uuid)
        key = _to_c("supervisor_key", supervisor_key)
        target = _to_c("supervisor_destination", supervisor_destination)
        whisper = _flag("whisper_to_agent", whisper_to_agent)
        self._call(self._api.client_listen_in_start, uuid, key, target, whisper)

    def _call(self, function: Callable[..., int], *args: Any, timings: bool = True) -> None:
        """The one path into the library for every method: refuse once closed, count the call
        as in flight (so that ``close()`` cancels it and waits for it), and raise its error.
        With ``timings``, the call's timings are kept as this thread's ``last_timings``."""
        cond = self._cond
        if cond is None:  # only an object whose __init__ never completed
            raise _closed_error()
        with cond:
            if self._closed:
                raise _closed_error()
            handle = self._handle
            self._active += 1
        try:
            try:
                result = _check(self._api, function, handle, *args, call=timings)
            except TeniosError as err:
                if timings:
                    self._local.timings = err.timings
                raise
            if timings:
                self._local.timings = result
        finally:
            with cond:
                self._active -= 1
                if self._active == 0:
                    cond.notify_all()

    def close(self) -> None:
        """Free the client. Idempotent. Calls in flight in other threads are cancelled
        (``tenios_client_shutdown``: they raise ``ShutdownError``) and waited for first."""
        cond = self._cond
        if cond is None:  # construction failed: there is nothing to free
            return
        with cond:
            self._closed = True  # from here on, no new call enters the library
            if self._active and self._handle is not None:
                # Only with calls in flight (in this process): nothing else needs cancelling.
                self._api.client_shutdown(self._handle)
            cond.wait_for(lambda: self._active == 0)
            handle, self._handle = self._handle, None
            if handle is not None:
                # Under the lock, so that a concurrent close() returns only once it is freed.
                self._api.client_free(handle)
        _live_clients.discard(self)

    def _forget_the_parent_s_calls(self) -> None:
        """In a forked child: the threads that were inside calls exist only in the parent, and
        one of them may have held the lock at the fork. Start over with a new lock and no calls
        in flight; the handle stays (the library gives the child its own connections)."""
        if self._cond is not None:
            self._cond = threading.Condition(threading.Lock())
            self._active = 0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        # Nobody else can be inside interrupt_block (they would hold a reference), so this never
        # waits. Best effort: at interpreter exit parts of the module may already be gone.
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110 - never raise from __del__
            pass

    def __repr__(self) -> str:
        return f"<tenios.Client {'closed' if self._closed else 'open'}>"

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        # A copy would share (and later double-free) the C handle.
        raise TypeError("tenios.Client objects cannot be pickled or copied")


class AsyncClient:
    """``Client`` for asyncio programs (ARI and ESL bots, web handlers): the same constructor
    and the same methods as coroutines, plus ``async with`` and ``aclose()``.

    Each call runs the blocking library call in the event loop's default executor (a thread
    pool; ``loop.set_default_executor`` changes it). ctypes releases the GIL for the length of
    the C call, so the event loop and other threads keep running while a call waits for the
    API, and any number of calls may be in flight at once (as many as the executor has
    threads). Errors are the same ``TeniosError`` subclasses as ``Client``'s.

    Cancelling a task that awaits a method does **not** cancel the request: the C API can only
    shut down a whole client, not one call. The awaiting task gets ``CancelledError`` at once;
    the C call runs to completion in its thread (at most the client's ``timeout``) and its
    outcome is discarded, so the request may or may not have reached the API. To stop calls in
    flight, ``await client.aclose()``: like ``Client.close()`` it shuts the client down (calls
    in flight return at once with ``ShutdownError``), waits for them, and frees the client. It
    waits in a thread of its own, never in the executor, whose threads may all be busy with
    the very calls it cancels.

    ``AsyncClient(...)`` itself does no I/O and may be created outside a running loop;
    ``sync_client`` is the underlying ``Client`` (for code that is not async).

    Logging is ``Client``'s: records of logger ``tenios``, emitted in the executor thread that
    runs the call. ``last_timings`` is the ``Timings`` of the last call awaited in the current
    task (captured in the worker thread right after the C call and handed back with the result).
    """

    def __init__(self, access_key: str | bytes | None = None, *, base_url: str | bytes | None = None,
                 connect_timeout: float = 5.0, timeout: float = 10.0,
                 ca_file: str | os.PathLike[str] | None = None, system_trust_store: bool = False,
                 proxy: str | bytes | None = None, proxy_from_env: bool = False,
                 user_agent: str | bytes | None = None, idle_timeout: float | None = None,
                 log_level: int | str | None = None) -> None:
        self._client = Client(access_key, base_url=base_url, connect_timeout=connect_timeout,
                              timeout=timeout, ca_file=ca_file,
                              system_trust_store=system_trust_store, proxy=proxy,
                              proxy_from_env=proxy_from_env, user_agent=user_agent,
                              idle_timeout=idle_timeout, log_level=log_level)
        # Per task: a ContextVar set in a coroutine is seen by the rest of that task only.
        self._timings: contextvars.ContextVar[Timings | None] = contextvars.ContextVar(
            "tenios_last_timings", default=None)

    @property
    def sync_client(self) -> Client:
        """The ``Client`` every call goes through."""
        return self._client

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` (or ``close()``) was called."""
        return self._client.closed

    @property
    def last_timings(self) -> Timings | None:
        """The ``Timings`` of the last call awaited on this client in the current task
        (successful or not; ``None`` before the first). A coroutine that ``asyncio.gather`` or
        ``asyncio.wait_for`` wraps runs in a task of its own: read it there, or use the
        exception's ``.timings``. ``preconnect()`` leaves it as it was."""
        return self._timings.get()

    async def _run(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        client = self._client

        def work() -> tuple[Any, Timings | None]:
            # In the executor thread: the library keeps the timings per thread, so they are
            # read here, right after the call, and handed back with its result (None when
            # the call never reached the library and left this thread's timings unchanged).
            before = client.last_timings
            result = method(*args, **kwargs)
            after = client.last_timings
            return result, (after if after is not before else None)

        try:
            result, timings = await loop.run_in_executor(None, work)
        except TeniosError as err:
            if err.timings is not None:
                self._timings.set(err.timings)
            raise
        if timings is not None:
            self._timings.set(timings)
        return result

    async def preconnect(self) -> None:
        """``Client.preconnect``, off the event loop."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._client.preconnect)

    async def interrupt_block(self, call_uuid: str | bytes) -> None:
        """``Client.interrupt_block``, off the event loop."""
        await self._run(self._client.interrupt_block, call_uuid)

    async def transfer_call(self, call_uuid: str | bytes, *,
                            destination_type: DestinationType | str,
                            destination: str | bytes) -> None:
        """``Client.transfer_call``, off the event loop."""
        await self._run(self._client.transfer_call, call_uuid,
                        destination_type=destination_type, destination=destination)

    async def refer_call(self, call_uuid: str | bytes, *, sip_uri: str | bytes) -> None:
        """``Client.refer_call``, off the event loop."""
        await self._run(self._client.refer_call, call_uuid, sip_uri=sip_uri)

    async def record_start(self, call_uuid: str | bytes, *, record_caller: bool = True,
                           record_callee: bool = True) -> str:
        """``Client.record_start``, off the event loop: the new recording's UUID."""
        recording: str = await self._run(self._client.record_start, call_uuid,
                                         record_caller=record_caller,
                                         record_callee=record_callee)
        return recording

    async def record_stop(self, call_uuid: str | bytes, *, recording_uuid: str | bytes) -> None:
        """``Client.record_stop``, off the event loop."""
        await self._run(self._client.record_stop, call_uuid, recording_uuid=recording_uuid)

    async def listen_in_start(self, call_uuid: str | bytes, *, supervisor_key: str | bytes,
                              supervisor_destination: str | bytes,
                              whisper_to_agent: bool = False) -> None:
        """``Client.listen_in_start``, off the event loop."""
        await self._run(self._client.listen_in_start, call_uuid, supervisor_key=supervisor_key,
                        supervisor_destination=supervisor_destination,
                        whisper_to_agent=whisper_to_agent)

    async def makecall_init(self, destination_number: str | bytes, tenios_number: str | bytes, *,
                            caller_id: str | bytes | None = None,
                            callstate_info_url: str | bytes | None = None) -> str:
        """``Client.makecall_init``, off the event loop: the id."""
        result: str = await self._run(self._client.makecall_init, destination_number,
                                      tenios_number, caller_id=caller_id,
                                      callstate_info_url=callstate_info_url)
        return result

    async def makecall_status(self, id: str | bytes | int) -> str:  # noqa: A002
        """``Client.makecall_status``, off the event loop."""
        result: str = await self._run(self._client.makecall_status, id)
        return result

    async def callback_init(self, callback_config_id: str | bytes, callback_number: str | bytes,
                            *, delay: int, agent_announcement: str | bytes | None = None,
                            dtmf_key: str | bytes | None = None) -> str:
        """``Client.callback_init``, off the event loop: the id."""
        result: str = await self._run(self._client.callback_init, callback_config_id,
                                      callback_number, delay=delay,
                                      agent_announcement=agent_announcement, dtmf_key=dtmf_key)
        return result

    async def callback_status(self, id: str | bytes | int) -> str:  # noqa: A002
        """``Client.callback_status``, off the event loop."""
        result: str = await self._run(self._client.callback_status, id)
        return result

    async def agent_state_retrieve(self, email: str | bytes) -> str:
        """``Client.agent_state_retrieve``, off the event loop."""
        result: str = await self._run(self._client.agent_state_retrieve, email)
        return result

    async def agent_state_change(self, email: str | bytes, *, state: str | bytes,
                                 not_ready_reason: str | bytes | None = None) -> None:
        """``Client.agent_state_change``, off the event loop."""
        await self._run(self._client.agent_state_change, email, state=state,
                        not_ready_reason=not_ready_reason)

    async def wrap_up_extend(self, agent_email: str | bytes, *,
                             end_time: str | bytes | datetime.datetime) -> str:
        """``Client.wrap_up_extend``, off the event loop."""
        result: str = await self._run(self._client.wrap_up_extend, agent_email,
                                      end_time=end_time)
        return result

    async def wrap_up_cancel(self, agent_email: str | bytes) -> None:
        """``Client.wrap_up_cancel``, off the event loop."""
        await self._run(self._client.wrap_up_cancel, agent_email)

    async def call_json(self, path: str | bytes,
                        body: dict[str, Any] | str | bytes | None = None) -> Any:
        """``Client.call_json``, off the event loop: the answer parsed."""
        return await self._run(self._client.call_json, path, body)

    async def aclose(self) -> None:
        """``Client.close()`` without blocking the event loop: calls in flight are cancelled
        (``ShutdownError``) and waited for, then the client is freed. Idempotent. If the task
        awaiting ``aclose()`` is cancelled, closing still completes in its thread."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def settle(error: BaseException | None) -> None:
            if done.done():
                return
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

        def close() -> None:
            error: BaseException | None = None
            try:
                self._client.close()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
                error = exc
            try:
                loop.call_soon_threadsafe(settle, error)
            except RuntimeError:  # the loop was closed meanwhile: nobody is waiting
                pass

        threading.Thread(target=close, name="tenios-aclose", daemon=True).start()
        await asyncio.shield(done)

    def close(self) -> None:
        """``Client.close()``, blocking: for code outside the event loop."""
        self._client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<tenios.AsyncClient {'closed' if self.closed else 'open'}>"

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("tenios.AsyncClient objects cannot be pickled or copied")


def _closed_error() -> ShutdownError:
    return ShutdownError(Status.ERR_SHUTDOWN, "client is closed")


# Every open Client, so that a forked child can reset their bookkeeping (see Client).
_live_clients: weakref.WeakSet[Client] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_live_clients):
        client._forget_the_parent_s_calls()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# The Call Control webhook (tenios.webhook.WebhookRequest, Blocks, handle); last, since it uses
# the helpers above.
from . import webhook  # noqa: E402

__all__.append("webhook")
