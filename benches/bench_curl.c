/*
 * Benchmark client: the libcurl baseline a C developer would write. One easy handle per thread,
 * reused across calls (keep-alive): POST the JSON body with Content-Type: application/json,
 * collect the body into a buffer, check HTTP 200. Over HTTPS, CAINFO is the bench CA.
 * See bench_common.h for what is measured; benches/run.py runs it.
 */
#include "bench_common.h"

#include <curl/curl.h>

typedef struct curl_ctx {
    CURL *easy;
    struct curl_slist *headers;
    char body[4096];
    size_t len;
    char error[CURL_ERROR_SIZE];
} curl_ctx;

static char request_body[2200];

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    curl_ctx *c = userdata;
    size_t n = size * nmemb;
    if (n > sizeof c->body - c->len) return 0; /* too large for this API: abort */
    memcpy(c->body + c->len, data, n);
    c->len += n;
    return n;
}

int client_global_init(const bench_opts *o) {
    if (strcmp(o->mode, "curl") != 0) {
        fprintf(stderr, "bench_curl: unknown mode %s (curl)\n", o->mode);
        return 1;
    }
    int n = snprintf(request_body, sizeof request_body,
                     "{\"access_key\":\"%s\",\"call_uuid\":\"%s\"}", o->key, o->uuid);
    if (n < 0 || (size_t)n >= sizeof request_body) return 1;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : 1;
}

void *client_thread_init(const bench_opts *o) {
    curl_ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->easy = curl_easy_init())) {
        free(c);
        return NULL;
    }
    char url[2048];
    snprintf(url, sizeof url, "%s/interrupt-ecc-block", o->url);
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    c->headers = curl_slist_append(c->headers, "Accept: application/json");
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_URL, url); /* copied by libcurl */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(request_body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    if (o->ca) curl_easy_setopt(e, CURLOPT_CAINFO, o->ca);
    return c;
}

int client_call(void *ctx) {
    curl_ctx *c = ctx;
    c->len = 0;
    c->error[0] = 0;
    CURLcode rc = curl_easy_perform(c->easy);
    if (rc != CURLE_OK) {
        bench_report_failure(curl_easy_strerror(rc), c->error);
        return 1;
    }
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 || c->len == 0) {
        bench_report_failure("unexpected response", status == 200 ? "empty body" : "not 200");
        return 1;
    }
    return 0;
}

void client_thread_fini(void *ctx) {
    curl_ctx *c = ctx;
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    free(c);
}

void client_global_fini(void) { curl_global_cleanup(); }

int main(int argc, char **argv) { return bench_main(argc, argv); }
