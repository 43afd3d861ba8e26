"""Invalid arguments: rejected with InvalidArgumentError and the exact message, nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

import tenios
from conftest import ACCESS_KEY, CALL, Sim
from tenios import Status

# (value, message suffix); the message is "<argument> <suffix>"
INVALID: list[tuple[Any, str]] = [
    (None, "is None"),  # Python's wording, never C's NULL
    ("", "is empty"),
    (b"", "is empty"),
    ("a" * 1025, "is longer than 1024 bytes"),
    (b"a" * 1025, "is longer than 1024 bytes"),
    ("é" * 513, "is longer than 1024 bytes"),  # 1026 bytes, 513 characters
    ("a" * 100_000, "is longer than 1024 bytes"),
    (b"\xff\xfe", "is not valid UTF-8"),
    (b"abc\xc3", "is not valid UTF-8"),  # truncated sequence
    (b"\xc0\xaf", "is not valid UTF-8"),  # overlong
    (b"\xed\xa0\x80", "is not valid UTF-8"),  # encoded surrogate
    ("ab\udcffcd", "is not valid UTF-8"),  # str with a lone surrogate
    ("ab\x01cd", "contains a control character"),
    ("ab\tcd", "contains a control character"),
    ("ab\ncd", "contains a control character"),
    ("ab\rcd", "contains a control character"),
    ("ab\x1bcd", "contains a control character"),
    ("ab\x7fcd", "contains a control character"),
    ("ab\x85cd", "contains a control character"),  # C1 control
    (b"ab\x1fcd", "contains a control character"),
    ("ab\0cd", "contains a NUL byte"),
    (b"ab\0cd", "contains a NUL byte"),
    ("\0", "contains a NUL byte"),
]
IDS = [f"{type(v).__name__}-{m.split()[-1]}-{i}" for i, (v, m) in enumerate(INVALID)]


def expect_invalid(message: str, key: Any, call: Any) -> None:
    with pytest.raises(tenios.InvalidArgumentError) as info:
        tenios.interrupt_block(key, call)
    err = info.value
    assert type(err) is tenios.InvalidArgumentError
    assert isinstance(err, ValueError)
    assert err.status is Status.ERR_INVALID_ARGUMENT
    assert err.message == message
    assert str(err) == message


def assert_nothing_sent(sim: Sim) -> None:
    assert sim.interrupts() == []
    sim.assert_nothing_sent(lambda: tenios.interrupt_block(ACCESS_KEY, CALL))


@pytest.mark.parametrize(("value", "suffix"), INVALID, ids=IDS)
def test_invalid_access_key(sim: Sim, value: Any, suffix: str) -> None:
    expect_invalid(f"access_key {suffix}", value, CALL)
    assert_nothing_sent(sim)


@pytest.mark.parametrize(("value", "suffix"), INVALID, ids=IDS)
def test_invalid_call_uuid(sim: Sim, value: Any, suffix: str) -> None:
    expect_invalid(f"call_uuid {suffix}", ACCESS_KEY, value)
    assert_nothing_sent(sim)


def test_access_key_is_checked_before_call_uuid(sim: Sim) -> None:
    expect_invalid("access_key is None", None, None)
    expect_invalid("access_key is empty", "", "")
    expect_invalid("access_key is longer than 1024 bytes", "k" * 2000, "\x01")
    expect_invalid("access_key contains a control character", "a\x02", b"\xff")
    assert_nothing_sent(sim)


@pytest.mark.parametrize("value", [123, 1.5, bytearray(b"abc"), memoryview(b"abc"), ["a"], object()])
def test_other_types_raise_type_error(sim: Sim, value: Any) -> None:
    with pytest.raises(TypeError):
        tenios.interrupt_block(value, CALL)
    with pytest.raises(TypeError):
        tenios.interrupt_block(ACCESS_KEY, value)
    assert_nothing_sent(sim)


def test_exactly_1024_bytes_is_accepted(sim: Sim) -> None:
    # Valid as arguments, so they reach the API, which rejects them.
    with pytest.raises(tenios.BadCredentialsError):
        tenios.interrupt_block("é" * 512, CALL)
    with pytest.raises(tenios.InvalidFieldError):
        tenios.interrupt_block(ACCESS_KEY, "a" * 1024)
    assert sim.stats()["requests"] == 2


def test_non_ascii_key_is_sent_as_utf8(sim: Sim) -> None:
    with pytest.raises(tenios.BadCredentialsError):
        tenios.interrupt_block("schlüssel-€", CALL)
    with pytest.raises(tenios.BadCredentialsError):
        tenios.interrupt_block("schlüssel-€".encode(), CALL)
    bodies = [r["body"] for r in sim.requests()]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
