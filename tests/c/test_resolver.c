/*
 * Name resolution while DNS hangs: run with LD_PRELOAD=slow_getaddrinfo.so, which makes every
 * lookup of a "*.slow.test" name take SLOW_DNS_MS (3000) ms and then fail. 32 threads call
 * through 8 clients whose hosts are 8 such names, each call with a 400 ms timeout:
 *
 * - at most 4 lookups run (MAX_LOOKUP_THREADS), one per host name however many callers wait;
 * - callers of a host being looked up time out; callers of the other hosts fail at once;
 * - the library's threads are bounded: after the calls, only the 4 lookup threads remain,
 *   and once DNS answers, none;
 * - a failed lookup is reused for 2 s: the next calls fail at once without a lookup;
 * - a call waiting for DNS returns at once when its client is shut down.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

#define HOSTS 8
#define CALLERS_PER_HOST 4
#define MAX_LOOKUPS 4 /* MAX_LOOKUP_THREADS in src/resolver.rs */

static const char *KEY = "resolver-test-key";
static const char *CALL = "3f2b8c1e-7a4d-4e59-9b61-0c8d2e7f5a14";
static int (*slow_dns_lookups)(void);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static tenios_client *client_for(int host, unsigned timeout_ms)
{
    char url[64];
    snprintf(url, sizeof url, "https://h%d.slow.test", host);
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, url, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_connect_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, timeout_ms, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

struct caller {
    tenios_client *client;
    tenios_status status;
    char message[200];
    double took_ms;
};

static void *call(void *arg)
{
    struct caller *k = arg;
    tenios_error *err = NULL;
    double start = now_ms();
    k->status = tenios_client_interrupt_block(k->client, CALL, &err);
    k->took_ms = now_ms() - start;
    snprintf(k->message, sizeof k->message, "%s", err ? tenios_error_message(err) : "");
    tenios_error_free(err);
    return NULL;
}

static tenios_client *g_clients[HOSTS];
static int g_looked_up[HOSTS];

static void test_hanging_dns_is_bounded(void)
{
    int before = count_dir_entries("/proc/self/task");
    struct caller callers[HOSTS * CALLERS_PER_HOST];
    pthread_t threads[HOSTS * CALLERS_PER_HOST];
    for (int h = 0; h < HOSTS; h++)
        g_clients[h] = client_for(h, 400);
    for (int i = 0; i < HOSTS * CALLERS_PER_HOST; i++) {
        callers[i] = (struct caller){.client = g_clients[i % HOSTS]};
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, call, &callers[i]), 0);
    }
    for (int i = 0; i < HOSTS * CALLERS_PER_HOST; i++)
        pthread_join(threads[i], NULL);

    CHECK_INT_EQ(slow_dns_lookups(), MAX_LOOKUPS);
    int timed_out_hosts = 0;
    for (int h = 0; h < HOSTS; h++) {
        char busy[200];
        snprintf(busy, sizeof busy,
                 "network error: cannot resolve h%d.slow.test: 4 name lookups are already in "
                 "progress (is DNS slow?)",
                 h);
        struct caller *first = &callers[h];
        g_looked_up[h] = first->status == TENIOS_ERR_TIMEOUT;
        timed_out_hosts += g_looked_up[h];
        for (int k = 0; k < CALLERS_PER_HOST; k++) {
            struct caller *c = &callers[h + k * HOSTS];
            char timed_out[200];
            snprintf(timed_out, sizeof timed_out,
                     "timed out: no answer from DNS for h%d.slow.test in time", h);
            if (g_looked_up[h]) {
                CHECK(c->status == TENIOS_ERR_TIMEOUT && strcmp(c->message, timed_out) == 0,
                      "host %d caller %d: %s \"%s\"", h, k, tenios_status_str(c->status),
                      printable(c->message));
            } else {
                CHECK(c->status == TENIOS_ERR_NETWORK && strcmp(c->message, busy) == 0,
                      "host %d caller %d: %s \"%s\"", h, k, tenios_status_str(c->status),
                      printable(c->message));
            }
        }
    }
    CHECK_INT_EQ(timed_out_hosts, MAX_LOOKUPS);
    /* The callers are gone; the 4 lookups still wait for DNS, nothing else was started. */
    CHECK_INT_EQ(count_dir_entries("/proc/self/task"), before + MAX_LOOKUPS);
    double until = now_ms() + 20000;
    while (count_dir_entries("/proc/self/task") > before && now_ms() < until)
        usleep(20 * 1000);
    CHECK_INT_EQ(count_dir_entries("/proc/self/task"), before);
}

static void test_a_failed_lookup_is_reused_briefly(void)
{
    for (int h = 0; h < HOSTS; h++) {
        if (!g_looked_up[h])
            continue;
        struct caller c = {.client = g_clients[h]};
        call(&c);
        char want[200];
        snprintf(want, sizeof want,
                 "network error: cannot resolve h%d.slow.test: failed to lookup address "
                 "information: Name or service not known",
                 h);
        CHECK(c.status == TENIOS_ERR_NETWORK && strcmp(c.message, want) == 0,
              "host %d: %s \"%s\"", h, tenios_status_str(c.status), printable(c.message));
    }
    CHECK_INT_EQ(slow_dns_lookups(), MAX_LOOKUPS);
}

static void test_shutdown_ends_a_wait_for_dns(void)
{
    tenios_client *c = client_for(HOSTS, 10000);
    struct caller k = {.client = c};
    pthread_t t;
    CHECK_INT_EQ(pthread_create(&t, NULL, call, &k), 0);
    double until = now_ms() + 5000;
    while (slow_dns_lookups() < MAX_LOOKUPS + 1 && now_ms() < until)
        usleep(5 * 1000);
    CHECK_INT_EQ(slow_dns_lookups(), MAX_LOOKUPS + 1);
    tenios_client_shutdown(c);
    pthread_join(t, NULL);
    CHECK_INT_EQ(k.status, TENIOS_ERR_SHUTDOWN);
    /* Generous against the 3 s lookup and the 10 s timeout. */
    CHECK(k.took_ms < 2500, "returned after %.0f ms", k.took_ms);
    tenios_client_free(c);
}

int main(void)
{
    slow_dns_lookups = (int (*)(void))dlsym(RTLD_DEFAULT, "slow_dns_lookups");
    if (slow_dns_lookups == NULL) {
        fprintf(stderr, "test_resolver: run with LD_PRELOAD=.../slow_getaddrinfo.so\n");
        return 2;
    }
    run_test("hanging DNS: 4 lookups at most, one per name, threads bounded",
             test_hanging_dns_is_bounded);
    run_test("a failed lookup is reused for 2 s", test_a_failed_lookup_is_reused_briefly);
    run_test("shutdown ends a wait for DNS", test_shutdown_ends_a_wait_for_dns);
    for (int h = 0; h < HOSTS; h++)
        tenios_client_free(g_clients[h]);
    return test_summary();
}
