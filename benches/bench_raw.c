/*
 * Benchmark client: the floor. A prebuilt HTTP/1.1 request written with one write() on one
 * kept-alive TCP connection per thread (TCP_NODELAY), the response read and parsed just enough:
 * status line 200, Content-Length (case-insensitive), the body read to its end. Plain HTTP only.
 * See bench_common.h for what is measured; benches/run.py runs it.
 */
#include "bench_common.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct raw_ctx {
    int fd;
    char buf[8192];
} raw_ctx;

static char request[4096];
static size_t request_len;
static struct sockaddr_in server;

int client_global_init(const bench_opts *o) {
    char host[64];
    unsigned port = 0;
    if (strcmp(o->mode, "raw") != 0 ||
        sscanf(o->url, "http://%63[0-9.]:%u", host, &port) != 2 || port == 0 || port > 65535) {
        fprintf(stderr, "bench_raw: --mode raw --url http://IPv4:PORT only\n");
        return 1;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) return 1;
    char body[2200];
    int blen = snprintf(body, sizeof body, "{\"access_key\":\"%s\",\"call_uuid\":\"%s\"}",
                        o->key, o->uuid);
    if (blen < 0 || (size_t)blen >= sizeof body) return 1;
    int n = snprintf(request, sizeof request,
                     "POST /interrupt-ecc-block HTTP/1.1\r\n"
                     "Host: %s:%u\r\n"
                     "Content-Type: application/json\r\n"
                     "Accept: application/json\r\n"
                     "Content-Length: %d\r\n"
                     "\r\n"
                     "%s",
                     host, port, blen, body);
    if (n < 0 || (size_t)n >= sizeof request) return 1;
    request_len = (size_t)n;
    return 0;
}

void *client_thread_init(const bench_opts *o) {
    (void)o;
    raw_ctx *c = malloc(sizeof *c);
    if (!c) return NULL;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (c->fd < 0 || setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        connect(c->fd, (const struct sockaddr *)&server, sizeof server) != 0) {
        perror("bench_raw: connect");
        if (c->fd >= 0) close(c->fd);
        free(c);
        return NULL;
    }
    return c;
}

/* The value of header `name` in the header block hdr[0..len), or NULL. */
static const char *find_header(const char *hdr, size_t len, const char *name) {
    size_t nlen = strlen(name);
    const char *p = memchr(hdr, '\n', len); /* skip the status line */
    const char *end = hdr + len;
    while (p && p + 1 < end) {
        p++;
        if ((size_t)(end - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            p += nlen + 1;
            while (p < end && (*p == ' ' || *p == '\t')) p++;
            return p;
        }
        p = memchr(p, '\n', (size_t)(end - p));
    }
    return NULL;
}

int client_call(void *ctx) {
    raw_ctx *c = ctx;
    size_t off = 0;
    while (off < request_len) {
        ssize_t n = write(c->fd, request + off, request_len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            bench_report_failure("write", strerror(errno));
            return 1;
        }
        off += (size_t)n;
    }
    size_t have = 0, header_len = 0, total = 0;
    for (;;) {
        if (have == sizeof c->buf) {
            bench_report_failure("read", "response too large");
            return 1;
        }
        ssize_t n = read(c->fd, c->buf + have, sizeof c->buf - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            bench_report_failure("read", n == 0 ? "connection closed" : strerror(errno));
            return 1;
        }
        have += (size_t)n;
        if (!header_len) {
            for (size_t i = 3; i < have; i++)
                if (c->buf[i] == '\n' && c->buf[i - 1] == '\r' && c->buf[i - 2] == '\n' &&
                    c->buf[i - 3] == '\r') {
                    header_len = i + 1;
                    break;
                }
            if (!header_len) continue;
            if (header_len < 12 || memcmp(c->buf, "HTTP/1.1 200", 12) != 0) {
                bench_report_failure("response", "not HTTP/1.1 200");
                return 1;
            }
            const char *cl = find_header(c->buf, header_len, "Content-Length");
            if (!cl || !isdigit((unsigned char)*cl)) {
                bench_report_failure("response", "no Content-Length");
                return 1;
            }
            total = header_len + strtoul(cl, NULL, 10);
        }
        if (have >= total) break;
    }
    if (have != total || total == header_len) {
        bench_report_failure("response", "unexpected body length");
        return 1;
    }
    return 0;
}

void client_thread_fini(void *ctx) {
    raw_ctx *c = ctx;
    close(c->fd);
    free(c);
}

void client_global_fini(void) {}

int main(int argc, char **argv) { return bench_main(argc, argv); }
