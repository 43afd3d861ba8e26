#!/usr/bin/env bash
# Starts tenios-sim, runs build/soak against it, stops it. Used by `make soak`.
set -euo pipefail
sim=${TENIOS_SIM:-target/release/tenios-sim}
soak=${SOAK_BIN:-build/soak}
key=soak-key
call=0b8f6a52-2c3d-4e5f-9a0b-1c2d3e4f5a6b
fifo=$(mktemp -u)
mkfifo "$fifo"
"$sim" --access-key "$key" --call "$call" >"$fifo" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; rm -f "$fifo"' EXIT
read -r line <"$fifo"
url=${line#listening on }
TENIOS_API_URL=$url TENIOS_ACCESS_KEY=$key SOAK_CALL_UUID=$call "$soak"
