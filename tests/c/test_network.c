/*
 * libtenios tests that need their own process, because the library reads
 * TENIOS_API_URL only once, when its shared client is first used.
 *
 *   test_network closed-port      TENIOS_API_URL = a closed loopback port
 *                                 -> TENIOS_ERR_NETWORK, "network error: ..."
 *   test_network unusable-url URL TENIOS_API_URL = URL (e.g. http://example.com)
 *                                 -> TENIOS_ERR_INVALID_ARGUMENT,
 *                                    "TENIOS_API_URL is unusable: ..."
 *
 * The URL is set with setenv() before the first library call.  Nothing here
 * leaves the machine: a library that wrongly accepted http://example.com
 * would try to connect, and the test fails.
 *
 * Prints one line per test and "N passed, M failed"; exits 1 on failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

static const char KEY[] = "network-test-key";
static const char CALL[] = "6d1f6c2e-2d6b-4c3e-9d0a-2b1f9e8c7a65";

static const char *g_url;

static void test_closed_port(void)
{
    /* Twice: a failed connection does not poison the shared client. */
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_NETWORK, "network error: ", MATCH_PREFIX);
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_NETWORK, "network error: ", MATCH_PREFIX);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL), TENIOS_ERR_NETWORK);
}

static void test_unusable_url(void)
{
    /* Twice: the verdict on the URL sticks for the life of the process. */
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_INVALID_ARGUMENT,
                "TENIOS_API_URL is unusable: ", MATCH_PREFIX);
    EXPECT_CALL(KEY, CALL, TENIOS_ERR_INVALID_ARGUMENT,
                "TENIOS_API_URL is unusable: ", MATCH_PREFIX);
    CHECK_INT_EQ(tenios_interrupt_block(KEY, CALL, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    char url[64];
    char name[256];

    if (argc == 2 && strcmp(argv[1], "closed-port") == 0) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_loopback_port());
        g_url = url;
        snprintf(name, sizeof name, "closed loopback port (%s) -> TENIOS_ERR_NETWORK",
                 g_url);
        /* The library read the environment when it was loaded: read it again. */
        setenv("TENIOS_API_URL", g_url, 1);
        tenios_global_init(NULL);
        run_test(name, test_closed_port);
    } else if (argc == 3 && strcmp(argv[1], "unusable-url") == 0) {
        g_url = argv[2];
        snprintf(name, sizeof name,
                 "TENIOS_API_URL=%s -> TENIOS_ERR_INVALID_ARGUMENT", g_url);
        setenv("TENIOS_API_URL", g_url, 1);
        tenios_global_init(NULL); /* fails: test_unusable_url checks what calls report */
        run_test(name, test_unusable_url);
    } else {
        fputs("usage: test_network closed-port | unusable-url URL\n", stderr);
        return 2;
    }
    return test_summary();
}
