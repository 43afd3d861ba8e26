#!/usr/bin/env bash
# The Call Control loop end to end (run by `make demo` through demo.sh):
#
#   1. an example webhook serves the loop (bindings/c/tenios-webhook-server, or the Python
#      one, bindings/python/examples/webhook_server.py, when the C one is not built);
#   2. tenios-sim --webhook plays TENIOS: a call enters Call Control, request 0 goes to the
#      webhook, which answers with an ANNOUNCEMENT (the waiting loop);
#   3. the C program build/tenios-interrupt interrupts that block (the real library);
#   4. the simulator asks the webhook again (loopCount 1), which bridges the caller to the
#      agent's SIP account: the call is connected;
#   5. the call's timeline in the simulator, step by step, and the webhook's log.
#
# Environment (optional): TENIOS_SIM, TENIOS_EXAMPLE (build/tenios-interrupt),
# TENIOS_WEBHOOK_SERVER (the built C webhook example), TENIOS_LIBRARY, PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
EXAMPLE=${TENIOS_EXAMPLE:-$ROOT/build/tenios-interrupt}
WEBHOOK_SERVER=${TENIOS_WEBHOOK_SERVER:-$ROOT/build/tenios-webhook-server}
PY_WEBHOOK="$ROOT/bindings/python/examples/webhook_server.py"
PYTHON=${PYTHON:-python3}
export TENIOS_LIBRARY=${TENIOS_LIBRARY:-${CARGO_TARGET_DIR:-$ROOT/target}/release/libtenios.so}
export PYTHONPATH="$ROOT/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
LOOP="$ROOT/tests/lib/webhook_loop.py"

KEY="demo-access-key"
WEBHOOK_KEY="demo-webhook-key"
AGENT="agent-7"
CALL="2c9e4b1a-5d6f-4a7b-8c9d-0e1f2a3b4c5d"

step() { printf '\n==> %s\n' "$*"; }

if [[ -x $WEBHOOK_SERVER ]]; then
    SERVER=("$WEBHOOK_SERVER")
elif [[ -f $PY_WEBHOOK ]]; then
    SERVER=("$PYTHON" "$PY_WEBHOOK")
else
    step "the webhook loop: skipped (no example webhook in this checkout yet: it comes with" \
        "the library's webhook side, bindings/c/tenios-webhook-server.c)"
    exit 0
fi
for f in "$SIM" "$EXAMPLE"; do
    if [[ ! -x $f ]]; then
        echo "webhook-demo: $f is missing (run \`make demo\`)" >&2
        exit 2
    fi
done

source "$ROOT/tests/lib/sim.sh"
source "$ROOT/tests/lib/webhook.sh"

step "the example webhook: TENIOS_WEBHOOK_KEY=$WEBHOOK_KEY TENIOS_WEBHOOK_AGENT=$AGENT ${SERVER[*]##*/}"
start_webhook "$WEBHOOK_KEY" "$AGENT" "${SERVER[@]}"
echo "webhook listening on $WEBHOOK_URL"

step "tenios-sim --webhook $WEBHOOK_URL --webhook-key $WEBHOOK_KEY --call-control-call $CALL"
start_sim "$SIM" --access-key "$KEY" --webhook "$WEBHOOK_URL" --webhook-key "$WEBHOOK_KEY" \
    --call-control-call "$CALL"
echo "simulator listening on $URL; the call enters Call Control: request 0 goes to the webhook"
"$PYTHON" "$LOOP" wait "$URL" "$CALL" running=ANNOUNCEMENT
step "the caller waits in the announcement loop the webhook answered with:"
"$PYTHON" "$LOOP" show "$URL" "$CALL"

step "an agent is free: TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY tenios-interrupt $CALL"
TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY "$EXAMPLE" "$CALL"
"$PYTHON" "$LOOP" wait "$URL" "$CALL" state=connected

step "the simulator asked the webhook again; the whole timeline (GET /_sim/calls/$CALL):"
"$PYTHON" "$LOOP" show "$URL" "$CALL"
"$PYTHON" "$LOOP" check "$URL" "$CALL" "$WEBHOOK_KEY" "$AGENT"

step "the webhook's log:"
sed 's/^/  /' "$TMP/webhook.err"

step "webhook loop finished (stopping the webhook and the simulator)"
