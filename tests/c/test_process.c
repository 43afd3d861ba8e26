/*
 * libtenios inside a host process: fork, shutdown, the environment, and strings freed after
 * the caller changed them. Run by tests/c/run.sh against the simulator (plainly, under
 * valgrind and with ASan+UBSan).
 *
 * Environment (set by run.sh): TENIOS_API_URL (the simulator, read by the library when it is
 * loaded), TENIOS_SIM_PORT, TENIOS_TEST_KEY, TENIOS_TEST_CALL (interruptible),
 * TENIOS_TEST_STUCK (not interruptible). TENIOS_TEST_FORK_CALLS: calls per process in the
 * fork test (default 200).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *STUCK, *SIM_URL;
static const char *UNKNOWN = "0f1e2d3c-4b5a-4968-8776-655443322110";
static int g_fork_calls = 200;

#define CHILDREN 4

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static tenios_client *sim_client(unsigned timeout_ms)
{
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK(b != NULL, "builder_new returned NULL");
    if (b == NULL)
        return NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    if (timeout_ms != 0)
        CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

/* Calls `uuid` through the client (or the default client when `c` is NULL) and returns the
 * status; the message is checked to be present exactly on failure. */
static tenios_status call_once(tenios_client *c, const char *uuid)
{
    if (c != NULL) {
        tenios_error *err = NULL;
        tenios_status st = tenios_client_interrupt_block(c, uuid, &err);
        if ((st == TENIOS_OK) != (err == NULL))
            return TENIOS_ERR_INTERNAL;
        tenios_error_free(err);
        return st;
    }
    char *msg = NULL;
    tenios_status st = tenios_interrupt_block(KEY, uuid, &msg);
    if ((st == TENIOS_OK) != (msg == NULL))
        return TENIOS_ERR_INTERNAL;
    tenios_string_free(msg);
    return st;
}

/* `n` calls cycling through an interruptible, an unknown and a stuck call, alternating
 * between the client handle and the default client. Returns the number of wrong statuses. */
static int call_mix(tenios_client *c, int n)
{
    static const tenios_status want[3] = {TENIOS_OK, TENIOS_ERR_CALL_UUID_NOT_FOUND,
                                          TENIOS_ERR_API};
    const char *uuids[3] = {CALL, UNKNOWN, STUCK};
    int wrong = 0;
    for (int i = 0; i < n; i++) {
        tenios_status st = call_once(i % 2 == 0 ? c : NULL, uuids[i % 3]);
        if (st != want[i % 3]) {
            if (wrong < 5)
                fprintf(stderr, "  pid %d call %d: %s, expected %s\n", (int)getpid(), i,
                        tenios_status_str(st), tenios_status_str(want[i % 3]));
            wrong++;
        }
    }
    return wrong;
}

/* The request bodies the simulator saw from this test's key (every one well-formed JSON with
 * exactly the two fields, in this order: that is how the library writes them). */
static long well_formed_requests(void)
{
    http_response r = sim_http("GET", "/_sim/requests", NULL);
    char needle[512];
    snprintf(needle, sizeof needle, "\"body\":\"{\\\"access_key\\\":\\\"%s\\\",\\\"call_uuid\\\":\\\"",
             KEY);
    long n = r.status == 200 ? (long)count_occurrences(r.body, needle) : -1;
    http_free(&r);
    return n;
}

/* A parent with pooled connections (one call each on a handle and on the default client),
 * then the parent and 4 children calling at once. Every process gets its own right answers
 * and the simulator sees exactly the requests made, all well-formed. */
static void test_fork_parent_and_children_call_at_once(void)
{
    tenios_client *c = sim_client(0);
    if (c == NULL)
        return;
    SIM_RESET();
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);    /* the health check before the fork */
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);

    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            int wrong = call_mix(c, g_fork_calls);
            tenios_client_free(c);
            _exit(wrong > 100 ? 100 : wrong);
        }
        CHECK(pids[i] > 0, "fork failed: %s", strerror(errno));
    }
    int wrong = call_mix(c, g_fork_calls);
    CHECK_INT_EQ(wrong, 0);
    for (int i = 0; i < CHILDREN; i++) {
        int ws = 0;
        if (pids[i] <= 0)
            continue;
        CHECK(waitpid(pids[i], &ws, 0) == pids[i], "waitpid: %s", strerror(errno));
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
              "child %d: %d wrong statuses (wait status %#x)", i,
              WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, ws);
    }
    long expected = 2 + (long)(CHILDREN + 1) * g_fork_calls;
    CHECK_INT_EQ(SIM_STAT("requests"), expected);
    CHECK_INT_EQ(well_formed_requests(), expected);
    /* And the parent goes on working. */
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, UNKNOWN), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    tenios_client_free(c);
}

/* Children that exit without calling, that free the inherited client, or that shut down the
 * inherited client and the default client, leave the parent's pooled connections alone: the
 * parent's next calls succeed on the same connection as before. */
/* Kept in a global, so that a child that exits without freeing it (as a C program may) does
 * not count as a leak under valgrind. */
tenios_client *g_inherited; /* not static: the store must not be optimised away */

static void test_fork_children_leave_the_parents_connections_alone(void)
{
    tenios_client *c = g_inherited = sim_client(0);
    if (c == NULL)
        return;
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    SIM_RESET();
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    CHECK_INT_EQ(SIM_STAT("connections"), 2);

    for (int what = 0; what < 3; what++) {
        pid_t pid = fork();
        if (pid == 0) {
            if (what == 1)
                tenios_client_free(c);
            if (what == 2) {
                tenios_client_shutdown(c);
                tenios_global_cleanup();
                /* In the child they are shut down... */
                int ok = call_once(c, CALL) == TENIOS_ERR_SHUTDOWN &&
                         call_once(NULL, CALL) == TENIOS_ERR_SHUTDOWN;
                _exit(ok ? 0 : 1);
            }
            _exit(0);
        }
        int ws = 0;
        CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid, "fork/waitpid: %s", strerror(errno));
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "child %d: wait status %#x", what, ws);
    }
    /* ...and in the parent they are not, and no new connection was needed. */
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    CHECK_INT_EQ(SIM_STAT("connections"), 2);
    CHECK_INT_EQ(SIM_STAT("requests"), 4);
    tenios_client_free(c);
}

struct in_flight {
    tenios_client *client; /* NULL: the default client */
    tenios_status status;
    char message[256];
    double took_ms;
};

static void *call_in_flight(void *arg)
{
    struct in_flight *f = arg;
    double start = now_ms();
    if (f->client != NULL) {
        tenios_error *err = NULL;
        f->status = tenios_client_interrupt_block(f->client, CALL, &err);
        snprintf(f->message, sizeof f->message, "%s",
                 err ? tenios_error_message(err) : "(none)");
        tenios_error_free(err);
    } else {
        char *msg = NULL;
        f->status = tenios_interrupt_block(KEY, CALL, &msg);
        snprintf(f->message, sizeof f->message, "%s", msg ? msg : "(none)");
        tenios_string_free(msg);
    }
    f->took_ms = now_ms() - start;
    return NULL;
}

static const char *CANCELLED =
    "the client was shut down during the call; the request may or may not have reached the API";

/* Starts a call that the simulator answers only after 8 s, shuts the client down while it
 * waits (via `shut`), and checks that the call returned promptly with TENIOS_ERR_SHUTDOWN. */
static void shut_down_in_flight(tenios_client *c, void (*shut)(tenios_client *))
{
    SIM_RESET();
    SIM_FAULT("{\"delay_ms\": 8000, \"status\": 200, \"body\": \"{\\\"success\\\": true}\"}");
    struct in_flight f = {.client = c};
    pthread_t t;
    CHECK_INT_EQ(pthread_create(&t, NULL, call_in_flight, &f), 0);
    /* Wait until the request has reached the simulator, then shut down. */
    for (int i = 0; i < 500 && SIM_STAT("requests") < 1; i++)
        usleep(10 * 1000);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    double start = now_ms();
    shut(c);
    pthread_join(t, NULL);
    double after_shutdown = now_ms() - start;
    CHECK_INT_EQ(f.status, TENIOS_ERR_SHUTDOWN);
    CHECK(strcmp(f.message, CANCELLED) == 0, "message \"%s\"", printable(f.message));
    /* A generous bound against an 8 s answer: the call did not wait for it. */
    CHECK(after_shutdown < 3000.0, "the call returned %.0f ms after the shutdown", after_shutdown);
}

static void shut_client(tenios_client *c) { tenios_client_shutdown(c); }
static void shut_default(tenios_client *c)
{
    (void)c;
    tenios_global_cleanup();
}

static void test_client_shutdown_cancels_and_refuses(void)
{
    tenios_client *c = sim_client(0);
    if (c == NULL)
        return;
    shut_down_in_flight(c, shut_client);
    /* Later calls are refused without sending anything; shutting down again is harmless. */
    tenios_client_shutdown(c);
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, &err), TENIOS_ERR_SHUTDOWN);
    CHECK(err != NULL && strcmp(tenios_error_message(err),
                                "the client was shut down; the request was not sent") == 0,
          "message \"%s\"", printable(err ? tenios_error_message(err) : NULL));
    tenios_error_free(err);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    /* Other clients and the default client are not affected. */
    tenios_client *other = sim_client(0);
    CHECK_INT_EQ(call_once(other, CALL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    tenios_client_free(other);
    tenios_client_free(c);
    tenios_client_shutdown(NULL);
}

static void test_global_cleanup_and_init(void)
{
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    shut_down_in_flight(NULL, shut_default);
    char *msg = NULL;
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, &msg), TENIOS_ERR_SHUTDOWN);
    CHECK(msg != NULL && strcmp(msg, "the default client was shut down by "
                                     "tenios_global_cleanup; call tenios_global_init to "
                                     "use it again") == 0,
          "message \"%s\"", printable(msg));
    tenios_string_free(msg);
    tenios_global_cleanup(); /* idempotent */
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    /* Client handles are not affected. */
    tenios_client *c = sim_client(0);
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    tenios_client_free(c);
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_global_init(&err), TENIOS_OK);
    CHECK(err == NULL, "error object on success");
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
}

/* TENIOS_API_URL is read when the library is loaded (or by tenios_global_init), never during a
 * call: a later setenv changes nothing until tenios_global_init. */
static void test_environment_is_read_at_load_and_by_global_init(void)
{
    char *saved = strdup(SIM_URL);
    setenv("TENIOS_API_URL", "http://example.com", 1);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);

    static const char *unusable = "TENIOS_API_URL is unusable: plain http:// is only allowed "
                                  "for loopback hosts (127.0.0.0/8, ::1, localhost), not "
                                  "example.com; use https://";
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_global_init(&err), TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(err != NULL && strcmp(tenios_error_message(err), unusable) == 0, "message \"%s\"",
          printable(err ? tenios_error_message(err) : NULL));
    tenios_error_free(err);
    char *msg = NULL;
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, &msg), TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(msg != NULL && strcmp(msg, unusable) == 0, "message \"%s\"", printable(msg));
    tenios_string_free(msg);
    /* Client handles never read it. */
    tenios_client *c = sim_client(0);
    CHECK_INT_EQ(call_once(c, CALL), TENIOS_OK);
    tenios_client_free(c);

    setenv("TENIOS_API_URL", saved, 1);
    CHECK_INT_EQ(tenios_global_init(NULL), TENIOS_OK);
    CHECK_INT_EQ(call_once(NULL, CALL), TENIOS_OK);
    free(saved);
}

/* A caller may change a returned string (even cut it short) before freeing it. */
static volatile sig_atomic_t g_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    g_alarms++;
}

/* A signal that interrupts a call's blocking read (a handler installed without SA_RESTART, so
 * the read fails with EINTR) does not fail the call: libtenios retries the read. */
static void test_a_signal_during_a_call_does_not_fail_it(void)
{
    tenios_client *c = sim_client(0);
    if (c == NULL)
        return;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    CHECK_INT_EQ(sigaction(SIGALRM, &sa, &old), 0);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK); /* connected */
    SIM_FAULT("{\"delay_ms\": 600, \"status\": 200, \"body\": \"{\\\"success\\\": true}\"}");
    g_alarms = 0;
    struct itimerval every_100ms = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every_100ms, NULL);
    tenios_error *err = NULL;
    tenios_status st = tenios_client_interrupt_block(c, CALL, &err);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    CHECK(st == TENIOS_OK, "%s: %s", tenios_status_str(st),
          printable(err ? tenios_error_message(err) : NULL));
    CHECK(g_alarms >= 2, "only %d signals arrived during the call", (int)g_alarms);
    tenios_error_free(err);
    tenios_client_free(c);
}

static void test_string_free_after_the_caller_changed_it(void)
{
    char *msg = NULL;
    CHECK_INT_EQ(tenios_interrupt_block(KEY, UNKNOWN, &msg), TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK(msg != NULL && strlen(msg) > 10, "message \"%s\"", printable(msg));
    if (msg != NULL) {
        msg[3] = '\0';
        tenios_string_free(msg);
    }
    msg = NULL;
    CHECK_INT_EQ(tenios_interrupt_block("", CALL, &msg), TENIOS_ERR_INVALID_ARGUMENT);
    if (msg != NULL) {
        msg[0] = '\0';
        tenios_string_free(msg);
    }
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    STUCK = require_env("TENIOS_TEST_STUCK");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    const char *calls = getenv("TENIOS_TEST_FORK_CALLS");
    if (calls != NULL && *calls != '\0')
        g_fork_calls = atoi(calls);

    run_test("fork: parent and 4 children call at once, each gets its own answers",
             test_fork_parent_and_children_call_at_once);
    run_test("fork: children that exit, free or shut down leave the parent's connections",
             test_fork_children_leave_the_parents_connections_alone);
    run_test("tenios_client_shutdown cancels a call in flight and refuses new ones",
             test_client_shutdown_cancels_and_refuses);
    run_test("tenios_global_cleanup shuts the default client down until tenios_global_init",
             test_global_cleanup_and_init);
    run_test("the environment is read at load and by tenios_global_init, not per call",
             test_environment_is_read_at_load_and_by_global_init);
    run_test("a signal interrupting a call's read does not fail it",
             test_a_signal_during_a_call_does_not_fail_it);
    run_test("tenios_string_free after the caller changed the string",
             test_string_free_after_the_caller_changed_it);
    return test_summary();
}
