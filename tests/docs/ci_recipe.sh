#!/usr/bin/env bash
# The simulator's CI recipe (docs/simulator.md, "In CI") run as written: its four ```sh blocks
# that start with "# step N:", each in a shell of its own, with tenios-sim on the PATH. Step 1's
# shell exits while the simulator keeps serving; steps 2 and 3 use it from other shells; step 4
# stops it. Exits 1 on any difference.
#
#   TENIOS_SIM=target/release/tenios-sim tests/docs/ci_recipe.sh

set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
PYTHON=${PYTHON:-python3}
[[ -x $SIM ]] || { echo "ci_recipe.sh: $SIM is missing: run make build" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tenios-ci.XXXXXX")
cleanup() {
    # Never leak the simulator, whatever failed.
    if [[ -s $WORK/sim.pid ]]; then kill "$(cat "$WORK/sim.pid")" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The blocks, one file each: step-1.sh ... step-4.sh.
"$PYTHON" - "$ROOT/docs/simulator.md" "$WORK" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
steps = re.findall(r"```sh\n(# step (\d+):.*?)```", text, re.S)
if [n for _, n in steps] != ["1", "2", "3", "4"]:
    sys.exit(f"ci_recipe.sh: expected steps 1 to 4 in docs/simulator.md, found {[n for _, n in steps]}")
for code, n in steps:
    open(f"{sys.argv[2]}/step-{n}.sh", "w", encoding="utf-8").write(code)
PY

fail() { echo "ci_recipe.sh: $*" >&2; exit 1; }
# A separate shell per step, as a CI runner gives; only PATH is shared.
run_step() { (cd "$WORK" && PATH="$(dirname "$SIM"):$PATH" bash -e "step-$1.sh"); }

# Step 1 returns although the simulator it started keeps running (its stdout is a file).
timeout 10 bash -c "$(declare -f run_step); WORK='$WORK' SIM='$SIM' run_step 1" ||
    fail "step 1 did not return"
PID=$(cat "$WORK/sim.pid")
run_step 2 || fail "step 2 failed"
sleep 1   # two rounds of a parent watch, had the simulator kept one
kill -0 "$PID" 2>/dev/null || fail "the simulator (pid $PID) did not outlive step 1's shell"

out=$(run_step 3) || fail "step 3 failed: $out"
expected='{"success":true}
["c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"]'
[[ $out == "$expected" ]] || fail "step 3 printed:
$out
expected:
$expected"

run_step 4 || fail "step 4 failed"
for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PID" 2>/dev/null && fail "the simulator (pid $PID) is still running after step 4"
rm -f "$WORK/sim.pid"
echo "ci_recipe.sh: the 4 steps of docs/simulator.md work across shells"
