#!/usr/bin/env bash
# `make demo`: shows the C and Python examples against a local simulator.
#
# Starts target/release/tenios-sim with a known access key, one call whose
# block can be interrupted and one whose block cannot, then runs each example
# three times: on the interruptible call (succeeds, exit 0), on an unknown
# call (fails, exit 1) and on the stuck call (fails, exit 1).  The examples:
# tenios-interrupt (the one-call C API), tenios-client-example (the C handle
# API: a client with options, errors as objects) and the Python one.  The
# simulator is stopped on exit, also when something fails.
#
# Environment (optional): TENIOS_SIM, TENIOS_EXAMPLE (the built C example),
# TENIOS_CLIENT_EXAMPLE (the built C handle API example), TENIOS_CPP_EXAMPLE
# (the C++ example), TENIOS_LIBRARY
# (libtenios.so for the Python binding), PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
EXAMPLE=${TENIOS_EXAMPLE:-$ROOT/build/tenios-interrupt}
CLIENT_EXAMPLE=${TENIOS_CLIENT_EXAMPLE:-$ROOT/build/tenios-client-example}
CPP_EXAMPLE=${TENIOS_CPP_EXAMPLE:-$ROOT/build/tenios-interrupt-cpp}
PYTHON=${PYTHON:-python3}
export TENIOS_LIBRARY=${TENIOS_LIBRARY:-${CARGO_TARGET_DIR:-$ROOT/target}/release/libtenios.so}

KEY="demo-access-key"
CALL="5b0a8f2e-1c3d-4e6f-8a9b-0c1d2e3f4a5b"    # its block can be interrupted
STUCK="c7d8e9f0-a1b2-4c3d-9e4f-5a6b7c8d9e0f"   # its block cannot
UNKNOWN="00000000-0000-4000-8000-000000000000" # no such call

step() { printf '\n==> %s\n' "$*"; }

for f in "$SIM" "$EXAMPLE" "$CLIENT_EXAMPLE" "$CPP_EXAMPLE"; do
    if [[ ! -x $f ]]; then
        echo "demo: $f is missing (run \`make demo\`)" >&2
        exit 2
    fi
done

source "$ROOT/tests/lib/sim.sh"

step "starting the simulator: tenios-sim --access-key $KEY --call $CALL --stuck-call $STUCK"
start_sim "$SIM" --access-key "$KEY" --call "$CALL" --stuck-call "$STUCK"
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

step "demo finished (stopping the simulator)"
