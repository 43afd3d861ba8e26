/*
 * One deadline per call, whatever the host does (issue: timeouts that hold):
 *
 * - a call to a server that accepts and never answers returns TENIOS_ERR_TIMEOUT by its
 *   deadline while SIGALRM arrives every 100 ms, with and without SA_RESTART, over http
 *   (waiting for the response) and https (waiting in the TLS handshake);
 * - tenios_client_shutdown reaches a call or a pre-connect stuck in a TLS handshake, and a
 *   call stuck in a TCP connect, and they return within 300 ms saying the request was not
 *   sent.
 *
 * The silent server is a listening socket nobody accepts on: the kernel completes the TCP
 * handshake, and no byte ever comes back. Elapsed times are checked against generous bounds
 * (the deadline plus 400 ms): these are correctness bounds, not speed targets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static const char KEY[] = "deadline-test-key";
static const char CALL[] = "0d6d1f6c-2d6b-4c3e-9d0a-2b1f9e8c7a65";

/* Extra time allowed under valgrind, which slows the library's own work (not the waiting). */
static double g_slack_ms;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* A listening socket on 127.0.0.1 that never accepts; its port in *port. */
static int silent_server(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        test_fail(__FILE__, __LINE__, "cannot make a listening socket");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static tenios_client *client_for(const char *scheme, int port, unsigned timeout_ms)
{
    char url[64];
    snprintf(url, sizeof url, "%s://127.0.0.1:%d", scheme, port);
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, url, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

static volatile sig_atomic_t g_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    g_alarms++;
}

/* A 1000 ms call to the silent server under SIGALRM every 100 ms. */
static void timeout_holds_under_signals(const char *scheme, int restart)
{
    int port = 0;
    int server = silent_server(16, &port);
    if (server < 0)
        return;
    tenios_client *c = client_for(scheme, port, 1000);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval every_100ms = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    g_alarms = 0;
    setitimer(ITIMER_REAL, &every_100ms, NULL);
    tenios_error *err = NULL;
    double start = now_ms();
    tenios_status st = tenios_client_interrupt_block(c, CALL, &err);
    double took = now_ms() - start;
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    const char *msg = err ? tenios_error_message(err) : NULL;
    CHECK(st == TENIOS_ERR_TIMEOUT, "%s: %s", tenios_status_str(st), printable(msg));
    CHECK(msg != NULL && strcmp(msg, "timed out: no complete response within 1000 ms") == 0,
          "message \"%s\"", printable(msg));
    CHECK(took >= 990 && took < 1400 + g_slack_ms, "%s returned after %.0f ms (deadline 1000 ms)",
          scheme, took);
    CHECK(g_alarms >= 2, "only %d signals arrived during the call", (int)g_alarms);
    tenios_error_free(err);
    tenios_client_free(c);
    close(server);
}

static void test_http_with_sa_restart(void) { timeout_holds_under_signals("http", 1); }
static void test_http_without_sa_restart(void) { timeout_holds_under_signals("http", 0); }
static void test_https_with_sa_restart(void) { timeout_holds_under_signals("https", 1); }
static void test_https_without_sa_restart(void) { timeout_holds_under_signals("https", 0); }

struct stuck {
    tenios_client *client;
    int preconnect;
    tenios_status status;
    char message[256];
    double returned_at;
};

static void *stuck_call(void *arg)
{
    struct stuck *s = arg;
    tenios_error *err = NULL;
    s->status = s->preconnect ? tenios_client_preconnect(s->client, &err)
                              : tenios_client_interrupt_block(s->client, CALL, &err);
    s->returned_at = now_ms();
    snprintf(s->message, sizeof s->message, "%s", err ? tenios_error_message(err) : "(none)");
    tenios_error_free(err);
    return NULL;
}

/* Starts the call (or pre-connect) on a thread, shuts the client down 300 ms later, and checks
 * that it returned within 300 ms of the shutdown, saying the request was not sent. */
static void shutdown_reaches(const char *scheme, int port, int preconnect)
{
    struct stuck s;
    memset(&s, 0, sizeof s);
    s.client = client_for(scheme, port, 10000);
    s.preconnect = preconnect;
    pthread_t thread;
    pthread_create(&thread, NULL, stuck_call, &s);
    usleep(300 * 1000);
    double shut_at = now_ms();
    tenios_client_shutdown(s.client);
    pthread_join(thread, NULL);
    double after = s.returned_at - shut_at;
    CHECK(s.status == TENIOS_ERR_SHUTDOWN, "%s: %s", tenios_status_str(s.status),
          printable(s.message));
    CHECK(strcmp(s.message,
                 "the client was shut down during the call; the request was not sent") == 0,
          "message \"%s\"", printable(s.message));
    CHECK(after < 300 + g_slack_ms, "returned %.0f ms after the shutdown", after);
    tenios_client_free(s.client);
}

static void test_shutdown_reaches_a_tls_handshake(void)
{
    int port = 0;
    int server = silent_server(16, &port);
    if (server < 0)
        return;
    shutdown_reaches("https", port, 0);
    shutdown_reaches("https", port, 1);
    close(server);
}

/* A listener whose accept queue is full drops further SYNs: the next connect waits. */
static void test_shutdown_reaches_a_tcp_connect(void)
{
    int port = 0;
    int server = silent_server(0, &port);
    if (server < 0)
        return;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    int fillers[4];
    for (int i = 0; i < 4; i++) {
        fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fillers[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(50 * 1000);
    shutdown_reaches("http", port, 0);
    for (int i = 0; i < 4; i++)
        close(fillers[i]);
    close(server);
}

int main(void)
{
    const char *slack = getenv("TENIOS_TEST_SLACK_MS");
    g_slack_ms = slack != NULL ? atof(slack) : 0;
    run_test("http: a 1000 ms timeout holds under SIGALRM every 100 ms (SA_RESTART)",
             test_http_with_sa_restart);
    run_test("http: a 1000 ms timeout holds under SIGALRM every 100 ms (no SA_RESTART)",
             test_http_without_sa_restart);
    run_test("https: a 1000 ms timeout holds in a TLS handshake under SIGALRM (SA_RESTART)",
             test_https_with_sa_restart);
    run_test("https: a 1000 ms timeout holds in a TLS handshake under SIGALRM (no SA_RESTART)",
             test_https_without_sa_restart);
    run_test("shutdown reaches a call and a pre-connect in a TLS handshake within 300 ms",
             test_shutdown_reaches_a_tls_handshake);
    run_test("shutdown reaches a call in a TCP connect within 300 ms",
             test_shutdown_reaches_a_tcp_connect);
    return test_summary();
}
