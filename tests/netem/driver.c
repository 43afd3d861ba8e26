/*
 * The client side of `make test-netem` (tests/netem/netem.py runs it): calls of
 * tenios_client_interrupt_block from several threads, one call per line "UUID [TIMEOUT_MS]"
 * of a file, each timed with CLOCK_MONOTONIC around the call. One client handle per distinct
 * whole-call timeout (tenios_client_builder_set_timeout_ms; --timeout-ms for lines without
 * one), shared by the threads. Only the public C API.
 *
 *   netem_driver --url URL --key KEY --uuids FILE --timeout-ms MS [--ca PEM] [--threads T]
 *                [--warm UUID --warm-calls K]
 *
 * With --warm, it first makes K calls for UUID one after the other (a call the simulator
 * answers with success, over connections the client keeps), prints "warm" and waits for a line
 * on stdin before the measured calls: the test switches a blackhole on in between.
 *
 * Prints one line per measured call, in the order they ended:
 *   call UUID STATUS_NAME ELAPSED_US TIMEOUT_MS MESSAGE
 * and "warm-failed STATUS_NAME MESSAGE" for a warm-up call that failed. Exit status 0 when
 * every line was printed (the calls' statuses are for the test to judge), 2 on bad arguments
 * or a client that cannot be built.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenios.h"

#define MAX_UUIDS 100000
#define UUID_MAX 64
#define MAX_CLIENTS 8

typedef struct planned_call {
    char uuid[UUID_MAX];
    long timeout_ms;
    int client; /* index into clients */
} planned_call;

static planned_call *calls;
static long call_count;
static atomic_long next_index;
static const char *g_url, *g_key, *g_ca;
static tenios_client *clients[MAX_CLIENTS];
static long client_timeout_ms[MAX_CLIENTS];
static int client_count;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A message on one line: newlines and tabs become spaces. */
static void print_message(const char *m) {
    for (; m && *m; m++) putchar(*m == '\n' || *m == '\r' || *m == '\t' ? ' ' : *m);
    putchar('\n');
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        long i = atomic_fetch_add(&next_index, 1);
        if (i >= call_count) return NULL;
        const planned_call *c = &calls[i];
        tenios_error *err = NULL;
        uint64_t start = now_us();
        tenios_status st = tenios_client_interrupt_block(clients[c->client], c->uuid, &err);
        uint64_t elapsed = now_us() - start;
        pthread_mutex_lock(&out_lock);
        printf("call %s %s %llu %ld ", c->uuid, tenios_status_str(st),
               (unsigned long long)elapsed, c->timeout_ms);
        print_message(st == TENIOS_OK ? "-" : tenios_error_message(err));
        fflush(stdout);
        pthread_mutex_unlock(&out_lock);
        tenios_error_free(err);
    }
}

/* The client with this whole-call timeout, built on first use; -1 when it cannot be built. */
static int client_for(long timeout_ms) {
    for (int i = 0; i < client_count; i++)
        if (client_timeout_ms[i] == timeout_ms) return i;
    if (client_count == MAX_CLIENTS || timeout_ms < 1) return -1;
    tenios_error *err = NULL;
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *client = NULL;
    if (!b || tenios_client_builder_set_base_url(b, g_url, &err) != TENIOS_OK ||
        tenios_client_builder_set_timeout_ms(b, (uint32_t)timeout_ms, &err) != TENIOS_OK ||
        (g_ca && tenios_client_builder_set_ca_file(b, g_ca, &err) != TENIOS_OK) ||
        tenios_client_build(b, g_key, &client, &err) != TENIOS_OK) {
        fprintf(stderr, "netem_driver: %s\n", err ? tenios_error_message(err) : "out of memory");
        tenios_error_free(err);
        tenios_client_builder_free(b);
        return -1;
    }
    tenios_client_builder_free(b);
    clients[client_count] = client;
    client_timeout_ms[client_count] = timeout_ms;
    return client_count++;
}

static int load_calls(const char *path, long default_timeout_ms) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    calls = calloc(MAX_UUIDS, sizeof *calls);
    char line[256];
    while (calls && call_count < MAX_UUIDS && fgets(line, sizeof line, f)) {
        planned_call *c = &calls[call_count];
        long timeout_ms = default_timeout_ms;
        int fields = sscanf(line, "%63s %ld", c->uuid, &timeout_ms);
        if (fields < 1) continue;
        c->timeout_ms = timeout_ms;
        if ((c->client = client_for(timeout_ms)) < 0) {
            fclose(f);
            return -1;
        }
        call_count++;
    }
    fclose(f);
    return calls && call_count > 0 ? 0 : -1;
}

static void usage(void) {
    fprintf(stderr, "usage: netem_driver --url URL --key KEY --uuids FILE --timeout-ms MS "
                    "[--ca PEM] [--threads T] [--warm UUID --warm-calls K]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *url = NULL, *key = NULL, *uuid_file = NULL, *ca = NULL, *warm = NULL;
    long timeout_ms = 0, threads = 1, warm_calls = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--url")) url = v;
        else if (!strcmp(a, "--key")) key = v;
        else if (!strcmp(a, "--uuids")) uuid_file = v;
        else if (!strcmp(a, "--ca")) ca = v;
        else if (!strcmp(a, "--timeout-ms")) timeout_ms = atol(v);
        else if (!strcmp(a, "--threads")) threads = atol(v);
        else if (!strcmp(a, "--warm")) warm = v;
        else if (!strcmp(a, "--warm-calls")) warm_calls = atol(v);
        else usage();
    }
    if (argc % 2 != 1 || !url || !key || !uuid_file || timeout_ms < 1 || threads < 1 ||
        threads > 64 || (warm && warm_calls < 1))
        usage();
    g_url = url;
    g_key = key;
    g_ca = ca;
    /* the client of --timeout-ms first: the warm-up calls use it */
    if (client_for(timeout_ms) != 0 || load_calls(uuid_file, timeout_ms) != 0) {
        fprintf(stderr, "netem_driver: no usable calls in %s\n", uuid_file);
        return 2;
    }

    if (warm) {
        tenios_error *err = NULL;
        for (long i = 0; i < warm_calls; i++) {
            tenios_status st = tenios_client_interrupt_block(clients[0], warm, &err);
            if (st != TENIOS_OK) {
                printf("warm-failed %s ", tenios_status_str(st));
                print_message(tenios_error_message(err));
            }
            tenios_error_free(err);
            err = NULL;
        }
        printf("warm\n");
        fflush(stdout);
        char line[16];
        if (!fgets(line, sizeof line, stdin)) return 2;
    }

    pthread_t tid[64];
    for (long i = 0; i < threads; i++)
        if (pthread_create(&tid[i], NULL, worker, NULL) != 0) return 2;
    for (long i = 0; i < threads; i++) pthread_join(tid[i], NULL);
    for (int i = 0; i < client_count; i++) tenios_client_free(clients[i]);
    free(calls);
    return 0;
}
