#!/usr/bin/env bash
# The ABI gate's verdict: compares two libabigail dumps (abidw) of libtenios.
#
#   mk/abi-compare.sh OLD.abi NEW.abi      (`make abi-check`: the baseline and this build)
#
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 "the ABIs differ", 8 "an
# incompatible change" (libabigail counts only removed functions and variables there). A
# changed signature, enum value or struct only sets 4, and so does an added function, so the
# verdict also reads abidiff's summary lines: anything Removed or Changed fails; only Added
# passes. Harmless changes (a new enumerator at the end, a type renamed by moving Rust code
# between modules) are filtered out by abidiff itself and are not counted as Changed.
set -uo pipefail

if (($# != 2)); then
    echo "usage: $0 OLD.abi NEW.abi" >&2
    exit 2
fi
old=$1 new=$2
report=$(abidiff --no-default-suppression "$old" "$new" 2>&1)
rc=$?

# e.g. "Functions changes summary: 0 Removed, 1 Changed (11 filtered out), 0 Added functions"
#      "Function symbols changes summary: 1 Removed, 0 Added function symbol not referenced ..."
bad=$(grep -E 'summary: ' <<<"$report" | grep -E '[1-9][0-9]* (Removed|Changed)' || true)

if ((rc & 3)); then
    echo "abi-compare: abidiff failed (exit $rc):"
    echo "$report"
    exit 2
fi
if ((rc & 8)) || [[ -n $bad ]]; then
    echo "abi-compare: INCOMPATIBLE ABI change from $old to $new (abidiff exit $rc):"
    echo "$report" | sed 's/^/  | /'
    echo "abi-compare: a removed function, a changed signature, enum value or struct breaks" \
         "programs built against the old library. Undo it, or make it a new major version" \
         "(docs/versions.md, docs/releasing.md) and run \`make abi-baseline\`."
    exit 1
fi
if ((rc & 4)); then
    echo "abi-compare: compatible additions only (abidiff exit $rc):"
    echo "$report" | sed 's/^/  | /'
else
    echo "abi-compare: no ABI change from $old"
fi
exit 0
