/*
 * C tests of the libtenios handle API (tenios_client_builder_*, tenios_client_*,
 * tenios_error_*) against the local simulator (tenios-sim).
 *
 * Run through tests/c/run.sh, which starts the simulator and exports:
 *   TENIOS_API_URL      http://127.0.0.1:PORT (the simulator's base URL)
 *   TENIOS_SIM_PORT     PORT (for the /_sim/... control endpoints)
 *   TENIOS_TEST_KEY     the simulator's access key
 *   TENIOS_TEST_CALL    an interruptible call
 *   TENIOS_TEST_STUCK   a call whose block cannot be interrupted
 * and optionally
 *   TENIOS_TEST_CALLS   total calls of the threads test (default 4000, a
 *                       multiple of 16; run.sh lowers it under valgrind)
 *
 * Builders never read TENIOS_API_URL: every client here gets its base URL
 * set explicitly.  Nothing leaves the machine: the only non-loopback URLs
 * used are rejected before anything is sent, or belong to clients that are
 * built (which sends nothing) but never called.
 *
 * Prints one line per test and finally "N passed, M failed"; exits 1 on any
 * failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *STUCK, *SIM_URL;

/* A well-formed UUID that the simulator does not know. */
static const char UNKNOWN_CALL[] = "0f1e2d3c-4b5a-4968-8776-655443322110";

/* Values the library must overwrite and never read or free. */
#define GARBAGE_ERR ((tenios_error *)(uintptr_t)0x1)
#define GARBAGE_CLIENT ((tenios_client *)(uintptr_t)0x1)

/* A self-signed CA certificate (CN "libtenios test CA"), for set_ca_file. */
static const char TEST_CA_PEM[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATWgAwIBAgIURNa1F04GcM+gNM3j9uAqimdCKtMwCgYIKoZIzj0EAwIw\n"
    "HDEaMBgGA1UEAwwRbGlidGVuaW9zIHRlc3QgQ0EwIBcNMjYxMTI4MDAyMTM0WhgP\n"
    "MjEyNjExMDQwMDIxMzRaMBwxGjAYBgNVBAMMEWxpYnRlbmlvcyB0ZXN0IENBMFkw\n"
    "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEE/bH9Qxj+WM97RmbdswkfPsOhyPNSOKo\n"
    "LOVa8ptpqtPrhQejrA8t3Y092mazQziLMCcQ6L0FlPOxTFhraWxfrKNTMFEwHQYD\n"
    "VR0OBBYEFPwB91RmxZY9rzG4TbXyVvx/has/MB8GA1UdIwQYMBaAFPwB91RmxZY9\n"
    "rzG4TbXyVvx/has/MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg\n"
    "Si2w45tnbx5FjT1E5TrJq8Zw4p7yMi6ByzkFvlfeBtYCIQCxxgG1gcifgVxLh3Z+\n"
    "YFlofE3O+OUdQSUQ//UDqJM/yQ==\n"
    "-----END CERTIFICATE-----\n";

/* Temporary files made by main(): a PEM file with the CA above and one
 * without any certificate. */
static char g_ca_pem_path[] = "/tmp/tenios-test-ca-XXXXXX";
static char g_no_cert_path[] = "/tmp/tenios-test-nocert-XXXXXX";

/* ------------------------------------------------------- checking results */

/*
 * Checks one result of the handle API and frees the error object:
 * - the status is `want`;
 * - `err` was overwritten (it started as GARBAGE_ERR);
 * - on TENIOS_OK it is NULL; otherwise an object whose status equals the
 *   returned one, whose message matches `want_msg` per `mode`, whose api_code
 *   is `want_code` (NULL: must be NULL), http_status `want_http`, and whose
 *   fields are exactly `want_fields` (a NULL-terminated list; NULL for none),
 *   with NULL for the index just past the end and for SIZE_MAX.
 * `what` is the call, for diagnostics.  Returns 1 when all is as expected.
 */
static int expect_result_at(const char *file, int line, const char *what,
                            tenios_status got, tenios_error *err,
                            tenios_status want, const char *want_msg,
                            match_mode mode, const char *want_code,
                            unsigned want_http, const char *const *want_fields)
{
    int failures_before = test_failures_in_current();

    if (err == GARBAGE_ERR) {
        test_fail(file, line, "%s: out_err was left untouched (status %s)",
                  what, tenios_status_str((uint32_t)got));
        return 0; /* nothing we could free */
    }
    if (got != want)
        test_fail(file, line, "%s: status %s (%d), expected %s (%d); message %s",
                  what, tenios_status_str((uint32_t)got), (int)got,
                  tenios_status_str((uint32_t)want), (int)want,
                  printable(tenios_error_message(err)));

    if (got == TENIOS_OK) {
        if (err != NULL)
            test_fail(file, line, "%s: TENIOS_OK but out_err = %s", what,
                      printable(tenios_error_message(err)));
    } else if (err == NULL) {
        test_fail(file, line, "%s: error status but out_err is NULL", what);
    } else if (want != TENIOS_OK) {
        /* The object's own view of the failure. */
        if (tenios_error_status(err) != got)
            test_fail(file, line, "%s: tenios_error_status = %d, returned %d",
                      what, (int)tenios_error_status(err), (int)got);

        const char *msg = tenios_error_message(err);
        int msg_ok = 0;
        if (msg != NULL && want_msg != NULL) {
            switch (mode) {
            case MATCH_EXACT:
                msg_ok = strcmp(msg, want_msg) == 0;
                break;
            case MATCH_PREFIX:
                msg_ok = strncmp(msg, want_msg, strlen(want_msg)) == 0;
                break;
            case MATCH_CONTAINS:
                msg_ok = strstr(msg, want_msg) != NULL;
                break;
            }
        } else if (msg != NULL) {
            msg_ok = 1; /* no expectation */
        }
        if (!msg_ok) {
            char want_copy[600];
            snprintf(want_copy, sizeof want_copy, "%s", printable(want_msg));
            test_fail(file, line, "%s: message %s, expected %s %s", what,
                      printable(msg),
                      mode == MATCH_EXACT    ? "exactly"
                      : mode == MATCH_PREFIX ? "to start with"
                                             : "to contain",
                      want_copy);
        }

        const char *code = tenios_error_api_code(err);
        if (want_code == NULL ? code != NULL
                              : code == NULL || strcmp(code, want_code) != 0) {
            char want_copy[600];
            snprintf(want_copy, sizeof want_copy, "%s", printable(want_code));
            test_fail(file, line, "%s: api_code %s, expected %s", what,
                      printable(code), want_copy);
        }

        unsigned http = tenios_error_http_status(err);
        if (http != want_http)
            test_fail(file, line, "%s: http_status %u, expected %u", what, http,
                      want_http);

        size_t want_n = 0;
        while (want_fields != NULL && want_fields[want_n] != NULL)
            want_n++;
        size_t n = tenios_error_field_count(err);
        if (n != want_n)
            test_fail(file, line, "%s: field_count %zu, expected %zu", what, n,
                      want_n);
        for (size_t i = 0; i < want_n && i < n; i++) {
            const char *f = tenios_error_field(err, i);
            if (f == NULL || strcmp(f, want_fields[i]) != 0)
                test_fail(file, line, "%s: field(%zu) = %s, expected %s", what,
                          i, printable(f), want_fields[i]);
        }
        if (tenios_error_field(err, n) != NULL)
            test_fail(file, line, "%s: field(%zu) (one past the end) is not NULL",
                      what, n);
        if (tenios_error_field(err, SIZE_MAX) != NULL)
            test_fail(file, line, "%s: field(SIZE_MAX) is not NULL", what);
    }
    tenios_error_free(err);
    return test_failures_in_current() == failures_before;
}

/*
 * EXPECT(call, status, msg, mode, api_code, http_status, fields): runs `call`,
 * which must pass `&ERR` as its out_err.  ERR is declared here, pre-set to
 * garbage, checked with expect_result_at and freed.
 */
#define EXPECT(call, status, msg, mode, code, http, fields)                    \
    do {                                                                       \
        tenios_error *ERR = GARBAGE_ERR;                                       \
        tenios_status st_ = (call);                                            \
        expect_result_at(__FILE__, __LINE__, #call, st_, ERR, (status), (msg), \
                         (mode), (code), (http), (fields));                    \
    } while (0)

/* Success: TENIOS_OK and ERR set to NULL. */
#define EXPECT_OK(call)                                                        \
    EXPECT(call, TENIOS_OK, NULL, MATCH_EXACT, NULL, 0, NULL)

/* An argument error: exact message, no api_code, http_status 0, no fields. */
#define EXPECT_ARG_ERR(call, msg)                                              \
    EXPECT(call, TENIOS_ERR_INVALID_ARGUMENT, (msg), MATCH_EXACT, NULL, 0, NULL)

/* Same, with only the start of the message fixed. */
#define EXPECT_ARG_ERR_PREFIX(call, msg)                                       \
    EXPECT(call, TENIOS_ERR_INVALID_ARGUMENT, (msg), MATCH_PREFIX, NULL, 0, NULL)

/* -------------------------------------------------------- building clients */

/* A new builder; records a failure (and returns NULL) if there is none. */
static tenios_client_builder *new_builder_at(const char *file, int line)
{
    tenios_client_builder *b = tenios_client_builder_new();
    if (b == NULL)
        test_fail(file, line, "tenios_client_builder_new returned NULL");
    return b;
}
#define NEW_BUILDER() new_builder_at(__FILE__, __LINE__)

/* A builder aimed at the simulator. */
static tenios_client_builder *sim_builder_at(const char *file, int line)
{
    tenios_client_builder *b = new_builder_at(file, line);
    if (b == NULL)
        return NULL;
    tenios_error *err = GARBAGE_ERR;
    tenios_status st = tenios_client_builder_set_base_url(b, SIM_URL, &err);
    expect_result_at(file, line, "set_base_url(SIM_URL)", st, err, TENIOS_OK,
                     NULL, MATCH_EXACT, NULL, 0, NULL);
    return b;
}
#define SIM_BUILDER() sim_builder_at(__FILE__, __LINE__)

/* Builds a client for `key`; records a failure and returns NULL on error. */
static tenios_client *build_at(const char *file, int line,
                               const tenios_client_builder *b, const char *key)
{
    tenios_client *c = GARBAGE_CLIENT;
    tenios_error *err = GARBAGE_ERR;
    tenios_status st = tenios_client_build(b, key, &c, &err);
    if (!expect_result_at(file, line, "tenios_client_build", st, err, TENIOS_OK,
                          NULL, MATCH_EXACT, NULL, 0, NULL) ||
        c == GARBAGE_CLIENT || c == NULL) {
        if (c == GARBAGE_CLIENT || c == NULL)
            test_fail(file, line, "tenios_client_build gave no client");
        else
            tenios_client_free(c);
        return NULL;
    }
    return c;
}
#define BUILD(b, key) build_at(__FILE__, __LINE__, (b), (key))

/* A client for the simulator's key with the default options. */
static tenios_client *sim_client_at(const char *file, int line)
{
    tenios_client_builder *b = sim_builder_at(file, line);
    tenios_client *c = b ? build_at(file, line, b, KEY) : NULL;
    tenios_client_builder_free(b);
    return c;
}
#define SIM_CLIENT() sim_client_at(__FILE__, __LINE__)

/* ------------------------------------------------------------- helpers */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A socket listening on 127.0.0.1 (and, when the machine has IPv6, on ::1
 * with the same port, since "localhost" may resolve to either) that never
 * accepts: the kernel completes TCP handshakes into its backlog, but nobody
 * ever reads the TLS ClientHello or answers.  Returns the port; the
 * descriptors go to fds[0] and fds[1] (-1 when unused).
 */
static int silent_listener(int fds[2])
{
    fds[0] = fds[1] = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("silent listener");
        exit(2);
    }
    fds[0] = fd;
    int port = ntohs(addr.sin_port);

    int fd6 = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd6 >= 0) {
        int one = 1;
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof a6);
        a6.sin6_family = AF_INET6;
        a6.sin6_addr = in6addr_loopback;
        a6.sin6_port = htons((uint16_t)port);
        setsockopt(fd6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd6, (struct sockaddr *)&a6, sizeof a6) == 0 &&
            listen(fd6, 16) == 0)
            fds[1] = fd6;
        else
            close(fd6);
    }
    return port;
}

/* GET a /_sim/ JSON document as a malloc'd string (NULL with a recorded
 * failure if it does not answer 200). */
static char *sim_get_at(const char *file, int line, const char *path)
{
    http_response r = sim_http("GET", path, NULL);
    if (r.status != 200) {
        test_fail(file, line, "GET %s answered %d", path, r.status);
        http_free(&r);
        return NULL;
    }
    return r.body; /* ownership passes to the caller */
}
#define SIM_GET(path) sim_get_at(__FILE__, __LINE__, (path))

/*
 * Decodes the JSON string whose opening quote is at `p` into `out` (always
 * NUL-terminated, truncated to cap - 1 bytes).  \uXXXX escapes above U+007F
 * become '?': enough for the ASCII this test compares.  Returns a pointer just
 * past the closing quote, or NULL when `p` is not a JSON string.
 */
static const char *json_decode_string(const char *p, char *out, size_t cap)
{
    size_t o = 0;
    if (p == NULL || *p != '"')
        return NULL;
    for (p++; *p != '"'; p++) {
        char c = *p;
        if (c == '\0')
            return NULL;
        if (c == '\\') {
            p++;
            switch (*p) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 1; i <= 4; i++) {
                    char h = p[i];
                    v <<= 4;
                    if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
                    else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
                    else return NULL;
                }
                p += 4;
                c = v < 0x80 ? (char)v : '?';
                break;
            }
            default:
                return NULL;
            }
        }
        if (o + 1 < cap)
            out[o++] = c;
    }
    if (cap > 0)
        out[o] = '\0';
    return p + 1;
}

/*
 * In the JSON of /_sim/requests (headers are [name, value] pairs), the value of
 * the first header called `name` (in any case) goes to `out`.  Returns how
 * many headers of that name there are.
 */
static int recorded_header(const char *json, const char *name, char *out,
                           size_t cap)
{
    int count = 0;
    char got[256];
    if (cap > 0)
        out[0] = '\0';
    for (const char *p = json; p != NULL && (p = strstr(p, "[\"")) != NULL;) {
        const char *q = json_decode_string(p + 1, got, sizeof got);
        if (q == NULL) {
            p += 2;
            continue;
        }
        if (strcasecmp(got, name) == 0) {
            while (*q == ' ')
                q++;
            if (*q == ',') {
                q++;
                while (*q == ' ')
                    q++;
                if (count == 0)
                    json_decode_string(q, out, cap);
                count++;
            }
        }
        p = q;
    }
    return count;
}

/* ------------------------------------------------------------- tests */

static void test_builder_new_and_free(void)
{
    tenios_client_builder *a = NEW_BUILDER();
    tenios_client_builder *b = NEW_BUILDER();
    CHECK(a != b || a == NULL, "two builders share one pointer");
    tenios_client_builder_free(a);
    tenios_client_builder_free(b);
    /* Every free function ignores NULL. */
    tenios_client_builder_free(NULL);
    tenios_client_free(NULL);
    tenios_error_free(NULL);
}

static void test_setters_succeed_and_set_err_null(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    char *product256 = repeat_char('p', 256);

    EXPECT_OK(tenios_client_builder_set_base_url(b, "https://api.tenios.com", &ERR));
    EXPECT_OK(tenios_client_builder_set_base_url(b, "https://gw.example.com:8443/tenios/", &ERR));
    EXPECT_OK(tenios_client_builder_set_base_url(b, "http://localhost:1/", &ERR));
    EXPECT_OK(tenios_client_builder_set_base_url(b, "http://[::1]:8080", &ERR));
    EXPECT_OK(tenios_client_builder_set_base_url(b, SIM_URL, &ERR));

    EXPECT_OK(tenios_client_builder_set_connect_timeout_ms(b, 1, &ERR));
    EXPECT_OK(tenios_client_builder_set_connect_timeout_ms(b, 600000, &ERR));
    EXPECT_OK(tenios_client_builder_set_connect_timeout_ms(b, 5000, &ERR));
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 1, &ERR));
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 600000, &ERR));
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 10000, &ERR));

    EXPECT_OK(tenios_client_builder_set_ca_file(b, g_ca_pem_path, &ERR));
    EXPECT_OK(tenios_client_builder_set_ca_file(b, NULL, &ERR));
    EXPECT_OK(tenios_client_builder_set_ca_file(b, NULL, &ERR)); /* twice */

    EXPECT_OK(tenios_client_builder_set_system_trust_store(b, true, &ERR));
    EXPECT_OK(tenios_client_builder_set_system_trust_store(b, false, &ERR));

    EXPECT_OK(tenios_client_builder_set_proxy(b, "http://127.0.0.1:3128", &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy(b, "http://user:pw@localhost:3128", &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy(b, NULL, &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy(b, NULL, &ERR));

    EXPECT_OK(tenios_client_builder_set_proxy_from_env(b, true, &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy_from_env(b, false, &ERR));

    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, "my-pbx/2.1", &ERR));
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, product256, &ERR));
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, NULL, &ERR));
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, NULL, &ERR));

    /* After all that, a client for the simulator still works. */
    tenios_client *c = BUILD(b, KEY);
    tenios_client_builder_free(b);
    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    tenios_client_free(c);
    free(product256);
}

static void test_setters_accept_null_out_err(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    /* Good values... */
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, SIM_URL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_connect_timeout_ms(b, 2000, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, 3000, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_ca_file(b, g_ca_pem_path, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_ca_file(b, NULL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_system_trust_store(b, false, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_proxy(b, "http://127.0.0.1:3128", NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_proxy(b, NULL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_proxy_from_env(b, false, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_builder_set_user_agent_product(b, "x/1", NULL), TENIOS_OK);
    /* ...and bad ones (the error object is freed inside the library: valgrind
     * would report it as lost otherwise). */
    CHECK_INT_EQ(tenios_client_builder_set_base_url(b, "http://example.com", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_connect_timeout_ms(b, 0, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_timeout_ms(b, 600001, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_ca_file(b, "/nonexistent/ca.pem", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_proxy(b, "socks5://x", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_user_agent_product(b, "", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    tenios_client_builder_free(b);
}

static void test_setters_reject_null_builder(void)
{
    const char *msg = "builder is NULL";
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(NULL, SIM_URL, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_connect_timeout_ms(NULL, 2000, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_timeout_ms(NULL, 3000, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_ca_file(NULL, g_ca_pem_path, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_ca_file(NULL, NULL, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_system_trust_store(NULL, true, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy(NULL, "http://127.0.0.1:3128", &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy(NULL, NULL, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy_from_env(NULL, true, &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(NULL, "x/1", &ERR), msg);
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(NULL, NULL, &ERR), msg);
    /* A NULL builder with a bad value: the builder is what is reported. */
    EXPECT_ARG_ERR(tenios_client_builder_set_timeout_ms(NULL, 0, &ERR), msg);
    /* And with out_err NULL. */
    CHECK_INT_EQ(tenios_client_builder_set_base_url(NULL, SIM_URL, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_builder_set_proxy_from_env(NULL, false, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
}

static void test_base_url_rejected(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(b, "http://example.com", &ERR),
                   "base URL is unusable: plain http:// is only allowed for loopback "
                   "hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://");
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(b, "ftp://x", &ERR),
                   "base URL is unusable: scheme ftp:// is not supported (use https://)");
    /* Like every string argument, the value is first checked for NULL and
     * empty ("<name> is empty"), then parsed ("... is unusable: <reason>"). */
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(b, "", &ERR),
                   "base URL is empty");
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(b, "api.tenios.com", &ERR),
                   "base URL is unusable: expected https://host[:port][/path]");
    EXPECT_ARG_ERR(tenios_client_builder_set_base_url(b, NULL, &ERR),
                   "base URL is NULL");
    tenios_client_builder_free(b);
}

static void test_timeouts_rejected(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    EXPECT_ARG_ERR(tenios_client_builder_set_connect_timeout_ms(b, 0, &ERR),
                   "connect timeout must be 1 to 600000 ms, not 0");
    EXPECT_ARG_ERR(tenios_client_builder_set_connect_timeout_ms(b, 600001, &ERR),
                   "connect timeout must be 1 to 600000 ms, not 600001");
    EXPECT_ARG_ERR(tenios_client_builder_set_connect_timeout_ms(b, UINT32_MAX, &ERR),
                   "connect timeout must be 1 to 600000 ms, not 4294967295");
    EXPECT_ARG_ERR(tenios_client_builder_set_timeout_ms(b, 0, &ERR),
                   "timeout must be 1 to 600000 ms, not 0");
    EXPECT_ARG_ERR(tenios_client_builder_set_timeout_ms(b, 600001, &ERR),
                   "timeout must be 1 to 600000 ms, not 600001");
    EXPECT_OK(tenios_client_builder_set_connect_timeout_ms(b, 600000, &ERR));
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 600000, &ERR));
    tenios_client_builder_free(b);
}

static void test_ca_file(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    char want[512];

    /* The rest of the message is the operating system's ("No such file..."). */
    EXPECT_ARG_ERR_PREFIX(
        tenios_client_builder_set_ca_file(b, "/nonexistent/tenios-ca.pem", &ERR),
        "CA file /nonexistent/tenios-ca.pem: ");
    snprintf(want, sizeof want, "CA file %s: no PEM certificates in it",
             g_no_cert_path);
    EXPECT_ARG_ERR(tenios_client_builder_set_ca_file(b, g_no_cert_path, &ERR), want);
    EXPECT_OK(tenios_client_builder_set_ca_file(b, g_ca_pem_path, &ERR));
    EXPECT_OK(tenios_client_builder_set_ca_file(b, NULL, &ERR));

    /* A client with an extra CA builds and still talks to the simulator. */
    EXPECT_OK(tenios_client_builder_set_base_url(b, SIM_URL, &ERR));
    EXPECT_OK(tenios_client_builder_set_ca_file(b, g_ca_pem_path, &ERR));
    tenios_client *c = BUILD(b, KEY);
    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    tenios_client_free(c);
    tenios_client_builder_free(b);
}

static void test_system_trust_store_is_read_when_building(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    const char *saved = getenv("SSL_CERT_FILE");
    char *saved_copy = saved ? strdup(saved) : NULL;
    char want[512];

    /* The setter only records the choice; the bundle is read by the build. */
    EXPECT_OK(tenios_client_builder_set_system_trust_store(b, true, &ERR));
    setenv("SSL_CERT_FILE", g_no_cert_path, 1);
    snprintf(want, sizeof want,
             "system CA bundle (SSL_CERT_FILE) %s: no PEM certificates in it",
             g_no_cert_path);
    tenios_client *c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, KEY, &c, &ERR), want);
    CHECK(c == NULL, "out_client is %p after a failed build, expected NULL",
          (void *)c);

    setenv("SSL_CERT_FILE", g_ca_pem_path, 1);
    c = BUILD(b, KEY);
    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    tenios_client_free(c);

    if (saved_copy != NULL)
        setenv("SSL_CERT_FILE", saved_copy, 1);
    else
        unsetenv("SSL_CERT_FILE");
    free(saved_copy);
    tenios_client_builder_free(b);
}

static void test_proxy(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy(b, "socks5://x", &ERR),
                   "proxy URL is unusable: expected http://host:port");
    /* Checked as a string argument first, like the base URL. */
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy(b, "", &ERR),
                   "proxy URL is empty");
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_proxy(b, "http://", &ERR),
                          "proxy URL is unusable: ");
    /* No port: rejected rather than assuming 80. */
    EXPECT_ARG_ERR(tenios_client_builder_set_proxy(b, "http://127.0.0.1", &ERR),
                   "proxy URL is unusable: it has no port (expected http://host:port)");
    EXPECT_OK(tenios_client_builder_set_proxy(b, "http://proxy.example:3128", &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy(b, NULL, &ERR));

    /* A plain-http (loopback) base URL needs a loopback proxy: the key would
     * otherwise cross the network in the clear.  Checked by the build. */
    EXPECT_OK(tenios_client_builder_set_base_url(b, SIM_URL, &ERR));
    EXPECT_OK(tenios_client_builder_set_proxy(b, "http://proxy.example:3128", &ERR));
    tenios_client *c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, KEY, &c, &ERR),
                   "proxy proxy.example is not on a loopback host, but the base "
                   "URL is plain http://");
    CHECK(c == NULL, "out_client is %p after a failed build, expected NULL",
          (void *)c);
    EXPECT_OK(tenios_client_builder_set_proxy(b, "http://127.0.0.1:3128", &ERR));
    c = BUILD(b, KEY);
    tenios_client_free(c);
    /* Cleared again: a direct client that works. */
    EXPECT_OK(tenios_client_builder_set_proxy(b, NULL, &ERR));
    c = BUILD(b, KEY);
    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    tenios_client_free(c);
    tenios_client_builder_free(b);
}

static void test_user_agent_product_rejected(void)
{
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    char *product257 = repeat_char('p', 257);
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(b, "", &ERR),
                   "user agent product is empty");
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(b, "a\nb", &ERR),
                   "user agent product contains a control character");
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(b, product257, &ERR),
                   "user agent product is longer than 256 bytes");
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(b, "\xff", &ERR),
                   "user agent product is not valid UTF-8");
    EXPECT_ARG_ERR(tenios_client_builder_set_user_agent_product(b, "caf\xc3\xa9/1", &ERR),
                   "user agent product is not ASCII");
    free(product257);
    tenios_client_builder_free(b);
}

/* A failed setter leaves the value before it: base URL, timeout and user
 * agent product, each observed on the wire. */
static void test_failed_setter_keeps_previous_value(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_base_url(b, "http://example.com", &ERR),
                          "base URL is unusable: ");
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_base_url(b, "ftp://x", &ERR),
                          "base URL is unusable: ");
    EXPECT(tenios_client_builder_set_base_url(b, "", &ERR),
           TENIOS_ERR_INVALID_ARGUMENT, NULL, MATCH_EXACT, NULL, 0, NULL);
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 300, &ERR));
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_timeout_ms(b, 0, &ERR), "timeout ");
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_timeout_ms(b, 600001, &ERR), "timeout ");
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, "tenios-test/1.0", &ERR));
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_user_agent_product(b, "", &ERR),
                          "user agent product ");
    EXPECT_ARG_ERR_PREFIX(tenios_client_builder_set_user_agent_product(b, "a\nb", &ERR),
                          "user agent product ");
    tenios_client *c = BUILD(b, KEY);
    tenios_client_builder_free(b);
    if (c == NULL)
        return;

    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    char *reqs = SIM_GET("/_sim/requests");
    if (reqs != NULL) {
        char ua[512], want[512];
        snprintf(want, sizeof want, "libtenios/%s tenios-test/1.0", tenios_version());
        CHECK(recorded_header(reqs, "User-Agent", ua, sizeof ua) == 1 &&
                  strcmp(ua, want) == 0,
              "User-Agent %s, expected %s", printable(ua), want);
        free(reqs);
    }
    /* Still the 300 ms timeout. */
    SIM_FAULT("{\"status\":200,\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":true}\",\"delay_ms\":3000}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_TIMEOUT,
           "timed out: no complete response within 300 ms", MATCH_EXACT, NULL, 0,
           NULL);
    tenios_client_free(c);
}

static void test_build_errors(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    char *long_key = repeat_char('k', 1025);
    tenios_client *c;

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(NULL, KEY, &c, &ERR), "builder is NULL");
    CHECK(c == NULL, "NULL builder: out_client %p, expected NULL", (void *)c);

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, NULL, &c, &ERR), "access_key is NULL");
    CHECK(c == NULL, "NULL key: out_client %p, expected NULL", (void *)c);

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, "", &c, &ERR), "access_key is empty");
    CHECK(c == NULL, "empty key: out_client %p, expected NULL", (void *)c);

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, "\xff\xfe", &c, &ERR),
                   "access_key is not valid UTF-8");
    CHECK(c == NULL, "non-UTF-8 key: out_client %p, expected NULL", (void *)c);

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, "a\nb", &c, &ERR),
                   "access_key contains a control character");
    CHECK(c == NULL, "key with newline: out_client %p, expected NULL", (void *)c);

    c = GARBAGE_CLIENT;
    EXPECT_ARG_ERR(tenios_client_build(b, long_key, &c, &ERR),
                   "access_key is longer than 1024 bytes");
    CHECK(c == NULL, "1025-byte key: out_client %p, expected NULL", (void *)c);

    EXPECT_ARG_ERR(tenios_client_build(b, KEY, NULL, &ERR), "out_client is NULL");
    EXPECT_ARG_ERR(tenios_client_build(NULL, NULL, NULL, &ERR), "out_client is NULL");

    /* out_err NULL: the status alone. */
    c = GARBAGE_CLIENT;
    CHECK_INT_EQ(tenios_client_build(b, "", &c, NULL), TENIOS_ERR_INVALID_ARGUMENT);
    CHECK(c == NULL, "out_err NULL: out_client %p, expected NULL", (void *)c);
    CHECK_INT_EQ(tenios_client_build(b, KEY, NULL, NULL), TENIOS_ERR_INVALID_ARGUMENT);
    c = GARBAGE_CLIENT;
    CHECK_INT_EQ(tenios_client_build(b, KEY, &c, NULL), TENIOS_OK);
    CHECK(c != NULL && c != GARBAGE_CLIENT, "out_err NULL: no client");
    if (c != NULL && c != GARBAGE_CLIENT)
        tenios_client_free(c);

    /* A default builder (https://api.tenios.com) builds: nothing is sent. */
    tenios_client_builder *d = NEW_BUILDER();
    tenios_client_free(BUILD(d, KEY));
    tenios_client_builder_free(d);

    free(long_key);
    tenios_client_builder_free(b);
}

static void test_builder_is_reusable(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    enum { N = 3 };
    static const char *const products[N] = {"first/1", "second/2", "third/3"};
    tenios_client *c[N];
    for (int i = 0; i < N; i++) {
        EXPECT_OK(tenios_client_builder_set_user_agent_product(b, products[i], &ERR));
        c[i] = BUILD(b, KEY);
    }
    /* A client built with the wrong key, from the same builder. */
    tenios_client *wrong = BUILD(b, "not-the-simulator-key");
    /* Freeing the builder does not affect the clients built from it. */
    tenios_client_builder_free(b);

    SIM_RESET();
    for (int i = 0; i < N; i++)
        EXPECT_OK(tenios_client_interrupt_block(c[i], CALL, &ERR));
    EXPECT(tenios_client_interrupt_block(wrong, CALL, &ERR),
           TENIOS_ERR_BAD_CREDENTIALS, "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section",
           MATCH_EXACT, "BAD_CREDENTIALS", 400, NULL);
    CHECK_INT_EQ(SIM_STAT("requests"), N + 1);

    /* Each client kept the product it was built with: the requests carry
     * them in order. */
    char *reqs = SIM_GET("/_sim/requests");
    if (reqs != NULL) {
        const char *p = reqs;
        for (int i = 0; i < N; i++) {
            char want[128];
            snprintf(want, sizeof want, "libtenios/%s %s", tenios_version(),
                     products[i]);
            const char *at = strstr(p, want);
            CHECK(at != NULL, "request %d: no User-Agent %s in %s", i, want,
                  printable(p));
            if (at != NULL)
                p = at + strlen(want);
        }
        char want[128];
        snprintf(want, sizeof want, "libtenios/%s %s", tenios_version(),
                 products[N - 1]);
        CHECK(strstr(p, want) != NULL, "last request: User-Agent %s missing",
              want);
        free(reqs);
    }
    for (int i = 0; i < N; i++)
        tenios_client_free(c[i]);
    tenios_client_free(wrong);
}

static void test_api_error_accessors(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    static const char *const call_uuid_field[] = {"call_uuid", NULL};
    SIM_RESET();
    EXPECT(tenios_client_interrupt_block(c, UNKNOWN_CALL, &ERR),
           TENIOS_ERR_CALL_UUID_NOT_FOUND,
           call_not_found(UNKNOWN_CALL), MATCH_EXACT, "CALL_UUID_NOT_FOUND", 400,
           call_uuid_field);
    CHECK_INT_EQ(TENIOS_ERR_CALL_UUID_NOT_FOUND, 5);

    /* The same, spelled out, so that a reader sees the accessors at work. */
    tenios_error *err = GARBAGE_ERR;
    tenios_status st = tenios_client_interrupt_block(c, UNKNOWN_CALL, &err);
    CHECK_INT_EQ(st, 5);
    if (err != GARBAGE_ERR && err != NULL) {
        CHECK_INT_EQ(tenios_error_status(err), 5);
        const char *code = tenios_error_api_code(err);
        CHECK(code != NULL && strcmp(code, "CALL_UUID_NOT_FOUND") == 0,
              "api_code %s", printable(code));
        CHECK_INT_EQ(tenios_error_http_status(err), 400);
        CHECK_INT_EQ(tenios_error_field_count(err), 1);
        const char *f0 = tenios_error_field(err, 0);
        CHECK(f0 != NULL && strcmp(f0, "call_uuid") == 0, "field(0) %s",
              printable(f0));
        CHECK(tenios_error_field(err, 1) == NULL, "field(1) not NULL");
        CHECK(tenios_error_field(err, SIZE_MAX) == NULL, "field(SIZE_MAX) not NULL");
        /* Borrowed strings are stable while the object lives. */
        CHECK(tenios_error_message(err) == tenios_error_message(err),
              "message pointer changes between calls");
        tenios_error_free(err);
    } else {
        CHECK(0, "no error object");
    }

    EXPECT(tenios_client_interrupt_block(c, STUCK, &ERR), TENIOS_ERR_API,
           "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be "
           "interrupted (fields: call_uuid)",
           MATCH_EXACT, "BLOCK_NOT_INTERRUPTIBLE", 400, call_uuid_field);
    EXPECT(tenios_client_interrupt_block(c, "not-a-uuid-42", &ERR),
           TENIOS_ERR_INVALID_FIELD,
           "INVALID_FIELD: Invalid 'call_uuid' input parameter. Invalid value - "
           "'not-a-uuid-42'. (fields: call_uuid)",
           MATCH_EXACT, "INVALID_FIELD", 400, call_uuid_field);
    CHECK_INT_EQ(SIM_STAT("requests"), 4);
    tenios_client_free(c);
}

static void test_echoed_key_is_redacted_everywhere(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    char fault[1024], want_msg[256];
    snprintf(fault, sizeof fault,
             "{\"status\":403,"
             "\"headers\":[[\"Content-Type\",\"application/json\"]],"
             "\"body\":\"{\\\"error_code\\\":\\\"BAD_CREDENTIALS\\\","
             "\\\"error_message\\\":\\\"key %s is not valid\\\","
             "\\\"fields\\\":[\\\"access_key\\\",\\\"%s\\\"]}\"}",
             KEY, KEY);
    snprintf(want_msg, sizeof want_msg,
             "BAD_CREDENTIALS: key [REDACTED] is not valid "
             "(fields: access_key, [REDACTED]); " KEY_HINT);
    static const char *const fields[] = {"access_key", "[REDACTED]", NULL};
    SIM_RESET();
    SIM_FAULT(fault);
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR),
           TENIOS_ERR_BAD_CREDENTIALS, want_msg, MATCH_EXACT, "BAD_CREDENTIALS",
           403, fields);
    tenios_client_free(c);
}

static void test_http_error_accessors(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    SIM_RESET();
    SIM_FAULT("{\"status\":503,"
              "\"headers\":[[\"Content-Type\",\"text/html\"]],"
              "\"body\":\"<html><body><h1>503 Service Unavailable</h1>"
              "</body></html>\"}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_HTTP,
           "HTTP 503 with no API error in the body", MATCH_EXACT, NULL, 503,
           NULL);
    SIM_FAULT("{\"status\":401,\"headers\":[[\"Content-Type\",\"text/plain\"]],"
              "\"body\":\"Unauthorized\"}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR),
           TENIOS_ERR_BAD_CREDENTIALS,
           "HTTP 401: access key rejected (no API error in the body); check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section",
           MATCH_EXACT, NULL, 401, NULL);
    /* The faults are used up: the client carries on. */
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
    tenios_client_free(c);
}

static void test_failure_without_code_accessors(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    SIM_RESET();
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":false}\"}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_API,
           "the API reported failure without an error code (HTTP 200)",
           MATCH_EXACT, NULL, 200, NULL);
    tenios_client_free(c);
}

static void test_transport_error_accessors(void)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_loopback_port());
    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    EXPECT_OK(tenios_client_builder_set_base_url(b, url, &ERR));
    tenios_client *c = BUILD(b, KEY);
    tenios_client_builder_free(b);
    if (c == NULL)
        return;
    /* Twice: a failed connection does not poison the client. */
    for (int i = 0; i < 2; i++)
        EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_NETWORK,
               "network error: ", MATCH_PREFIX, NULL, 0, NULL);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_ERR_NETWORK);
    tenios_client_free(c);
}

static void test_protocol_error_accessors(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    SIM_RESET();
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"not json\"}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_PROTOCOL,
           "protocol error: response body is not JSON (HTTP 200)", MATCH_EXACT,
           NULL, 200, NULL);
    SIM_FAULT("{\"status\":200,"
              "\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":true}\",\"pad_to\":2000000}");
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_PROTOCOL,
           "protocol error: response body is larger than 1048576 bytes",
           MATCH_EXACT, NULL, 200, NULL);
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    tenios_client_free(c);
}

static void test_accessors_on_null(void)
{
    CHECK_INT_EQ(tenios_error_status(NULL), TENIOS_OK);
    CHECK(tenios_error_message(NULL) == NULL, "message(NULL) is not NULL");
    CHECK(tenios_error_api_code(NULL) == NULL, "api_code(NULL) is not NULL");
    CHECK_INT_EQ(tenios_error_http_status(NULL), 0);
    CHECK_INT_EQ(tenios_error_field_count(NULL), 0);
    CHECK(tenios_error_field(NULL, 0) == NULL, "field(NULL, 0) is not NULL");
    CHECK(tenios_error_field(NULL, SIZE_MAX) == NULL,
          "field(NULL, SIZE_MAX) is not NULL");
    tenios_error_free(NULL);
}

static void test_interrupt_argument_errors_send_nothing(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    char *long_uuid = repeat_char('u', 1025);
    SIM_RESET();
    EXPECT_ARG_ERR(tenios_client_interrupt_block(NULL, CALL, &ERR), "client is NULL");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(NULL, NULL, &ERR), "client is NULL");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, NULL, &ERR), "call_uuid is NULL");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, "", &ERR), "call_uuid is empty");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, long_uuid, &ERR),
                   "call_uuid is longer than 1024 bytes");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, "\xff\xfe", &ERR),
                   "call_uuid is not valid UTF-8");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, "a\nb", &ERR),
                   "call_uuid contains a control character");
    EXPECT_ARG_ERR(tenios_client_interrupt_block(c, "\x7f", &ERR),
                   "call_uuid contains a control character");
    CHECK_INT_EQ(tenios_client_interrupt_block(NULL, CALL, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, "", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(SIM_STAT("requests"), 0);
    /* Fails closed: the same client's valid call is counted. */
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(SIM_STAT("requests"), 1);
    free(long_uuid);
    tenios_client_free(c);
}

static void test_interrupt_out_err_null(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    SIM_RESET();
    CHECK_INT_EQ(tenios_client_interrupt_block(c, CALL, NULL), TENIOS_OK);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, UNKNOWN_CALL, NULL),
                 TENIOS_ERR_CALL_UUID_NOT_FOUND);
    CHECK_INT_EQ(tenios_client_interrupt_block(c, STUCK, NULL), TENIOS_ERR_API);
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
    char *list = SIM_GET("/_sim/interrupts");
    if (list != NULL) {
        char want[128];
        snprintf(want, sizeof want, "[\"%s\"]", CALL);
        CHECK(strcmp(list, want) == 0, "/_sim/interrupts %s, expected %s",
              printable(list), want);
        free(list);
    }
    tenios_client_free(c);
}

static void test_request_on_the_wire(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, "tenios-test/1.0", &ERR));
    tenios_client *c = BUILD(b, KEY);
    /* Without a product: the plain libtenios/<version>. */
    EXPECT_OK(tenios_client_builder_set_user_agent_product(b, NULL, &ERR));
    tenios_client *plain = BUILD(b, KEY);
    tenios_client_builder_free(b);

    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    char *reqs = SIM_GET("/_sim/requests");
    if (reqs != NULL) {
        char got[2048], want[2048];
        CHECK(count_occurrences(reqs, "\"method\"") == 1,
              "expected one recorded request: %s", printable(reqs));
        const char *v = json_find_value(reqs, "method");
        CHECK(v != NULL && strncmp(v, "\"POST\"", 6) == 0, "method: %s", printable(reqs));
        v = json_find_value(reqs, "path");
        CHECK(v != NULL && strncmp(v, "\"/interrupt-ecc-block\"", 22) == 0,
              "path: %s", printable(reqs));

        snprintf(want, sizeof want, "libtenios/%s tenios-test/1.0", tenios_version());
        int n = recorded_header(reqs, "User-Agent", got, sizeof got);
        CHECK(n == 1 && strcmp(got, want) == 0,
              "%d User-Agent header(s), the first %s; expected one: %s", n,
              printable(got), want);

        n = recorded_header(reqs, "Content-Type", got, sizeof got);
        CHECK(n == 1 && strcmp(got, "application/json") == 0,
              "%d Content-Type header(s), the first %s", n, printable(got));
        n = recorded_header(reqs, "Accept", got, sizeof got);
        CHECK(n == 1 && strcmp(got, "application/json") == 0,
              "%d Accept header(s), the first %s", n, printable(got));

        snprintf(want, sizeof want, "{\"access_key\":\"%s\",\"call_uuid\":\"%s\"}",
                 KEY, CALL);
        v = json_find_value(reqs, "body");
        CHECK(json_decode_string(v, got, sizeof got) != NULL && strcmp(got, want) == 0,
              "request body %s, expected %s", printable(got), want);
        free(reqs);
    }

    SIM_RESET();
    EXPECT_OK(tenios_client_interrupt_block(plain, CALL, &ERR));
    reqs = SIM_GET("/_sim/requests");
    if (reqs != NULL) {
        char got[512], want[512];
        snprintf(want, sizeof want, "libtenios/%s", tenios_version());
        CHECK(recorded_header(reqs, "User-Agent", got, sizeof got) == 1 &&
                  strcmp(got, want) == 0,
              "User-Agent %s, expected %s", printable(got), want);
        free(reqs);
    }
    tenios_client_free(c);
    tenios_client_free(plain);
}

static void test_total_timeout(void)
{
    tenios_client_builder *b = SIM_BUILDER();
    if (b == NULL)
        return;
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 300, &ERR));
    tenios_client *c = BUILD(b, KEY);
    tenios_client_builder_free(b);
    if (c == NULL)
        return;
    SIM_RESET();
    SIM_FAULT("{\"status\":200,\"headers\":[[\"Content-Type\",\"application/json\"]],"
              "\"body\":\"{\\\"success\\\":true}\",\"delay_ms\":3000}");
    double t0 = now_seconds();
    EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_TIMEOUT,
           "timed out: no complete response within 300 ms", MATCH_EXACT, NULL, 0,
           NULL);
    double elapsed = now_seconds() - t0;
    CHECK(elapsed >= 0.29 && elapsed < 2.5, "took %.3f s, expected ~0.3 s", elapsed);
    /* The client carries on after a timeout (on a new connection). */
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    tenios_client_free(c);
}

static void test_connect_timeout(void)
{
    int fds[2];
    int port = silent_listener(fds);
    char url[64];
    snprintf(url, sizeof url, "https://localhost:%d", port);

    tenios_client_builder *b = NEW_BUILDER();
    if (b == NULL)
        return;
    EXPECT_OK(tenios_client_builder_set_base_url(b, url, &ERR));
    EXPECT_OK(tenios_client_builder_set_connect_timeout_ms(b, 300, &ERR));
    EXPECT_OK(tenios_client_builder_set_timeout_ms(b, 5000, &ERR));
    tenios_client *c = BUILD(b, KEY);
    tenios_client_builder_free(b);
    if (c != NULL) {
        /* TCP connects (into the backlog); the TLS handshake never
         * completes, and it counts as connecting. */
        double t0 = now_seconds();
        EXPECT(tenios_client_interrupt_block(c, CALL, &ERR), TENIOS_ERR_TIMEOUT,
               "timed out connecting after 300 ms; check that the base URL's host is reachable from here, or raise the connect timeout", MATCH_EXACT, NULL, 0, NULL);
        double elapsed = now_seconds() - t0;
        CHECK(elapsed >= 0.29 && elapsed < 2.5, "took %.3f s, expected ~0.3 s",
              elapsed);
        tenios_client_free(c);
    }
    close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
}

/* ---------------------------------------------------------- threads */

enum { THREADS = 16 };
static int g_calls_per_thread = 250;

struct worker {
    pthread_t tid;
    const tenios_client *client;
    int ok; /* calls that returned TENIOS_OK with err NULL */
    tenios_status first_bad;
    char first_msg[256];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < g_calls_per_thread; i++) {
        tenios_error *err = GARBAGE_ERR;
        tenios_status st = tenios_client_interrupt_block(w->client, CALL, &err);
        if (st == TENIOS_OK && err == NULL) {
            w->ok++;
        } else if (w->first_bad == TENIOS_OK) {
            w->first_bad = st == TENIOS_OK ? TENIOS_ERR_INTERNAL : st;
            snprintf(w->first_msg, sizeof w->first_msg, "%s",
                     err == GARBAGE_ERR ? "(out_err untouched)"
                     : err == NULL      ? "(NULL)"
                                        : tenios_error_message(err));
        }
        if (err != GARBAGE_ERR)
            tenios_error_free(err);
    }
    return NULL;
}

static void test_threads_share_one_client(void)
{
    tenios_client *c = SIM_CLIENT();
    if (c == NULL)
        return;
    struct worker w[THREADS];
    memset(w, 0, sizeof w);
    const int total = THREADS * g_calls_per_thread;

    SIM_RESET();
    double t0 = now_seconds();
    int started = 0;
    for (; started < THREADS; started++) {
        w[started].client = c;
        int rc = pthread_create(&w[started].tid, NULL, worker_main, &w[started]);
        CHECK(rc == 0, "pthread_create failed: %d", rc);
        if (rc != 0)
            break;
    }
    int total_ok = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        total_ok += w[i].ok;
        CHECK(w[i].ok == g_calls_per_thread,
              "thread %d: %d/%d calls OK; first failure %s: %s", i, w[i].ok,
              g_calls_per_thread, tenios_status_str((uint32_t)w[i].first_bad),
              printable(w[i].first_msg));
    }
    double elapsed = now_seconds() - t0;
    CHECK_INT_EQ(total_ok, total);

    char *list = SIM_GET("/_sim/interrupts");
    if (list != NULL) {
        CHECK_INT_EQ(count_occurrences(list, CALL), total);
        free(list);
    }
    CHECK_INT_EQ(SIM_STAT("requests"), total);
    /* A pool: at most one connection per thread. */
    long conns = SIM_STAT("connections");
    CHECK(conns >= 1 && conns <= THREADS, "%ld connections for %d threads", conns,
          THREADS);
    printf("    (%d threads x %d calls: %.2f s, %ld connections)\n", THREADS,
           g_calls_per_thread, elapsed, conns);
    tenios_client_free(c);
}

/* Two clients in one process, with different base URLs and keys: neither
 * sees the other's options. */
static void test_two_clients_are_independent(void)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_loopback_port());
    tenios_client *sim = SIM_CLIENT();
    tenios_client_builder *b = NEW_BUILDER();
    tenios_client *closed = NULL;
    if (b != NULL) {
        EXPECT_OK(tenios_client_builder_set_base_url(b, url, &ERR));
        closed = BUILD(b, "another-key");
        tenios_client_builder_free(b);
    }
    if (sim == NULL || closed == NULL) {
        tenios_client_free(sim);
        tenios_client_free(closed);
        return;
    }
    SIM_RESET();
    for (int i = 0; i < 3; i++) {
        EXPECT_OK(tenios_client_interrupt_block(sim, CALL, &ERR));
        EXPECT(tenios_client_interrupt_block(closed, CALL, &ERR), TENIOS_ERR_NETWORK,
               "network error: ", MATCH_PREFIX, NULL, 0, NULL);
    }
    /* The closed-port client failing does not disturb the other one. */
    tenios_client_free(closed);
    EXPECT_OK(tenios_client_interrupt_block(sim, CALL, &ERR));
    CHECK_INT_EQ(SIM_STAT("requests"), 4);
    tenios_client_free(sim);
}

/* The default client (tenios_interrupt_block, TENIOS_API_URL) works side by
 * side with handle clients. */
static void test_default_function_alongside_clients(void)
{
    tenios_client *c = SIM_CLIENT();
    SIM_RESET();
    EXPECT_CALL(KEY, CALL, TENIOS_OK, NULL, MATCH_EXACT);
    EXPECT_OK(tenios_client_interrupt_block(c, CALL, &ERR));
    EXPECT_CALL(KEY, UNKNOWN_CALL, TENIOS_ERR_CALL_UUID_NOT_FOUND, call_not_found(UNKNOWN_CALL),
                MATCH_EXACT);
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
    tenios_client_free(c);
}

/* ------------------------------------------------------------- main */

static void make_temp_file(char *path_template, const char *content)
{
    int fd = mkstemp(path_template);
    size_t n = strlen(content);
    if (fd < 0 || write(fd, content, n) != (ssize_t)n || close(fd) != 0) {
        perror("temporary file");
        exit(2);
    }
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    STUCK = require_env("TENIOS_TEST_STUCK");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));

    const char *calls = getenv("TENIOS_TEST_CALLS");
    if (calls != NULL && *calls != '\0') {
        long n = strtol(calls, NULL, 10);
        if (n < THREADS || n % THREADS != 0) {
            fprintf(stderr, "TENIOS_TEST_CALLS must be a multiple of %d\n", THREADS);
            return 2;
        }
        g_calls_per_thread = (int)(n / THREADS);
    }

    make_temp_file(g_ca_pem_path, TEST_CA_PEM);
    make_temp_file(g_no_cert_path, "not a certificate\n");

    run_test("builder new and free; free functions accept NULL",
             test_builder_new_and_free);
    run_test("setters succeed and set *out_err to NULL",
             test_setters_succeed_and_set_err_null);
    run_test("setters accept out_err NULL", test_setters_accept_null_out_err);
    run_test("setters reject a NULL builder", test_setters_reject_null_builder);
    run_test("set_base_url rejects unusable URLs", test_base_url_rejected);
    run_test("timeouts must be 1 to 600000 ms", test_timeouts_rejected);
    run_test("set_ca_file reads and checks the file now", test_ca_file);
    run_test("system trust store is read when building",
             test_system_trust_store_is_read_when_building);
    run_test("set_proxy", test_proxy);
    run_test("set_user_agent_product rejects bad products",
             test_user_agent_product_rejected);
    run_test("a failed setter keeps the previous value",
             test_failed_setter_keeps_previous_value);
    run_test("tenios_client_build errors", test_build_errors);
    run_test("a builder builds several clients and may be freed first",
             test_builder_is_reusable);
    run_test("API error: accessors", test_api_error_accessors);
    run_test("API error: echoed key redacted in message and fields",
             test_echoed_key_is_redacted_everywhere);
    run_test("HTTP error: accessors", test_http_error_accessors);
    run_test("success false without code: accessors",
             test_failure_without_code_accessors);
    run_test("transport error (closed port): accessors",
             test_transport_error_accessors);
    run_test("protocol error: accessors", test_protocol_error_accessors);
    run_test("accessors accept NULL", test_accessors_on_null);
    run_test("interrupt: argument errors send nothing",
             test_interrupt_argument_errors_send_nothing);
    run_test("interrupt: out_err NULL accepted", test_interrupt_out_err_null);
    run_test("interrupt: User-Agent and body on the wire", test_request_on_the_wire);
    run_test("total timeout 300 ms", test_total_timeout);
    run_test("connect timeout 300 ms (TLS handshake never answered)",
             test_connect_timeout);
    char name[128];
    snprintf(name, sizeof name, "%d threads x %d calls share one client", THREADS,
             g_calls_per_thread);
    run_test(name, test_threads_share_one_client);
    run_test("two clients with different base URLs are independent",
             test_two_clients_are_independent);
    run_test("tenios_interrupt_block alongside handle clients",
             test_default_function_alongside_clients);

    unlink(g_ca_pem_path);
    unlink(g_no_cert_path);
    return test_summary();
}
