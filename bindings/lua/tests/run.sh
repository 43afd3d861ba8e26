#!/usr/bin/env bash
# make test-lua: the Lua module's tests (test_tenios.lua, test_contact_center.lua) and the
# PBX examples' tests (examples.lua) under every Lua built by `make lua`, against one
# tenios-sim; then the module's tests once more under valgrind with Lua 5.4 (any error or
# definite leak fails).
#
# Environment: TENIOS_SIM, LUA_BUILD_DIR (build/lua, with <lua>/tenios.so), LUA_VERSIONS
# (e.g. "lua5.1 lua5.2 lua5.3 lua5.4 luajit"), VALGRIND (default valgrind).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SIM=${TENIOS_SIM:?TENIOS_SIM is not set}
LUA_BUILD_DIR=${LUA_BUILD_DIR:?LUA_BUILD_DIR is not set}
read -r -a VERSIONS <<<"${LUA_VERSIONS:?LUA_VERSIONS is not set}"
VALGRIND=${VALGRIND:-valgrind}

source "$ROOT/tests/lib/sim.sh"

command -v curl >/dev/null || { echo "run.sh: curl is needed (apt-get install curl)" >&2; exit 2; }

export TENIOS_TEST_KEY="lua-test-key-$$-$RANDOM"
export TENIOS_TEST_SUPERVISOR_KEY="lua-supervisor-key-$$-$RANDOM"
export TENIOS_TEST_CALL="3f2b8c1e-7a4d-4e59-9b61-0c8d2e7f5a14"
export TENIOS_TEST_STUCK="9c4e1a7b-2d3f-4b8a-a6c5-e1f07d92b3c8"
export TENIOS_TEST_CONNECTED="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
export TENIOS_TEST_BLACKLISTED="+4930999999"
export TENIOS_TEST_TENIOS_NUMBER="+4930555000111"
export TENIOS_TEST_CALLBACK_CONFIG="lua-callback-config"
export TENIOS_TEST_AGENT="agent.ready@example.com"
export TENIOS_TEST_WRAP_UP_AGENT="agent.wrapup@example.com"
export TENIOS_TEST_UNREACHABLE="+4930555000999"
start_sim "$SIM" --access-key "$TENIOS_TEST_KEY" --supervisor-key "$TENIOS_TEST_SUPERVISOR_KEY" \
    --call "$TENIOS_TEST_CALL" --stuck-call "$TENIOS_TEST_STUCK" \
    --connected-call "$TENIOS_TEST_CONNECTED" --blacklist "$TENIOS_TEST_BLACKLISTED" \
    --tenios-number "$TENIOS_TEST_TENIOS_NUMBER" --callback-config "$TENIOS_TEST_CALLBACK_CONFIG" \
    --agent "$TENIOS_TEST_AGENT" --wrap-up-agent "$TENIOS_TEST_WRAP_UP_AGENT" \
    --unreachable "$TENIOS_TEST_UNREACHABLE"
export TENIOS_API_URL=$URL
# A loopback port nothing listens on (bound, then closed).
CLOSED_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TENIOS_TEST_CLOSED_URL="http://127.0.0.1:$CLOSED_PORT"
echo "simulator: $URL"

PASSED=0
FAILED=0
# run_script LABEL LOG COMMAND...: runs a test script, shows its output, adds its summary line.
run_script() {
    local label=$1 log=$2 rc=0 summary
    shift 2
    echo "== $label"
    "$@" >"$log" 2>&1 || rc=$?
    cat "$log"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 || true)
    if [[ -z $summary ]]; then
        echo "   (no summary line: the interpreter crashed or was killed; exit $rc)"
        FAILED=$((FAILED + 1))
        return
    fi
    PASSED=$((PASSED + ${summary%% passed*}))
    local failed=${summary#*, }
    failed=${failed%% failed}
    [[ $rc != 0 && $failed == 0 ]] && failed=1
    FAILED=$((FAILED + failed))
}

for lua in "${VERSIONS[@]}"; do
    export LUA_CPATH="$LUA_BUILD_DIR/$lua/?.so"
    export LUA_PATH="$HERE/?.lua;$ROOT/bindings/lua/examples/?.lua"
    run_script "$lua: test_tenios.lua" "$TMP/$lua.out" "$lua" "$HERE/test_tenios.lua"
    run_script "$lua: test_contact_center.lua" "$TMP/$lua-cc.out" "$lua" \
        "$HERE/test_contact_center.lua"
    run_script "$lua: examples.lua" "$TMP/$lua-examples.out" "$lua" "$HERE/examples.lua"
done

# valgrind: with Lua 5.4 when it was built, else the first Lua.
VG_LUA=${VERSIONS[0]}
for lua in "${VERSIONS[@]}"; do [[ $lua == lua5.4 ]] && VG_LUA=lua5.4; done
if command -v "$VALGRIND" >/dev/null; then
    export LUA_CPATH="$LUA_BUILD_DIR/$VG_LUA/?.so"
    # Rust's std keeps some data until exit ("still reachable", "possibly lost"): only
    # definite leaks and errors fail.
    for script in test_tenios test_contact_center; do
        run_script "$VG_LUA under valgrind: $script.lua" "$TMP/vg-$script.out" \
            "$VALGRIND" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite --num-callers=40 --log-file="$TMP/vg-$script.log" \
            "$VG_LUA" "$HERE/$script.lua"
        if ! grep -q 'ERROR SUMMARY: 0 errors' "$TMP/vg-$script.log"; then
            echo "   valgrind: errors or definite leaks; its log:"
            sed 's/^/   | /' "$TMP/vg-$script.log"
            FAILED=$((FAILED + 1))
        else
            echo "   valgrind: $(grep -m1 -o 'ERROR SUMMARY:.*' "$TMP/vg-$script.log")"
        fi
    done
else
    echo "run.sh: valgrind is not installed (make deps)" >&2
    FAILED=$((FAILED + 1))
fi

echo
echo "test-lua: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
