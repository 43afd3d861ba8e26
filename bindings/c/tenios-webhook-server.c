/*
 * tenios-webhook-server: a TENIOS Call Control webhook in plain C with libtenios, served by a
 * tiny single-threaded HTTP/1.1 server on loopback (no dependencies).
 *
 *   TENIOS_WEBHOOK_KEY=my-access-key tenios-webhook-server [--port N] [--max-requests N]
 *
 * It serves the loop of docs/webhook.md:
 *   - request 0 (loopCount 0): an ANNOUNCEMENT, the caller's waiting loop
 *     ($TENIOS_WEBHOOK_ANNOUNCEMENT, default "WaitingMusic"); TENIOS plays it until your
 *     program interrupts it with tenios_interrupt_block;
 *   - any later request (loopCount >= 1, i.e. after the interrupt): a SEQUENTIAL BRIDGE to the
 *     agent's SIP account ($TENIOS_WEBHOOK_AGENT, default "1001", 30 s);
 *   - VALIDATION_ERRORS: the errors go to stderr, the answer is {"blocks":[]};
 *   - a body libtenios rejects: 400 {"error":"..."}; a wrong accessKey (compared in constant
 *     time with $TENIOS_WEBHOOK_KEY): 403.
 * Any path is served; only POST. Every response closes its connection.
 *
 * It prints "listening on http://127.0.0.1:PORT" on stdout once bound (port 0, the default,
 * picks a free one), logs one line per request on stderr, and exits after --max-requests
 * requests (default: never). TENIOS only calls HTTPS: put a TLS-terminating proxy in front.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tenios.h"

#define MAX_HEADER_BYTES 16384
#define MAX_BODY_BYTES (1024 * 1024)

static const char *g_key, *g_announcement, *g_agent;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void respond(int fd, int status, const char *body)
{
    const char *reason = status == 200   ? "OK"
                         : status == 400 ? "Bad Request"
                         : status == 403 ? "Forbidden"
                         : status == 405 ? "Method Not Allowed"
                         : status == 411 ? "Length Required"
                         : status == 413 ? "Content Too Large"
                                         : "Internal Server Error";
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, reason, strlen(body));
    if (write_all(fd, head, (size_t)n) == 0)
        write_all(fd, body, strlen(body));
}

/* {"error":"<message>"}, JSON-escaped, in a malloc'd string. */
static char *error_json(const char *message)
{
    size_t n = strlen(message);
    char *out = malloc(n * 6 + 16), *o = out;
    if (out == NULL)
        return NULL;
    o += sprintf(o, "{\"error\":\"");
    for (const unsigned char *p = (const unsigned char *)message; *p; p++) {
        if (*p == '"' || *p == '\\')
            o += sprintf(o, "\\%c", *p);
        else if (*p < 0x20)
            o += sprintf(o, "\\u%04x", *p);
        else
            *o++ = (char)*p;
    }
    strcpy(o, "\"}");
    return out;
}

/* The webhook itself: a request body in, an HTTP status and a body out. */
static void serve_webhook(int fd, const unsigned char *body, size_t len)
{
    tenios_webhook_request *req = NULL;
    tenios_error *err = NULL;
    if (tenios_webhook_request_parse(body, len, &req, &err) != TENIOS_OK) {
        fprintf(stderr, "webhook: 400: %s\n", tenios_error_message(err));
        char *json = error_json(tenios_error_message(err));
        respond(fd, 400, json ? json : "{}");
        free(json);
        tenios_error_free(err);
        return;
    }
    if (!tenios_webhook_request_access_key_matches(req, g_key)) {
        fprintf(stderr, "webhook: 403: wrong access key\n");
        respond(fd, 403, "{\"error\":\"access key does not match\"}");
        tenios_webhook_request_free(req);
        return;
    }
    uint32_t loop = tenios_webhook_request_loop_count(req);
    const char *call = tenios_webhook_request_variable(req, "call_uuid");
    if (strcmp(tenios_webhook_request_request_status(req), "VALIDATION_ERRORS") == 0) {
        for (size_t i = 0; i < tenios_webhook_request_validation_error_count(req); i++)
            fprintf(stderr, "webhook: validation error: %s\n",
                    tenios_webhook_request_validation_error(req, i));
        respond(fd, 200, tenios_blocks_empty_answer());
        tenios_webhook_request_free(req);
        return;
    }

    tenios_blocks *blocks = tenios_blocks_new();
    tenios_status st;
    if (loop == 0) {
        st = tenios_blocks_add_announcement(blocks, false, g_announcement, &err);
    } else {
        st = tenios_blocks_bridge_begin(blocks, TENIOS_BRIDGE_SEQUENTIAL, -1, &err);
        if (st == TENIOS_OK)
            st = tenios_blocks_bridge_add_destination(blocks, TENIOS_DESTINATION_SIP_USER,
                                                      g_agent, 30, &err);
        if (st == TENIOS_OK)
            st = tenios_blocks_bridge_end(blocks, &err);
    }
    char *json = NULL;
    if (st == TENIOS_OK)
        st = tenios_blocks_to_json(blocks, &json, &err);
    if (st != TENIOS_OK) {
        /* A bad TENIOS_WEBHOOK_AGENT or _ANNOUNCEMENT: the caller is handed back to routing. */
        fprintf(stderr, "webhook: cannot build the answer: %s\n", tenios_error_message(err));
        tenios_error_free(err);
        respond(fd, 200, tenios_blocks_empty_answer());
    } else {
        for (size_t i = 0; i < tenios_blocks_warning_count(blocks); i++)
            fprintf(stderr, "webhook: warning: %s\n", tenios_blocks_warning(blocks, i));
        fprintf(stderr, "webhook: call %s loopCount %u: %s\n", call ? call : "-", loop,
                loop == 0 ? "ANNOUNCEMENT" : "BRIDGE");
        respond(fd, 200, json);
    }
    tenios_string_free(json);
    tenios_blocks_free(blocks);
    tenios_webhook_request_free(req);
}

/* Reads one HTTP request from `fd` and answers it. */
static void serve_connection(int fd)
{
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    char head[MAX_HEADER_BYTES + 1];
    size_t len = 0;
    char *end = NULL;
    while (end == NULL) {
        if (len == MAX_HEADER_BYTES) {
            respond(fd, 413, "{\"error\":\"headers too large\"}");
            return;
        }
        ssize_t n = recv(fd, head + len, MAX_HEADER_BYTES - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        len += (size_t)n;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    *end = '\0';
    size_t have = len - (size_t)(end + 4 - head);
    if (strncmp(head, "POST ", 5) != 0) {
        respond(fd, 405, "{\"error\":\"only POST\"}");
        return;
    }
    long content_length = -1;
    for (char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0) {
            char *num_end;
            content_length = strtol(line + 17, &num_end, 10);
            if (num_end == line + 17 || content_length < 0)
                content_length = -1;
        }
    }
    if (content_length < 0) {
        respond(fd, 411, "{\"error\":\"Content-Length required\"}");
        return;
    }
    if (content_length > MAX_BODY_BYTES) {
        respond(fd, 413, "{\"error\":\"body larger than 1 MiB\"}");
        return;
    }
    unsigned char *body = malloc((size_t)content_length + 1);
    if (body == NULL) {
        respond(fd, 500, "{\"error\":\"out of memory\"}");
        return;
    }
    size_t got = have < (size_t)content_length ? have : (size_t)content_length;
    memcpy(body, end + 4, got);
    while (got < (size_t)content_length) {
        ssize_t n = recv(fd, body + got, (size_t)content_length - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(body);
            return;
        }
        got += (size_t)n;
    }
    /* An empty body is passed as a 1-byte buffer of length 0 (never NULL). */
    serve_webhook(fd, body, (size_t)content_length);
    free(body);
}

int main(int argc, char **argv)
{
    long port = 0, max_requests = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--max-requests") == 0 && i + 1 < argc)
            max_requests = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: tenios-webhook-server [--port N] [--max-requests N]\n"
                            "  (TENIOS_WEBHOOK_KEY: the block's access key, required)\n");
            return 1;
        }
    }
    g_key = getenv("TENIOS_WEBHOOK_KEY");
    if (g_key == NULL || *g_key == '\0') {
        fprintf(stderr, "tenios-webhook-server: TENIOS_WEBHOOK_KEY is not set\n");
        return 1;
    }
    g_announcement = getenv("TENIOS_WEBHOOK_ANNOUNCEMENT");
    if (g_announcement == NULL)
        g_announcement = "WaitingMusic";
    g_agent = getenv("TENIOS_WEBHOOK_AGENT");
    if (g_agent == NULL)
        g_agent = "1001";

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(srv, 16) != 0 || getsockname(srv, (struct sockaddr *)&addr, &alen) != 0) {
        perror("tenios-webhook-server");
        return 1;
    }
    printf("listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    long served = 0;
    while (max_requests < 0 || served < max_requests) {
        int fd = accept(srv, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            perror("tenios-webhook-server: accept");
            return 1;
        }
        serve_connection(fd);
        close(fd);
        served++;
    }
    close(srv);
    return 0;
}
