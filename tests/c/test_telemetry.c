/*
 * Seeing calls through the C ABI: the log callback (a client's and the default client's, and
 * when a replaced one's user_data may be freed), per-call timings with struct_size, timings on
 * an error object, pre-connect and the idle timeout. Run by tests/c/run.sh against the simulator (plainly, under valgrind, with ASan).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *SIM_URL;
static const char *UNKNOWN = "0f1e2d3c-4b5a-4968-8776-655443322110";

#define MAX_LINES 64
struct log {
    int count;
    uint32_t levels[MAX_LINES];
    char lines[MAX_LINES][256];
};

static void collect(void *user_data, uint32_t level, const char *message)
{
    struct log *log = user_data;
    if (log->count < MAX_LINES) {
        log->levels[log->count] = level;
        snprintf(log->lines[log->count], sizeof log->lines[0], "%s", message);
        log->count++;
    }
}

static tenios_client *client_with_log(struct log *log, uint32_t max_level, uint32_t idle_ms)
{
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    if (log != NULL)
        CHECK_INT_EQ(tenios_client_builder_set_log_callback(b, collect, log, max_level, NULL),
                     TENIOS_OK);
    if (idle_ms != 0)
        CHECK_INT_EQ(tenios_client_builder_set_idle_timeout_ms(b, idle_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_log_callback_lines_in_order(void)
{
    struct log log = {0};
    tenios_client *c = client_with_log(&log, TENIOS_LOG_INFO, 0);
    SIM_RESET();
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(log.count, 3);
    CHECK(starts_with(log.lines[0], "connected to 127.0.0.1:"), "line 0: %s", log.lines[0]);
    CHECK(starts_with(log.lines[1], "POST /interrupt-ecc-block sent ("), "line 1: %s",
          log.lines[1]);
    CHECK(starts_with(log.lines[2], "HTTP 200 after "), "line 2: %s", log.lines[2]);
    for (int i = 0; i < log.count; i++) {
        CHECK_INT_EQ(log.levels[i], TENIOS_LOG_INFO);
        CHECK(strstr(log.lines[i], KEY) == NULL, "line %d holds the key", i);
    }
    /* An error: its status and message, at TENIOS_LOG_ERROR. */
    log.count = 0;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(log.count, 4);
    CHECK(strcmp(log.lines[0], "reusing a pooled connection") == 0, "line 0: %s", log.lines[0]);
    CHECK_INT_EQ(log.levels[3], TENIOS_LOG_ERROR);
    CHECK(strncmp(log.lines[3], "TENIOS_ERR_CALL_UUID_NOT_FOUND: ", 32) == 0 &&
              strcmp(log.lines[3] + 32, call_not_found(UNKNOWN)) == 0,
          "line 3: %s", log.lines[3]);
    tenios_client_free(c);

    /* Levels above the maximum are not delivered. */
    struct log errors = {0};
    c = client_with_log(&errors, TENIOS_LOG_ERROR, 0);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(errors.count, 0);
    tenios_client_free(c);

    /* A bad level is rejected by the setter. */
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_log_callback(b, collect, &log, 9, &err),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(err != NULL && strcmp(tenios_error_message(err),
                                "max_level 9 is not TENIOS_LOG_ERROR (1), TENIOS_LOG_WARN (2), "
                                "TENIOS_LOG_INFO (3) or TENIOS_LOG_DEBUG (4)") == 0,
          "message %s", printable(err ? tenios_error_message(err) : NULL));
    tenios_error_free(err);
    CHECK_INT_EQ(tenios_client_builder_set_log_callback(b, NULL, NULL, 0, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
}

static void test_default_client_log_callback(void)
{
    struct log log = {0};
    CHECK_INT_EQ(tenios_global_set_log_callback(collect, &log, TENIOS_LOG_ERROR, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(log.count, 1);
    CHECK(starts_with(log.lines[0], "TENIOS_ERR_CALL_UUID_NOT_FOUND: "), "line: %s",
          log.lines[0]);
    /* It survives tenios_global_init. */
    CHECK_INT_EQ(tenios_global_init(NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(log.count, 2);
    CHECK_INT_EQ(tenios_global_set_log_callback(NULL, NULL, 0, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(log.count, 2);
}

/* ------------------------------------------ replacing the default client's callback */

/* The user_data of a callback that the test frees as soon as the setter that removed the
 * callback has returned: the callback must never see it again. */
#define ALIVE 0x600dcafe600dcafeULL
#define DEAD 0xdeadbeefdeadbeefULL
struct guarded {
    char pad[32]; /* keeps `magic` clear of the allocator's bookkeeping in a freed block */
    uint64_t magic;
};
static _Atomic(struct guarded *) g_installed;
static atomic_long g_stale_calls, g_live_calls;

static void guarded_callback(void *user_data, uint32_t level, const char *message)
{
    (void)level;
    (void)message;
    struct guarded *g = user_data;
    /* A call after the removal reads freed memory here: ASan and valgrind report it, and the
     * plain run counts it. */
    if (g->magic != ALIVE || atomic_load(&g_installed) != g)
        atomic_fetch_add(&g_stale_calls, 1);
    else
        atomic_fetch_add(&g_live_calls, 1);
}

static pthread_barrier_t g_start, g_end;
static long g_rounds;

static void *race_caller(void *arg)
{
    (void)arg;
    for (long i = 0; i < g_rounds; i++) {
        pthread_barrier_wait(&g_start);
        tenios_interrupt_block(KEY, CALL, NULL); /* refused: a TENIOS_LOG_ERROR line */
        pthread_barrier_wait(&g_end);
    }
    return NULL;
}

static void *race_initializer(void *arg)
{
    (void)arg;
    for (long i = 0; i < g_rounds; i++) {
        pthread_barrier_wait(&g_start);
        tenios_global_init(NULL);
        pthread_barrier_wait(&g_end);
    }
    return NULL;
}

/* Each round: install a callback, then remove it while another thread makes a call and a
 * third runs tenios_global_init; free its user_data as soon as the removal returns; make one
 * more call. A removed callback must never be entered again (1.0.0 lost the removal to a
 * concurrent tenios_global_init, and delivered the lines of calls in flight to it). The calls
 * go to a closed loopback port: each fails at once with a log line, and leaves no TIME_WAIT. */
static void test_removed_callback_never_called_again(void)
{
    const char *rounds = getenv("TENIOS_TEST_LOG_ROUNDS");
    g_rounds = rounds != NULL ? atol(rounds) : 10000;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_loopback_port());
    setenv("TENIOS_API_URL", url, 1);
    CHECK_INT_EQ(tenios_global_init(NULL), TENIOS_OK);
    atomic_store(&g_stale_calls, 0);
    atomic_store(&g_live_calls, 0);
    pthread_barrier_init(&g_start, NULL, 3);
    pthread_barrier_init(&g_end, NULL, 3);
    pthread_t caller, initializer;
    pthread_create(&caller, NULL, race_caller, NULL);
    pthread_create(&initializer, NULL, race_initializer, NULL);
    long failed_setters = 0;
    for (long i = 0; i < g_rounds; i++) {
        struct guarded *g = calloc(1, sizeof *g);
        if (g == NULL)
            abort();
        g->magic = ALIVE;
        atomic_store(&g_installed, g);
        if (tenios_global_set_log_callback(guarded_callback, g, TENIOS_LOG_ERROR, NULL) !=
            TENIOS_OK)
            failed_setters++;
        pthread_barrier_wait(&g_start);
        if (tenios_global_set_log_callback(NULL, NULL, 0, NULL) != TENIOS_OK)
            failed_setters++;
        atomic_store(&g_installed, NULL);
        g->magic = DEAD;
        free(g);
        pthread_barrier_wait(&g_end);
        tenios_interrupt_block(KEY, CALL, NULL);
    }
    pthread_join(caller, NULL);
    pthread_join(initializer, NULL);
    pthread_barrier_destroy(&g_start);
    pthread_barrier_destroy(&g_end);
    CHECK_INT_EQ(failed_setters, 0);
    CHECK(atomic_load(&g_stale_calls) == 0,
          "a removed callback was called %ld times in %ld rounds (%ld calls while installed)",
          atomic_load(&g_stale_calls), g_rounds, atomic_load(&g_live_calls));
    CHECK(atomic_load(&g_live_calls) > 0, "the race never delivered a line to an installed "
                                          "callback: the test did not exercise it");
    setenv("TENIOS_API_URL", SIM_URL, 1);
    CHECK_INT_EQ(tenios_global_init(NULL), TENIOS_OK);
}

/* The setter waits for a delivery of the old callback in flight on another thread. */
static atomic_int g_entered, g_left;

static void slow_callback(void *user_data, uint32_t level, const char *message)
{
    (void)user_data;
    (void)level;
    (void)message;
    atomic_store(&g_entered, 1);
    usleep(300 * 1000);
    atomic_store(&g_left, 1);
}

static void *call_default_client(void *arg)
{
    (void)arg;
    tenios_interrupt_block(KEY, UNKNOWN, NULL);
    return NULL;
}

static void test_setter_waits_for_deliveries_in_flight(void)
{
    atomic_store(&g_entered, 0);
    atomic_store(&g_left, 0);
    CHECK_INT_EQ(tenios_global_set_log_callback(slow_callback, NULL, TENIOS_LOG_ERROR, NULL),
                 TENIOS_OK);
    pthread_t caller;
    pthread_create(&caller, NULL, call_default_client, NULL);
    while (!atomic_load(&g_entered))
        usleep(1000);
    CHECK_INT_EQ(tenios_global_set_log_callback(NULL, NULL, 0, NULL), TENIOS_OK);
    CHECK(atomic_load(&g_left), "the setter returned while the old callback was still running");
    pthread_join(caller, NULL);
}

/* From inside the callback, on its own thread, the setter would wait for itself: it refuses. */
static tenios_status g_inner_status;
static char g_inner_message[256];
static int g_reentrant_calls;

static void reentrant_callback(void *user_data, uint32_t level, const char *message)
{
    (void)user_data;
    (void)level;
    (void)message;
    g_reentrant_calls++;
    tenios_error *err = NULL;
    g_inner_status = tenios_global_set_log_callback(NULL, NULL, 0, &err);
    snprintf(g_inner_message, sizeof g_inner_message, "%s",
             err != NULL ? tenios_error_message(err) : "(no error object)");
    tenios_error_free(err);
}

static void test_setter_inside_its_callback_is_refused(void)
{
    g_reentrant_calls = 0;
    CHECK_INT_EQ(
        tenios_global_set_log_callback(reentrant_callback, NULL, TENIOS_LOG_ERROR, NULL),
        TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(g_reentrant_calls, 1);
    CHECK_INT_EQ(g_inner_status, TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(g_inner_message,
                 "tenios_global_set_log_callback was called from inside the log callback it "
                 "would replace; the callback was not changed (change it from outside the "
                 "callback)") == 0,
          "message: %s", g_inner_message);
    /* Nothing changed: the callback is still there. */
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(g_reentrant_calls, 2);
    CHECK_INT_EQ(tenios_global_set_log_callback(NULL, NULL, 0, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, NULL), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(g_reentrant_calls, 2);
}

static void expect_zero_error_timings(int line, const tenios_error *err)
{
    tenios_call_timings t;
    memset(&t, 0xff, sizeof t);
    t.struct_size = sizeof t;
    CHECK_INT_EQ(tenios_error_timings(err, &t), TENIOS_OK);
    CHECK(!t.connection_reused && t.resolve_us == 0 && t.connect_us == 0 && t.tls_us == 0 &&
              t.first_byte_us == 0 && t.total_us == 0,
          "line %d: timings of an error that sent nothing: reused %d, %lu %lu %lu %lu %lu", line,
          (int)t.connection_reused, (unsigned long)t.resolve_us, (unsigned long)t.connect_us,
          (unsigned long)t.tls_us, (unsigned long)t.first_byte_us, (unsigned long)t.total_us);
}

static void test_timings_and_struct_size(void)
{
    tenios_client *c = client_with_log(NULL, 0, 0);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    tenios_call_timings t;
    memset(&t, 0xff, sizeof t);
    t.struct_size = sizeof t;
    CHECK_INT_EQ(tenios_last_call_timings(&t), TENIOS_OK);
    CHECK_INT_EQ(t.struct_size, sizeof t);
    CHECK(!t.connection_reused && t.connect_us > 0, "cold call: reused %d connect %lu",
          (int)t.connection_reused, (unsigned long)t.connect_us);
    CHECK(t.resolve_us + t.connect_us + t.tls_us <= t.first_byte_us &&
              t.first_byte_us <= t.total_us && t.total_us > 0,
          "timings do not add up: %lu %lu %lu %lu %lu", (unsigned long)t.resolve_us,
          (unsigned long)t.connect_us, (unsigned long)t.tls_us, (unsigned long)t.first_byte_us,
          (unsigned long)t.total_us);
    CHECK_INT_EQ(t.resolve_us, 0); /* an IP address: no lookup */

    /* A warm call: nothing but the exchange. */
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_last_call_timings(&t), TENIOS_OK);
    CHECK(t.connection_reused && t.connect_us == 0 && t.tls_us == 0, "warm call");

    /* An older, smaller struct: only its bytes are written. */
    unsigned char small[16];
    memset(small, 0xab, sizeof small);
    uint32_t size = 8;
    memcpy(small, &size, sizeof size);
    CHECK_INT_EQ(tenios_last_call_timings((tenios_call_timings *)(void *)small), TENIOS_OK);
    memcpy(&size, small, sizeof size);
    CHECK_INT_EQ(size, 8);
    for (size_t i = 8; i < sizeof small; i++)
        CHECK(small[i] == 0xab, "byte %zu written past struct_size", i);

    CHECK_INT_EQ(tenios_last_call_timings(NULL), TENIOS_ERR_INVALID_ARGUMENT);
    t.struct_size = 2;
    CHECK_INT_EQ(tenios_last_call_timings(&t), TENIOS_ERR_INVALID_ARGUMENT);

    /* Timings on an error object. */
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, UNKNOWN, &err), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    t.struct_size = sizeof t;
    CHECK_INT_EQ(tenios_error_timings(err, &t), TENIOS_OK);
    CHECK(t.connection_reused && t.first_byte_us > 0 && t.total_us >= t.first_byte_us,
          "error timings");
    tenios_error_free(err);
    CHECK_INT_EQ(tenios_error_timings(NULL, &t), TENIOS_ERR_INVALID_ARGUMENT);

    /* An error from a function that sent nothing has zero timings, never the previous
     * call's (1.0.0 reported the call before). */
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    err = NULL;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, "", &err), TENIOS_ERR_INVALID_ARGUMENT);
    expect_zero_error_timings(__LINE__, err);
    tenios_error_free(err);
    tenios_client *built = NULL;
    tenios_client_builder *b = tenios_client_builder_new();
    err = NULL;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, "", &built, &err), TENIOS_ERR_INVALID_ARGUMENT);
    expect_zero_error_timings(__LINE__, err);
    tenios_error_free(err);
    tenios_client_builder_free(b);
    /* A call refused after the shutdown sent nothing either. */
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    tenios_client_shutdown(c);
    err = NULL;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, &err), TENIOS_ERR_SHUTDOWN);
    expect_zero_error_timings(__LINE__, err);
    tenios_error_free(err);
    tenios_client_free(c);
}

static void test_preconnect_and_idle_timeout(void)
{
    tenios_client *c = client_with_log(NULL, 0, 0);
    SIM_RESET();
    CHECK_INT_EQ(tenios_client_preconnect(c, NULL), TENIOS_OK);
    CHECK_INT_EQ(SIM_STAT("requests"), 0);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    tenios_call_timings t = {.struct_size = sizeof t};
    CHECK_INT_EQ(tenios_last_call_timings(&t), TENIOS_OK);
    CHECK(t.connection_reused, "the call used the pre-connected connection");
    CHECK_INT_EQ(SIM_STAT("connections"), 1);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_preconnect(NULL, &err), TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(err != NULL && strcmp(tenios_error_message(err), "client is NULL") == 0, "message");
    tenios_error_free(err);
    tenios_client_free(c);

    /* A 100 ms idle timeout: a connection idle longer is not reused. */
    c = client_with_log(NULL, 0, 100);
    SIM_RESET();
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    usleep(300 * 1000);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(SIM_STAT("connections"), 2);
    tenios_client_free(c);
    tenios_client_builder *b = tenios_client_builder_new();
    CHECK_INT_EQ(tenios_client_builder_set_idle_timeout_ms(b, 0, NULL), TENIOS_ERR_INVALID_ARGUMENT);
    tenios_client_builder_free(b);
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    run_test("log callback: each step in order, levels, no key", test_log_callback_lines_in_order);
    run_test("the default client's log callback", test_default_client_log_callback);
    run_test("the default client's callback: replaced from inside itself is refused",
             test_setter_inside_its_callback_is_refused);
    run_test("the default client's callback: the setter waits for deliveries in flight",
             test_setter_waits_for_deliveries_in_flight);
    run_test("timings: add up, struct_size respected, on errors too, zero when nothing sent",
             test_timings_and_struct_size);
    run_test("pre-connect: one connection, one request; the idle timeout",
             test_preconnect_and_idle_timeout);
    /* Last: it points the default client at a closed port for a while. */
    run_test("the default client's callback: once removed, never called again (race with "
             "tenios_global_init and calls)",
             test_removed_callback_never_called_again);
    return test_summary();
}
