#!/usr/bin/env bash
# Starts tenios-sim, runs build/soak against it, stops it. Used by `make soak`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tests/lib/sim.sh"
key=soak-key
call=0b8f6a52-2c3d-4e5f-9a0b-1c2d3e4f5a6b
start_sim "${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}" --access-key "$key" --call "$call"
TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$key SOAK_CALL_UUID=$call "${SOAK_BIN:-$ROOT/build/soak}"
