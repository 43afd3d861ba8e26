#define _POSIX_C_SOURCE 200809L

#include "testutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- runner */

static int g_passed, g_failed, g_current_failures;
static const char *g_current_name = "(none)";

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    g_current_failures++;
    fprintf(stdout, "    %s:%d: [%s] ", file, line, g_current_name);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

int test_failures_in_current(void) { return g_current_failures; }

void run_test(const char *name, test_fn fn)
{
    g_current_name = name;
    g_current_failures = 0;
    fn();
    if (g_current_failures == 0) {
        g_passed++;
        printf("ok   %s\n", name);
    } else {
        g_failed++;
        printf("FAIL %s (%d failed check%s)\n", name, g_current_failures,
               g_current_failures == 1 ? "" : "s");
    }
    fflush(stdout);
    g_current_name = "(none)";
}

int test_summary(void)
{
    printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    return g_failed == 0 ? 0 : 1;
}

/* ------------------------------------------------- calling the library */

const char *call_not_found(const char *call_uuid)
{
    static _Thread_local char buf[400];
    snprintf(buf, sizeof buf,
             "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has "
             "the uuid %s: the call may have ended (the caller hung up or it was transferred "
             "away), or the uuid is wrong",
             call_uuid);
    return buf;
}

const char *printable(const char *s)
{
    static char buf[600];
    if (s == NULL)
        return "(NULL)";
    size_t o = 0, n = strlen(s);
    buf[o++] = '"';
    for (size_t i = 0; i < n && o < sizeof buf - 24; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", c);
    }
    buf[o++] = '"';
    if (strlen(s) > 0 && o >= sizeof buf - 24)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "... (%zu bytes)", n);
    buf[o] = '\0';
    return buf;
}

/* test_dlopen loads libtenios itself, so its copy of these helpers must not link it. */
#ifndef TESTUTIL_WITHOUT_LIBRARY
static int message_matches(const char *msg, const char *want, match_mode mode)
{
    switch (mode) {
    case MATCH_EXACT:
        return strcmp(msg, want) == 0;
    case MATCH_PREFIX:
        return strncmp(msg, want, strlen(want)) == 0;
    case MATCH_CONTAINS:
        return strstr(msg, want) != NULL;
    }
    return 0;
}

static const char *mode_name(match_mode mode)
{
    switch (mode) {
    case MATCH_EXACT:
        return "equal";
    case MATCH_PREFIX:
        return "start with";
    case MATCH_CONTAINS:
        return "contain";
    }
    return "?";
}

int expect_call_without_at(const char *file, int line, const char *key,
                           const char *uuid, tenios_status want_status,
                           const char *want_msg, match_mode mode,
                           const char *absent)
{
    /* A garbage value: the library must overwrite it, never read it. */
    char *err = (char *)(uintptr_t)0x1;
    int ok = 1;
    tenios_status got = tenios_interrupt_block(key, uuid, &err);

    if (got != want_status) {
        ok = 0;
        test_fail(file, line, "status %s (%d), expected %s (%d); message %s",
                  tenios_status_str((uint32_t)got), (int)got,
                  tenios_status_str((uint32_t)want_status), (int)want_status,
                  err == (char *)(uintptr_t)0x1 ? "(untouched)" : printable(err));
    }
    if (err == (char *)(uintptr_t)0x1) {
        test_fail(file, line, "out_err was left untouched");
        return 0; /* nothing we could free */
    }
    /* The contract, whatever the status: NULL on TENIOS_OK, a message on
     * every error. */
    if (got == TENIOS_OK && err != NULL) {
        ok = 0;
        test_fail(file, line, "TENIOS_OK but out_err = %s (expected NULL)",
                  printable(err));
    } else if (got != TENIOS_OK && err == NULL) {
        ok = 0;
        test_fail(file, line, "error status but out_err is NULL");
    }
    if (want_status != TENIOS_OK && got != TENIOS_OK && err != NULL) {
        if (want_msg != NULL && !message_matches(err, want_msg, mode)) {
            ok = 0;
            char want_copy[600];
            snprintf(want_copy, sizeof want_copy, "%s", printable(want_msg));
            test_fail(file, line, "message %s does not %s %s", printable(err),
                      mode_name(mode), want_copy);
        }
        if (absent != NULL && strstr(err, absent) != NULL) {
            ok = 0;
            test_fail(file, line, "message %s contains the forbidden text",
                      printable(err));
        }
    }
    tenios_string_free(err);
    return ok;
}

int expect_call_at(const char *file, int line, const char *key,
                   const char *uuid, tenios_status want_status,
                   const char *want_msg, match_mode mode)
{
    return expect_call_without_at(file, line, key, uuid, want_status, want_msg,
                                  mode, NULL);
}
void expect_error_at(const char *file, int line, tenios_status st, tenios_error *err,
                     tenios_status want_status, const char *want_msg)
{
    if (st != want_status)
        test_fail(file, line, "status %s, expected %s (message \"%s\")",
                  tenios_status_str((uint32_t)st), tenios_status_str((uint32_t)want_status),
                  printable(err ? tenios_error_message(err) : NULL));
    if ((st == TENIOS_OK) != (err == NULL))
        test_fail(file, line, "error object %p with status %s", (void *)err,
                  tenios_status_str((uint32_t)st));
    if (want_msg != NULL && (err == NULL || strcmp(tenios_error_message(err), want_msg) != 0))
        test_fail(file, line, "message \"%s\", expected \"%s\"",
                  printable(err ? tenios_error_message(err) : NULL), want_msg);
    tenios_error_free(err);
}
#endif /* TESTUTIL_WITHOUT_LIBRARY */

/* ------------------------------------------- simulator control client */

static int g_port = -1;

void sim_set_port(int port) { g_port = port; }

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

http_response sim_http(const char *method, const char *path, const char *body)
{
    http_response r = {-1, NULL, 0};
    if (g_port <= 0)
        return r;

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return r;
    /* Never hang a test run on a wedged simulator. */
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)g_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return r;
    }

    size_t blen = body ? strlen(body) : 0;
    char head[512];
    int hlen = snprintf(head, sizeof head,
                        "%s %s HTTP/1.0\r\n"
                        "Host: 127.0.0.1:%d\r\n"
                        "Connection: close\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\n"
                        "\r\n",
                        method, path, g_port, blen);
    if (hlen < 0 || (size_t)hlen >= sizeof head ||
        write_all(fd, head, (size_t)hlen) != 0 ||
        (blen > 0 && write_all(fd, body, blen) != 0)) {
        close(fd);
        return r;
    }

    /* Read everything until the server closes the connection. */
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return r;
    }
    for (;;) {
        if (cap - len < 2048) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                close(fd);
                return r;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            close(fd);
            return r;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';

    /* "HTTP/1.x NNN reason\r\n...headers...\r\n\r\nbody" */
    int status;
    char *sep = strstr(buf, "\r\n\r\n");
    if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1 || sep == NULL) {
        free(buf);
        return r;
    }
    size_t off = (size_t)(sep + 4 - buf);
    r.body_len = len - off;
    r.body = malloc(r.body_len + 1);
    if (r.body == NULL) {
        free(buf);
        r.body_len = 0;
        return r;
    }
    memcpy(r.body, buf + off, r.body_len);
    r.body[r.body_len] = '\0';
    r.status = status;
    free(buf);
    return r;
}

void http_free(http_response *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

void sim_reset_at(const char *file, int line)
{
    http_response r = sim_http("POST", "/_sim/reset", "");
    if (r.status != 200)
        test_fail(file, line, "POST /_sim/reset answered %d", r.status);
    http_free(&r);
}

long sim_stat_at(const char *file, int line, const char *field)
{
    http_response r = sim_http("GET", "/_sim/stats", NULL);
    long v = -1;
    if (r.status != 200)
        test_fail(file, line, "GET /_sim/stats answered %d", r.status);
    else if ((v = json_int_field(r.body, field)) < 0)
        test_fail(file, line, "no \"%s\" in /_sim/stats: %s", field,
                  printable(r.body));
    http_free(&r);
    return v;
}

void sim_fault_at(const char *file, int line, const char *json)
{
    http_response r = sim_http("POST", "/_sim/faults", json);
    if (r.status < 200 || r.status > 299)
        test_fail(file, line, "POST /_sim/faults answered %d: %s", r.status,
                  printable(r.body));
    http_free(&r);
}

/* -------------------------------------------------- minimal JSON peeks */

const char *json_find_value(const char *from, const char *key)
{
    size_t klen = strlen(key);
    const char *p = from;
    while (p != NULL && (p = strchr(p, '"')) != NULL) {
        if (strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '"') {
            const char *q = p + 2 + klen;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                q++;
            if (*q == ':') {
                q++;
                while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                    q++;
                return q;
            }
        }
        p++;
    }
    return NULL;
}

long json_int_field(const char *json, const char *key)
{
    if (json == NULL)
        return -1;
    const char *v = json_find_value(json, key);
    if (v == NULL || *v < '0' || *v > '9')
        return -1;
    return strtol(v, NULL, 10);
}

size_t count_occurrences(const char *hay, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    if (hay == NULL || nl == 0)
        return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += nl)
        n++;
    return n;
}

int count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

const char *require_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "environment variable %s is not set (use tests/c/run.sh)\n",
                name);
        exit(2);
    }
    return v;
}

char *repeat_char(char c, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL) {
        perror("malloc");
        exit(2);
    }
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A loopback port on which nothing listens: bind port 0, read it, close. */
int closed_loopback_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        exit(2);
    }
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("bind/getsockname");
        exit(2);
    }
    close(fd);
    return ntohs(addr.sin_port);
}

/* The body of the last request the simulator recorded equals `want` (compared as it appears
 * JSON-escaped in /_sim/requests). */
void expect_last_body_at(const char *file, int line, const char *path, const char *want)
{
    http_response r = sim_http("GET", "/_sim/requests", NULL);
    char escaped[2048], needle[2300];
    size_t o = 0;
    for (const char *p = want; *p && o + 2 < sizeof escaped; p++) {
        if (*p == '"' || *p == '\\')
            escaped[o++] = '\\';
        escaped[o++] = *p;
    }
    escaped[o] = '\0';
    snprintf(needle, sizeof needle, "\"path\":\"%s\",", path);
    const char *at = r.body ? strstr(r.body, needle) : NULL;
    const char *last = NULL;
    while (at != NULL) {
        last = at;
        at = strstr(at + 1, needle);
    }
    snprintf(needle, sizeof needle, "\"body\":\"%s\"", escaped);
    if (last == NULL || strstr(last, needle) == NULL)
        test_fail(file, line, "no %s request with body %s in %s", path, want,
                  printable(r.body));
    http_free(&r);
}

#ifndef TESTUTIL_WITHOUT_LIBRARY
tenios_client *build_client_or_exit(const char *url, const char *key)
{
    tenios_client_builder *b = tenios_client_builder_new();
    tenios_client *client = NULL;
    tenios_client_builder_set_base_url(b, url, NULL);
    tenios_status st = tenios_client_build(b, key, &client, NULL);
    tenios_client_builder_free(b);
    if (st != TENIOS_OK) {
        fprintf(stderr, "cannot build a client for %s: %s\n", url, tenios_status_str(st));
        exit(2);
    }
    return client;
}
#endif
