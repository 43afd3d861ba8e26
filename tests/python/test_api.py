"""The binding's public surface: Status, the error classes, version and status_name."""

from __future__ import annotations

import builtins
import ctypes
import os
import pickle
import re
from pathlib import Path

import pytest

import tenios
import tenios._native
from tenios import Status

HEADER = Path(__file__).resolve().parents[2] / "include" / "tenios.h"
CARGO_TOML = Path(__file__).resolve().parents[2] / "Cargo.toml"

# A status constant as cbindgen writes it (`  TENIOS_ERR_API = 7,` in the enum that names the
# values of `typedef uint32_t tenios_status`), or as a #define.
_STATUS_CONSTANT = re.compile(
    r"^\s*(?:#\s*define\s+)?(TENIOS_(?:OK|ERR_[A-Z0-9_]+))\s*(?:=\s*)?\(?\s*(\d+)[uU]?\s*\)?\s*,?\s*$",
    re.MULTILINE)


def header_statuses(text: str) -> dict[str, int]:
    """Every TENIOS_OK / TENIOS_ERR_* constant of the header: name -> number. A name given two
    different numbers (say, once for C and once for C++) is an error."""
    found: dict[str, int] = {}
    for name, number in _STATUS_CONSTANT.findall(text):
        assert found.setdefault(name, int(number)) == int(number), f"{name} has two values"
    return found


def test_header_parser_reads_both_spellings() -> None:
    text = "enum {\n  TENIOS_OK = 0,\n  TENIOS_ERR_API = 7,\n};\n#define TENIOS_ERR_X 14u\n" \
           "#define TENIOS_VERSION_MAJOR 1\nTENIOS_ERR_NOT_A_CONSTANT(x) = 3;\n"
    assert header_statuses(text) == {"TENIOS_OK": 0, "TENIOS_ERR_API": 7, "TENIOS_ERR_X": 14}


def test_status_enum_is_exactly_the_header_s() -> None:
    in_header = header_statuses(HEADER.read_text())
    assert "TENIOS_OK" in in_header and "TENIOS_ERR_SHUTDOWN" in in_header, in_header
    in_python = {"TENIOS_" + m.name: int(m) for m in Status}
    assert in_python == in_header
    # and the library's own names for them
    for name, number in in_header.items():
        assert tenios.status_name(number) == name


# A destination type constant as cbindgen writes it (`  TENIOS_DESTINATION_SIP_USER = 2,`).
_DESTINATION_CONSTANT = re.compile(
    r"^\s*(TENIOS_DESTINATION_[A-Z0-9_]+)\s*=\s*(\d+)[uU]?\s*,?\s*$", re.MULTILINE)


def test_destination_type_enum_is_exactly_the_header_s() -> None:
    in_header = {name: int(number)
                 for name, number in _DESTINATION_CONSTANT.findall(HEADER.read_text())}
    assert "TENIOS_DESTINATION_EXTERNALNUMBER" in in_header, in_header
    in_python = {"TENIOS_DESTINATION_" + m.name: int(m) for m in tenios.DestinationType}
    assert in_python == in_header
    # The member names are the API's names, as the library spells them.
    lib = tenios._native.library()
    for member in tenios.DestinationType:
        assert lib.client_api.destination_type_str(member) == member.name.encode()
    assert lib.client_api.destination_type_str(max(tenios.DestinationType) + 1) is None
    assert lib.client_api.destination_type_str(0) is None


def test_version_is_the_crate_s_and_the_library_s() -> None:
    match = re.search(r'^version\s*=\s*"([^"]+)"', CARGO_TOML.read_text(), re.MULTILINE)
    assert match is not None
    assert tenios.__version__ == match.group(1)
    assert tenios.version() == tenios.__version__


@pytest.mark.parametrize("status", list(Status))
def test_status_name_is_the_c_name(status: Status) -> None:
    assert tenios.status_name(status) == "TENIOS_" + status.name
    assert tenios.status_name(int(status)) == "TENIOS_" + status.name


@pytest.mark.parametrize("value", [max(Status) + 1, 99, 2**31, 2**32 - 1])
def test_status_name_of_unknown_values(value: int) -> None:
    assert tenios.status_name(value) == "TENIOS_UNKNOWN"


@pytest.mark.parametrize("value", [-1, 2**32, -(2**31)])
def test_status_name_rejects_non_uint32(value: int) -> None:
    with pytest.raises(OverflowError):
        tenios.status_name(value)


def test_status_name_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        tenios.status_name("1")  # type: ignore[arg-type]


def test_version() -> None:
    version = tenios.version()
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?", version), version


def test_every_error_status_has_its_own_class() -> None:
    errors = [s for s in Status if s is not Status.OK]
    assert set(tenios.ERROR_CLASSES) == set(errors)
    classes = [tenios.ERROR_CLASSES[s] for s in errors]
    assert len(set(classes)) == len(classes)
    for cls in classes:
        assert issubclass(cls, tenios.TeniosError) and cls is not tenios.TeniosError


@pytest.mark.parametrize(("cls", "status", "builtin"), [
    (tenios.InvalidArgumentError, Status.ERR_INVALID_ARGUMENT, ValueError),
    (tenios.InvalidValueError, Status.ERR_INVALID_VALUE, None),
    (tenios.InvalidFieldError, Status.ERR_INVALID_FIELD, None),
    (tenios.InvalidJsonError, Status.ERR_INVALID_JSON, None),
    (tenios.CallNotFoundError, Status.ERR_CALL_UUID_NOT_FOUND, None),
    (tenios.BadCredentialsError, Status.ERR_BAD_CREDENTIALS, None),
    (tenios.ApiError, Status.ERR_API, None),
    (tenios.HttpError, Status.ERR_HTTP, None),
    (tenios.TimeoutError, Status.ERR_TIMEOUT, builtins.TimeoutError),
    (tenios.NetworkError, Status.ERR_NETWORK, ConnectionError),
    (tenios.ProtocolError, Status.ERR_PROTOCOL, None),
    (tenios.InternalError, Status.ERR_INTERNAL, None),
    (tenios.ShutdownError, Status.ERR_SHUTDOWN, None),
    (tenios.SupervisorDestinationBlacklistedError, Status.ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
     None),
    (tenios.AgentNotFoundError, Status.ERR_AGENT_NOT_FOUND, None),
    (tenios.AgentNotInWrapUpError, Status.ERR_AGENT_NOT_IN_WRAP_UP, None),
])
def test_error_classes(cls: type[tenios.TeniosError], status: Status, builtin: type | None) -> None:
    assert tenios.ERROR_CLASSES[status] is cls
    err = cls(status, "some message")
    assert isinstance(err, Exception)
    if builtin is not None:
        assert isinstance(err, builtin)
    assert err.status is status
    assert err.message == "some message"
    assert str(err) == "some message"
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls and clone.status is status and clone.message == "some message"


def test_library_not_found_error_is_an_oserror() -> None:
    assert issubclass(tenios.LibraryNotFoundError, OSError)


def test_library_path_is_tenios_library() -> None:
    assert tenios.library_path() == os.environ["TENIOS_LIBRARY"]


def test_py_typed_marker_is_shipped() -> None:
    assert (Path(tenios.__file__).parent / "py.typed").is_file()


class _FakeLibrary:
    """Stands in for the loaded library: a real C-callable interrupt_block returning `rc` and a
    recording string_free, so the binding's handling of odd returns is observable."""

    PROTO = ctypes.CFUNCTYPE(
        ctypes.c_uint32, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)
    )

    def __init__(self, real: object, rc: int, message: bytes | None) -> None:
        self.path = "fake"
        self.status_str = real.status_str  # type: ignore[attr-defined]
        self.version = real.version  # type: ignore[attr-defined]
        self.buffer = ctypes.create_string_buffer(message) if message is not None else None
        self.freed: list[int | None] = []
        self.seen: list[tuple[bytes | None, bytes | None]] = []

        def fake(key: bytes | None, uuid: bytes | None, out: "ctypes._Pointer[ctypes.c_void_p]") -> int:
            self.seen.append((key, uuid))
            out[0] = ctypes.addressof(self.buffer) if self.buffer is not None else None
            return rc

        self.interrupt_block = self.PROTO(fake)

    def string_free(self, ptr: object) -> None:
        self.freed.append(ptr.value if isinstance(ptr, ctypes.c_void_p) else ptr)  # type: ignore[arg-type]


def _install_fake(monkeypatch: pytest.MonkeyPatch, rc: int, message: bytes | None) -> _FakeLibrary:
    import tenios._native as native
    fake = _FakeLibrary(native.library(), rc, message)
    monkeypatch.setattr(native, "_loaded", fake)
    return fake


def test_unknown_status_from_the_library_raises_plain_tenios_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _install_fake(monkeypatch, 42, b"something new")
    with pytest.raises(tenios.TeniosError) as info:
        tenios.interrupt_block("k", "u")
    assert type(info.value) is tenios.TeniosError
    assert info.value.status == 42 and not isinstance(info.value.status, Status)
    assert info.value.message == "something new"
    assert fake.seen == [(b"k", b"u")]
    assert fake.freed == [ctypes.addressof(fake.buffer)]  # type: ignore[arg-type]


def test_error_message_is_freed_and_decoded_with_replacement(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _install_fake(monkeypatch, int(Status.ERR_API), b"bad \xff byte")
    with pytest.raises(tenios.ApiError) as info:
        tenios.interrupt_block(b"k", b"u")
    assert info.value.message == "bad \ufffd byte"
    assert fake.freed == [ctypes.addressof(fake.buffer)]  # type: ignore[arg-type]


def test_error_without_message_falls_back_to_status_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _install_fake(monkeypatch, int(Status.ERR_INTERNAL), None)
    with pytest.raises(tenios.InternalError) as info:
        tenios.interrupt_block("k", "u")
    assert info.value.message == "TENIOS_ERR_INTERNAL"
    assert fake.freed == [None]


def test_ok_returns_none_and_frees_null(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _install_fake(monkeypatch, 0, None)
    assert tenios.interrupt_block("k", "u") is None
    assert fake.freed == [None]
