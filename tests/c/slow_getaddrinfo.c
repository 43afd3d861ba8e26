/*
 * An LD_PRELOAD shim that stands in for a hung DNS server: getaddrinfo() for a name ending in
 * ".slow.test" counts the call, sleeps SLOW_DNS_MS milliseconds (default 3000) and fails with
 * EAI_NONAME. Every other name goes to the real getaddrinfo. test_resolver reads the count
 * with dlsym(RTLD_DEFAULT, "slow_dns_lookups").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int g_lookups;

int slow_dns_lookups(void) { return __atomic_load_n(&g_lookups, __ATOMIC_SEQ_CST); }

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    if (node != NULL && ends_with(node, ".slow.test")) {
        __atomic_add_fetch(&g_lookups, 1, __ATOMIC_SEQ_CST);
        const char *ms_text = getenv("SLOW_DNS_MS");
        long ms = ms_text != NULL ? atol(ms_text) : 3000;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {
        }
        return EAI_NONAME;
    }
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))
            dlsym(RTLD_NEXT, "getaddrinfo");
    return real(node, service, hints, res);
}
