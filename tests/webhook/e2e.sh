#!/usr/bin/env bash
# End to end: tenios-sim drives an example Call Control webhook through request 0, an
# interrupt by the C program build/tenios-interrupt (the real library), and the next request.
#
#   tests/webhook/e2e.sh SERVER_COMMAND [ARGS...]     (normally through `make test-webhook`)
#
# The server (bindings/c/tenios-webhook-server, or python3 bindings/python/examples/
# webhook_server.py) gets TENIOS_WEBHOOK_KEY and TENIOS_WEBHOOK_AGENT and must print
# "listening on http://127.0.0.1:PORT". Then: a simulator with --webhook and a call that
# enters Call Control at launch; request 0 must be answered with an ANNOUNCEMENT; the C
# example interrupts it; request 1 must bring a BRIDGE to the agent, which connects the call.
# tests/lib/webhook_loop.py asserts the call's whole timeline. Both processes are stopped on
# exit, whatever happens.
#
# Environment (optional): TENIOS_SIM, TENIOS_EXAMPLE (build/tenios-interrupt), PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
INTERRUPT=${TENIOS_EXAMPLE:-$ROOT/build/tenios-interrupt}
PYTHON=${PYTHON:-python3}
LOOP="$ROOT/tests/lib/webhook_loop.py"

if [[ $# -eq 0 ]]; then
    echo "usage: $0 SERVER_COMMAND [ARGS...]" >&2
    exit 2
fi
for f in "$SIM" "$INTERRUPT"; do
    if [[ ! -x $f ]]; then
        echo "e2e.sh: $f is missing (run \`make test-webhook\`)" >&2
        exit 2
    fi
done

source "$ROOT/tests/lib/sim.sh"
source "$ROOT/tests/lib/webhook.sh"

KEY="e2e-access-key-$$"
WEBHOOK_KEY="e2e-webhook-key-$$-$RANDOM"
AGENT="agent-7"
CALL="6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"

start_webhook "$WEBHOOK_KEY" "$AGENT" "$@"
echo "webhook ($*): $WEBHOOK_URL"
start_sim "$SIM" --access-key "$KEY" --webhook "$WEBHOOK_URL" --webhook-key "$WEBHOOK_KEY" \
    --call-control-call "$CALL"
echo "simulator: $URL"

"$PYTHON" "$LOOP" wait "$URL" "$CALL" running=ANNOUNCEMENT
TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY "$INTERRUPT" "$CALL"
"$PYTHON" "$LOOP" wait "$URL" "$CALL" state=connected
"$PYTHON" "$LOOP" show "$URL" "$CALL"
"$PYTHON" "$LOOP" check "$URL" "$CALL" "$WEBHOOK_KEY" "$AGENT"
