#!/usr/bin/env bash
# `make demo`: shows the C and Python examples against a local simulator.
#
# Starts target/release/tenios-sim with a known access key, one call whose
# block can be interrupted and one whose block cannot, then runs each example
# three times: on the interruptible call (succeeds, exit 0), on an unknown
# call (fails, exit 1) and on the stuck call (fails, exit 1).  The examples:
# tenios-interrupt (the one-call C API), tenios-client-example (the C handle
# API: a client with options, errors as objects) and the Python one.
#
# Then a scripted call, once in C (tenios-call-demo) and once in Python
# (call_demo.py, with tenios.AsyncClient): interrupt the loop the caller waits
# in, start a recording, transfer the call to an agent, stop the recording;
# each followed by the simulator's view of the call (GET /_sim/calls/<uuid>).
# Here the simulator does not play the webhook that would put the interrupted caller
# through to an agent, so it gets a second call that is already connected.
# The simulator is stopped on exit, also when something fails.
#
# Last, the whole Call Control loop with a webhook (bindings/c/webhook-demo.sh): the
# example webhook answers with an announcement loop, tenios-interrupt interrupts it, the
# simulator (--webhook) asks the webhook again, and the webhook bridges the caller to an
# agent; the call's timeline is printed.
#
# Then a click-to-call (bindings/c/click-to-call-demo.sh): build/tenios-click-to-call starts
# it, the call reaches the TENIOS number's Call Control, the webhook answers (request 0
# carries the click-to-call's id), /makecall/status shows it CONNECTED, an interrupt puts the
# customer through to an agent.
#
# Environment (optional): TENIOS_SIM, TENIOS_EXAMPLE (the built C example),
# TENIOS_CLIENT_EXAMPLE (the built C handle API example), TENIOS_CALL_DEMO
# (the built C call demo), TENIOS_CLICK_TO_CALL (the built click-to-call example),
# TENIOS_CPP_EXAMPLE (the C++ example), TENIOS_LIBRARY
# (libtenios.so for the Python binding), TENIOS_WEBHOOK_SERVER (the built C
# webhook example), PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
EXAMPLE=${TENIOS_EXAMPLE:-$ROOT/build/tenios-interrupt}
CLIENT_EXAMPLE=${TENIOS_CLIENT_EXAMPLE:-$ROOT/build/tenios-client-example}
CALL_DEMO=${TENIOS_CALL_DEMO:-$ROOT/build/tenios-call-demo}
CPP_EXAMPLE=${TENIOS_CPP_EXAMPLE:-$ROOT/build/tenios-interrupt-cpp}
PYTHON=${PYTHON:-python3}
export TENIOS_LIBRARY=${TENIOS_LIBRARY:-${CARGO_TARGET_DIR:-$ROOT/target}/release/libtenios.so}

KEY="demo-access-key"
CALL="5b0a8f2e-1c3d-4e6f-8a9b-0c1d2e3f4a5b"    # its block can be interrupted
STUCK="c7d8e9f0-a1b2-4c3d-9e4f-5a6b7c8d9e0f"   # its block cannot
UNKNOWN="00000000-0000-4000-8000-000000000000" # no such call
CONNECTED="e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b" # put through to an agent
AGENT="agent-7"                                 # the SIP user it is transferred to

step() { printf '\n==> %s\n' "$*"; }

for f in "$SIM" "$EXAMPLE" "$CLIENT_EXAMPLE" "$CALL_DEMO" "$CPP_EXAMPLE"; do
    if [[ ! -x $f ]]; then
        echo "demo: $f is missing (run \`make demo\`)" >&2
        exit 2
    fi
done

source "$ROOT/tests/lib/sim.sh"

step "starting the simulator: tenios-sim --access-key $KEY --call $CALL --stuck-call $STUCK --connected-call $CONNECTED"
start_sim "$SIM" --access-key "$KEY" --call "$CALL" --stuck-call "$STUCK" \
    --connected-call "$CONNECTED"
echo "simulator listening on $URL"

# Both examples read these two variables.
export TENIOS_API_URL=$URL
export TENIOS_ACCESS_KEY=$KEY

# expect_failure CMD...: runs a command that is meant to fail, and checks
# that it did so with exit status 1 (not 0, not a crash).
expect_failure() {
    local rc=0
    "$@" || rc=$?
    if [[ $rc != 1 ]]; then
        echo "demo: expected exit status 1, got $rc: $*" >&2
        exit 1
    fi
    echo "(exit status 1, as expected)"
}

# three_calls LABEL CMD...: the interruptible call (succeeds), an unknown call and the stuck
# call (both fail with exit status 1).
three_calls() {
    local label=$1
    shift
    step "$label $CALL   (interruptible call: succeeds)"
    "$@" "$CALL"
    step "$label $UNKNOWN   (unknown call: fails)"
    expect_failure "$@" "$UNKNOWN"
    step "$label $STUCK   (block cannot be interrupted: fails)"
    expect_failure "$@" "$STUCK"
}

export PYTHONPATH="$ROOT/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
three_calls "C example: tenios-interrupt" "$EXAMPLE"
three_calls "C handle API example: tenios-client-example" "$CLIENT_EXAMPLE"
three_calls "C++ example: tenios-interrupt-cpp" "$CPP_EXAMPLE"
three_calls "Python example: interrupt.py" "$PYTHON" "$ROOT/bindings/python/examples/interrupt.py"
three_calls "Python Client example: client.py" "$PYTHON" "$ROOT/bindings/python/examples/client.py"

# sim_view UUID: the simulator's view of a call, indented.
sim_view() {
    "$PYTHON" - "$URL/_sim/calls/$1" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
    print(json.dumps(json.loads(response.read()), indent=2))
PY
}

# scripted_call LABEL CMD...: the scripted call from a fresh simulator state, then the
# simulator's view of both calls.
scripted_call() {
    local label=$1
    shift
    "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"{}", method="POST"), timeout=10)' "$URL/_sim/reset"
    step "$label $CALL $CONNECTED $AGENT   (interrupt, record, transfer, stop recording)"
    "$@" "$CALL" "$CONNECTED" "$AGENT"
    step "the simulator's view: GET /_sim/calls/$CALL   (the call that waited)"
    sim_view "$CALL"
    step "the simulator's view: GET /_sim/calls/$CONNECTED   (the call with the agent)"
    sim_view "$CONNECTED"
}

scripted_call "C call demo: tenios-call-demo" "$CALL_DEMO"
scripted_call "Python call demo (asyncio): call_demo.py" "$PYTHON" \
    "$ROOT/bindings/python/examples/call_demo.py"

step "the Call Control loop with a webhook: bindings/c/webhook-demo.sh"
TENIOS_SIM=$SIM TENIOS_EXAMPLE=$EXAMPLE PYTHON=$PYTHON "$ROOT/bindings/c/webhook-demo.sh"

step "a click-to-call through Call Control: bindings/c/click-to-call-demo.sh"
TENIOS_SIM=$SIM TENIOS_EXAMPLE=$EXAMPLE PYTHON=$PYTHON \
    TENIOS_CLICK_TO_CALL=${TENIOS_CLICK_TO_CALL:-$ROOT/build/tenios-click-to-call} \
    TENIOS_WEBHOOK_SERVER=${TENIOS_WEBHOOK_SERVER:-$ROOT/build/tenios-webhook-server} \
    "$ROOT/bindings/c/click-to-call-demo.sh"

step "demo finished (stopping the simulator)"
