/*
 * bench_wan: the wide-area scenarios of `make bench-wan` (benches/wan.py runs it), for
 * libtenios (a client handle) and libcurl (a reused easy handle, HTTP/1.1, keep-alive), through
 * benches/latency_proxy.c in front of nginx over HTTPS.
 *
 *   bench_wan --keep-url URL --keep-stats FILE [--short-url URL --short-stats FILE]
 *             --ca PEM --key K --uuid U --seq NAME[,NAME...] [--samples N] [--warm-samples N]
 *             [--idle-samples N]
 *   bench_wan --strace-warm tenios|curl --keep-url URL --ca PEM --key K --uuid U
 *
 * --keep-url is nginx with keepalive_timeout 75 s, --short-url the same with 1 s, each behind a
 * proxy of its own whose stats file (latency_proxy -s) counts the connections it opened: read
 * before and after each step, that is how many new connections the step opened.
 *
 * Sequences (each on handles of its own; --seq picks them, run interleaved in one thread by a
 * scheduler, one step at a time, so no two calls overlap; each step starts its gap after the
 * previous step of its sequence ended):
 *
 *   tenios-warm, curl-warm    a call, then --warm-samples (30) calls 100 ms apart ("warm")
 *   tenios-new, curl-new      --samples times: a new handle and its first call ("first")
 *   tenios-closed, curl-closed   --samples times: a call, 2 s idle (nginx closed the
 *                             connection after 1 s and its FIN has arrived), a call ("closed")
 *   tenios-pre-closed         the same, with tenios_client_preconnect ("preconnect") 100 ms
 *                             before the second call ("pre-closed")
 *   tenios-pre-new            --samples times: a new handle, preconnect, 100 ms, a call
 *                             ("pre-new")
 *   curl-connect-only         the closest libcurl has to a pre-connect: after the 2 s, a
 *                             transfer with CURLOPT_CONNECT_ONLY ("connect-only"), 100 ms, a
 *                             call ("after-connect-only")
 *   tenios-idle20, curl-idle20, tenios-idle60, curl-idle60
 *                             a call, then --idle-samples calls 20 s (60 s) apart ("idle20",
 *                             "idle60"), against the 75 s server
 *
 * Prints one JSON line per step: seq, lib, step label, us (the step's wall time), new_conns
 * (from the proxy), idle_ms (since the sequence's previous step ended), ok, and what the
 * library says about the call: libcurl's CURLINFO_* times and connection count; libtenios's
 * tenios_last_call_timings when the header has it (-DHAVE_TENIOS_TIMINGS).
 *
 * --strace-warm makes two warm-up calls on one handle and then one more between two marker
 * lines written to stderr ("bench_wan: strace mark begin/end"), for `strace -f` to show which
 * system calls one warm call makes. BENCH_WAN_LOG=1 prints libtenios's log lines to stderr.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tenios.h"

enum { LIB_TENIOS, LIB_CURL };
enum { SRV_KEEP, SRV_SHORT };
enum { OP_NEW, OP_FREE, OP_CALL, OP_PRE, OP_CONNONLY };

typedef struct step {
    int op;
    int gap_ms;        /* after the previous step of the sequence ended */
    const char *label; /* what the driver calls this step */
} step;

typedef struct curl_h {
    CURL *easy;
    char trace[1024]; /* libcurl's last informational lines (CURLOPT_DEBUGFUNCTION) */
    struct curl_slist *headers;
    char body[4096];
    size_t len;
    char error[CURL_ERROR_SIZE];
} curl_h;

typedef struct seq {
    const char *name;
    int lib, srv;
    step steps[256];
    int n, idx;
    uint64_t due_ns, last_end_ns;
    tenios_client *tc;
    curl_h *cc;
} seq;

static const char *urls[2], *stats[2], *ca, *key, *uuid;
static char request_body[2200];
static char log_line[512]; /* the last TLS line from the log callback, if any */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* How many connections the proxy in front of server `srv` has opened so far, or -1. */
static long proxy_conns(int srv) {
    if (!stats[srv]) return -1;
    FILE *f = fopen(stats[srv], "r");
    if (!f) return -1;
    long n = -1;
    if (fscanf(f, "upstream_connections %ld", &n) != 1) n = -1;
    fclose(f);
    return n;
}

/* ------------------------------------------------------------------------------ libtenios */

#ifdef HAVE_TENIOS_LOG
/* Keeps the line that names the TLS version of a new connection. */
static void on_log(void *user_data, uint32_t level, const char *message) {
    (void)user_data;
    if (getenv("BENCH_WAN_LOG")) fprintf(stderr, "tenios log %u: %s\n", level, message);
    if (strstr(message, "TLS")) snprintf(log_line, sizeof log_line, "%s", message);
}
#endif

static tenios_client *tenios_new(int srv) {
    tenios_error *err = NULL;
    tenios_client *c = NULL;
    tenios_client_builder *b = tenios_client_builder_new();
    if (!b) return NULL;
    if (tenios_client_builder_set_base_url(b, urls[srv], &err) != TENIOS_OK ||
        tenios_client_builder_set_ca_file(b, ca, &err) != TENIOS_OK ||
#ifdef HAVE_TENIOS_LOG
        tenios_client_builder_set_log_callback(b, on_log, NULL, TENIOS_LOG_DEBUG, &err) !=
            TENIOS_OK ||
#endif
        tenios_client_build(b, key, &c, &err) != TENIOS_OK) {
        fprintf(stderr, "bench_wan: %s\n", tenios_error_message(err));
        tenios_error_free(err);
        c = NULL;
    }
    tenios_client_builder_free(b);
    return c;
}

/* ------------------------------------------------------------------------------- libcurl */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    curl_h *c = userdata;
    size_t n = size * nmemb;
    if (n > sizeof c->body - c->len) return 0;
    memcpy(c->body + c->len, data, n);
    c->len += n;
    return n;
}

/* Keeps libcurl's informational lines ("Connection died, retrying...") for a failure's report. */
static int on_curl_debug(CURL *e, curl_infotype type, char *data, size_t size, void *userdata) {
    (void)e;
    curl_h *c = userdata;
    if (type != CURLINFO_TEXT) return 0;
    size_t have = strlen(c->trace), room = sizeof c->trace - 1;
    if (size > room) size = room;
    if (have + size > room) { /* drop the oldest text */
        size_t drop = have + size - room;
        memmove(c->trace, c->trace + drop, have - drop + 1);
        have -= drop;
    }
    memcpy(c->trace + have, data, size);
    c->trace[have + size] = 0;
    return 0;
}

static curl_h *curl_new(int srv) {
    curl_h *c = calloc(1, sizeof *c);
    if (!c || !(c->easy = curl_easy_init())) {
        free(c);
        return NULL;
    }
    char url[2048];
    snprintf(url, sizeof url, "%s/interrupt-ecc-block", urls[srv]);
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    c->headers = curl_slist_append(c->headers, "Accept: application/json");
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(request_body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "libcurl-bench");
    curl_easy_setopt(e, CURLOPT_CAINFO, ca);
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_curl_debug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, c);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    return c;
}

static void curl_free_h(curl_h *c) {
    if (!c) return;
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    free(c);
}

/* ---------------------------------------------------------------------------------- steps */

static void add(seq *s, int op, int gap_ms, const char *label) {
    if (s->n == (int)(sizeof s->steps / sizeof s->steps[0])) {
        fprintf(stderr, "bench_wan: too many steps in %s\n", s->name);
        exit(2);
    }
    s->steps[s->n++] = (step){op, gap_ms, label};
}

static int make_seq(seq *s, const char *name, int samples, int warm_samples, int idle_samples,
                    int offset_ms) {
    memset(s, 0, sizeof *s);
    s->name = name;
    s->lib = !strncmp(name, "curl-", 5) ? LIB_CURL : LIB_TENIOS;
    const char *what = strchr(name, '-') + 1;
    s->srv = SRV_KEEP;
    add(s, OP_NEW, offset_ms, NULL);
    if (!strcmp(what, "warm")) {
        add(s, OP_CALL, 0, "prime");
        for (int i = 0; i < warm_samples; i++) add(s, OP_CALL, 100, "warm");
    } else if (!strcmp(what, "new")) {
        s->n = 0;
        for (int i = 0; i < samples; i++) {
            add(s, OP_NEW, i ? 300 : offset_ms, NULL);
            add(s, OP_CALL, 0, "first");
            add(s, OP_FREE, 0, NULL);
        }
        return 0;
    } else if (!strcmp(what, "closed") || !strcmp(what, "pre-closed") ||
               !strcmp(what, "connect-only")) {
        if (s->lib == LIB_CURL && !strcmp(what, "pre-closed")) return -1;
        if (s->lib == LIB_TENIOS && !strcmp(what, "connect-only")) return -1;
        s->srv = SRV_SHORT;
        for (int i = 0; i < samples; i++) {
            add(s, OP_CALL, 200, "prime");
            if (!strcmp(what, "closed")) {
                add(s, OP_CALL, 2000, "closed");
            } else if (!strcmp(what, "pre-closed")) {
                add(s, OP_PRE, 2000, "preconnect");
                add(s, OP_CALL, 100, "pre-closed");
            } else {
                add(s, OP_CONNONLY, 2000, "connect-only");
                add(s, OP_CALL, 100, "after-connect-only");
            }
        }
    } else if (!strcmp(what, "pre-new")) {
        if (s->lib != LIB_TENIOS) return -1;
        s->n = 0;
        for (int i = 0; i < samples; i++) {
            add(s, OP_NEW, i ? 300 : offset_ms, NULL);
            add(s, OP_PRE, 0, "preconnect-new");
            add(s, OP_CALL, 100, "pre-new");
            add(s, OP_FREE, 0, NULL);
        }
        return 0;
    } else if (!strcmp(what, "idle20") || !strcmp(what, "idle60")) {
        int gap = what[4] == '2' ? 20000 : 60000;
        add(s, OP_CALL, 0, "prime");
        for (int i = 0; i < idle_samples; i++) add(s, OP_CALL, gap, what);
    } else {
        return -1;
    }
    add(s, OP_FREE, 0, NULL);
    return 0;
}

static void json_str(const char *k, const char *v) {
    printf(",\"%s\":\"", k);
    for (; v && *v; v++) {
        if (*v == '"' || *v == '\\') putchar('\\');
        if (*v == '\n') fputs("\\n", stdout);
        else if ((unsigned char)*v >= 0x20) putchar(*v);
    }
    putchar('"');
}

/* Runs step s->steps[s->idx]; prints its JSON line when it has a label. */
static int run_step(seq *s) {
    step *st = &s->steps[s->idx];
    char msg[512] = "";
    int ok = 1;
    long c0 = proxy_conns(s->srv);
    log_line[0] = 0;
    uint64_t t0 = now_ns();
    uint64_t idle_ns = s->last_end_ns ? t0 - s->last_end_ns : 0;
    switch (st->op) {
    case OP_NEW:
        if (s->lib == LIB_TENIOS) ok = (s->tc = tenios_new(s->srv)) != NULL;
        else ok = (s->cc = curl_new(s->srv)) != NULL;
        if (!ok) return -1;
        break;
    case OP_FREE:
        tenios_client_free(s->tc);
        s->tc = NULL;
        curl_free_h(s->cc);
        s->cc = NULL;
        break;
    case OP_CALL:
        if (s->lib == LIB_TENIOS) {
            tenios_error *err = NULL;
            if (tenios_client_interrupt_block(s->tc, uuid, &err) != TENIOS_OK) {
                ok = 0;
                snprintf(msg, sizeof msg, "%s", tenios_error_message(err));
                tenios_error_free(err);
            }
        } else {
            curl_h *c = s->cc;
            c->len = 0;
            c->error[0] = 0;
            c->trace[0] = 0;
            CURLcode rc = curl_easy_perform(c->easy);
            long status = 0;
            curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
            if (rc != CURLE_OK || status != 200) {
                ok = 0;
                snprintf(msg, sizeof msg, "%s %s (HTTP %ld)", curl_easy_strerror(rc), c->error,
                         status);
            }
        }
        break;
    case OP_PRE:
#ifdef HAVE_TENIOS_PRECONNECT
    {
        tenios_error *err = NULL;
        if (tenios_client_preconnect(s->tc, &err) != TENIOS_OK) {
            ok = 0;
            snprintf(msg, sizeof msg, "%s", tenios_error_message(err));
            tenios_error_free(err);
        }
    }
#else
        ok = 0;
        snprintf(msg, sizeof msg, "tenios_client_preconnect is not in this libtenios");
#endif
        break;
    case OP_CONNONLY: {
        CURL *e = s->cc->easy;
        curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
        CURLcode rc = curl_easy_perform(e);
        curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 0L);
        if (rc != CURLE_OK) {
            ok = 0;
            snprintf(msg, sizeof msg, "%s %s", curl_easy_strerror(rc), s->cc->error);
        }
        break;
    }
    }
    uint64_t t1 = now_ns();
    long c1 = proxy_conns(s->srv);
    if (st->op != OP_NEW) s->last_end_ns = t1;
    if (!st->label) return 0;
    printf("{\"seq\":\"%s\",\"lib\":\"%s\"", s->name, s->lib == LIB_CURL ? "curl" : "tenios");
    json_str("step", st->label);
    printf(",\"us\":%.1f,\"idle_ms\":%.1f,\"new_conns\":%ld,\"ok\":%s", (double)(t1 - t0) / 1e3,
           (double)idle_ns / 1e6, c0 >= 0 && c1 >= 0 ? c1 - c0 : -1L, ok ? "true" : "false");
    if (!ok) json_str("error", msg);
    if (!ok && s->cc) json_str("curl_trace", s->cc->trace);
    if (s->lib == LIB_CURL && st->op != OP_FREE && s->cc) {
        curl_off_t dns = 0, con = 0, tls = 0, fb = 0, tot = 0;
        long connects = 0;
        CURL *e = s->cc->easy;
        curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
        curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &con);
        curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &tls);
        curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &fb);
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &tot);
        curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
        /* CURLINFO_*_TIME_T are cumulative from the start of the transfer */
        printf(",\"timings\":{\"connection_reused\":%s,\"resolve_us\":%lld,\"connect_us\":%lld,"
               "\"tls_us\":%lld,\"first_byte_us\":%lld,\"total_us\":%lld}",
               connects == 0 ? "true" : "false", (long long)dns,
               (long long)(con > dns ? con - dns : 0), (long long)(tls > con ? tls - con : 0),
               (long long)fb, (long long)tot);
    }
#ifdef HAVE_TENIOS_TIMINGS
    if (s->lib == LIB_TENIOS && (st->op == OP_CALL || st->op == OP_PRE)) {
        tenios_call_timings t;
        memset(&t, 0, sizeof t);
        t.struct_size = sizeof t;
        tenios_last_call_timings(&t);
        printf(",\"timings\":{\"connection_reused\":%s,\"resolve_us\":%llu,\"connect_us\":%llu,"
               "\"tls_us\":%llu,\"first_byte_us\":%llu,\"total_us\":%llu}",
               t.connection_reused ? "true" : "false", (unsigned long long)t.resolve_us,
               (unsigned long long)t.connect_us, (unsigned long long)t.tls_us,
               (unsigned long long)t.first_byte_us, (unsigned long long)t.total_us);
    }
#endif
    if (log_line[0]) json_str("tls_log", log_line);
    printf("}\n");
    fflush(stdout);
    return 0;
}

static int strace_warm(const char *lib) {
    tenios_client *tc = NULL;
    curl_h *cc = NULL;
    int is_curl = !strcmp(lib, "curl");
    if (is_curl ? !(cc = curl_new(SRV_KEEP)) : !(tc = tenios_new(SRV_KEEP))) return 1;
    int failed = 0;
    for (int i = 0; i < 3; i++) {
        if (i == 2) {
            static const char begin[] = "bench_wan: strace mark begin\n";
            if (write(2, begin, sizeof begin - 1) < 0) return 1;
        }
        if (is_curl) {
            cc->len = 0;
            failed |= curl_easy_perform(cc->easy) != CURLE_OK;
        } else {
            tenios_error *err = NULL;
            failed |= tenios_client_interrupt_block(tc, uuid, &err) != TENIOS_OK;
            tenios_error_free(err);
        }
        if (i == 2) {
            static const char end[] = "bench_wan: strace mark end\n";
            if (write(2, end, sizeof end - 1) < 0) return 1;
        }
    }
    tenios_client_free(tc);
    curl_free_h(cc);
    return failed;
}

int main(int argc, char **argv) {
    const char *seqs = NULL, *strace_lib = NULL;
    int samples = 10, warm_samples = 30, idle_samples = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) goto usage;
        if (!strcmp(a, "--keep-url")) urls[SRV_KEEP] = v;
        else if (!strcmp(a, "--short-url")) urls[SRV_SHORT] = v;
        else if (!strcmp(a, "--keep-stats")) stats[SRV_KEEP] = v;
        else if (!strcmp(a, "--short-stats")) stats[SRV_SHORT] = v;
        else if (!strcmp(a, "--ca")) ca = v;
        else if (!strcmp(a, "--key")) key = v;
        else if (!strcmp(a, "--uuid")) uuid = v;
        else if (!strcmp(a, "--seq")) seqs = v;
        else if (!strcmp(a, "--samples")) samples = atoi(v);
        else if (!strcmp(a, "--warm-samples")) warm_samples = atoi(v);
        else if (!strcmp(a, "--idle-samples")) idle_samples = atoi(v);
        else if (!strcmp(a, "--strace-warm")) strace_lib = v;
        else goto usage;
        i++;
    }
    if (!urls[SRV_KEEP] || !ca || !key || !uuid || (!seqs && !strace_lib)) goto usage;
    snprintf(request_body, sizeof request_body, "{\"access_key\":\"%s\",\"call_uuid\":\"%s\"}",
             key, uuid);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    if (strace_lib) return strace_warm(strace_lib);

    static seq all[16];
    int n = 0;
    char *list = strdup(seqs);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (n == 16) goto usage;
        /* stagger the sequences so that their steps rarely fall due together */
        if (make_seq(&all[n], tok, samples, warm_samples, idle_samples, 37 * n) != 0) {
            fprintf(stderr, "bench_wan: unknown sequence %s\n", tok);
            return 2;
        }
        if (all[n].srv == SRV_SHORT && !urls[SRV_SHORT]) goto usage;
        n++;
    }
    uint64_t start = now_ns();
    for (int i = 0; i < n; i++) all[i].due_ns = start + (uint64_t)all[i].steps[0].gap_ms * 1000000u;
    int failed = 0;
    for (;;) {
        seq *next = NULL;
        for (int i = 0; i < n; i++)
            if (all[i].idx < all[i].n && (!next || all[i].due_ns < next->due_ns)) next = &all[i];
        if (!next) break;
        sleep_until(next->due_ns);
        if (run_step(next) != 0) {
            fprintf(stderr, "bench_wan: %s: could not make a handle\n", next->name);
            return 1;
        }
        uint64_t end = now_ns();
        next->idx++;
        if (next->idx < next->n)
            next->due_ns = end + (uint64_t)next->steps[next->idx].gap_ms * 1000000u;
    }
    free(list);
    curl_global_cleanup();
    return failed;

usage:
    fprintf(stderr, "usage: bench_wan --keep-url URL --keep-stats FILE [--short-url URL "
                    "--short-stats FILE] --ca PEM --key K --uuid U --seq NAMES [--samples N] "
                    "[--idle-samples N] | --strace-warm tenios|curl ...\n");
    return 2;
}
