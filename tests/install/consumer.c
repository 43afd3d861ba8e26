/*
 * A C program that uses an installed libtenios, as a user's would: tests/install/run.sh copies
 * it out of the checkout and builds it with `pkg-config --cflags --libs tenios` (shared) and
 * with `pkg-config --static` (libtenios.a), against a DESTDIR install only.
 *
 * Environment: TENIOS_API_URL (the simulator; read by the default client), TEST_KEY,
 * TEST_CALL (a call whose block can be interrupted), TEST_UNKNOWN (no such call),
 * TEST_VERSION (the version in Cargo.toml). Prints one line per check and
 * "N passed, M failed"; exits 0 only when nothing failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tenios.h>

#if !defined(TENIOS_VERSION_MAJOR) || !defined(TENIOS_VERSION_MINOR) || \
    !defined(TENIOS_VERSION_PATCH) || !defined(TENIOS_VERSION_NUM) || \
    !defined(TENIOS_VERSION_STRING) || !defined(TENIOS_AT_LEAST_VERSION)
#error "tenios.h lacks the version macros"
#endif
#if !TENIOS_AT_LEAST_VERSION(1, 0, 0)
#error "this program needs libtenios 1.0.0 or later"
#endif
#if !TENIOS_AT_LEAST_VERSION(TENIOS_VERSION_MAJOR, TENIOS_VERSION_MINOR, TENIOS_VERSION_PATCH)
#error "TENIOS_AT_LEAST_VERSION rejects the header's own version"
#endif
#if TENIOS_AT_LEAST_VERSION(TENIOS_VERSION_MAJOR, TENIOS_VERSION_MINOR, TENIOS_VERSION_PATCH + 1)
#error "TENIOS_AT_LEAST_VERSION accepts a later patch version"
#endif
#if TENIOS_AT_LEAST_VERSION(TENIOS_VERSION_MAJOR + 1, 0, 0)
#error "TENIOS_AT_LEAST_VERSION accepts a later major version"
#endif

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0') {
        fprintf(stderr, "consumer: %s is not set\n", name);
        exit(2);
    }
    return value;
}

int main(void)
{
    const char *key = env("TEST_KEY"), *call = env("TEST_CALL");
    const char *unknown = env("TEST_UNKNOWN"), *url = env("TENIOS_API_URL");
    char version[32];

    snprintf(version, sizeof version, "%d.%d.%d", TENIOS_VERSION_MAJOR, TENIOS_VERSION_MINOR,
             TENIOS_VERSION_PATCH);
    check(same(TENIOS_VERSION_STRING, env("TEST_VERSION")),
          "TENIOS_VERSION_STRING is the version in Cargo.toml");
    check(same(version, TENIOS_VERSION_STRING),
          "TENIOS_VERSION_MAJOR.MINOR.PATCH spell TENIOS_VERSION_STRING");
    check(same(tenios_version(), TENIOS_VERSION_STRING),
          "tenios_version() equals TENIOS_VERSION_STRING");
    check(sizeof(tenios_status) == sizeof(uint32_t), "tenios_status is 32 bits");

    /* The one-call API and its default client (TENIOS_API_URL). */
    static char untouched;
    char *err = &untouched;
    tenios_status st = tenios_interrupt_block(key, call, &err);
    check(st == TENIOS_OK && err == NULL, "tenios_interrupt_block(known call) == TENIOS_OK");
    if (err == &untouched)
        err = NULL;
    if (st != TENIOS_OK)
        printf("     got %s: %s\n", tenios_status_str(st), err ? err : "(null)");
    tenios_string_free(err);

    err = NULL;
    st = tenios_interrupt_block(key, unknown, &err);
    check(st == TENIOS_ERR_CALL_UUID_NOT_FOUND,
          "tenios_interrupt_block(unknown call) == TENIOS_ERR_CALL_UUID_NOT_FOUND");
    char not_found[400];
    snprintf(not_found, sizeof not_found,
             "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has "
             "the uuid %s: the call may have ended (the caller hung up or it was transferred "
             "away), or the uuid is wrong",
             unknown);
    check(same(err, not_found), "its message is the API's error, then what to do");
    check(same(tenios_status_str(st), "TENIOS_ERR_CALL_UUID_NOT_FOUND"),
          "tenios_status_str names it");
    tenios_string_free(err);

    /* The handle API. */
    tenios_error *e = NULL;
    tenios_client *client = NULL;
    tenios_client_builder *b = tenios_client_builder_new();
    check(b != NULL, "tenios_client_builder_new");
    check(tenios_client_builder_set_base_url(b, url, &e) == TENIOS_OK && e == NULL,
          "set_base_url(simulator) == TENIOS_OK");
    check(tenios_client_builder_set_timeout_ms(b, 5000, &e) == TENIOS_OK,
          "set_timeout_ms(5000) == TENIOS_OK");
    check(tenios_client_build(b, key, &client, &e) == TENIOS_OK && client != NULL,
          "tenios_client_build == TENIOS_OK");
    tenios_client_builder_free(b);

    check(tenios_client_interrupt_block(client, call, &e) == TENIOS_OK && e == NULL,
          "tenios_client_interrupt_block(known call) == TENIOS_OK");
    st = tenios_client_interrupt_block(client, unknown, &e);
    check(st == TENIOS_ERR_CALL_UUID_NOT_FOUND && tenios_error_status(e) == st,
          "tenios_client_interrupt_block(unknown call) == TENIOS_ERR_CALL_UUID_NOT_FOUND");
    check(same(tenios_error_api_code(e), "CALL_UUID_NOT_FOUND") &&
              tenios_error_http_status(e) == 400 && tenios_error_field_count(e) == 1 &&
              same(tenios_error_field(e, 0), "call_uuid") && tenios_error_field(e, 1) == NULL,
          "the error carries api_code CALL_UUID_NOT_FOUND, HTTP 400, field call_uuid");
    tenios_error_free(e);
    tenios_client_free(client);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
