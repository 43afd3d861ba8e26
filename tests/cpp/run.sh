#!/usr/bin/env bash
# Runs the C++ binding tests of libtenios against a local simulator.
#
#   tests/cpp/run.sh            (normally through `make test-cpp`)
#
# Starts target/release/tenios-sim on a free loopback port, exports
# TENIOS_API_URL and the test's key/calls, checks the example program
# (build/tenios-interrupt-cpp), then runs build/test_client_cpp once plainly
# and once under valgrind (failing on any valgrind error or definite leak).
# The simulator is killed on exit, whatever happens.  The last line is
# "N passed, M failed"; the exit status is 0 only when nothing failed.
#
# Environment (optional): BUILD_DIR (default build/), TENIOS_SIM (default
# target/release/tenios-sim), VALGRIND (default valgrind).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
VALGRIND=${VALGRIND:-valgrind}
TEST_BIN=$BUILD_DIR/test_client_cpp
WEBHOOK_BIN=$BUILD_DIR/test_webhook_cpp
EXAMPLE=$BUILD_DIR/tenios-interrupt-cpp

for f in "$SIM" "$TEST_BIN" "$WEBHOOK_BIN" "$EXAMPLE"; do
    if [[ ! -x $f ]]; then
        echo "run.sh: $f is missing (run \`make test-cpp\`)" >&2
        exit 2
    fi
done
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "run.sh: valgrind is not installed (run \`make deps\`)" >&2
    exit 2
fi

source "$ROOT/tests/lib/sim.sh"

# ------------------------------------------------------------ simulator
export TENIOS_TEST_KEY="cpp-test-key-$$-$RANDOM"
export TENIOS_TEST_CALL="6d0e4b2a-91c3-4f7e-8a15-2b9c3d4e5f60"
export TENIOS_TEST_STUCK="b7a61c2d-3e4f-4a5b-9c8d-7e6f5a4b3c2d"
export TENIOS_TEST_CONNECTED="e1d2c3b4-a5f6-4e7d-8c9b-0a1f2e3d4c5b"
export TENIOS_TEST_SUPERVISOR_KEY="cpp-supervisor-key-$$-$RANDOM"
export TENIOS_TEST_BLACKLISTED="+4922100000666"

start_sim "$SIM" --access-key "$TENIOS_TEST_KEY" \
    --call "$TENIOS_TEST_CALL" --stuck-call "$TENIOS_TEST_STUCK" \
    --connected-call "$TENIOS_TEST_CONNECTED" \
    --supervisor-key "$TENIOS_TEST_SUPERVISOR_KEY" --blacklist "$TENIOS_TEST_BLACKLISTED"
# Read by the tests, and by the library's default client (the free function
# tenios::interrupt_block) on its first use.
export TENIOS_API_URL=$URL
echo "simulator: $URL (pid $SIM_PID)"

TOTAL_PASSED=0
TOTAL_FAILED=0

# ------------------------------------------------ the example program
# check_example NAME WANT_RC WANT_STDOUT WANT_STDERR [ENV=VAL...|-u NAME...] -- ARGS...
# Runs the example and compares exit status, stdout and stderr exactly (or,
# when WANT_STDERR ends in "...", the start of stderr).
EX_PASSED=0
EX_FAILED=0
check_example() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 4
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    local rc=0 out err problems=()
    env "${envs[@]}" "$EXAMPLE" "$@" >"$TMP/ex.out" 2>"$TMP/ex.err" || rc=$?
    out=$(cat "$TMP/ex.out")
    err=$(cat "$TMP/ex.err")
    [[ $rc == "$want_rc" ]] || problems+=("exit status $rc, expected $want_rc")
    [[ $out == "$want_out" ]] || problems+=("stdout '$out', expected '$want_out'")
    if [[ $want_err == *... ]]; then
        [[ $err == "${want_err%...}"* ]] || problems+=("stderr '$err', expected to start with '${want_err%...}'")
    else
        [[ $err == "$want_err" ]] || problems+=("stderr '$err', expected '$want_err'")
    fi
    if ((${#problems[@]} == 0)); then
        echo "ok   example: $name"
        EX_PASSED=$((EX_PASSED + 1))
    else
        for p in "${problems[@]}"; do echo "    $p"; done
        echo "FAIL example: $name"
        EX_FAILED=$((EX_FAILED + 1))
    fi
}

UNKNOWN_CALL="0f1e2d3c-4b5a-4968-8776-655443322110"
NL=$'\n'
K="TENIOS_ACCESS_KEY=$TENIOS_TEST_KEY"
echo
echo "== tenios-interrupt-cpp (the example program)"
check_example "interruptible call: exit 0, message on stdout" 0 \
    "interrupted the current block of call $TENIOS_TEST_CALL" "" \
    "$K" -- "$TENIOS_TEST_CALL"
check_example "unknown call: exit 1, status, message and details on stderr" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_CALL_UUID_NOT_FOUND: CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the uuid $UNKNOWN_CALL: the call may have ended (the caller hung up or it was transferred away), or the uuid is wrong${NL}api_code=CALL_UUID_NOT_FOUND http_status=400 fields=call_uuid" \
    "$K" -- "$UNKNOWN_CALL"
check_example "stuck call: exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_API: BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)${NL}api_code=BLOCK_NOT_INTERRUPTIBLE http_status=400 fields=call_uuid" \
    "$K" -- "$TENIOS_TEST_STUCK"
check_example "wrong key: exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_BAD_CREDENTIALS: BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section${NL}api_code=BAD_CREDENTIALS http_status=400 fields=" \
    TENIOS_ACCESS_KEY=not-the-key -- "$TENIOS_TEST_CALL"
check_example "TENIOS_TIMEOUT_MS=0: the library's message, exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_INVALID_ARGUMENT: timeout must be 1 to 600000 ms, not 0${NL}api_code= http_status=0 fields=" \
    "$K" TENIOS_TIMEOUT_MS=0 -- "$TENIOS_TEST_CALL"
check_example "TENIOS_TIMEOUT_MS not a number: exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_TIMEOUT_MS is not a whole number of milliseconds: '5s'" \
    "$K" TENIOS_TIMEOUT_MS=5s -- "$TENIOS_TEST_CALL"
check_example "TENIOS_TIMEOUT_MS=2000: works" 0 \
    "interrupted the current block of call $TENIOS_TEST_CALL" "" \
    "$K" TENIOS_TIMEOUT_MS=2000 -- "$TENIOS_TEST_CALL"
check_example "TENIOS_API_URL plain http to a public host: refused before sending" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_INVALID_ARGUMENT: base URL is unusable: plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://${NL}api_code= http_status=0 fields=" \
    "$K" TENIOS_API_URL=http://example.com -- "$TENIOS_TEST_CALL"
check_example "empty key: exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ERR_INVALID_ARGUMENT: access_key is empty${NL}api_code= http_status=0 fields=" \
    TENIOS_ACCESS_KEY= -- "$TENIOS_TEST_CALL"
check_example "no argument: usage, exit 1" 1 "" "usage: tenios-interrupt-cpp CALL_UUID..." \
    "$K" --
check_example "two arguments: usage, exit 1" 1 "" "usage: tenios-interrupt-cpp CALL_UUID..." \
    "$K" -- "$TENIOS_TEST_CALL" "$TENIOS_TEST_CALL"
check_example "TENIOS_ACCESS_KEY unset: exit 1" 1 "" \
    "tenios-interrupt-cpp: TENIOS_ACCESS_KEY is not set${NL}usage: tenios-interrupt-cpp CALL_UUID..." \
    -u TENIOS_ACCESS_KEY -- "$TENIOS_TEST_CALL"
rc=0
TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" "$VALGRIND" -q --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    "$EXAMPLE" "$UNKNOWN_CALL" >/dev/null 2>"$TMP/ex.vg" || rc=$?
if [[ $rc == 1 ]]; then
    echo "ok   example: unknown call under valgrind (no errors, no definite leaks)"
    EX_PASSED=$((EX_PASSED + 1))
else
    sed 's/^/    | /' "$TMP/ex.vg"
    echo "FAIL example: unknown call under valgrind (exit $rc)"
    EX_FAILED=$((EX_FAILED + 1))
fi
echo "$EX_PASSED passed, $EX_FAILED failed"
TOTAL_PASSED=$((TOTAL_PASSED + EX_PASSED))
TOTAL_FAILED=$((TOTAL_FAILED + EX_FAILED))

# ------------------------------------------------------ the test binary
# run_tests VALGRIND(0|1) [BINARY (default: test_client_cpp)]
run_tests() {
    local under_valgrind=$1 bin=${2:-$TEST_BIN}
    local log="$TMP/run$1-${bin##*/}.out" vglog="$TMP/run$1-${bin##*/}.vg" rc=0
    echo
    if [[ $under_valgrind == 1 ]]; then
        echo "== ${bin##*/} (valgrind)"
        # Rust's std keeps some thread-local/global data until exit: that is
        # "still reachable" or "possibly lost".  Only "definite" leaks fail.
        "$VALGRIND" --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --num-callers=40 --log-file="$vglog" \
            "$bin" >"$log" 2>&1 || rc=$?
    else
        echo "== ${bin##*/}"
        "$bin" >"$log" 2>&1 || rc=$?
    fi
    cat "$log"

    local summary passed failed
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 || true)
    if [[ -n $summary ]]; then
        passed=${summary%% passed*}
        failed=${summary#*, }
        failed=${failed%% failed}
    else
        passed=0
        failed=1
        echo "   (no summary line: the program crashed or was killed; exit $rc)"
    fi
    if [[ $under_valgrind == 1 ]]; then
        if [[ $rc == 99 ]] || ! grep -q 'ERROR SUMMARY: 0 errors' "$vglog"; then
            echo "   valgrind: errors or definite leaks (exit $rc); its log:"
            sed 's/^/   | /' "$vglog"
        else
            echo "   valgrind: $(grep -m1 -o 'ERROR SUMMARY:.*' "$vglog")"
            echo "   valgrind: $(grep -m1 -o 'definitely lost:.*' "$vglog" || echo 'definitely lost: 0 bytes (no leaks)')"
        fi
    fi
    if [[ $rc != 0 && $failed == 0 ]]; then
        failed=1  # all tests passed but the process failed (valgrind error, crash)
    fi
    if [[ $rc == 0 && $failed != 0 ]]; then
        echo "   (tests failed but the program exited 0)"
        failed=$((failed + 1))
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
}

run_tests 0
run_tests 1
run_tests 0 "$WEBHOOK_BIN"
run_tests 1 "$WEBHOOK_BIN"

if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "run.sh: the simulator died during the tests:" >&2
    cat "$TMP/sim.err" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi

echo
echo "C++ tests, all runs (example checks, then the tests plainly and under valgrind):"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED == 0 ]]
