#!/usr/bin/env bash
# A click-to-call end to end (run by `make demo` through demo.sh):
#
#   1. the example webhook (bindings/c/tenios-webhook-server) serves the Call Control loop;
#   2. tenios-sim --webhook plays TENIOS, with the TENIOS number +4922112345678;
#   3. build/tenios-click-to-call starts the call (/makecall/init): the simulated destination
#      answers, the call reaches the TENIOS number, whose routing plan runs Call Control:
#      request 0 (with variables.callback_id and callback_bleg_uuid) goes to the webhook,
#      which answers with the waiting loop; /makecall/status says CONNECTED;
#   4. tenios-interrupt ends the loop; the webhook bridges the call to the agent;
#   5. the call's timeline in the simulator, and the click-to-calls it started.
#
# Environment (optional): TENIOS_SIM, TENIOS_EXAMPLE (build/tenios-interrupt),
# TENIOS_CLICK_TO_CALL (build/tenios-click-to-call), TENIOS_WEBHOOK_SERVER, PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
EXAMPLE=${TENIOS_EXAMPLE:-$ROOT/build/tenios-interrupt}
CLICK_TO_CALL=${TENIOS_CLICK_TO_CALL:-$ROOT/build/tenios-click-to-call}
WEBHOOK_SERVER=${TENIOS_WEBHOOK_SERVER:-$ROOT/build/tenios-webhook-server}
PYTHON=${PYTHON:-python3}
LOOP="$ROOT/tests/lib/webhook_loop.py"

KEY="demo-access-key"
WEBHOOK_KEY="demo-webhook-key"
AGENT="agent-7"
CUSTOMER="+491701234567"
TENIOS_NUMBER="+4922112345678"

step() { printf '\n==> %s\n' "$*"; }

for f in "$SIM" "$EXAMPLE" "$CLICK_TO_CALL" "$WEBHOOK_SERVER"; do
    if [[ ! -x $f ]]; then
        echo "click-to-call-demo: $f is missing (run \`make demo\`)" >&2
        exit 2
    fi
done

source "$ROOT/tests/lib/sim.sh"
source "$ROOT/tests/lib/webhook.sh"

step "the example webhook: TENIOS_WEBHOOK_KEY=$WEBHOOK_KEY TENIOS_WEBHOOK_AGENT=$AGENT tenios-webhook-server"
start_webhook "$WEBHOOK_KEY" "$AGENT" "$WEBHOOK_SERVER"
echo "webhook listening on $WEBHOOK_URL"

step "tenios-sim --webhook $WEBHOOK_URL --webhook-key $WEBHOOK_KEY   (its TENIOS number: $TENIOS_NUMBER)"
start_sim "$SIM" --access-key "$KEY" --webhook "$WEBHOOK_URL" --webhook-key "$WEBHOOK_KEY"
echo "simulator listening on $URL"

step "the CRM's click-to-call: tenios-click-to-call $CUSTOMER $TENIOS_NUMBER"
TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY "$CLICK_TO_CALL" "$CUSTOMER" "$TENIOS_NUMBER"

# The call the click-to-call made, as the simulator shows it (GET /_sim/callbacks).
CALL=$("$PYTHON" -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/callbacks", timeout=10))[0]["call_uuid"])' "$URL")
"$PYTHON" "$LOOP" wait "$URL" "$CALL" running=ANNOUNCEMENT
step "request 0 carried the click-to-call's id; the customer waits in the webhook's loop:"
"$PYTHON" "$LOOP" show "$URL" "$CALL"

step "an agent is free: tenios-interrupt $CALL"
TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY "$EXAMPLE" "$CALL"
"$PYTHON" "$LOOP" wait "$URL" "$CALL" state=connected
step "the webhook bridged the customer to $AGENT; the whole timeline (GET /_sim/calls/$CALL):"
"$PYTHON" "$LOOP" show "$URL" "$CALL"
"$PYTHON" "$LOOP" check "$URL" "$CALL" "$WEBHOOK_KEY" "$AGENT"

step "click-to-call finished (stopping the webhook and the simulator)"
