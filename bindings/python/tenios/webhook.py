"""The TENIOS Call Control webhook: read the request TENIOS POSTs, build the blocks you answer.

    from tenios.webhook import Blocks, WebhookRequest, handle

    def answer(request: WebhookRequest) -> Blocks | None:
        blocks = Blocks()
        if request.loop_count == 0:
            blocks.add_announcement("WaitingMusic")
        else:
            blocks.add_bridge("SEQUENTIAL", [("SIP_USER", "1001", 25)])
        return blocks

    status, body = handle(request_body, answer, access_key="my-access-key")

Plain classes over libtenios's C functions (``tenios_webhook_request_*``, ``tenios_blocks_*``):
the parsing, the rules and the JSON are the library's, identical in C, C++ and Python. Every
failure raises ``tenios.InvalidArgumentError`` with the library's message. No web framework is
needed: ``handle`` turns a body into an HTTP status and an answer body.
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Dict, NamedTuple, Optional, Tuple, TypeVar, Union

from . import InvalidArgumentError, Status, _check, _client_api, _to_c
from ._native import _WebhookApi, library, webhook_api

__all__ = ["EMPTY_ANSWER", "Blocks", "Destination", "WebhookRequest", "handle"]

#: The answer that hands the call back to the routing plan.
EMPTY_ANSWER = '{"blocks":[]}'

_BRIDGE_MODES = {"SEQUENTIAL": 1, "PARALLEL": 2}
_DESTINATION_TYPES = {"EXTERNALNUMBER": 1, "SIP_USER": 2, "SIP_TRUNK": 3}
_INT32_MAX = 2**31 - 1
_UINT32_MAX = 2**32 - 1


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(Status.ERR_INVALID_ARGUMENT, message)


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw is not None else ""


def _optional_seconds(name: str, value: Optional[int]) -> int:
    """None -> -1 (absent); an int within int32_t otherwise (the library checks the rest)."""
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    if not -_INT32_MAX - 1 <= value <= _INT32_MAX:
        raise _invalid(f"{name} must be -1 (absent) or 0 to {_INT32_MAX} seconds, not {value}")
    return value


def _uint32(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= _UINT32_MAX:
        raise _invalid(f"{name} must be 0 to {_UINT32_MAX}, not {value}")
    return value


def _name(kind: str, table: Dict[str, int], value: str) -> int:
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be a str, not {type(value).__name__}")
    number = table.get(value.upper())
    if number is None:
        raise _invalid(f"{kind} {value!r} is not one of {', '.join(table)}")
    return number


_OwnedT = TypeVar("_OwnedT", bound="_Owned")


class _Owned:
    """A C object this Python object owns, freed once by ``close()``, the end of a ``with``
    block, or garbage collection. Subclasses say how with ``_free``."""

    _handle: Optional[ctypes.c_void_p] = None

    def _free(self, handle: ctypes.c_void_p) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Free the C object (idempotent)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            self._free(handle)

    def __enter__(self: _OwnedT) -> _OwnedT:
        return self

    def __exit__(self, exc_type: Optional[type], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110 - never raise from __del__
            pass


class WebhookRequest(_Owned):
    """A parsed ``EXTERNAL_CALL_CONTROL`` request (``tenios_webhook_request``).

    Build it with ``WebhookRequest.parse(body)``. Its fields are read once, into plain Python
    values; the C object is kept only for ``access_key_matches`` (the access key is never copied
    into Python) and freed by ``close()``, a ``with`` block, or garbage collection.
    """

    def __init__(self, handle: ctypes.c_void_p, api: _WebhookApi) -> None:
        """Use ``WebhookRequest.parse``."""
        self._api = api
        self._handle = handle
        self.request_type: str = _text(api.request_type(handle))
        self.customer_number: int = int(_text(api.customer_number(handle)))
        uuid = api.call_control_uuid(handle)
        self.call_control_uuid: Optional[str] = _text(uuid) if uuid is not None else None
        self.loop_count: int = int(api.loop_count(handle))
        self.request_status: str = _text(api.request_status(handle))
        self.variables: Dict[str, str] = {
            _text(api.variable_name(handle, i)): _text(api.variable_value(handle, i))
            for i in range(api.variable_count(handle))
        }
        self.validation_errors: Tuple[str, ...] = tuple(
            _text(api.validation_error(handle, i))
            for i in range(api.validation_error_count(handle))
        )

    @classmethod
    def parse(cls, body: bytes) -> WebhookRequest:
        """Parse the body TENIOS POSTed. Raises ``tenios.InvalidArgumentError`` with the
        library's message (e.g. ``webhook request has no loopCount``) for a body it rejects:
        empty, over 1 MiB, not UTF-8, nested over 32 deep, not a JSON object, a field twice, a
        required field missing or mistyped (see docs/webhook.md)."""
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"body must be bytes, not {type(body).__name__}")
        data = bytes(body)
        api = webhook_api()
        handle = ctypes.c_void_p()
        # c_char_p: a pointer to the bytes object's own buffer (never NULL, even when empty).
        _check(_client_api(), api.request_parse, data, len(data), ctypes.byref(handle))
        try:
            return cls(handle, api)
        except BaseException:
            api.request_free(handle)
            raise

    @property
    def is_validation_errors(self) -> bool:
        """Whether TENIOS reports that the last answer was invalid (``VALIDATION_ERRORS``):
        read ``validation_errors``; what you answer is ignored."""
        return self.request_status == "VALIDATION_ERRORS"

    def variable(self, name: str) -> Optional[str]:
        """The variable ``name`` (e.g. ``"call_uuid"``), or None."""
        return self.variables.get(name)

    def access_key_matches(self, expected_key: Optional[Union[str, bytes]]) -> bool:
        """Whether the request's ``accessKey`` equals ``expected_key``, compared by the library
        in constant time. False for ``None`` (an unset variable, say), an empty or otherwise
        invalid key, and after ``close()``."""
        if expected_key is None:
            return False
        key = _to_c("expected_key", expected_key)
        if self._handle is None:
            return False
        return bool(self._api.access_key_matches(self._handle, key))

    def _free(self, handle: ctypes.c_void_p) -> None:
        # The fields stay readable; access_key_matches is False from now on.
        self._api.request_free(handle)

    def __repr__(self) -> str:  # never the key
        return (f"<tenios.webhook.WebhookRequest {self.request_status} loop_count="
                f"{self.loop_count} customer_number={self.customer_number}>")


class Destination(NamedTuple):
    """One destination of a BRIDGE: ``destination_type`` is ``EXTERNALNUMBER`` (an E.164
    number), ``SIP_USER`` or ``SIP_TRUNK``; ``timeout`` in seconds (SEQUENTIAL's) or None."""

    destination_type: str
    destination: str
    timeout: Optional[int] = None


class Blocks(_Owned):
    """The answer to a webhook request (``tenios_blocks``): add blocks, then ``to_json()``.

    Each ``add_*`` checks its block in the library: a rule TENIOS documents, or a bad argument,
    raises ``tenios.InvalidArgumentError`` and adds nothing; a rule only an example or a client
    library states adds the block and a line to ``warnings``. Not thread-safe: one thread at a
    time. ``close()`` (or a ``with`` block, or garbage collection) frees it.
    """

    def __init__(self) -> None:
        api = webhook_api()
        handle = api.blocks_new()
        if not handle:
            raise MemoryError("tenios_blocks_new returned NULL")
        self._api = api
        self._handle = ctypes.c_void_p(handle)

    def _live(self) -> ctypes.c_void_p:
        if self._handle is None:
            raise _invalid("the blocks are closed")
        return self._handle

    def _add(self, function: Callable[..., int], *args: object) -> None:
        _check(_client_api(), function, self._live(), *args)

    def add_bridge(self, mode: str,
                   destinations: Iterable[Union[Destination, Tuple[str, str], Tuple[str, str, Optional[int]]]],
                   *, block_timeout: Optional[int] = None) -> None:
        """BRIDGE: forward the call. ``mode`` is ``"SEQUENTIAL"`` or ``"PARALLEL"``;
        ``destinations`` are ``Destination`` or ``(type, destination[, timeout])`` tuples;
        ``block_timeout`` (seconds) is PARALLEL's."""
        mode_number = _name("bridge mode", _BRIDGE_MODES, mode)
        timeout = _optional_seconds("block_timeout", block_timeout)
        # Everything is converted before the library sees the first step, so that a Python
        # error never leaves a BRIDGE open.
        steps = []
        for item in destinations:
            d = Destination(*item)
            steps.append((_name("destination_type", _DESTINATION_TYPES, d.destination_type),
                          _to_c("destination", d.destination),
                          _optional_seconds("timeout", d.timeout)))
        api = self._api
        self._add(api.bridge_begin, mode_number, timeout)
        for kind, destination, seconds in steps:
            self._add(api.bridge_add_destination, kind, destination, seconds)
        self._add(api.bridge_end)

    def add_announcement(self, announcement_name: str, *, standard: bool = False) -> None:
        """ANNOUNCEMENT: play ``announcement_name`` (a stock TENIOS one when ``standard``)."""
        self._add(self._api.add_announcement, bool(standard),
                  _to_c("announcement_name", announcement_name))

    def add_say(self, text: str, voice_name: str, *, use_ssml: bool = False) -> None:
        """SAY: speak ``text`` with ``voice_name`` (e.g. ``"de.female.2"``)."""
        self._add(self._api.add_say, _to_c("text", text), _to_c("voice_name", voice_name),
                  bool(use_ssml))

    def add_routing_plan(self, routing_plan_name: str) -> None:
        """ROUTINGPLAN: run the routing plan ``routing_plan_name``."""
        self._add(self._api.add_routing_plan, _to_c("routing_plan_name", routing_plan_name))

    def add_collect_digits(self, *, announcement_name: str, error_announcement_name: str,
                           variable_name: str, min_digits: int, max_digits: int,
                           max_tries: int, timeout: int, terminator: str = "#",
                           standard_announcement: bool = False,
                           standard_error_announcement: bool = False) -> None:
        """COLLECT_DIGITS: collect DTMF digits into ``variable_name``."""
        self._add(self._api.add_collect_digits,
                  _to_c("announcement_name", announcement_name), bool(standard_announcement),
                  _to_c("error_announcement_name", error_announcement_name),
                  bool(standard_error_announcement), _to_c("variable_name", variable_name),
                  _uint32("min_digits", min_digits), _uint32("max_digits", max_digits),
                  _to_c("terminator", terminator), _uint32("max_tries", max_tries),
                  _uint32("timeout", timeout))

    def add_collect_speech(self, *, announcement_name: str, missing_input_announcement_name: str,
                           language: str, variable_name: str, max_tries: int,
                           standard_announcement: bool = False,
                           standard_missing_input_announcement: bool = False) -> None:
        """COLLECT_SPEECH: recognise speech in ``language`` into ``variable_name``."""
        self._add(self._api.add_collect_speech,
                  _to_c("announcement_name", announcement_name), bool(standard_announcement),
                  _to_c("missing_input_announcement_name", missing_input_announcement_name),
                  bool(standard_missing_input_announcement), _to_c("language", language),
                  _to_c("variable_name", variable_name), _uint32("max_tries", max_tries))

    def add_hangup(self, hangup_cause: str) -> None:
        """HANGUP: end the call with ``hangup_cause`` (e.g. ``"CALL_REJECTED"``)."""
        self._add(self._api.add_hangup, _to_c("hangup_cause", hangup_cause))

    def add_call_settings(self, forward_ani: str) -> None:
        """CALL_SETTINGS: the caller ID shown on later forwards."""
        self._add(self._api.add_call_settings, _to_c("forward_ani", forward_ani))

    def add_refer(self, destination: Optional[str] = None) -> None:
        """REFER (undocumented JSON: always a warning). ``None``: no destination (the library
        infers it)."""
        self._add(self._api.add_refer,
                  _to_c("destination", destination) if destination is not None else None)

    @property
    def warnings(self) -> Tuple[str, ...]:
        """Every warning so far, e.g. ``block 1 (BRIDGE): ... [client]``."""
        handle = self._live()
        return tuple(_text(self._api.warning(handle, i))
                     for i in range(self._api.warning_count(handle)))

    def __len__(self) -> int:
        return int(self._api.blocks_count(self._live()))

    def to_json(self) -> str:
        """The answer's body, ``{"blocks":[...]}``."""
        out = ctypes.c_void_p()
        try:
            _check(_client_api(), self._api.to_json, self._live(), ctypes.byref(out))
            return ctypes.string_at(out.value).decode("utf-8") if out.value else ""
        finally:
            library().string_free(out)

    def _free(self, handle: ctypes.c_void_p) -> None:
        self._api.blocks_free(handle)

    def __reduce_ex__(self, protocol: object) -> None:
        raise TypeError("tenios.webhook.Blocks objects cannot be pickled or copied")


def _error_body(message: str) -> bytes:
    return json.dumps({"error": message}, ensure_ascii=False, separators=(",", ":")).encode()


def handle(body: bytes, handler: Callable[[WebhookRequest], Optional[Blocks]], *,
           access_key: str) -> Tuple[int, bytes]:
    """Answer one webhook request: returns ``(http_status, answer_body)`` to send with
    ``Content-Type: application/json``.

    - a body the library rejects: ``400`` and ``{"error":"<message>"}``;
    - an ``accessKey`` other than ``access_key`` (constant-time comparison): ``403``;
    - ``VALIDATION_ERRORS``: ``handler`` is called (to log ``request.validation_errors``), its
      result is not sent (TENIOS ignores it), and the answer is ``200`` ``{"blocks":[]}``;
    - otherwise ``200`` and the handler's blocks (``None``: ``{"blocks":[]}``, which hands the
      call back to the routing plan).

    Exceptions from ``handler`` (including an invalid block) propagate: a web framework turns
    them into a 500. The request is closed when ``handle`` returns.
    """
    try:
        request = WebhookRequest.parse(body)
    except InvalidArgumentError as err:
        return 400, _error_body(err.message)
    with request:
        if not request.access_key_matches(access_key):
            return 403, _error_body("access key does not match")
        blocks = handler(request)
        if request.is_validation_errors or blocks is None:
            return 200, EMPTY_ANSWER.encode()
        return 200, blocks.to_json().encode()
