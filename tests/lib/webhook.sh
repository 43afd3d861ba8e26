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
    local key=$1 agent=$2
    shift 2
    TENIOS_WEBHOOK_KEY=$key TENIOS_WEBHOOK_AGENT=$agent "$@" \
        >"$TMP/webhook.out" 2>"$TMP/webhook.err" &
    WEBHOOK_PID=$!
    wait_listening "the webhook server" "$WEBHOOK_PID" webhook
    WEBHOOK_URL=$LISTENING_URL
}
