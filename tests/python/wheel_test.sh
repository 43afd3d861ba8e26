#!/usr/bin/env bash
# The pip package end to end: build the wheel with `python3 -m pip wheel` (setuptools-rust runs
# cargo), check its tag and its file list, install it into a fresh virtual environment, and
# from a directory outside the checkout call the bundled simulator through the installed
# package. Run by `make test-python-wheel` (mk/python.mk).
#
#   PYTHON            the interpreter to build and test with (default python3)
#   WHEEL_TARGET_DIR  cargo's target directory for the wheel build (default target/wheel, kept
#                     apart from the development build so neither rebuilds the other)
#   WHEEL_WORK_DIR    where the venvs and the wheel go (default: a new temporary directory,
#                     removed at the end)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
export CARGO_TARGET_DIR=${WHEEL_TARGET_DIR:-$REPO/target/wheel}
if [ -n "${WHEEL_WORK_DIR:-}" ]; then
    WORK=$WHEEL_WORK_DIR
    rm -rf "$WORK" && mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/tenios-wheel.XXXXXX")
fi
SIM_PID=
cleanup() {
    if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; fi
    if [ -z "${WHEEL_WORK_DIR:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
CALL=c0b93a5e-4ce0-4adb-940e-5079f2abbcb4
UNKNOWN=0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
KEY=wheel-test-key-3b9c
fail() { echo "wheel_test: FAIL: $*" >&2; exit 1; }
step() { echo "wheel_test: $*"; }

# --- the build environment: a venv, so that pip is there even on a bare Debian python3 ---------
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    step "installing python3-venv"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
"$PYTHON" -m venv "$WORK/build-venv"
BUILD_PY=$WORK/build-venv/bin/python3

step "building the wheel (cargo target dir: $CARGO_TARGET_DIR)"
started=$(date +%s)
( cd "$REPO" && "$BUILD_PY" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" . ) \
    || fail "pip wheel failed"
# pip builds in the source tree: leave nothing of it behind (build/ is also the Makefile's).
rm -rf "$REPO/bindings/python/tenios.egg-info" "$REPO"/build/lib.* "$REPO"/build/temp.* \
       "$REPO"/build/bdist.* "$REPO"/build/scripts-*
step "built in $(( $(date +%s) - started )) s"

# --- the wheel: name, tag and contents ----------------------------------------------------------
shopt -s nullglob
wheels=("$WORK"/dist/tenios-*.whl)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel, got: ${wheels[*]:-none}"
WHEEL=${wheels[0]}
step "wheel: $(basename "$WHEEL")"
"$BUILD_PY" - "$WHEEL" "$REPO" <<'PY'
import re, sys, zipfile
wheel, repo = sys.argv[1], sys.argv[2]
import importlib.util
spec = importlib.util.spec_from_file_location("native", f"{repo}/bindings/python/tenios/_native.py")
native = importlib.util.module_from_spec(spec); spec.loader.exec_module(native)
version = native.VERSION
name = wheel.rsplit("/", 1)[1]
# py3-none-<platform>: any Python 3, no ABI, this platform (never cp311-cp311, never "any")
m = re.fullmatch(rf"tenios-{re.escape(version)}-py3-none-((?:many)?linux_?[0-9_]*_?x86_64|(?:many)?linux[0-9_]*_[a-z0-9_]+)\.whl", name)
assert m, f"dishonest or unexpected wheel name/tag: {name}"
files = sorted(zipfile.ZipFile(wheel).namelist())
dist_info = f"tenios-{version}.dist-info"
expected = sorted([
    "tenios/__init__.py", "tenios/_native.py", "tenios/py.typed", "tenios/webhook.py",
    "tenios/libtenios.so",
    f"tenios-{version}.data/scripts/tenios-sim",
    f"{dist_info}/METADATA", f"{dist_info}/WHEEL", f"{dist_info}/top_level.txt",
    f"{dist_info}/RECORD",
])
extra_ok = {f"{dist_info}/LICENSE", f"{dist_info}/licenses"}
unexpected = [f for f in files if f not in expected and not any(f.startswith(x) for x in extra_ok)]
missing = [f for f in expected if f not in files]
assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"
meta = zipfile.ZipFile(wheel).read(f"{dist_info}/WHEEL").decode()
assert "Root-Is-Purelib: false" in meta, meta
assert f"Tag: py3-none-{m.group(1)}" in meta, meta
metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
assert "Requires-Python: >=3.9" in metadata, metadata
for f in files:
    print("  ", f)
PY

# --- a fresh venv, the wheel only, and a directory outside the checkout ------------------------
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python3" -m pip install --quiet --no-index --no-deps "$WHEEL" || fail "pip install failed"
OUTSIDE=$WORK/outside
mkdir -p "$OUTSIDE"
cd "$OUTSIDE"
# Nothing from the checkout or the development environment may help.
unset TENIOS_LIBRARY TENIOS_API_URL TENIOS_ACCESS_KEY TENIOS_SIM PYTHONPATH LD_LIBRARY_PATH
export PATH="$WORK/venv/bin:$PATH"

command -v tenios-sim | grep -qx "$WORK/venv/bin/tenios-sim" || fail "tenios-sim is not the venv's"
tenios-sim --help | grep -q -- "--access-key" || fail "tenios-sim --help"
step "tenios-sim --help: ok"

coproc SIM { exec tenios-sim --follow-parent --access-key "$KEY" --call "$CALL"; }
read -r -t 20 line <&"${SIM[0]}" || fail "tenios-sim did not start"
case $line in "listening on http://127.0.0.1:"*) ;; *) fail "tenios-sim said: $line" ;; esac
URL=${line#listening on }

TENIOS_API_URL=$URL python3 - "$URL" "$KEY" "$CALL" "$UNKNOWN" "$WORK/venv" <<'PY'
import json, os, sys, urllib.request
url, key, call, unknown, venv = sys.argv[1:]
import tenios
path = tenios.library_path()
assert path.startswith(venv + "/lib/") and path.endswith("/site-packages/tenios/libtenios.so"), path
assert tenios.__version__ == tenios.version(), (tenios.__version__, tenios.version())
tenios.interrupt_block(key, call)                      # the default client: TENIOS_API_URL
with tenios.Client(key, base_url=url, user_agent="wheel-test/1") as client:
    client.interrupt_block(call)
    try:
        client.interrupt_block(unknown)
        raise SystemExit("no error for an unknown call")
    except tenios.CallNotFoundError as err:
        assert (err.api_code, err.http_status, err.fields) == ("CALL_UUID_NOT_FOUND", 400, ("call_uuid",))
with urllib.request.urlopen(url + "/_sim/interrupts", timeout=10) as response:
    assert json.load(response) == [call, call]
print(f"wheel_test: installed tenios {tenios.__version__} from {path}: calls ok")
PY
step "ok"
