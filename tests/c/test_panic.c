/*
 * A panic inside libtenios: linked against the library built with the `test-hooks` feature
 * (make test-c builds it as build/test-hooks/libtenios.so; release builds have no such
 * faults), where a call_uuid names a place to panic. Each panic must become
 * TENIOS_ERR_INTERNAL with its documented message, print nothing on the host's stderr, and
 * leave the client (and the default client) working: a panic while the pool's lock is held
 * must not poison it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *SIM_URL;
static const char *PANIC_IN_CALL = "tenios-test-hook:panic-in-call";
static const char *PANIC_IN_POOL = "tenios-test-hook:panic-in-pool";

/* Everything written to fd 2 between stderr_capture_begin and _end. */
static int g_saved_stderr = -1;
static char g_capture_path[] = "/tmp/tenios-panic-stderr-XXXXXX";

static void stderr_capture_begin(void)
{
    fflush(stderr);
    int fd = mkstemp(g_capture_path);
    g_saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

static long stderr_capture_end(void)
{
    fflush(stderr);
    dup2(g_saved_stderr, 2);
    close(g_saved_stderr);
    struct stat st;
    long size = stat(g_capture_path, &st) == 0 ? (long)st.st_size : -1;
    unlink(g_capture_path);
    strcpy(g_capture_path, "/tmp/tenios-panic-stderr-XXXXXX");
    return size;
}

static void expect_internal(tenios_client *c, const char *uuid, const char *function)
{
    char want[200];
    snprintf(want, sizeof want,
             "internal error: a panic was caught in %s; please report this bug", function);
    stderr_capture_begin();
    tenios_status st;
    const char *text = NULL;
    tenios_error *err = NULL;
    char *msg = NULL;
    if (c != NULL) {
        st = tenios_client_interrupt_block(c, uuid, &err);
        text = err ? tenios_error_message(err) : NULL;
    } else {
        st = tenios_interrupt_block(KEY, uuid, &msg);
        text = msg;
    }
    long printed = stderr_capture_end();
    CHECK_INT_EQ(st, TENIOS_ERR_INTERNAL);
    CHECK(text != NULL && strcmp(text, want) == 0, "message \"%s\"", printable(text));
    CHECK(printed == 0, "the panic printed %ld bytes on stderr", printed);
    tenios_error_free(err);
    tenios_string_free(msg);
}

static void test_a_panic_is_silent_and_the_client_keeps_working(void)
{
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);

    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    expect_internal(c, PANIC_IN_CALL, "tenios_client_interrupt_block");
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    expect_internal(c, PANIC_IN_POOL, "tenios_client_interrupt_block");
    /* The pool lock the panic held is usable: the next calls succeed. */
    for (int i = 0; i < 3; i++)
        CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    tenios_client_free(c);
}

static void test_the_default_client_too(void)
{
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_OK);
    expect_internal(NULL, PANIC_IN_POOL, "tenios_interrupt_block");
    expect_internal(NULL, PANIC_IN_CALL, "tenios_interrupt_block");
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_OK);
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    run_test("a caught panic prints nothing and leaves the client working",
             test_a_panic_is_silent_and_the_client_keeps_working);
    run_test("the same for the default client", test_the_default_client_too);
    return test_summary();
}
