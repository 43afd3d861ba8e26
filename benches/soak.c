/*
 * Soak run: 100,000 calls of tenios_interrupt_block from 16 threads against tenios-sim,
 * recording open file descriptors and resident memory after 10,000 and after 100,000 calls.
 * Both should stay flat: the pool is bounded and nothing leaks per call.
 *
 * Not a test (no timing is asserted); run with `make soak`, which starts the simulator.
 * Env: TENIOS_API_URL (the simulator), TENIOS_ACCESS_KEY, SOAK_CALL_UUID.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenios.h"

#define THREADS 16
#define TOTAL_CALLS 100000L
#define FIRST_MARK 10000L

static const char *key;
static const char *call_uuid;
static atomic_long next_call;
static atomic_long failures;

static long open_fds(void) {
    long n = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    while (readdir(dir)) n++;
    closedir(dir);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

/* Makes calls until `limit` have been taken in all. */
static void *worker(void *arg) {
    long limit = *(const long *)arg;
    while (atomic_fetch_add(&next_call, 1) < limit) {
        char *err = NULL;
        if (tenios_interrupt_block(key, call_uuid, &err) != TENIOS_OK) {
            if (atomic_fetch_add(&failures, 1) < 5) fprintf(stderr, "soak: %s\n", err);
            tenios_string_free(err);
        }
    }
    return NULL;
}

static double run_until(long limit) {
    pthread_t threads[THREADS];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, worker, &limit);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    atomic_store(&next_call, limit);
    return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
}

int main(void) {
    key = getenv("TENIOS_ACCESS_KEY");
    call_uuid = getenv("SOAK_CALL_UUID");
    if (!key || !call_uuid || !getenv("TENIOS_API_URL")) {
        fprintf(stderr, "soak: set TENIOS_API_URL, TENIOS_ACCESS_KEY and SOAK_CALL_UUID\n");
        return 2;
    }
    printf("libtenios %s soak: %ld calls from %d threads\n", tenios_version(), TOTAL_CALLS, THREADS);
    printf("%10s %10s %12s %10s\n", "calls", "open fds", "RSS (KiB)", "seconds");
    printf("%10d %10ld %12ld %10s\n", 0, open_fds(), rss_kib(), "-");
    double first = run_until(FIRST_MARK);
    printf("%10ld %10ld %12ld %10.1f\n", FIRST_MARK, open_fds(), rss_kib(), first);
    double rest = run_until(TOTAL_CALLS);
    printf("%10ld %10ld %12ld %10.1f\n", TOTAL_CALLS, open_fds(), rss_kib(), first + rest);
    printf("failed calls: %ld\n", atomic_load(&failures));
    return atomic_load(&failures) == 0 ? 0 : 1;
}
