#!/usr/bin/env bash
# The files that go to PyPI: the sdist, and a manylinux wheel built from that sdist (so the
# sdist is proven complete), checked by auditwheel and twine. `make python-dist` runs it into
# dist/; tests/python/wheel_test.sh (make test-python-wheel) into its own folder.
#
#   mk/python-dist.sh [OUTDIR]      default dist/; emptied first
#
#   PYTHON                the interpreter for the tools' venv (default python3)
#   PKG_VENV              that venv (default build/pkg-venv; made once from
#                         mk/python-dist-requirements.txt, remade when that file changes)
#   MANYLINUX_TARGET_DIR  cargo's target directory (default target/manylinux, kept between
#                         runs: later builds only recompile this crate)
#   MANYLINUX_GLIBC       the glibc the wheel is built against (default 2.17: manylinux2014)
#
# How: setuptools-rust runs `cargo-zigbuild` (CARGO) for the target
# <arch>-unknown-linux-gnu.<glibc> (CARGO_BUILD_TARGET): zig links against the symbol versions
# of that glibc, with no container and no old distribution. `auditwheel repair` then checks
# every ELF file of the wheel against the manylinux policy of that glibc and retags the wheel
# (it fails if a file needs a newer symbol or a library outside the policy).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$REPO/dist}
PYTHON=${PYTHON:-python3}
VENV=${PKG_VENV:-$REPO/build/pkg-venv}
REQUIREMENTS=$REPO/mk/python-dist-requirements.txt
TARGET_DIR=${MANYLINUX_TARGET_DIR:-$REPO/target/manylinux}
GLIBC=${MANYLINUX_GLIBC:-2.17}
ARCH=$(uname -m)
POLICY=manylinux_${GLIBC//./_}_$ARCH
say() { echo "python-dist: $*"; }

# --- the tools' venv: made once, remade when the requirements change -------------------------
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null; then
    say "installing the build tools into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi
export PATH=$VENV/bin:$PATH

rm -rf "$OUT"
mkdir -p "$OUT"
RAW=$(mktemp -d "${TMPDIR:-/tmp}/tenios-dist.XXXXXX")
trap 'rm -rf "$RAW"; rm -rf "$REPO/bindings/python/tenios.egg-info"' EXIT

# --- the sdist, then the wheel from it (python -m build does both, in that order) ------------
say "building the sdist and, from it, the wheel for glibc $GLIBC (cargo target dir $TARGET_DIR)"
started=$(date +%s)
CARGO=cargo-zigbuild CARGO_BUILD_TARGET=$ARCH-unknown-linux-gnu.$GLIBC \
    CARGO_TARGET_DIR=$TARGET_DIR \
    python -m build --no-isolation --outdir "$RAW" "$REPO" >"$RAW/build.log" 2>&1 || {
    tail -n 40 "$RAW/build.log" >&2
    say "FAILED: python -m build (log above)" >&2
    exit 1
}
say "built in $(( $(date +%s) - started )) s"

# --- manylinux: auditwheel checks the policy and retags --------------------------------------
shopt -s nullglob
raw_wheels=("$RAW"/*.whl)
[[ ${#raw_wheels[@]} -eq 1 ]] || { say "expected one wheel, got ${raw_wheels[*]:-none}" >&2; exit 1; }
auditwheel repair --plat "$POLICY" --wheel-dir "$OUT" "${raw_wheels[0]}" >"$RAW/repair.log" 2>&1 || {
    cat "$RAW/repair.log" >&2
    say "FAILED: auditwheel repair --plat $POLICY" >&2
    exit 1
}
cp "$RAW"/*.tar.gz "$OUT/"
for wheel in "$OUT"/*.whl; do
    auditwheel show "$wheel"
done
twine check --strict "$OUT"/*
ls -l "$OUT"
