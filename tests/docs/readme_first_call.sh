#!/usr/bin/env bash
# The README's first call in C, as written: its ```c block saved as first-call.c, then its two
# ```sh blocks (the build, then "Point a program at the simulator") run in the checkout exactly
# as a reader would type them, CARGO_TARGET_DIR unset as on a fresh clone. Checks what the
# program prints for a known and an unknown call, and that the simulator is gone afterwards.
# Files the reader would create (first-call.c, first-call, sim.address, sim.log) are removed.

set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
cd "$ROOT"
MADE=(first-call.c first-call sim.address sim.log)
for f in "${MADE[@]}"; do
    [[ -e $f ]] && { echo "readme_first_call.sh: $ROOT/$f exists; move it away first" >&2; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tenios-first-call.XXXXXX")
trap 'rm -rf "$WORK"; rm -f "${MADE[@]}"' EXIT
fail() { echo "readme_first_call.sh: $*" >&2; exit 1; }

"$PYTHON" - README.md "$WORK" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
def section(title):
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        sys.exit(f"readme_first_call.sh: README.md has no section {title!r}")
    return m.group(1)
c = re.findall(r"```c\n(.*?)```", section("A first call in C"), re.S)
build = re.findall(r"```sh\n(.*?)```", section("A first call in C"), re.S)
run = re.findall(r"```sh\n(.*?)```", section("Point a program at the simulator"), re.S)
if len(c) != 1 or len(build) != 1 or len(run) != 1:
    sys.exit("readme_first_call.sh: expected one C and one sh block in 'A first call in C' "
             "and one sh block in 'Point a program at the simulator'")
open("first-call.c", "w", encoding="utf-8").write(c[0])
open(sys.argv[2] + "/build.sh", "w", encoding="utf-8").write(c and build[0])
open(sys.argv[2] + "/run.sh", "w", encoding="utf-8").write(run[0])
PY

env -u CARGO_TARGET_DIR bash -e "$WORK/build.sh" >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log"; fail "the README's build commands failed"; }
[[ -x first-call ]] || fail "the build commands made no ./first-call"

# The run block as a reader's shell would take it: one line after the other, not stopping at the
# unknown call's exit status 1. The simulator it starts must be gone when it ends (kill %1).
env -u CARGO_TARGET_DIR -u TENIOS_API_URL -u TENIOS_ACCESS_KEY \
    timeout 30 bash "$WORK/run.sh" >"$WORK/run.out" 2>&1
out=$(cat "$WORK/run.out")
expected="interrupted
TENIOS_ERR_CALL_UUID_NOT_FOUND: CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the uuid 00000000-0000-4000-8000-000000000000: the call may have ended (the caller hung up or it was transferred away), or the uuid is wrong"
[[ $out == "$expected"* ]] || fail "the README's run block printed:
$out
expected it to start with:
$expected"
port=$(sed -n 's|^http://127.0.0.1:\([0-9]*\)$|\1|p' sim.address)
[[ -n $port ]] || fail "sim.address does not hold the simulator's URL: $(cat sim.address)"
sleep 0.5
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "the simulator still listens on port $port after the README's kill %1"
fi
echo "readme_first_call.sh: the README's first call in C builds, runs and stops as written"
