/*
 * connect_delay.so: an LD_PRELOAD library that makes a TCP connect() to chosen loopback ports
 * take one round trip, for `make bench-wan` (benches/wan.py).
 *
 * benches/latency_proxy.c delays every byte on a connection, but not the TCP handshake: on
 * loopback the kernel completes a client's connect() at once (SYN, SYN-ACK and ACK never
 * leave the kernel, and the proxy cannot hold them back). Over a real network the handshake
 * costs one round trip before the client can send its first byte (the TLS ClientHello). This
 * library adds it where the client sees it: after the real connect() to 127.0.0.1:PORT, for a
 * PORT listed in CONNECT_DELAY_PORTS, it sleeps CONNECT_DELAY_MS and then returns what the
 * real connect() returned (0, or -1 with EINPROGRESS for a non-blocking socket, which the
 * caller's poll then reports writable at once). Both libcurl and libtenios (Rust's std)
 * connect through libc's connect(), so both pay the same round trip, as they would on the
 * wire; a failed connect is not delayed.
 *
 *   CONNECT_DELAY_MS=40 CONNECT_DELAY_PORTS=4431,4432 LD_PRELOAD=.../connect_delay.so prog
 *
 * Build: cc -shared -fPIC -O2 -Wall -Wextra -Werror -o connect_delay.so connect_delay.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

static int delayed_port(const struct sockaddr *sa, socklen_t len) {
    if (!sa || len < sizeof(struct sockaddr_in) || sa->sa_family != AF_INET) return 0;
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    if (ntohl(in->sin_addr.s_addr) >> 24 != 127) return 0;
    const char *ports = getenv("CONNECT_DELAY_PORTS");
    if (!ports) return 0;
    unsigned port = ntohs(in->sin_port);
    while (*ports) {
        char *end;
        unsigned long p = strtoul(ports, &end, 10);
        if (end == ports) return 0;
        if (p == port) return 1;
        ports = *end ? end + 1 : end;
    }
    return 0;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps until 0.4 ms before the end, then spins: a sleep alone wakes up 100-200 us late on
 * the VMs this runs on (the same as benches/latency_proxy.c). */
static void wait_ns(uint64_t ns) {
    uint64_t end = now_ns() + ns;
    if (ns > 400000u) {
        uint64_t until = end - 400000u;
        struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
    }
    while (now_ns() < end) {
    }
}

int connect(int fd, const struct sockaddr *sa, socklen_t len) {
    static connect_fn real;
    if (!real) real = (connect_fn)dlsym(RTLD_NEXT, "connect");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    int rc = real(fd, sa, len);
    int saved = errno;
    if ((rc == 0 || saved == EINPROGRESS) && delayed_port(sa, len)) {
        const char *ms = getenv("CONNECT_DELAY_MS");
        double d = ms ? strtod(ms, NULL) : 0;
        if (d > 0) wait_ns((uint64_t)(d * 1e6));
    }
    errno = saved;
    return rc;
}
