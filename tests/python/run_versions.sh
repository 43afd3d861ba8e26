#!/usr/bin/env bash
# `make test-python`: the Python tests (tests/python) on every Python from 3.9 to 3.13 that this
# machine has, each in its own virtual environment under build/python-venvs/<version> with
# pytest installed there (never into the machine's interpreter). A version whose interpreter is
# missing is a printed skip, not a failure.
#
#   TENIOS_LIBRARY, TENIOS_SIM   the library and simulator under test (set by the Makefile)
#   PYTHON_VERSIONS              the versions to try (default "3.9 3.10 3.11 3.12 3.13")
#   TENIOS_PYTHON_3_9 ...        an interpreter for a version (else pyenv's, then PATH's:
#                                tests/lib/python.sh)
#   VENV_ROOT                    where the environments live (default build/python-venvs)
#
# The environments are kept between runs: a second run installs nothing.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/tests/lib/python.sh"   # find_python, PYTHON_VERSIONS_SUPPORTED
VERSIONS=${PYTHON_VERSIONS:-$PYTHON_VERSIONS_SUPPORTED}
VENV_ROOT=${VENV_ROOT:-$REPO/build/python-venvs}
PYTEST_REQUIREMENT="pytest>=7"

# ensure_venv VERSION PYTHON: a venv with pytest for that version (made once, kept).
ensure_venv() {
    local version=$1 python=$2 venv=$VENV_ROOT/$1
    if "$venv/bin/python" -c 'import pytest' >/dev/null 2>&1; then
        return 0
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv" &&
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            "$PYTEST_REQUIREMENT"
}

ran=() skipped=() failed=()
for version in $VERSIONS; do
    if ! python=$(find_python "$version"); then
        echo "test-python: Python $version: SKIPPED (no interpreter: set TENIOS_PYTHON_${version//./_} or install it, e.g. with pyenv)"
        skipped+=("$version")
        continue
    fi
    if ! ensure_venv "$version" "$python"; then
        echo "test-python: Python $version: FAILED to make $VENV_ROOT/$version with pytest"
        failed+=("$version")
        continue
    fi
    echo "test-python: Python $version ($python), venv $VENV_ROOT/$version"
    if (cd "$REPO" && PYTHONPATH=$REPO/bindings/python \
        "$VENV_ROOT/$version/bin/python" -m pytest -q -p no:cacheprovider tests/python); then
        ran+=("$version")
    else
        failed+=("$version")
    fi
done

echo "test-python: passed on ${ran[*]:-none}; failed on ${failed[*]:-none}; skipped ${skipped[*]:-none}"
if [[ ${#failed[@]} -gt 0 || ${#ran[@]} -eq 0 ]]; then
    exit 1
fi
