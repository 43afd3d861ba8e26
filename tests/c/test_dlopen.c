/*
 * A host that loads and unloads libtenios again and again (a PBX reloading a module):
 * 100 cycles of dlopen, calls from two threads (a client handle and the default client),
 * dlclose. Nothing crashes, and open file descriptors and threads stay bounded.
 *
 * Cycles 1 to 50 just load, call and unload; cycles 51 to 100 behave like a careful module
 * (tenios_global_init after loading, tenios_global_cleanup before unloading: after a cleanup
 * the default client stays shut down until the next tenios_global_init).
 *
 *   test_dlopen /path/to/libtenios.so     (run.sh passes the release build)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenios.h"
#include "testutil.h"

#define CYCLES 100
#define CALLS_PER_THREAD 3

static const char *g_library;
static const char *KEY, *CALL, *SIM_URL;

/* The functions of one loaded copy. */
struct api {
    tenios_client_builder *(*builder_new)(void);
    void (*builder_free)(tenios_client_builder *);
    tenios_status (*set_base_url)(tenios_client_builder *, const char *, tenios_error **);
    tenios_status (*build)(const tenios_client_builder *, const char *, tenios_client **,
                           tenios_error **);
    void (*client_free)(tenios_client *);
    tenios_status (*client_interrupt)(const tenios_client *, const char *, tenios_error **);
    tenios_status (*interrupt)(const char *, const char *, char **);
    tenios_status (*global_init)(tenios_error **);
    void (*global_cleanup)(void);
};

static int load(void **handle, struct api *api)
{
    *handle = dlopen(g_library, RTLD_NOW | RTLD_LOCAL);
    if (*handle == NULL) {
        test_fail(__FILE__, __LINE__, "dlopen: %s", dlerror());
        return -1;
    }
#define SYM(field, name)                                                                   \
    do {                                                                                   \
        *(void **)&api->field = dlsym(*handle, name);                                      \
        if (api->field == NULL) {                                                          \
            test_fail(__FILE__, __LINE__, "dlsym %s: %s", name, dlerror());                \
            return -1;                                                                     \
        }                                                                                  \
    } while (0)
    SYM(builder_new, "tenios_client_builder_new");
    SYM(builder_free, "tenios_client_builder_free");
    SYM(set_base_url, "tenios_client_builder_set_base_url");
    SYM(build, "tenios_client_build");
    SYM(client_free, "tenios_client_free");
    SYM(client_interrupt, "tenios_client_interrupt_block");
    SYM(interrupt, "tenios_interrupt_block");
    SYM(global_init, "tenios_global_init");
    SYM(global_cleanup, "tenios_global_cleanup");
#undef SYM
    return 0;
}

struct worker {
    struct api *api;
    tenios_client *client; /* NULL: the default client */
    int wrong;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        tenios_status st;
        if (w->client != NULL) {
            st = w->api->client_interrupt(w->client, CALL, NULL);
        } else {
            st = w->api->interrupt(KEY, CALL, NULL);
        }
        if (st != TENIOS_OK)
            w->wrong++;
    }
    return NULL;
}

static void one_cycle(int cycle)
{
    void *handle = NULL;
    struct api api;
    if (load(&handle, &api) != 0)
        return;
    int careful = cycle > CYCLES / 2;
    if (careful)
        CHECK_INT_EQ(api.global_init(NULL), TENIOS_OK);
    tenios_client_builder *b = api.builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(api.set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    CHECK_INT_EQ(api.build(b, KEY, &c, NULL), TENIOS_OK);
    api.builder_free(b);

    struct worker workers[2] = {{&api, c, 0}, {&api, NULL, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].wrong == 0, "cycle %d thread %d: %d failed calls", cycle, i,
              workers[i].wrong);
    }
    api.client_free(c);
    if (careful)
        api.global_cleanup();
    CHECK(dlclose(handle) == 0, "dlclose: %s", dlerror());
}

static void test_load_call_unload_100_times(void)
{
    int fds_at_10 = 0, threads_at_10 = 0;
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
        one_cycle(cycle);
        if (test_failures_in_current() > 0)
            return;
        if (cycle == 10) {
            fds_at_10 = count_dir_entries("/proc/self/fd");
            threads_at_10 = count_dir_entries("/proc/self/task");
        }
    }
    int fds = count_dir_entries("/proc/self/fd"), threads = count_dir_entries("/proc/self/task");
    printf("  after 10 cycles: %d fds, %d threads; after %d: %d fds, %d threads\n", fds_at_10,
           threads_at_10, CYCLES, fds, threads);
    /* Bounded: no growth from cycle 10 to cycle 100 (the default client's pooled connection,
     * if any, is the same one). */
    CHECK(fds <= fds_at_10, "open fds grew from %d to %d", fds_at_10, fds);
    CHECK_INT_EQ(threads, 1);
}

/* `-z nodelete`: the library stays mapped after dlclose, so a reload finds the same copy
 * (function addresses do not change) and nothing of it is ever unmapped under a thread. */
static void test_the_library_stays_resident(void)
{
    void *h1 = dlopen(g_library, RTLD_NOW | RTLD_LOCAL);
    CHECK(h1 != NULL, "dlopen: %s", dlerror());
    if (h1 == NULL)
        return;
    void *first = dlsym(h1, "tenios_version");
    dlclose(h1);
    void *h2 = dlopen(g_library, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    CHECK(h2 != NULL, "after dlclose the library is no longer loaded (no -z nodelete?)");
    if (h2 == NULL)
        return;
    CHECK(dlsym(h2, "tenios_version") == first, "the library moved");
    dlclose(h2);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_dlopen /path/to/libtenios.so\n");
        return 2;
    }
    g_library = argv[1];
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    run_test("100 cycles of dlopen, calls from two threads, dlclose: fds and threads bounded",
             test_load_call_unload_100_times);
    run_test("dlclose leaves the library resident (-z nodelete)",
             test_the_library_stays_resident);
    return test_summary();
}
