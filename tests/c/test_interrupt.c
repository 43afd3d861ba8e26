/*
 * C tests of libtenios against the local simulator (tenios-sim).
 *
 * Run through tests/c/run.sh, which starts the simulator and exports:
 *   TENIOS_API_URL      http://127.0.0.1:PORT (read by the library)
 *   TENIOS_SIM_PORT     PORT (for the /_sim/... control endpoints)
 *   TENIOS_TEST_KEY     the simulator's access key
 *   TENIOS_TEST_CALL    an interruptible call
 *   TENIOS_TEST_STUCK   a call whose block cannot be interrupted
 *
 * Prints one line per test and finally "N passed, M failed"; exits 1 on any
 * failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *STUCK;

/* A well-formed UUID that the simulator does not know. */
static const char UNKNOWN_CALL[] = "0f1e2d3c-4b5a-4968-8776-655443322110";

/* ------------------------------------------------------------ helpers */

/* The simulator's list of recorded interrupts, as a malloc'd JSON string
 * (NULL with a recorded failure on error). */
static char *sim_interrupts(void)
{
    http_response r = sim_http("GET", "/_sim/interrupts", NULL);
    if (r.status != 200) {
        CHECK(0, "GET /_sim/interrupts answered %d", r.status);
        http_free(&r);
        return NULL;
    }
    return r.body; /* ownership passes to the caller */
}

/* ------------------------------------------------------------- tests */

/* Must run first, before the library has opened any connection: otherwise a
 * pooled connection from an earlier test would be reused and the simulator
 * would count 0 new connections. */
static void test_sequential_calls_reuse_one_connection(void)
{
    SIM_RESET();
    for (int i = 0; i < 10; i++)
        EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);
    CHECK_INT_EQ(SIM_STAT("requests"), 10);
    CHECK_INT_EQ(SIM_STAT("connections"), 1);
}

static void test_success(void)
{
    SIM_RESET();
    /* out_err points at garbage before the call; TENIOS_OK must set it NULL
     * (checked by EXPECT_CALL). */
    EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);

    char *list = sim_interrupts();
    if (list != NULL) {
        CHECK(count_occurrences(list, CALL) == 1 &&
                  count_occurrences(list, "\"") == 2,
              "/_sim/interrupts is %s, expected [\"%s\"]", printable(list),
              CALL);
        free(list);
    }

    /* The request as the simulator saw it. */
    http_response r = sim_http("GET", "/_sim/requests", NULL);
    CHECK_INT_EQ(r.status, 200);
    if (r.status == 200) {
        const char *v;
        CHECK(count_occurrences(r.body, "\"method\"") == 1,
              "expected exactly one recorded request: %s", printable(r.body));
        v = json_find_value(r.body, "method");
        CHECK(v && strncmp(v, "\"POST\"", 6) == 0, "method: %s",
              printable(r.body));
        v = json_find_value(r.body, "path");
        CHECK(v && strncmp(v, "\"/interrupt-ecc-block\"", 22) == 0, "path: %s",
              printable(r.body));
    }
    http_free(&r);
}

static void test_call_not_found(void)
{
    SIM_RESET();
    EXPECT_CALL(KEY, UNKNOWN_CALL, TENIOS_ERR_CALL_UUID_NOT_FOUND, call_not_found(UNKNOWN_CALL),
                MATCH_EXACT);
    char *list = sim_interrupts();
    if (list != NULL) {
        CHECK(count_occurrences(list, "\"") == 0,
              "nothing should be interrupted: %s", printable(list));
        free(list);
    }
}

static void test_stuck_call(void)
{
    SIM_RESET();
    EXPECT_CALL(KEY, STUCK, TENIOS_ERR_API,
                "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't "
                "be interrupted (fields: call_uuid)",
                MATCH_EXACT);
}

static void test_bad_key(void)
{
    SIM_RESET();
    static const char wrong_key[] = "definitely-not-the-key-7c1e";
    /* Whatever the server says, the key must never show in the message. */
    EXPECT_CALL_WITHOUT(wrong_key, CALL, TENIOS_ERR_BAD_CREDENTIALS,
                        "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section", MATCH_EXACT,
                        wrong_key);
    char *list = sim_interrupts();
    if (list != NULL) {
        CHECK(count_occurrences(list, "\"") == 0,
              "nothing should be interrupted: %s", printable(list));
        free(list);
    }
}

static void test_non_uuid(void)
{
    SIM_RESET();
    static const char not_a_uuid[] = "not-a-uuid-42";
    /* The contract: the message contains the value.  The simulator's wording
     * follows the real API's documentation. */
    EXPECT_CALL(KEY, not_a_uuid, TENIOS_ERR_INVALID_FIELD, not_a_uuid,
                MATCH_CONTAINS);
    EXPECT_CALL(KEY, not_a_uuid, TENIOS_ERR_INVALID_FIELD,
                "INVALID_FIELD: Invalid 'call_uuid' input parameter. "
                "Invalid value - 'not-a-uuid-42'. (fields: call_uuid)",
                MATCH_EXACT);
}

static void test_fault_503_html(void)
{
    SIM_RESET();
    SIM_FAULT("{\"status\":503,"
              "\"headers\":[[\"Content-Type\",\"text/html\"]],"
              "\"body\":\"<html><body><h1>503 Service Unavailable</h1>"
              "</body></html>\"}");
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_HTTP,
                "HTTP 503 with no API error in the body", MATCH_EXACT);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    /* The fault was used up: the next call goes through normally. */
    EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);
}

static void test_fault_200_not_json(void)
{
    SIM_RESET();
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"not json\"}");
    /* The contract fixes the prefix only. */
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_PROTOCOL, "protocol error: ",
                MATCH_PREFIX);
    EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);
}

static void test_fault_401_without_api_error(void)
{
    SIM_RESET();
    SIM_FAULT("{\"status\":401,"
              "\"headers\":[[\"Content-Type\",\"text/plain\"]],"
              "\"body\":\"Unauthorized\"}");
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_BAD_CREDENTIALS,
                "HTTP 401: access key rejected (no API error in the body); check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section",
                MATCH_EXACT);
}

static void test_fault_failure_without_code(void)
{
    SIM_RESET();
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":false}\"}");
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_API,
                "the API reported failure without an error code (HTTP 200)",
                MATCH_EXACT);
}

static void test_fault_body_too_large(void)
{
    SIM_RESET();
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":true}\",\"pad_to\":2000000}");
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_PROTOCOL,
                "protocol error: response body is larger than 1048576 bytes",
                MATCH_EXACT);
}

static void test_key_echoed_by_server_is_redacted(void)
{
    SIM_RESET();
    char fault[1024];
    snprintf(fault, sizeof fault,
             "{\"status\":400,"
             "\"headers\":[[\"Content-Type\",\"application/json\"]],"
             "\"body\":\"{\\\"error_code\\\":\\\"BAD_CREDENTIALS\\\","
             "\\\"error_message\\\":\\\"key %s is not valid\\\","
             "\\\"fields\\\":[\\\"access_key\\\"]}\"}",
             KEY);
    SIM_FAULT(fault);
    /* The server echoes the key; the library must not pass it on. */
    EXPECT_CALL_WITHOUT(KEY, CALL, TENIOS_ERR_BAD_CREDENTIALS,
                        "BAD_CREDENTIALS: key [REDACTED] is not valid "
                        "(fields: access_key); " KEY_HINT,
                        MATCH_EXACT, KEY);
}

static void test_out_err_null_accepted(void)
{
    SIM_RESET();
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN_CALL, NULL),
                 TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, STUCK, NULL), TENIOS_ERR_API);
    CHECK_INT_EQ(tenios_interrupt_block(NULL, CALL, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, "", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
}

/* Every bad string a C caller can pass, with the reason the library gives. */
struct bad_arg {
    const char *what;   /* for diagnostics */
    const char *value;  /* NULL means the NULL pointer */
    const char *reason; /* message is "<param> <reason>" */
};

static char *g_long_1025, *g_long_1025_multibyte;

static void test_invalid_arguments_send_nothing(void)
{
    const struct bad_arg bad[] = {
        {"NULL", NULL, "is NULL"},
        {"empty", "", "is empty"},
        {"1025 bytes", g_long_1025, "is longer than 1024 bytes"},
        {"1025 bytes (1023 chars)", g_long_1025_multibyte,
         "is longer than 1024 bytes"},
        {"\\xff\\xfe", "\xff\xfe", "is not valid UTF-8"},
        {"overlong \\xc0\\xaf", "\xc0\xaf", "is not valid UTF-8"},
        {"surrogate \\xed\\xa0\\x80", "\xed\xa0\x80", "is not valid UTF-8"},
        {"lone continuation byte", "abc\x80", "is not valid UTF-8"},
        {"truncated sequence", "abc\xe2\x82", "is not valid UTF-8"},
        {"beyond U+10FFFF", "\xf4\x90\x80\x80", "is not valid UTF-8"},
        {"newline", "a\nb", "contains a control character"},
        {"tab", "\t", "contains a control character"},
        {"DEL", "\x7f", "contains a control character"},
        {"carriage return", "key\r", "contains a control character"},
        {"escape", "\x1b[0m", "contains a control character"},
        {"\\x01", "\x01", "contains a control character"},
        {"C1 control U+0085", "a\xc2\x85" "b", "contains a control character"},
    };
    const size_t nbad = sizeof bad / sizeof bad[0];
    char want[128];

    SIM_RESET();
    for (size_t i = 0; i < nbad; i++) {
        /* bad access_key, good call_uuid */
        snprintf(want, sizeof want, "access_key %s", bad[i].reason);
        if (!EXPECT_CALL(bad[i].value, CALL, TENIOS_ERR_INVALID_ARGUMENT, want,
                         MATCH_EXACT))
            printf("    (access_key case: %s)\n", bad[i].what);

        /* good access_key, bad call_uuid */
        snprintf(want, sizeof want, "call_uuid %s", bad[i].reason);
        if (!EXPECT_CALL(KEY, bad[i].value, TENIOS_ERR_INVALID_ARGUMENT, want,
                         MATCH_EXACT))
            printf("    (call_uuid case: %s)\n", bad[i].what);

        /* both bad: access_key is checked first */
        snprintf(want, sizeof want, "access_key %s", bad[i].reason);
        if (!EXPECT_CALL(bad[i].value, bad[(i + 1) % nbad].value,
                         TENIOS_ERR_INVALID_ARGUMENT, want, MATCH_EXACT))
            printf("    (both bad: %s)\n", bad[i].what);

        /* out_err == NULL on an argument error */
        CHECK_INT_EQ(tenios_interrupt_block(bad[i].value, CALL, NULL),
                     TENIOS_ERR_INVALID_ARGUMENT);
        CHECK_INT_EQ(tenios_interrupt_block(KEY, bad[i].value, NULL),
                     TENIOS_ERR_INVALID_ARGUMENT);
    }
    /* Nothing reached the server... */
    CHECK_INT_EQ(SIM_STAT("requests"), 0);
    /* ...where the default client's valid call does arrive (fails closed). */
    EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
}

static void test_1024_bytes_is_not_an_argument_error(void)
{
    char *key1024 = repeat_char('k', 1024);
    char *uuid1024 = repeat_char('u', 1024);

    SIM_RESET();
    /* A 1024-byte key passes the argument checks; the server rejects it. */
    EXPECT_CALL_WITHOUT(key1024, CALL, TENIOS_ERR_BAD_CREDENTIALS,
                        "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section", MATCH_EXACT,
                        key1024);
    /* A 1024-byte call_uuid reaches the server, which says it is no UUID. */
    char want[1200];
    snprintf(want, sizeof want,
             "INVALID_FIELD: Invalid 'call_uuid' input parameter. "
             "Invalid value - '%s'. (fields: call_uuid)",
             uuid1024);
    EXPECT_CALL(KEY, uuid1024, TENIOS_ERR_INVALID_FIELD, want, MATCH_EXACT);
    CHECK_INT_EQ(SIM_STAT("requests"), 2);

    free(key1024);
    free(uuid1024);
}

static void test_string_free_null(void)
{
    tenios_string_free(NULL);
    tenios_string_free(NULL);
}

static void test_status_str(void)
{
    static const char *const names[] = {
        "TENIOS_OK",
        "TENIOS_ERR_INVALID_ARGUMENT",
        "TENIOS_ERR_INVALID_VALUE",
        "TENIOS_ERR_INVALID_FIELD",
        "TENIOS_ERR_INVALID_JSON",
        "TENIOS_ERR_CALL_UUID_NOT_FOUND",
        "TENIOS_ERR_BAD_CREDENTIALS",
        "TENIOS_ERR_API",
        "TENIOS_ERR_HTTP",
        "TENIOS_ERR_TIMEOUT",
        "TENIOS_ERR_NETWORK",
        "TENIOS_ERR_PROTOCOL",
        "TENIOS_ERR_INTERNAL",
        "TENIOS_ERR_SHUTDOWN",
        "TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED",
        "TENIOS_ERR_AGENT_NOT_FOUND",
        "TENIOS_ERR_AGENT_NOT_IN_WRAP_UP",
    };
    for (uint32_t i = 0; i <= 16; i++) {
        const char *s = tenios_status_str(i);
        CHECK(s != NULL && strcmp(s, names[i]) == 0,
              "tenios_status_str(%d) = %s, expected %s", (int)i, printable(s),
              names[i]);
    }
    /* The enum values in the header match the numbers. */
    CHECK_INT_EQ(TENIOS_OK, 0);
    CHECK_INT_EQ(TENIOS_ERR_INVALID_ARGUMENT, 1);
    CHECK_INT_EQ(TENIOS_ERR_CALL_UUID_NOT_FOUND, 5);
    CHECK_INT_EQ(TENIOS_ERR_INTERNAL, 12);
    CHECK_INT_EQ(TENIOS_ERR_SHUTDOWN, 13);
    CHECK_INT_EQ(TENIOS_ERR_AGENT_NOT_FOUND, 15);
    CHECK_INT_EQ(TENIOS_ERR_AGENT_NOT_IN_WRAP_UP, 16);
    /* A fixed-width status: the same size whatever the compiler does with enums. */
    CHECK_INT_EQ(sizeof(tenios_status), 4);

    const uint32_t unknown[] = {17, 100, UINT32_MAX, (uint32_t)-1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = tenios_status_str(unknown[i]);
        CHECK(s != NULL && strcmp(s, "TENIOS_UNKNOWN") == 0,
              "tenios_status_str(%lu) = %s, expected TENIOS_UNKNOWN",
              (unsigned long)unknown[i], printable(s));
    }
}

static void test_version(void)
{
    const char *v = tenios_version();
    CHECK(v != NULL && strcmp(v, TENIOS_VERSION_STRING) == 0, "tenios_version() = %s, header %s",
          printable(v), TENIOS_VERSION_STRING);
#if !TENIOS_AT_LEAST_VERSION(1, 0, 0) || TENIOS_AT_LEAST_VERSION(TENIOS_VERSION_MAJOR, TENIOS_VERSION_MINOR, TENIOS_VERSION_PATCH + 1)
#error "TENIOS_AT_LEAST_VERSION is wrong"
#endif
    CHECK_INT_EQ(TENIOS_VERSION_NUM, (TENIOS_VERSION_MAJOR << 16) | (TENIOS_VERSION_MINOR << 8) |
                                         TENIOS_VERSION_PATCH);
    /* Static: the same pointer every time. */
    CHECK(tenios_version() == v, "tenios_version() is not a static string");
}

/* ---------------------------------------------------------- threads */

enum { THREADS = 16, CALLS_PER_THREAD = 100 };

struct worker {
    pthread_t tid;
    int ok;               /* calls that returned TENIOS_OK with err NULL */
    tenios_status first_bad;
    char first_msg[256];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        char *err = NULL;
        tenios_status st = tenios_interrupt_block(KEY, CALL, &err);
        if (st == TENIOS_OK && err == NULL) {
            w->ok++;
        } else if (w->first_bad == TENIOS_OK) {
            w->first_bad = st;
            snprintf(w->first_msg, sizeof w->first_msg, "%s",
                     err ? err : "(NULL)");
        }
        tenios_string_free(err);
    }
    return NULL;
}

static void test_threads_share_the_default_client(void)
{
    struct worker w[THREADS];
    memset(w, 0, sizeof w);

    SIM_RESET();
    int started = 0;
    for (; started < THREADS; started++) {
        int rc = pthread_create(&w[started].tid, NULL, worker_main, &w[started]);
        CHECK(rc == 0, "pthread_create failed: %d", rc);
        if (rc != 0)
            break;
    }
    int total_ok = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        total_ok += w[i].ok;
        CHECK(w[i].ok == CALLS_PER_THREAD,
              "thread %d: %d/%d calls OK; first failure %s: %s", i, w[i].ok,
              CALLS_PER_THREAD, tenios_status_str((uint32_t)w[i].first_bad),
              printable(w[i].first_msg));
    }
    CHECK_INT_EQ(total_ok, THREADS * CALLS_PER_THREAD);

    char *list = sim_interrupts();
    if (list != NULL) {
        CHECK_INT_EQ(count_occurrences(list, CALL), THREADS * CALLS_PER_THREAD);
        free(list);
    }
    CHECK_INT_EQ(SIM_STAT("requests"), THREADS * CALLS_PER_THREAD);
    /* A pool, not a connection per call. */
    long conns = SIM_STAT("connections");
    CHECK(conns >= 1 && conns <= THREADS,
          "%ld connections for %d threads", conns, THREADS);
}

/* ------------------------------------------------------------- main */

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    STUCK = require_env("TENIOS_TEST_STUCK");
    require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));

    g_long_1025 = repeat_char('a', 1025);
    /* 1023 characters, 1025 bytes: the limit is in bytes. */
    g_long_1025_multibyte = repeat_char('a', 1025);
    memcpy(g_long_1025_multibyte + 1023, "\xc3\xa9", 2); /* U+00E9 */

    /* First: the library must not have connected before this one. */
    run_test("sequential calls reuse one connection",
             test_sequential_calls_reuse_one_connection);
    run_test("success sets out_err to NULL and interrupts", test_success);
    run_test("call not found", test_call_not_found);
    run_test("stuck call cannot be interrupted", test_stuck_call);
    run_test("bad access key", test_bad_key);
    run_test("call_uuid that is no UUID", test_non_uuid);
    run_test("fault: 503 text/html", test_fault_503_html);
    run_test("fault: 200 not json", test_fault_200_not_json);
    run_test("fault: 401 without API error", test_fault_401_without_api_error);
    run_test("fault: success false without error code",
             test_fault_failure_without_code);
    run_test("fault: body larger than 1 MiB", test_fault_body_too_large);
    run_test("fault: echoed access key is redacted",
             test_key_echoed_by_server_is_redacted);
    run_test("out_err NULL accepted", test_out_err_null_accepted);
    run_test("invalid arguments are rejected before any I/O",
             test_invalid_arguments_send_nothing);
    run_test("1024 bytes is not an argument error",
             test_1024_bytes_is_not_an_argument_error);
    run_test("tenios_string_free(NULL)", test_string_free_null);
    run_test("tenios_status_str", test_status_str);
    run_test("tenios_version", test_version);
    run_test("16 threads x 100 calls on the shared client",
             test_threads_share_the_default_client);

    free(g_long_1025);
    free(g_long_1025_multibyte);
    return test_summary();
}
