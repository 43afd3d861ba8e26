# Sourced by the shell test and demo scripts: start a tenios-sim for this script and stop it
# when the script ends, whatever happens.
#
#   source tests/lib/sim.sh
#   start_sim "$SIM" --access-key KEY --call UUID ...   # sets URL and SIM_PID
#
# Also makes $TMP, a scratch directory removed on exit.

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tenios.XXXXXX")
SIM_PID=
URL=
_stop_sim() {
    if [[ -n $SIM_PID ]]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap _stop_sim EXIT
trap 'exit 130' INT TERM

# start_sim SIM ARGS...: starts the simulator and waits (at most 10 s) for its one line,
# "listening on http://127.0.0.1:PORT"; exits the script when it does not come.
start_sim() {
    local sim=$1 line
    shift
    "$sim" "$@" >"$TMP/sim.out" 2>"$TMP/sim.err" &
    SIM_PID=$!
    for _ in $(seq 1 200); do
        if line=$(grep -m1 -E '^listening on https?://127\.0\.0\.1:[0-9]+$' "$TMP/sim.out" 2>/dev/null); then
            URL=${line#listening on }
            return 0
        fi
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "$(basename "$0"): the simulator did not start; its output:" >&2
    cat "$TMP/sim.out" "$TMP/sim.err" >&2
    exit 1
}
