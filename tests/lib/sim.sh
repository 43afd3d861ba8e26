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

# wait_listening WHAT PID NAME: waits (at most 10 s) for the process PID, whose output is in
# $TMP/NAME.out and $TMP/NAME.err, to print "listening on http(s)://127.0.0.1:PORT", and sets
# LISTENING_URL; exits the script, showing the output, when it does not come.
wait_listening() {
    local what=$1 pid=$2 name=$3 line
    for _ in $(seq 1 200); do
        if line=$(grep -m1 -E '^listening on https?://127\.0\.0\.1:[0-9]+$' "$TMP/$name.out" 2>/dev/null); then
            LISTENING_URL=${line#listening on }
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "$(basename "$0"): $what did not start; its output:" >&2
    cat "$TMP/$name.out" "$TMP/$name.err" >&2
    exit 1
}

# start_sim SIM ARGS...: starts the simulator and waits for its one line; sets URL and SIM_PID.
# --follow-parent: a script killed before its trap runs leaves no simulator behind.
start_sim() {
    local sim=$1
    shift
    "$sim" --follow-parent "$@" >"$TMP/sim.out" 2>"$TMP/sim.err" &
    SIM_PID=$!
    wait_listening "the simulator" "$SIM_PID" sim
    URL=$LISTENING_URL
}
