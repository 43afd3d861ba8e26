/*
 * fork, whatever the parent's threads are doing (README: "fork"). Linked against the
 * test-hooks build and run with LD_PRELOAD=slow_getaddrinfo.so SLOW_DNS_MS=200, so that a
 * lookup of a "*.slow.test" name takes 200 ms on the library's own lookup thread.
 *
 * The call_uuid "tenios-test-hook:hold-resolver-lock" makes the next lookup to finish hold the
 * resolver's lock for 500 ms. The test forks inside that window while another thread is in a
 * call: the child's first lookup must not wait forever on a lock a thread of the parent held
 * (fork waits until it is let go), and the child's calls end by their deadlines.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static const char KEY[] = "fork-locks-test-key";
static const char CALL[] = "4a1b2c3d-7a4d-4e59-9b61-0c8d2e7f5a14";
static const char HOLD[] = "tenios-test-hook:hold-resolver-lock";

static tenios_client *client_for(const char *host, unsigned timeout_ms)
{
    char url[96];
    snprintf(url, sizeof url, "https://%s", host);
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, url, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_connect_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

static volatile int g_stop;

/* Keeps a call in flight (each waiting for DNS) until told to stop. */
static void *busy_caller(void *arg)
{
    tenios_client *c = arg;
    while (!g_stop)
        tenios_client_interrupt_block(c, CALL, NULL);
    return NULL;
}

/* Waits up to `seconds` for `pid`; kills it and fails when it does not end. */
static void expect_child_exits_0(pid_t pid, int seconds, const char *what)
{
    int status = 0;
    for (int i = 0; i < seconds * 100; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "%s: the child's call ended wrongly (status %d)", what, status);
            return;
        }
        usleep(10 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    test_fail(__FILE__, __LINE__, "%s: the child hung (deadlock) and was killed", what);
}

static void test_fork_while_a_lookup_thread_holds_the_resolver_lock(void)
{
    tenios_client *arming = client_for("late.slow.test", 50);
    tenios_client *busy = client_for("busy.slow.test", 30);
    pthread_t thread;
    g_stop = 0;
    pthread_create(&thread, NULL, busy_caller, busy);

    /* The lookup of late.slow.test finishes at 200 ms and then holds the lock until 700 ms. */
    tenios_status st = tenios_client_interrupt_block(arming, HOLD, NULL);
    CHECK(st == TENIOS_ERR_TIMEOUT, "arming call: %s", tenios_status_str(st));
    usleep(300 * 1000); /* inside the window */

    pid_t pid = fork();
    if (pid == 0) {
        tenios_client *c = client_for("child.slow.test", 100);
        tenios_error *err = NULL;
        tenios_status first = tenios_client_interrupt_block(c, CALL, &err);
        if (first != TENIOS_ERR_TIMEOUT)
            fprintf(stderr, "child: %s\n", err ? tenios_error_message(err) : "");
        tenios_error_free(err);
        tenios_status inherited = tenios_client_interrupt_block(busy, CALL, NULL);
        /* Freeing the inherited handles in the child is allowed and closes only its copies. */
        tenios_client_free(c);
        tenios_client_free(busy);
        tenios_client_free(arming);
        if (first != TENIOS_ERR_TIMEOUT || inherited != TENIOS_ERR_TIMEOUT)
            fprintf(stderr, "child: %s, %s\n", tenios_status_str(first), tenios_status_str(inherited));
        _exit(first == TENIOS_ERR_TIMEOUT && inherited == TENIOS_ERR_TIMEOUT ? 0 : 1);
    }
    CHECK(pid > 0, "fork failed");
    if (pid > 0)
        expect_child_exits_0(pid, 10, "fork inside the resolver lock's window");

    g_stop = 1;
    pthread_join(thread, NULL);
    tenios_client_free(busy);
    tenios_client_free(arming);
}

int main(void)
{
    run_test("fork while a lookup thread holds the resolver lock and a call is in flight",
             test_fork_while_a_lookup_thread_holds_the_resolver_lock);
    return test_summary();
}
