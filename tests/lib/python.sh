# Sourced by the Python test scripts: find an interpreter of a given minor version.
#
#   source tests/lib/python.sh
#   python=$(find_python 3.9) || echo "no Python 3.9"
#
# The order: $TENIOS_PYTHON_3_9 (for 3.9), a pyenv install ($PYENV_ROOT, else ~/.pyenv:
# versions/3.9.*/bin/python3.9), then python3.9 on PATH. A candidate counts only if it runs,
# is that version and has the venv module (a pyenv shim for an uninstalled version does not).

PYTHON_VERSIONS_SUPPORTED="3.9 3.10 3.11 3.12 3.13"

find_python() {
    local version=$1 override candidate root=${PYENV_ROOT:-$HOME/.pyenv}
    override=TENIOS_PYTHON_${version//./_}
    if [[ -n ${!override:-} ]]; then
        echo "${!override}"
        return 0
    fi
    for candidate in "$root"/versions/"$version".*/bin/python"$version" \
        "$(command -v "python$version" 2>/dev/null)"; do
        if [[ -x $candidate ]] && "$candidate" -c 'import sys, venv
assert "%d.%d" % sys.version_info[:2] == sys.argv[1]' "$version" >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
