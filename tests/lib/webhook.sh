# Sourced after tests/lib/sim.sh by scripts that run an example Call Control webhook:
#
#   start_webhook KEY AGENT COMMAND [ARGS...]   # sets WEBHOOK_URL and WEBHOOK_PID
#
# The server gets TENIOS_WEBHOOK_KEY=KEY and TENIOS_WEBHOOK_AGENT=AGENT, must print
# "listening on http://127.0.0.1:PORT", and is stopped when the script ends (before the
# simulator).

WEBHOOK_PID=
WEBHOOK_URL=
_stop_webhook() {
    if [[ -n $WEBHOOK_PID ]]; then
        kill "$WEBHOOK_PID" 2>/dev/null || true
        wait "$WEBHOOK_PID" 2>/dev/null || true
    fi
    _stop_sim
}
trap _stop_webhook EXIT

start_webhook() {
    local key=$1 agent=$2 line
    shift 2
    TENIOS_WEBHOOK_KEY=$key TENIOS_WEBHOOK_AGENT=$agent "$@" \
        >"$TMP/webhook.out" 2>"$TMP/webhook.err" &
    WEBHOOK_PID=$!
    for _ in $(seq 1 200); do
        if line=$(grep -m1 -E '^listening on http://127\.0\.0\.1:[0-9]+' "$TMP/webhook.out" 2>/dev/null); then
            WEBHOOK_URL=${line#listening on }
            return 0
        fi
        kill -0 "$WEBHOOK_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "$(basename "$0"): the webhook server did not start; its output:" >&2
    cat "$TMP/webhook.out" "$TMP/webhook.err" >&2
    exit 1
}
