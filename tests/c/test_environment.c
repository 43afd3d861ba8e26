/*
 * Which environment variables libtenios reads, and when (README: "The environment"), seen
 * through tests/c/getenv_logger.c (LD_PRELOAD): nothing while building a client without
 * proxy_from_env, nothing during calls (default client included), the proxy variables only
 * when a client is built with proxy_from_env, TENIOS_API_URL and TENIOS_CA_FILE only in
 * tenios_global_init. Reading the environment while a host thread calls setenv is a data
 * race: a call must never do it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void (*log_reset)(void);
static int (*log_count)(void);
static const char *(*log_name)(int);

static const char *KEY, *CALL, *SIM_URL;

/* Fails unless every name read since the last reset is in `allowed` (NULL-terminated). */
static void expect_only(const char *when, const char *const *allowed)
{
    int n = log_count();
    for (int i = 0; i < n; i++) {
        const char *name = log_name(i);
        int ok = 0;
        for (const char *const *a = allowed; a != NULL && *a != NULL; a++)
            ok = ok || strcmp(*a, name) == 0;
        CHECK(ok, "%s read the environment variable %s", when, name);
    }
    log_reset();
}

static tenios_client *build(int proxy_from_env)
{
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *c = NULL;
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    if (proxy_from_env)
        CHECK_INT_EQ(tenios_client_builder_set_proxy_from_env(b, 1, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    tenios_client_builder_free(b);
    return c;
}

static void test_no_environment_read_outside_the_documented_points(void)
{
    log_reset();
    tenios_client *c = build(0);
    expect_only("tenios_client_build", NULL);

    for (int i = 0; i < 3; i++) {
        CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
        CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_OK);
    }
    CHECK_INT_EQ(tenios_client_preconnect(c, NULL), TENIOS_OK);
    expect_only("a call", NULL);
    tenios_client_free(c);

    static const char *const proxy_vars[] = {"ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                                             "https_proxy", "HTTP_PROXY", "http_proxy",
                                             "NO_PROXY", "no_proxy", NULL};
    c = build(1);
    expect_only("tenios_client_build with proxy_from_env", proxy_vars);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    expect_only("a call of a client built with proxy_from_env", NULL);
    tenios_client_free(c);

    static const char *const init_vars[] = {"TENIOS_API_URL", "TENIOS_CA_FILE", NULL};
    CHECK_INT_EQ(tenios_global_init(NULL), TENIOS_OK);
    expect_only("tenios_global_init", init_vars);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_OK);
    expect_only("the first call after tenios_global_init", NULL);
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    SIM_URL = require_env("TENIOS_API_URL");
    log_reset = (void (*)(void))dlsym(RTLD_DEFAULT, "getenv_log_reset");
    log_count = (int (*)(void))dlsym(RTLD_DEFAULT, "getenv_log_count");
    log_name = (const char *(*)(int))dlsym(RTLD_DEFAULT, "getenv_log_name");
    if (log_reset == NULL || log_count == NULL || log_name == NULL) {
        fprintf(stderr, "test_environment: run it with LD_PRELOAD=getenv_logger.so\n");
        return 2;
    }
    run_test("no environment read outside tenios_client_build (proxy_from_env) and "
             "tenios_global_init",
             test_no_environment_read_outside_the_documented_points);
    return test_summary();
}
