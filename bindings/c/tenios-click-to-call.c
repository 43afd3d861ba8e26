/*
 * tenios-click-to-call: a click-to-call from a CRM, in C with libtenios.
 *
 *   TENIOS_ACCESS_KEY=... [TENIOS_API_URL=...] tenios-click-to-call DESTINATION TENIOS_NUMBER
 *
 * Starts the call (tenios_client_makecall_init): TENIOS calls DESTINATION first and, once it
 * answers, puts it through to TENIOS_NUMBER, whose routing plan runs (with Call Control, the
 * webhook gets the id as variables.callback_id). Then asks for the call's state
 * (tenios_client_makecall_status) every 100 ms until it is CONNECTED, for at most 10 s, and
 * prints each step on stdout. Exit status 0 when connected, 1 otherwise (the status and
 * message on stderr).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenios.h"

static int fail(const char *step, tenios_status st, tenios_error *err)
{
    fprintf(stderr, "tenios-click-to-call: %s: %s: %s\n", step, tenios_status_str(st),
            err ? tenios_error_message(err) : "");
    tenios_error_free(err);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tenios-click-to-call DESTINATION TENIOS_NUMBER\n");
        return 1;
    }
    const char *key = getenv("TENIOS_ACCESS_KEY");
    if (key == NULL) {
        fprintf(stderr, "tenios-click-to-call: TENIOS_ACCESS_KEY is not set\n");
        return 1;
    }
    const char *url = getenv("TENIOS_API_URL");

    tenios_error *err = NULL;
    tenios_client_builder *builder = tenios_client_builder_new();
    tenios_client *client = NULL;
    tenios_status st = builder ? TENIOS_OK : TENIOS_ERR_INTERNAL;
    if (st == TENIOS_OK && url != NULL)
        st = tenios_client_builder_set_base_url(builder, url, &err);
    if (st == TENIOS_OK)
        st = tenios_client_build(builder, key, &client, &err);
    tenios_client_builder_free(builder);
    if (st != TENIOS_OK)
        return fail("client", st, err);

    int rc = 1;
    char *id = NULL;
    st = tenios_client_makecall_init(client, argv[1], argv[2], NULL, NULL, &id, &err);
    if (st != TENIOS_OK) {
        rc = fail("makecall/init", st, err);
        goto done;
    }
    printf("click-to-call %s: TENIOS calls %s, then puts it through to %s\n", id, argv[1],
           argv[2]);

    const struct timespec pause = {0, 100 * 1000 * 1000};
    char *last = NULL;
    for (int i = 0; i < 100; i++) {
        char *state = NULL;
        st = tenios_client_makecall_status(client, id, &state, &err);
        if (st != TENIOS_OK) {
            rc = fail("makecall/status", st, err);
            break;
        }
        if (last == NULL || strcmp(last, state) != 0)
            printf("click-to-call %s: %s\n", id, state);
        tenios_string_free(last);
        last = state;
        if (strcmp(state, "CONNECTED") == 0) {
            rc = 0;
            break;
        }
        nanosleep(&pause, NULL);
    }
    if (rc != 0 && st == TENIOS_OK)
        fprintf(stderr, "tenios-click-to-call: not connected after 10 s\n");
    tenios_string_free(last);
done:
    tenios_string_free(id);
    tenios_client_free(client);
    return rc;
}
