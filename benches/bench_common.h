/*
 * The measuring harness shared by the C benchmark clients (bench_tenios.c, bench_curl.c,
 * bench_raw.c). Each client supplies five functions; this file times them the same way for
 * all of them and prints one JSON line that benches/run.py reads.
 *
 *   int   client_global_init(const bench_opts *o);     once, before the first call
 *   void *client_thread_init(const bench_opts *o);     per thread (its handle/socket), or NULL
 *   int   client_call(void *ctx);                      one call; 0 when it got 200 {"success"...}
 *   void  client_thread_fini(void *ctx);
 *   void  client_global_fini(void);
 *
 * Options: --mode M --url URL --key K --uuid U [--ca PEM] --calls N [--warmup W] [--threads T]
 *
 * What is measured (the same for every client, C and Python):
 *   first_exec_ms  from BENCH_T0_NS (CLOCK_MONOTONIC, taken by the driver just before it spawns
 *                  this process) to the return of the first call: exec, dynamic loading,
 *                  client set-up, connect, TLS handshake, request and response.
 *   first_call_ms  from just before client_global_init to the return of the first call: the
 *                  same minus exec and loading.
 *   then W warm-up calls (split over the threads), then the N timed calls (split over T
 *   threads that start together at a barrier): calls/s = N / wall time of that phase, p50/p99
 *   of the per-call times (clock_gettime around each call), CPU µs per call (getrusage over
 *   the timed phase, all threads), and the process's peak RSS at the end (VmHWM; see
 *   bench_peak_rss_kib for why not only ru_maxrss).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct bench_opts {
    const char *mode;
    const char *url;
    const char *key;
    const char *uuid;
    const char *ca;
    long calls;
    long warmup;
    int threads;
} bench_opts;

int client_global_init(const bench_opts *o);
void *client_thread_init(const bench_opts *o);
int client_call(void *ctx);
void client_thread_fini(void *ctx);
void client_global_fini(void);

/* Failures are counted; the first few are printed by the clients through bench_report_failure. */
static atomic_long bench_failures;

static inline void bench_report_failure(const char *what, const char *detail) {
    if (atomic_fetch_add(&bench_failures, 1) < 5)
        fprintf(stderr, "bench: call failed: %s: %s\n", what, detail ? detail : "");
}

static inline uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The peak resident set size of this process image in KiB: VmHWM from /proc/self/status.
 * ru_maxrss would be the same figure, except that Linux carries it over execve from the image
 * that exec'd (here the Python driver, bigger than any C client), so it is printed too but
 * the driver reports this one. */
static long bench_peak_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

static inline double bench_cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

typedef struct bench_worker {
    const bench_opts *o;
    void *ctx;          /* NULL: the thread makes its own with client_thread_init */
    int owns_ctx;
    long warmup;
    long calls;
    uint64_t *lat;      /* calls entries, ns */
    pthread_barrier_t *barrier;
    int init_failed;
} bench_worker;

static void bench_loop(bench_worker *w) {
    for (long i = 0; i < w->warmup; i++) client_call(w->ctx);
}

static void bench_timed(bench_worker *w) {
    for (long i = 0; i < w->calls; i++) {
        uint64_t t = bench_now_ns();
        client_call(w->ctx);
        w->lat[i] = bench_now_ns() - t;
    }
}

static void *bench_thread(void *arg) {
    bench_worker *w = arg;
    if (!w->ctx) {
        w->ctx = client_thread_init(w->o);
        w->owns_ctx = 1;
        if (!w->ctx) w->init_failed = 1;
    }
    if (!w->init_failed) bench_loop(w);
    pthread_barrier_wait(w->barrier);
    if (!w->init_failed) bench_timed(w);
    return NULL;
}

static int bench_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The value at quantile q (0..1) of sorted v: nearest rank. */
static double bench_quantile_us(const uint64_t *v, long n, double q) {
    long rank = (long)(q * (double)n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return (double)v[rank - 1] / 1000.0;
}

static void bench_usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s --mode M --url URL --key K --uuid U [--ca PEM] --calls N "
            "[--warmup W] [--threads T]\n",
            argv0);
    exit(2);
}

static void bench_parse(int argc, char **argv, bench_opts *o) {
    memset(o, 0, sizeof *o);
    o->warmup = 200;
    o->threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) bench_usage(argv[0]);
        const char *v = argv[++i];
        if (!strcmp(a, "--mode")) o->mode = v;
        else if (!strcmp(a, "--url")) o->url = v;
        else if (!strcmp(a, "--key")) o->key = v;
        else if (!strcmp(a, "--uuid")) o->uuid = v;
        else if (!strcmp(a, "--ca")) o->ca = v;
        else if (!strcmp(a, "--calls")) o->calls = atol(v);
        else if (!strcmp(a, "--warmup")) o->warmup = atol(v);
        else if (!strcmp(a, "--threads")) o->threads = atoi(v);
        else bench_usage(argv[0]);
    }
    if (!o->mode || !o->url || !o->key || !o->uuid || o->calls < 1 || o->warmup < 0 ||
        o->threads < 1 || o->threads > 256)
        bench_usage(argv[0]);
}

static int bench_main(int argc, char **argv) {
    bench_opts o;
    bench_parse(argc, argv, &o);
    const char *t0_env = getenv("BENCH_T0_NS");
    uint64_t t0 = t0_env ? strtoull(t0_env, NULL, 10) : 0;

    /* The first call: client set-up, connect (+ TLS), request, response. */
    uint64_t before = bench_now_ns();
    if (client_global_init(&o) != 0) return 1;
    void *ctx0 = client_thread_init(&o);
    if (!ctx0) return 1;
    if (client_call(ctx0) != 0) {
        fprintf(stderr, "bench: the first call failed\n");
        return 1;
    }
    uint64_t after = bench_now_ns();

    int nt = o.threads;
    bench_worker *w = calloc((size_t)nt, sizeof *w);
    uint64_t *lat = malloc((size_t)o.calls * sizeof *lat);
    if (!w || !lat) return 1;
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)nt + 1);
    long offset = 0;
    for (int i = 0; i < nt; i++) {
        w[i].o = &o;
        w[i].ctx = i == 0 ? ctx0 : NULL;
        w[i].warmup = o.warmup / nt + (i < o.warmup % nt);
        w[i].calls = o.calls / nt + (i < o.calls % nt);
        w[i].lat = lat + offset;
        w[i].barrier = &barrier;
        offset += w[i].calls;
    }
    pthread_t *tid = calloc((size_t)nt, sizeof *tid);
    if (!tid) return 1;
    for (int i = 0; i < nt; i++)
        if (pthread_create(&tid[i], NULL, bench_thread, &w[i]) != 0) return 1;
    pthread_barrier_wait(&barrier);
    long failures_before = atomic_load(&bench_failures);
    double cpu0 = bench_cpu_seconds();
    uint64_t start = bench_now_ns();
    for (int i = 0; i < nt; i++) pthread_join(tid[i], NULL);
    uint64_t end = bench_now_ns();
    double cpu1 = bench_cpu_seconds();
    long failures = atomic_load(&bench_failures) - failures_before;
    int init_failed = 0;
    for (int i = 0; i < nt; i++) init_failed |= w[i].init_failed;

    qsort(lat, (size_t)o.calls, sizeof *lat, bench_cmp_u64);
    double seconds = (double)(end - start) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"mode\":\"%s\",\"threads\":%d,\"calls\":%ld,\"seconds\":%.6f,\"cps\":%.1f,"
           "\"p50_us\":%.2f,\"p99_us\":%.2f,\"cpu_us_per_call\":%.3f,"
           "\"first_exec_ms\":%.3f,\"first_call_ms\":%.3f,\"peak_rss_kib\":%ld,\"ru_maxrss_kib\":%ld,"
           "\"failures\":%ld}\n",
           o.mode, nt, o.calls, seconds, (double)o.calls / seconds,
           bench_quantile_us(lat, o.calls, 0.50), bench_quantile_us(lat, o.calls, 0.99),
           (cpu1 - cpu0) * 1e6 / (double)o.calls, t0 ? (double)(after - t0) / 1e6 : -1.0,
           (double)(after - before) / 1e6, bench_peak_rss_kib(), ru.ru_maxrss, failures);
    fflush(stdout);

    for (int i = 0; i < nt; i++)
        if (w[i].ctx && (i == 0 || w[i].owns_ctx)) client_thread_fini(w[i].ctx);
    client_global_fini();
    pthread_barrier_destroy(&barrier);
    free(tid);
    free(lat);
    free(w);
    return (failures || init_failed || atomic_load(&bench_failures)) ? 1 : 0;
}

#endif
