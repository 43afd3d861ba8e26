/*
 * tenios-interrupt: interrupt the block that is currently running in a live
 * call, through the TENIOS Call Control Voice API (POST /interrupt-ecc-block).
 *
 * Usage:
 *     TENIOS_ACCESS_KEY=... tenios-interrupt CALL_UUID
 *
 * Exit status: 0 if the block was interrupted, 1 on any error.
 *
 * This is the example program of libtenios; copy it freely.  Build it with
 *
 *     cc -std=c11 -Wall -Wextra -Iinclude bindings/c/tenios-interrupt.c \
 *        -Ltarget/release -ltenios -o tenios-interrupt
 *
 * (add -Wl,-rpath,/path/to/target/release, or set LD_LIBRARY_PATH, so that
 * the program finds libtenios.so when it runs).
 *
 * The library talks to https://api.tenios.com unless the environment variable
 * TENIOS_API_URL names another base URL (e.g. a local simulator).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tenios.h"

static void usage(void)
{
    fputs("usage: tenios-interrupt CALL_UUID\n"
          "Interrupts the block currently running in the call CALL_UUID.\n"
          "The TENIOS access key is read from the environment variable "
          "TENIOS_ACCESS_KEY.\n",
          stderr);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        usage();
        return 1;
    }
    const char *call_uuid = argv[1];

    /* Keep the access key out of the command line (where `ps` would show it). */
    const char *access_key = getenv("TENIOS_ACCESS_KEY");
    if (access_key == NULL) {
        fputs("tenios-interrupt: TENIOS_ACCESS_KEY is not set\n", stderr);
        usage();
        return 1;
    }

    /*
     * One blocking call.  On success it returns TENIOS_OK and sets `err` to
     * NULL; on failure it returns the error's status and sets `err` to a
     * message that we own and must release with tenios_string_free() (never
     * with free(): the library allocated it).
     */
    char *err = NULL;
    tenios_status status = tenios_interrupt_block(access_key, call_uuid, &err);

    if (status == TENIOS_OK) {
        printf("interrupted the current block of call %s\n", call_uuid);
        return 0;
    }

    /* tenios_status_str() returns a static string such as
     * "TENIOS_ERR_CALL_UUID_NOT_FOUND"; it is never NULL and never freed. */
    fprintf(stderr, "tenios-interrupt: %s: %s\n", tenios_status_str(status),
            err != NULL ? err : "(no message)");
    tenios_string_free(err); /* NULL is fine too */
    return 1;
}
