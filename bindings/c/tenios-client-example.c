/*
 * tenios-client-example: interrupt the block that is currently running in a
 * live call, with the handle API of libtenios (a client built with options,
 * and errors as objects).
 *
 * Usage:
 *     TENIOS_ACCESS_KEY=... tenios-client-example CALL_UUID
 *
 * Output and exit status:
 *     0  "interrupted the current block of call <uuid>" on stdout
 *     1  on stderr: "tenios-client-example: <STATUS_NAME>: <message>" and,
 *        when the failure came with a response, a second line such as
 *        "  api_code=CALL_UUID_NOT_FOUND http_status=400 fields=call_uuid"
 *        (only the parts that are present)
 *
 * The requests go to https://api.tenios.com, or to the base URL in the
 * environment variable TENIOS_API_URL when it is set (a local simulator, say).
 * Note that a builder never reads TENIOS_API_URL by itself: this program does,
 * and passes the value on.
 *
 * This is an example to copy.  Build it with
 *
 *     cc -std=c11 -Wall -Wextra -Iinclude bindings/c/tenios-client-example.c \
 *        -Ltarget/release -ltenios -o tenios-client-example
 *
 * (add -Wl,-rpath,/path/to/target/release, or set LD_LIBRARY_PATH, so that
 * the program finds libtenios.so when it runs).
 *
 * In a long-running program (a PBX module, say) build the client once, when
 * the module loads, and share it: a client is thread-safe and keeps its
 * connections open between calls, so that each interrupt does not pay for a
 * new TCP and TLS handshake.  Free it when the module unloads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tenios.h"

#define PROGRAM "tenios-client-example"

/*
 * A PBX dialplan runs this while a caller waits on the line, so it must give
 * up quickly rather than after the library's defaults (5 s to connect, 10 s
 * in all): 2 s to connect (TLS handshake included) and 3 s for the whole call.
 */
enum { CONNECT_TIMEOUT_MS = 2000, TOTAL_TIMEOUT_MS = 3000 };

static void usage(void)
{
    fputs("usage: " PROGRAM " CALL_UUID\n"
          "Interrupts the block currently running in the call CALL_UUID.\n"
          "The TENIOS access key is read from the environment variable "
          "TENIOS_ACCESS_KEY;\n"
          "TENIOS_API_URL, when set, replaces https://api.tenios.com.\n",
          stderr);
}

/*
 * Prints a failure on stderr.  `err` is the error object the library handed
 * back (it may be NULL: every accessor accepts NULL).  The strings the
 * accessors return belong to `err` and stay valid until tenios_error_free().
 */
static void print_failure(tenios_status status, const tenios_error *err)
{
    const char *message = tenios_error_message(err);
    fprintf(stderr, PROGRAM ": %s: %s\n", tenios_status_str((uint32_t)status),
            message != NULL ? message : "(no message)");

    /* Details that exist only when a response arrived: the API's error_code
     * and the request fields it named (API errors), and the HTTP status
     * (0 for argument, network and timeout errors). */
    const char *api_code = tenios_error_api_code(err);
    unsigned http_status = tenios_error_http_status(err);
    size_t field_count = tenios_error_field_count(err);
    if (api_code == NULL && http_status == 0 && field_count == 0)
        return;

    fputs(" ", stderr);
    if (api_code != NULL)
        fprintf(stderr, " api_code=%s", api_code);
    if (http_status != 0)
        fprintf(stderr, " http_status=%u", http_status);
    if (field_count > 0) {
        fputs(" fields=", stderr);
        for (size_t i = 0; i < field_count; i++)
            fprintf(stderr, "%s%s", i > 0 ? "," : "", tenios_error_field(err, i));
    }
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        usage();
        return 1;
    }
    const char *call_uuid = argv[1];

    /* Keep the access key out of the command line, where `ps` would show it. */
    const char *access_key = getenv("TENIOS_ACCESS_KEY");
    if (access_key == NULL) {
        fputs(PROGRAM ": TENIOS_ACCESS_KEY is not set\n", stderr);
        usage();
        return 1;
    }
    const char *base_url = getenv("TENIOS_API_URL"); /* NULL: the default */

    /*
     * Everything this program must release, NULL until it exists.  Every
     * path below ends at `done`, which frees whatever is not NULL (the free
     * functions accept NULL, so no checks are needed there).
     */
    int exit_status = 1;
    tenios_client_builder *builder = NULL;
    tenios_client *client = NULL;
    tenios_error *err = NULL; /* set by a failing call; ours to free */
    tenios_status status;

    /* 1. A builder holds the options; it starts with the defaults. */
    builder = tenios_client_builder_new();
    if (builder == NULL) {
        fputs(PROGRAM ": out of memory\n", stderr);
        goto done;
    }

    /*
     * 2. The options.  Each setter returns TENIOS_OK and sets `err` to NULL,
     *    or returns TENIOS_ERR_INVALID_ARGUMENT and sets `err` to an error
     *    object saying why (the builder then keeps its previous value).
     */
    if (base_url != NULL) {
        status = tenios_client_builder_set_base_url(builder, base_url, &err);
        if (status != TENIOS_OK)
            goto fail;
    }
    status = tenios_client_builder_set_connect_timeout_ms(builder,
                                                          CONNECT_TIMEOUT_MS, &err);
    if (status != TENIOS_OK)
        goto fail;
    status = tenios_client_builder_set_timeout_ms(builder, TOTAL_TIMEOUT_MS, &err);
    if (status != TENIOS_OK)
        goto fail;
    /* Requests then carry "User-Agent: libtenios/<version> tenios-client-example/1.0". */
    status = tenios_client_builder_set_user_agent_product(
        builder, "tenios-client-example/1.0", &err);
    if (status != TENIOS_OK)
        goto fail;

    /*
     * 3. The client, for one access key.  Nothing is sent yet.  The library
     *    keeps its own copy of the key and of the options, so the builder can
     *    go now (or build more clients first).
     */
    status = tenios_client_build(builder, access_key, &client, &err);
    if (status != TENIOS_OK)
        goto fail; /* client is NULL */
    tenios_client_builder_free(builder);
    builder = NULL;

    /*
     * 4. The call.  It blocks for at most TOTAL_TIMEOUT_MS, and is sent at
     *    most once: an interrupt is not idempotent, so the library never
     *    retries it.
     */
    status = tenios_client_interrupt_block(client, call_uuid, &err);
    if (status != TENIOS_OK)
        goto fail;

    printf("interrupted the current block of call %s\n", call_uuid);
    exit_status = 0;
    goto done;

fail:
    /* tenios_status_str() gives the name, e.g. "TENIOS_ERR_CALL_UUID_NOT_FOUND"
     * (a static string, never NULL).  Compare statuses by name, never by
     * message text: the messages are for people. */
    print_failure(status, err);

done:
    tenios_error_free(err); /* never free(): the library allocated it */
    tenios_client_free(client);
    tenios_client_builder_free(builder);
    return exit_status;
}
