#!/usr/bin/env bash
# Shows that the ABI gate (mk/abi-compare.sh, run by `make abi-check`) catches incompatible
# changes and lets additions through, on deliberately changed copies of an ABI dump.
#
#   tests/install/abi-gate.sh [DUMP]     (default: the committed baseline, abi/libtenios.abi)
#
# Each case edits a scratch copy (tests/install/abi_edit.py) and wants an exact verdict from
# mk/abi-compare.sh: exit 1 (incompatible) or exit 0 (compatible). An addition is the removal
# seen the other way round: OLD lacks the function or status that NEW has. Prints
# "N passed, M failed".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DUMP=${1:-$ROOT/abi/libtenios.abi}
COMPARE=$ROOT/mk/abi-compare.sh
EDIT=$ROOT/tests/install/abi_edit.py
PYTHON=${PYTHON:-python3}

if [[ ! -f $DUMP ]]; then
    echo "abi-gate.sh: $DUMP is missing (make abi-baseline)" >&2
    exit 2
fi
if ! command -v abidiff >/dev/null 2>&1; then
    echo "abi-gate.sh: abidiff is not installed (make deps)" >&2
    exit 2
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tenios-abi.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

PASSED=0
FAILED=0
# expect WANT_RC NAME OLD NEW
expect() {
    local want=$1 name=$2 old=$3 new=$4 rc=0
    "$COMPARE" "$old" "$new" >"$SCRATCH/out" 2>&1 || rc=$?
    if [[ $rc == "$want" ]]; then
        echo "ok   $name: exit $rc"
        PASSED=$((PASSED + 1))
    else
        echo "FAIL $name: exit $rc, expected $want; abi-compare said:"
        sed 's/^/     | /' "$SCRATCH/out"
        FAILED=$((FAILED + 1))
    fi
}

# make_edit EDIT: writes $SCRATCH/EDIT.abi, a copy of the dump with that change.
make_edit() {
    "$PYTHON" "$EDIT" "$1" "$DUMP" "$SCRATCH/$1.abi"
}

for e in remove-function param-u32-to-u64 return-u16-to-u32 renumber-status remove-last-status \
    grow-struct; do
    make_edit "$e"
done

expect 0 "the dump against itself passes" "$DUMP" "$DUMP"
expect 1 "a removed function (tenios_version) fails" "$DUMP" "$SCRATCH/remove-function.abi"
expect 1 "a changed parameter type (timeout u32 -> u64) fails" "$DUMP" "$SCRATCH/param-u32-to-u64.abi"
expect 1 "a changed return type (http status u16 -> u32) fails" "$DUMP" "$SCRATCH/return-u16-to-u32.abi"
expect 1 "a renumbered status (TENIOS_ERR_TIMEOUT 9 -> 99) fails" "$DUMP" "$SCRATCH/renumber-status.abi"
expect 1 "a removed status fails" "$DUMP" "$SCRATCH/remove-last-status.abi"
expect 1 "a changed struct (tenios_client grows) fails" "$DUMP" "$SCRATCH/grow-struct.abi"
expect 0 "an added function passes" "$SCRATCH/remove-function.abi" "$DUMP"
expect 0 "a status appended to the enum passes" "$SCRATCH/remove-last-status.abi" "$DUMP"

echo "abi-gate: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
