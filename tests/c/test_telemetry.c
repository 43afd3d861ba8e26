/*
 * Seeing calls through the C ABI: the log callback (a client's and the default client's),
 * per-call timings with struct_size, timings on an error object, pre-connect and the idle
 * timeout. Run by tests/c/run.sh against the simulator (plainly, under valgrind, with ASan).
 */
#define _GNU_SOURCE
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
    run_test("timings: add up, struct_size respected, on errors too",
             test_timings_and_struct_size);
    run_test("pre-connect: one connection, one request; the idle timeout",
             test_preconnect_and_idle_timeout);
    return test_summary();
}
