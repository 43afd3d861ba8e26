#!/usr/bin/env bash
# Runs the C tests of libtenios against a local simulator.
#
#   tests/c/run.sh            (normally through `make test-c`)
#
# Starts target/release/tenios-sim on a free loopback port, exports
# TENIOS_API_URL and the test's key/calls, then runs every C test binary once
# plainly and once under valgrind (failing on any valgrind error or definite
# leak).  The simulator is killed on exit, whatever happens.
#
# Environment (optional): BUILD_DIR (default build/), TENIOS_SIM (default
# target/release/tenios-sim), VALGRIND (default valgrind), SANITIZED_BUILD_DIR
# (the same tests built with -fsanitize=address,undefined, run too), TENIOS_TEST_CALLS
# (calls of test_client's threads test, default 4000: about 10 s under
# valgrind), TENIOS_TEST_LOG_ROUNDS (rounds of test_telemetry's log-callback race, default
# 10000; run.sh passes 2000 under valgrind).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SIM=${TENIOS_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/release/tenios-sim}
VALGRIND=${VALGRIND:-valgrind}

LIB=${TENIOS_LIB:-$ROOT/target/release/libtenios.so}
for f in "$SIM" "$BUILD_DIR/test_interrupt" "$BUILD_DIR/test_network" \
    "$BUILD_DIR/test_client" "$BUILD_DIR/test_process" "$BUILD_DIR/test_resolver" \
    "$BUILD_DIR/test_dlopen" "$BUILD_DIR/test_panic" "$BUILD_DIR/test_methods" \
    "$BUILD_DIR/test_contact_center" "$BUILD_DIR/test_telemetry" "$BUILD_DIR/test_deadline" \
    "$BUILD_DIR/test_environment" "$BUILD_DIR/getenv_logger.so" "$BUILD_DIR/test_fork_locks" \
    "$BUILD_DIR/test_webhook" "$BUILD_DIR/tenios-webhook-server" \
    "$BUILD_DIR/tenios-interrupt" \
    "$BUILD_DIR/tenios-client-example" "$BUILD_DIR/tenios-call-demo" \
    "$BUILD_DIR/tenios-click-to-call"; do
    if [[ ! -x $f ]]; then
        echo "run.sh: $f is missing (run \`make test-c\`)" >&2
        exit 2
    fi
done
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "run.sh: valgrind is not installed (run \`make deps\`)" >&2
    exit 2
fi

source "$ROOT/tests/lib/sim.sh"

# ------------------------------------------------------------ simulator
export TENIOS_TEST_KEY="c-test-key-$$-$RANDOM"
export TENIOS_TEST_CALL="3f2b8c1e-7a4d-4e59-9b61-0c8d2e7f5a14"
export TENIOS_TEST_STUCK="9c4e1a7b-2d3f-4b8a-a6c5-e1f07d92b3c8"
export TENIOS_TEST_CONNECTED="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
export TENIOS_TEST_AGENT="anna@example.com"
export TENIOS_TEST_WRAP_UP_AGENT="ben@example.com"

start_sim "$SIM" --access-key "$TENIOS_TEST_KEY" \
    --call "$TENIOS_TEST_CALL" --stuck-call "$TENIOS_TEST_STUCK" \
    --connected-call "$TENIOS_TEST_CONNECTED" \
    --agent "$TENIOS_TEST_AGENT" --wrap-up-agent "$TENIOS_TEST_WRAP_UP_AGENT"
export TENIOS_API_URL=$URL
export TENIOS_SIM_PORT=${URL##*:}
echo "simulator: $URL (pid $SIM_PID)"

# ------------------------------------------------------------ test runs
TOTAL_PASSED=0
TOTAL_FAILED=0
RUN_NO=0

# run_one LABEL VALGRIND(0|1) BINARY [ARGS...]
run_one() {
    local label=$1 under_valgrind=$2
    shift 2
    RUN_NO=$((RUN_NO + 1))
    local log="$TMP/run$RUN_NO.out" vglog="$TMP/run$RUN_NO.vg"
    local rc=0
    echo
    if [[ $under_valgrind == 1 ]]; then
        echo "== $label (valgrind)"
        # Rust's std keeps some thread-local/global data until exit: that is
        # "still reachable" or "possibly lost".  Only "definite" leaks fail.
        "$VALGRIND" --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --num-callers=40 --log-file="$vglog" \
            "$@" >"$log" 2>&1 || rc=$?
    else
        echo "== $label"
        "$@" >"$log" 2>&1 || rc=$?
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
            # e.g. "ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)"
            echo "   valgrind: $(grep -m1 -o 'ERROR SUMMARY:.*' "$vglog")"
            echo "   valgrind: $(grep -m1 -o 'definitely lost:.*' "$vglog" || echo 'definitely lost: 0 bytes (no leaks)')"
        fi
    fi

    if [[ $rc != 0 && $failed == 0 ]]; then
        # All tests passed but the process failed (valgrind error, crash).
        failed=1
    fi
    if [[ $rc == 0 && $failed != 0 ]]; then
        echo "   (tests failed but the program exited 0)"
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
}

# ----------------------------------------------- the example programs
# check_example NAME WANT_RC WANT_STDOUT WANT_STDERR_PREFIX [ENV=VAL...] -- ARGS...
# Runs $EXAMPLE_PROG (build/tenios-interrupt, then build/tenios-client-example)
# and compares exit status, stdout (exactly) and the start of stderr (the
# whole of it when WANT_STDERR_PREFIX ends in $).
EXAMPLE_PASSED=0
EXAMPLE_FAILED=0
EXAMPLE_PROG=$BUILD_DIR/tenios-interrupt
check_example() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 4
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    local rc=0 out err problems=()
    env "${envs[@]}" "$EXAMPLE_PROG" "$@" \
        >"$TMP/ex.out" 2>"$TMP/ex.err" || rc=$?
    out=$(cat "$TMP/ex.out")
    err=$(cat "$TMP/ex.err")
    [[ $rc == "$want_rc" ]] || problems+=("exit status $rc, expected $want_rc")
    [[ $out == "$want_out" ]] || problems+=("stdout '$out', expected '$want_out'")
    if [[ $want_err == *'$' ]]; then
        [[ $err == "${want_err%\$}" ]] || problems+=("stderr '$err', expected '${want_err%\$}'")
    else
        [[ $err == "$want_err"* ]] || problems+=("stderr '$err', expected to start with '$want_err'")
    fi
    if ((${#problems[@]} == 0)); then
        echo "ok   example: $name"
        EXAMPLE_PASSED=$((EXAMPLE_PASSED + 1))
    else
        for p in "${problems[@]}"; do echo "    $p"; done
        echo "FAIL example: $name"
        EXAMPLE_FAILED=$((EXAMPLE_FAILED + 1))
    fi
}

# check_example_valgrind NAME WANT_RC ARGS...: runs $EXAMPLE_PROG under
# valgrind (with the right key) and wants no error and no definite leak.
check_example_valgrind() {
    local name=$1 want_rc=$2 rc=0
    shift 2
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" "$VALGRIND" -q --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "$EXAMPLE_PROG" "$@" >/dev/null 2>"$TMP/ex.vg" || rc=$?
    if [[ $rc == "$want_rc" ]]; then
        echo "ok   example: $name under valgrind (no errors, no definite leaks)"
        EXAMPLE_PASSED=$((EXAMPLE_PASSED + 1))
    else
        sed 's/^/    | /' "$TMP/ex.vg"
        echo "FAIL example: $name under valgrind (exit $rc, expected $want_rc)"
        EXAMPLE_FAILED=$((EXAMPLE_FAILED + 1))
    fi
}

UNKNOWN_CALL="0f1e2d3c-4b5a-4968-8776-655443322110"
NOT_FOUND="CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the uuid $UNKNOWN_CALL: the call may have ended (the caller hung up or it was transferred away), or the uuid is wrong"
echo
echo "== tenios-interrupt (the example program)"
check_example "interruptible call: exit 0, message on stdout" 0 \
    "interrupted the current block of call $TENIOS_TEST_CALL" '$' \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_CALL"
check_example "unknown call: exit 1, status and message on stderr" 1 "" \
    "tenios-interrupt: TENIOS_ERR_CALL_UUID_NOT_FOUND: $NOT_FOUND\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$UNKNOWN_CALL"
check_example "stuck call: exit 1" 1 "" \
    "tenios-interrupt: TENIOS_ERR_API: BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_STUCK"
check_example "wrong key: exit 1" 1 "" \
    "tenios-interrupt: TENIOS_ERR_BAD_CREDENTIALS: BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section\$" \
    TENIOS_ACCESS_KEY="not-the-key" -- "$TENIOS_TEST_CALL"
check_example "empty key: exit 1" 1 "" \
    "tenios-interrupt: TENIOS_ERR_INVALID_ARGUMENT: access_key is empty\$" \
    TENIOS_ACCESS_KEY= -- "$TENIOS_TEST_CALL"
check_example "no argument: usage, exit 1" 1 "" "usage: tenios-interrupt CALL_UUID" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" --
check_example "two arguments: usage, exit 1" 1 "" "usage: tenios-interrupt CALL_UUID" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_CALL" "$TENIOS_TEST_CALL"
check_example "TENIOS_ACCESS_KEY unset: usage, exit 1" 1 "" \
    "tenios-interrupt: TENIOS_ACCESS_KEY is not set" \
    -u TENIOS_ACCESS_KEY -- "$TENIOS_TEST_CALL"
check_example_valgrind "unknown call" 1 "$UNKNOWN_CALL"

echo
echo "== tenios-client-example (the handle API example)"
EXAMPLE_PROG=$BUILD_DIR/tenios-client-example
CLOSED_URL="http://127.0.0.1:1"  # tcpmux: nothing listens there
check_example "interruptible call: exit 0, message on stdout" 0 \
    "interrupted the current block of call $TENIOS_TEST_CALL" '$' \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_CALL"
check_example "unknown call: status, message and details on stderr" 1 "" \
    "tenios-client-example: TENIOS_ERR_CALL_UUID_NOT_FOUND: $NOT_FOUND
  api_code=CALL_UUID_NOT_FOUND http_status=400 fields=call_uuid\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$UNKNOWN_CALL"
check_example "stuck call: exit 1" 1 "" \
    "tenios-client-example: TENIOS_ERR_API: BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)
  api_code=BLOCK_NOT_INTERRUPTIBLE http_status=400 fields=call_uuid\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_STUCK"
check_example "wrong key: exit 1, no fields" 1 "" \
    "tenios-client-example: TENIOS_ERR_BAD_CREDENTIALS: BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section
  api_code=BAD_CREDENTIALS http_status=400\$" \
    TENIOS_ACCESS_KEY="not-the-key" -- "$TENIOS_TEST_CALL"
check_example "empty key: exit 1, no details line" 1 "" \
    "tenios-client-example: TENIOS_ERR_INVALID_ARGUMENT: access_key is empty\$" \
    TENIOS_ACCESS_KEY= -- "$TENIOS_TEST_CALL"
check_example "unusable TENIOS_API_URL: exit 1" 1 "" \
    "tenios-client-example: TENIOS_ERR_INVALID_ARGUMENT: base URL is unusable: plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" TENIOS_API_URL=http://example.com -- "$TENIOS_TEST_CALL"
check_example "closed port: network error, no details line" 1 "" \
    "tenios-client-example: TENIOS_ERR_NETWORK: network error: connection refused; check that the server in the base URL is running\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" TENIOS_API_URL="$CLOSED_URL" -- "$TENIOS_TEST_CALL"
check_example "no argument: usage, exit 1" 1 "" "usage: tenios-client-example CALL_UUID" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" --
check_example "TENIOS_ACCESS_KEY unset: usage, exit 1" 1 "" \
    "tenios-client-example: TENIOS_ACCESS_KEY is not set" \
    -u TENIOS_ACCESS_KEY -- "$TENIOS_TEST_CALL"
check_example_valgrind "interruptible call" 0 "$TENIOS_TEST_CALL"
check_example_valgrind "unknown call" 1 "$UNKNOWN_CALL"

echo
echo "== tenios-call-demo (the scripted call: interrupt, record, transfer, stop recording)"
EXAMPLE_PROG=$BUILD_DIR/tenios-call-demo
# sim_json METHOD PATH: the simulator's control endpoint's answer (python3's urllib).
sim_json() {
    python3 -c 'import sys, urllib.request
r = urllib.request.Request(sys.argv[2], data=b"{}" if sys.argv[1] == "POST" else None, method=sys.argv[1])
print(urllib.request.urlopen(r, timeout=10).read().decode())' "$1" "$URL$2"
}
# check_call_demo VALGRIND(0|1): from a fresh simulator, the demo must print exactly its four
# steps with the recording UUID the simulator handed out, exit 0, print nothing on stderr,
# and (under valgrind) show no error and no definite leak.
check_call_demo() {
    local vg=$1 rc=0 out err recording want name="every step succeeds"
    local prefix=()
    if [[ $vg == 1 ]]; then
        name="$name under valgrind (no errors, no definite leaks)"
        prefix=("$VALGRIND" -q --error-exitcode=99 --leak-check=full
                --errors-for-leak-kinds=definite --show-leak-kinds=definite)
    fi
    sim_json POST /_sim/reset >/dev/null
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" "${prefix[@]}" "$EXAMPLE_PROG" \
        "$TENIOS_TEST_CALL" "$TENIOS_TEST_CONNECTED" agent-7 >"$TMP/ex.out" 2>"$TMP/ex.err" || rc=$?
    out=$(cat "$TMP/ex.out")
    err=$(cat "$TMP/ex.err")
    recording=$(sim_json GET "/_sim/calls/$TENIOS_TEST_CONNECTED" |
        grep -o '"recording_uuid":"[^"]*"' | head -n1 | cut -d'"' -f4)
    want="1. interrupted the waiting loop of call $TENIOS_TEST_CALL
2. started recording call $TENIOS_TEST_CONNECTED: recording $recording
3. transferred call $TENIOS_TEST_CONNECTED to SIP user agent-7
4. stopped recording $recording"
    if [[ $rc == 0 && -n $recording && $out == "$want" && -z $err ]]; then
        echo "ok   example: $name"
        EXAMPLE_PASSED=$((EXAMPLE_PASSED + 1))
    else
        echo "    exit status $rc; recording '$recording'; stdout:"
        sed 's/^/    | /' "$TMP/ex.out"
        echo "    expected:"
        printf '%s\n' "$want" | sed 's/^/    | /'
        echo "    stderr:"
        sed 's/^/    | /' "$TMP/ex.err"
        echo "FAIL example: $name"
        EXAMPLE_FAILED=$((EXAMPLE_FAILED + 1))
    fi
}
check_call_demo 0
check_call_demo 1
check_example "unknown connected call: step 1 done, step 2 fails, exit 1" 1 \
    "1. interrupted the waiting loop of call $TENIOS_TEST_CALL" \
    "tenios-call-demo: step 2: TENIOS_ERR_CALL_UUID_NOT_FOUND: $NOT_FOUND\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_CALL" "$UNKNOWN_CALL" agent-7
check_example "stuck waiting call: step 1 fails, exit 1" 1 "" \
    "tenios-call-demo: step 1: TENIOS_ERR_API: BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_STUCK" "$TENIOS_TEST_CONNECTED" agent-7
check_example "wrong number of arguments: usage, exit 1" 1 "" \
    "usage: tenios-call-demo WAITING_CALL CONNECTED_CALL AGENT" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- "$TENIOS_TEST_CALL"

echo
echo "== tenios-click-to-call (the click-to-call example)"
EXAMPLE_PROG=$BUILD_DIR/tenios-click-to-call
sim_json POST /_sim/reset >/dev/null
check_example "the simulator's TENIOS number: started, then CONNECTED, exit 0" 0 \
    "click-to-call 1: TENIOS calls +491701234567, then puts it through to +4922112345678
click-to-call 1: CONNECTED" '$' \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- +491701234567 +4922112345678
check_example "not a TENIOS number of the account: exit 1" 1 "" \
    "tenios-click-to-call: makecall/init: TENIOS_ERR_INVALID_VALUE: INVALID_VALUE: Invalid parameter type or format (fields: tenios_number)\$" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- +491701234567 +4930000000
check_example "wrong number of arguments: usage, exit 1" 1 "" \
    "usage: tenios-click-to-call DESTINATION TENIOS_NUMBER" \
    TENIOS_ACCESS_KEY="$TENIOS_TEST_KEY" -- +491701234567
check_example_valgrind "a click-to-call" 0 +491701234567 +4922112345678
echo "$EXAMPLE_PASSED passed, $EXAMPLE_FAILED failed"
TOTAL_PASSED=$((TOTAL_PASSED + EXAMPLE_PASSED))
TOTAL_FAILED=$((TOTAL_FAILED + EXAMPLE_FAILED))
RUN_NO=$((RUN_NO + 1))

# Unusable base URLs; none of them may cause traffic to leave the machine.
UNUSABLE_URLS=(
    "http://example.com"  # plain http is only for loopback hosts
    "ftp://127.0.0.1:1"   # not http(s)
    "not a url"
)

for vg in 0 1; do
    run_one "test_interrupt" "$vg" "$BUILD_DIR/test_interrupt"
    run_one "test_client" "$vg" "$BUILD_DIR/test_client"
    # Fewer calls per process under valgrind, which is ~50x slower.
    TENIOS_TEST_FORK_CALLS=$((vg ? 30 : 200)) run_one "test_process" "$vg" "$BUILD_DIR/test_process"
    run_one "test_methods" "$vg" "$BUILD_DIR/test_methods"
    run_one "test_contact_center" "$vg" "$BUILD_DIR/test_contact_center"
    # Rounds of the removed-log-callback race: 10,000, or 2,000 under valgrind (about 20 s).
    TENIOS_TEST_LOG_ROUNDS=$((vg ? 2000 : 10000)) \
        run_one "test_telemetry" "$vg" "$BUILD_DIR/test_telemetry"
    TENIOS_TEST_SLACK_MS=$((vg ? 1500 : 0)) run_one "test_deadline" "$vg" "$BUILD_DIR/test_deadline"
    LD_PRELOAD="$BUILD_DIR/getenv_logger.so" run_one "test_environment (getenv recorded)" "$vg" \
        "$BUILD_DIR/test_environment"
    TENIOS_WEBHOOK_SERVER="$BUILD_DIR/tenios-webhook-server" \
        run_one "test_webhook" "$vg" "$BUILD_DIR/test_webhook"
    run_one "test_dlopen" "$vg" "$BUILD_DIR/test_dlopen" "$LIB"
    run_one "test_panic" "$vg" "$BUILD_DIR/test_panic"
    LD_PRELOAD="$BUILD_DIR/slow_getaddrinfo.so" run_one "test_resolver (hung DNS)" "$vg" \
        "$BUILD_DIR/test_resolver"
    # Plainly only: under valgrind the forked child reports what the parent's other threads'
    # stacks held (those threads do not exist in a child) as lost.
    if [[ $vg == 0 ]]; then
        SLOW_DNS_MS=200 LD_PRELOAD="$BUILD_DIR/slow_getaddrinfo.so" \
            run_one "test_fork_locks (slow DNS, test hooks)" 0 "$BUILD_DIR/test_fork_locks"
    fi
    run_one "test_network closed-port" "$vg" "$BUILD_DIR/test_network" closed-port
    for u in "${UNUSABLE_URLS[@]}"; do
        run_one "test_network unusable-url '$u'" "$vg" \
            "$BUILD_DIR/test_network" unusable-url "$u"
    done
done

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer (`make test-c`
# builds them in build/sanitize; valgrind and ASan do not mix, so these run plainly).
if [[ -n ${SANITIZED_BUILD_DIR:-} ]]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    run_one "test_interrupt (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_interrupt"
    run_one "test_client (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_client"
    run_one "test_process (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_process"
    run_one "test_methods (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_methods"
    run_one "test_contact_center (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_contact_center"
    run_one "test_telemetry (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_telemetry"
    TENIOS_TEST_SLACK_MS=500 run_one "test_deadline (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_deadline"
    TENIOS_WEBHOOK_SERVER="$BUILD_DIR/tenios-webhook-server" \
        run_one "test_webhook (ASan+UBSan)" 0 "$SANITIZED_BUILD_DIR/test_webhook"
    run_one "test_network closed-port (ASan+UBSan)" 0 \
        "$SANITIZED_BUILD_DIR/test_network" closed-port
    unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "run.sh: the simulator died during the tests:" >&2
    cat "$TMP/sim.err" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi

echo
echo "C tests, all runs ($RUN_NO runs: plain, under valgrind${SANITIZED_BUILD_DIR:+, and with ASan+UBSan}):"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED == 0 ]]
