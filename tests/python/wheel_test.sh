#!/usr/bin/env bash
# `make test-python-wheel`: the files for PyPI, end to end.
#
# 1. mk/python-dist.sh builds the sdist and the manylinux wheel (from the sdist) and runs
#    auditwheel and `twine check --strict` on them; this script checks their names, the wheel's
#    tag against `auditwheel show`, its files and its metadata (PEP 639 license, URLs, a
#    description that installs from the index).
# 2. The wheel is installed into a fresh venv of every Python 3.9-3.13 this machine has
#    (tests/lib/python.sh; a missing one is a printed skip) and, from a directory outside the
#    checkout, calls the bundled tenios-sim through the installed package.
# 3. In a fresh venv, pip builds a wheel from the sdist (isolated build: setuptools and
#    setuptools-rust from the index, plain cargo), which is installed and called the same way.
#
#   PYTHON                the interpreter of the tools' venv and of step 3 (default python3;
#                         3.11 or later: the checks read TOML with tomllib)
#   MANYLINUX_TARGET_DIR  cargo's target directory for step 1 (default target/manylinux)
#   SDIST_TARGET_DIR      cargo's target directory for step 3 (default target/sdist)
#   WHEEL_WORK_DIR        where the venvs and files go (default: a temporary directory, removed)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
SDIST_TARGET_DIR=${SDIST_TARGET_DIR:-$REPO/target/sdist}
source "$REPO/tests/lib/python.sh"   # find_python, PYTHON_VERSIONS_SUPPORTED
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

# A venv needs the venv module and ensurepip (python3-venv on a bare Debian python3).
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    step "installing python3-venv"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi

# --- 1. the PyPI files ------------------------------------------------------------------------
PYTHON=$PYTHON "$REPO/mk/python-dist.sh" "$WORK/dist" | tee "$WORK/dist.log" ||
    fail "mk/python-dist.sh failed"
TOOLS=${PKG_VENV:-$REPO/build/pkg-venv}/bin
shopt -s nullglob
wheels=("$WORK"/dist/tenios-*.whl)
sdists=("$WORK"/dist/tenios-*.tar.gz)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel, got: ${wheels[*]:-none}"
[ ${#sdists[@]} -eq 1 ] || fail "expected one sdist, got: ${sdists[*]:-none}"
WHEEL=${wheels[0]}
SDIST=${sdists[0]}
step "wheel: $(basename "$WHEEL"), sdist: $(basename "$SDIST")"
"$TOOLS/auditwheel" show "$WHEEL" >"$WORK/auditwheel.txt" 2>&1 || fail "auditwheel show"
"$TOOLS/twine" check --strict "$WHEEL" "$SDIST" >"$WORK/twine.txt" 2>&1 ||
    { cat "$WORK/twine.txt"; fail "twine check --strict"; }

"$TOOLS/python" - "$WHEEL" "$SDIST" "$REPO" "$WORK/auditwheel.txt" "$WORK/twine.txt" <<'PY'
import re, sys, tarfile, tomllib, zipfile
wheel, sdist, repo, auditwheel, twine = sys.argv[1:]
import importlib.util
spec = importlib.util.spec_from_file_location("native", f"{repo}/bindings/python/tenios/_native.py")
native = importlib.util.module_from_spec(spec); spec.loader.exec_module(native)
version = native.VERSION
pyproject = tomllib.load(open(f"{repo}/pyproject.toml", "rb"))["project"]

# The tag is the manylinux policy auditwheel confirms, of glibc 2.28 or older, and nothing else.
report = " ".join(open(auditwheel).read().split())
m = re.search(r'is consistent with the following platform tag: "manylinux_(\d+)_(\d+)_x86_64"', report)
assert m, f"auditwheel show confirms no manylinux policy: {report}"
glibc = (int(m.group(1)), int(m.group(2)))
assert glibc <= (2, 28), f"the wheel needs glibc {glibc}: newer than 2.28"
policy = f"manylinux_{glibc[0]}_{glibc[1]}_x86_64"
name = wheel.rsplit("/", 1)[1]
m = re.fullmatch(rf"tenios-{re.escape(version)}-py3-none-([a-z0-9_.]+)\.whl", name)
assert m, f"unexpected wheel name: {name}"
platforms = set(m.group(1).split("."))
legacy = {(2, 5): "manylinux1_x86_64", (2, 12): "manylinux2010_x86_64", (2, 17): "manylinux2014_x86_64"}
assert platforms == {policy} | ({legacy[glibc]} if glibc in legacy else set()), \
    f"the wheel's platform tags {sorted(platforms)} are not auditwheel's {policy}"
with zipfile.ZipFile(wheel) as z:
    files = sorted(z.namelist())
    wheel_meta = z.read(f"tenios-{version}.dist-info/WHEEL").decode()
    metadata = z.read(f"tenios-{version}.dist-info/METADATA").decode()
tags = sorted(line.split(": ", 1)[1] for line in wheel_meta.splitlines() if line.startswith("Tag: "))
assert tags == sorted(f"py3-none-{p}" for p in platforms), (tags, platforms)
assert "Root-Is-Purelib: false" in wheel_meta, wheel_meta

dist_info = f"tenios-{version}.dist-info"
expected = sorted([
    "tenios/__init__.py", "tenios/_native.py", "tenios/py.typed", "tenios/webhook.py",
    "tenios/libtenios.so", f"tenios-{version}.data/scripts/tenios-sim",
    f"{dist_info}/METADATA", f"{dist_info}/WHEEL", f"{dist_info}/top_level.txt",
    f"{dist_info}/RECORD", f"{dist_info}/licenses/LICENSE-MIT",
    f"{dist_info}/licenses/LICENSE-APACHE",
])
files = [f for f in files if not f.endswith("/")]
assert files == expected, f"missing {sorted(set(expected) - set(files))}, " \
    f"unexpected {sorted(set(files) - set(expected))}"

# The metadata: PEP 639, the URLs, the summary, and a description that installs from the index.
head, _, description = metadata.partition("\n\n")
fields = {}
for line in head.splitlines():
    key, _, value = line.partition(": ")
    fields.setdefault(key, []).append(value)
assert float(fields["Metadata-Version"][0]) >= 2.4, fields["Metadata-Version"]
assert fields["License-Expression"] == ["MIT OR Apache-2.0"], fields.get("License-Expression")
assert sorted(fields["License-File"]) == ["LICENSE-APACHE", "LICENSE-MIT"], fields.get("License-File")
assert "License" not in fields, "the deprecated License field is set"
assert not any(c.startswith("License ::") for c in fields.get("Classifier", [])), "license classifier"
assert fields["Summary"] == [pyproject["description"]], fields["Summary"]
assert fields["Requires-Python"] == [">=3.9"], fields["Requires-Python"]
urls = dict(u.split(", ", 1) for u in fields.get("Project-URL", []))
assert urls == pyproject["urls"], (urls, pyproject["urls"])
assert fields["Description-Content-Type"] == ["text/markdown"], fields["Description-Content-Type"]
install = re.search(r"^## Installing\n+```sh\n(.*?)\n```", description, re.M | re.S)
assert install and install.group(1).strip() == "pip install tenios", \
    f"the description's install command is not `pip install tenios`: {install and install.group(1)}"

# twine passed both files.
report = open(twine).read()
assert report.count("PASSED") == 2 and "WARNING" not in report and "ERROR" not in report, report

# The sdist holds every file cargo needs: each target Cargo.toml declares, and the lock file.
with tarfile.open(sdist) as t:
    names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
cargo = tomllib.load(open(f"{repo}/Cargo.toml", "rb"))
needed = {"Cargo.toml", "Cargo.lock", "build.rs", "pyproject.toml", "setup.py", "src/lib.rs",
          "LICENSE-MIT", "LICENSE-APACHE", "bindings/python/README.md"}
needed |= {b["path"] for b in cargo.get("bin", [])}
needed |= {t.get("path", f"tests/{t['name']}.rs") for t in cargo.get("test", [])}
missing = sorted(needed - names)
assert not missing, f"the sdist lacks {missing}"
print(f"wheel_test: {name}: {policy} (auditwheel), {len(files)} files, metadata ok; "
      f"sdist: {len(names)} entries, every cargo target present; twine: PASSED")
PY

# check_installed VENV LABEL: from outside the checkout, the installed package and its
# tenios-sim, with nothing of the checkout or of the development environment.
check_installed() {
    local venv=$1 label=$2 outside=$WORK/outside line url
    mkdir -p "$outside"
    (
        cd "$outside"
        unset TENIOS_LIBRARY TENIOS_API_URL TENIOS_ACCESS_KEY TENIOS_SIM PYTHONPATH LD_LIBRARY_PATH
        export PATH="$venv/bin:$PATH"
        trap 'if [ -n "${SIM_PID:-}" ]; then kill "$SIM_PID" 2>/dev/null || true; fi' EXIT
        command -v tenios-sim | grep -qx "$venv/bin/tenios-sim" || fail "$label: tenios-sim is not the venv's"
        tenios-sim --help | grep -q -- "--access-key" || fail "$label: tenios-sim --help"
        coproc SIM { exec tenios-sim --follow-parent --access-key "$KEY" --call "$CALL"; }
        read -r -t 20 line <&"${SIM[0]}" || fail "$label: tenios-sim did not start"
        case $line in "listening on http://127.0.0.1:"*) ;; *) fail "$label: tenios-sim said: $line" ;; esac
        url=${line#listening on }
        TENIOS_API_URL=$url "$venv/bin/python" - "$url" "$KEY" "$CALL" "$UNKNOWN" "$venv" "$label" <<'PY'
import json, os, sys, urllib.request
url, key, call, unknown, venv, label = sys.argv[1:]
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
print(f"wheel_test: {label}: tenios {tenios.__version__} from {path}: calls ok")
PY
    )
}

# --- 2. the manylinux wheel on every Python here ----------------------------------------------
tested=() skipped=()
for version in $PYTHON_VERSIONS_SUPPORTED; do
    if ! python=$(find_python "$version"); then
        echo "wheel_test: Python $version: SKIPPED (no interpreter)"
        skipped+=("$version")
        continue
    fi
    "$python" -m venv "$WORK/venv-$version"
    "$WORK/venv-$version/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-index --no-deps "$WHEEL" || fail "pip install of the wheel on Python $version"
    check_installed "$WORK/venv-$version" "Python $version, $(basename "$WHEEL")"
    tested+=("$version")
done
[ ${#tested[@]} -gt 0 ] || fail "no Python 3.9-3.13 here to install the wheel into"

# --- 3. a wheel from the sdist, by pip in a fresh venv ------------------------------------------
step "pip wheel from the sdist in a fresh venv (cargo target dir: $SDIST_TARGET_DIR)"
"$PYTHON" -m venv "$WORK/sdist-venv"
started=$(date +%s)
( cd "$WORK" && CARGO_TARGET_DIR=$SDIST_TARGET_DIR "$WORK/sdist-venv/bin/python" -m pip wheel \
    --quiet --disable-pip-version-check --no-deps --wheel-dir "$WORK/from-sdist" "$SDIST" ) ||
    fail "pip wheel from the sdist failed"
step "built from the sdist in $(( $(date +%s) - started )) s"
from_sdist=("$WORK"/from-sdist/tenios-*.whl)
[ ${#from_sdist[@]} -eq 1 ] || fail "expected one wheel from the sdist, got: ${from_sdist[*]:-none}"
"$WORK/sdist-venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
    --no-deps "${from_sdist[0]}" || fail "pip install of the wheel built from the sdist"
check_installed "$WORK/sdist-venv" "from the sdist, $(basename "${from_sdist[0]}")"

step "ok: the wheel on Python ${tested[*]}${skipped[*]:+ (skipped: ${skipped[*]})}; the sdist builds a working wheel"
