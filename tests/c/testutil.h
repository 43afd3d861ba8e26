/*
 * Tiny test helpers for the libtenios C tests: assertions that record a
 * failure and carry on, a test runner that prints one line per test and a
 * summary line, and a raw-socket HTTP/1.0 client for the simulator's control
 * endpoints (/_sim/...).  No external test framework.
 */
#ifndef TENIOS_TESTUTIL_H
#define TENIOS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tenios.h"

/* ---------------------------------------------------------------- runner */

typedef void (*test_fn)(void);

/* Runs one test: prints "ok   NAME" or "FAIL NAME" (after the failure
 * details), and counts it. */
void run_test(const char *name, test_fn fn);

/* Prints "N passed, M failed" and returns the process exit status. */
int test_summary(void);

/* Records a failure of the current test; printf-style details. */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Number of failures recorded so far in the current test. */
int test_failures_in_current(void);

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            test_fail(__FILE__, __LINE__, __VA_ARGS__);                        \
    } while (0)

#define CHECK_INT_EQ(got, want)                                                \
    do {                                                                       \
        long long got_ = (long long)(got), want_ = (long long)(want);          \
        if (got_ != want_)                                                     \
            test_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #got,   \
                      got_, want_);                                            \
    } while (0)

/* ------------------------------------------------- calling the library */

typedef enum match_mode {
    MATCH_EXACT,    /* message equals the expectation */
    MATCH_PREFIX,   /* message starts with the expectation */
    MATCH_CONTAINS, /* message contains the expectation */
} match_mode;

/*
 * Calls tenios_interrupt_block(key, uuid, &err) with `err` pre-set to a
 * garbage pointer and checks the status and the message:
 * - TENIOS_OK: err must have been set to NULL (want_msg is ignored);
 * - otherwise: err must be a non-NULL message matching want_msg per `mode`.
 * Frees the message with tenios_string_free.  Returns the message check as a
 * bool so that callers can add checks (1 = all good).
 */
int expect_call_at(const char *file, int line, const char *key,
                   const char *uuid, tenios_status want_status,
                   const char *want_msg, match_mode mode);

#define EXPECT_CALL(key, uuid, status, msg, mode)                              \
    expect_call_at(__FILE__, __LINE__, (key), (uuid), (status), (msg), (mode))

/* Like EXPECT_CALL, but also requires the message NOT to contain `absent`. */
int expect_call_without_at(const char *file, int line, const char *key,
                           const char *uuid, tenios_status want_status,
                           const char *want_msg, match_mode mode,
                           const char *absent);

#define EXPECT_CALL_WITHOUT(key, uuid, status, msg, mode, absent)              \
    expect_call_without_at(__FILE__, __LINE__, (key), (uuid), (status), (msg), \
                           (mode), (absent))

/* Checks a call's status and error object: the status is `want_status`, the object is there
 * exactly on failure, and (when `want_msg` is not NULL) its message is exactly that. Frees
 * the error object. */
void expect_error_at(const char *file, int line, tenios_status st, tenios_error *err,
                     tenios_status want_status, const char *want_msg);

/* Calls `call`, which must pass `&err_` as its out_err, and checks it with expect_error_at.
 * err_ starts as garbage: the library must overwrite it on every path. */
#define EXPECT_STATUS(call, status, msg)                                                     \
    do {                                                                                     \
        tenios_error *err_ = (tenios_error *)(uintptr_t)0x1;                                 \
        tenios_status st_ = (call);                                                          \
        expect_error_at(__FILE__, __LINE__, st_, err_, (status), (msg));                     \
    } while (0)

/* The number of entries in a directory such as /proc/self/fd or /proc/self/task, or -1. */
int count_dir_entries(const char *dir);

/* What every message about a rejected access key says after the API's text. */
#define KEY_HINT                                                                               \
    "check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General "      \
    "settings, API section"

/* The library's message for a call the API (the simulator) did not find: the API's text, then
 * the hint that repeats the uuid. A buffer of the calling thread, valid until its next call. */
const char *call_not_found(const char *call_uuid);

/* Message text for diagnostics: C-escaped, truncated to a readable length.
 * Returns a static buffer (not thread-safe; diagnostics only). */
const char *printable(const char *s);

/* ------------------------------------------- simulator control client */

typedef struct http_response {
    int status;  /* HTTP status code, or -1 if the exchange failed */
    char *body;  /* NUL-terminated body (malloc'd; free with http_free) */
    size_t body_len;
} http_response;

/* Port of the simulator, from env TENIOS_SIM_PORT (set by run.sh). */
void sim_set_port(int port);

/* A loopback port on which nothing listens (bound to port 0, read, closed). */
int closed_loopback_port(void);

/* One HTTP/1.0 exchange with 127.0.0.1:<port>: `body` may be NULL.  Sends
 * Connection: close and reads until EOF. */
http_response sim_http(const char *method, const char *path, const char *body);
void http_free(http_response *r);

/* POST /_sim/reset; records a test failure if it does not answer 200. */
void sim_reset_at(const char *file, int line);
#define SIM_RESET() sim_reset_at(__FILE__, __LINE__)

/* GET /_sim/stats and return one field ("connections" or "requests"), or
 * -1 (with a recorded failure) if it cannot be read. */
long sim_stat_at(const char *file, int line, const char *field);
#define SIM_STAT(field) sim_stat_at(__FILE__, __LINE__, (field))

/* POST /_sim/faults with the given JSON; records a failure unless 2xx. */
void sim_fault_at(const char *file, int line, const char *json);
#define SIM_FAULT(json) sim_fault_at(__FILE__, __LINE__, (json))

/* The body of the last request to `path` the simulator recorded is exactly `want`. */
void expect_last_body_at(const char *file, int line, const char *path, const char *want);
#define EXPECT_LAST_BODY(path, body) expect_last_body_at(__FILE__, __LINE__, (path), (body))

/* -------------------------------------------------- minimal JSON peeks */

/* Finds `"key"` followed by `:` and returns a pointer to the value (after
 * whitespace), or NULL.  Searches from `from`. */
const char *json_find_value(const char *from, const char *key);

/* Integer value of the first `"key": N` in `json`, or -1. */
long json_int_field(const char *json, const char *key);

/* Number of (non-overlapping) occurrences of `needle` in `hay`. */
size_t count_occurrences(const char *hay, const char *needle);

/* Required environment variable (exits with status 2 if unset). */
const char *require_env(const char *name);

/* A client with base URL `url` and key `key`, all other options default; exits the test
 * program (status 2) when it cannot be built. */
tenios_client *build_client_or_exit(const char *url, const char *key);

/* malloc'd string of `n` copies of `c` (exits on allocation failure). */
char *repeat_char(char c, size_t n);

#endif /* TENIOS_TESTUTIL_H */
