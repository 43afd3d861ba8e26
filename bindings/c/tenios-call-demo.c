/*
 * tenios-call-demo: a scripted live call with the handle API of libtenios.
 *
 *   1. interrupt the announcement loop a caller is waiting in, so that TENIOS
 *      asks the Call Control webhook for the next blocks (which would put the
 *      caller through to an agent);
 *   2. start recording the call with the agent;
 *   3. transfer that call to another agent (a SIP user);
 *   4. stop the recording.
 *
 * Usage:
 *     TENIOS_ACCESS_KEY=... tenios-call-demo WAITING_CALL CONNECTED_CALL AGENT
 *
 * Why two calls: on the real API, step 1's call becomes the connected call
 * once the webhook answers with a BRIDGE block.  A simulator has no webhook
 * to ask, so `make demo` gives it one call waiting in a block (WAITING_CALL)
 * and one already put through to an agent (CONNECTED_CALL).  Against the
 * real API, pass the same UUID twice (after the webhook has bridged it).
 *
 * Output and exit status:
 *     0  one line per step on stdout:
 *          1. interrupted the waiting loop of call <uuid>
 *          2. started recording call <uuid>: recording <recording-uuid>
 *          3. transferred call <uuid> to SIP user <agent>
 *          4. stopped recording <recording-uuid>
 *     1  the steps that succeeded on stdout, then on stderr
 *        "tenios-call-demo: step N: <STATUS_NAME>: <message>".  A recording
 *        that was started is stopped even when the transfer fails.
 *
 * The requests go to https://api.tenios.com, or to TENIOS_API_URL when it is
 * set (a builder never reads that variable by itself: this program does).
 *
 * Build: cc -std=c11 -Wall -Wextra -Iinclude bindings/c/tenios-call-demo.c \
 *            -Ltarget/release -ltenios -o tenios-call-demo
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tenios.h"

#define PROGRAM "tenios-call-demo"

static void usage(void)
{
    fputs("usage: " PROGRAM " WAITING_CALL CONNECTED_CALL AGENT\n"
          "Interrupts the block WAITING_CALL waits in, then records CONNECTED_CALL\n"
          "while transferring it to the SIP user AGENT.\n"
          "The TENIOS access key is read from TENIOS_ACCESS_KEY;\n"
          "TENIOS_API_URL, when set, replaces https://api.tenios.com.\n",
          stderr);
}

/* Reports a failed step and frees its error object (NULL is fine). */
static void fail(int step, tenios_status status, tenios_error *err)
{
    const char *message = tenios_error_message(err);
    fprintf(stderr, PROGRAM ": step %d: %s: %s\n", step, tenios_status_str((uint32_t)status),
            message != NULL ? message : "(no message)");
    tenios_error_free(err);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        usage();
        return 1;
    }
    const char *waiting_call = argv[1];
    const char *connected_call = argv[2];
    const char *agent = argv[3];
    const char *access_key = getenv("TENIOS_ACCESS_KEY");
    if (access_key == NULL) {
        fputs(PROGRAM ": TENIOS_ACCESS_KEY is not set\n", stderr);
        usage();
        return 1;
    }
    const char *base_url = getenv("TENIOS_API_URL"); /* NULL: the default */

    int exit_status = 1;
    tenios_client *client = NULL;
    char *recording = NULL; /* owned: tenios_string_free */
    tenios_error *err = NULL;
    tenios_status status;
    int transferred = 0;

    /* The client: its own base URL, 3 s per call at most. */
    tenios_client_builder *builder = tenios_client_builder_new();
    if (builder == NULL) {
        fputs(PROGRAM ": out of memory\n", stderr);
        return 1;
    }
    status = base_url != NULL ? tenios_client_builder_set_base_url(builder, base_url, &err)
                              : TENIOS_OK;
    if (status == TENIOS_OK)
        status = tenios_client_builder_set_timeout_ms(builder, 3000, &err);
    if (status == TENIOS_OK)
        status = tenios_client_build(builder, access_key, &client, &err);
    tenios_client_builder_free(builder);
    if (status != TENIOS_OK) {
        fail(0, status, err);
        return 1;
    }

    /* 1. End the announcement loop: TENIOS asks the webhook what comes next. */
    status = tenios_client_interrupt_block(client, waiting_call, &err);
    if (status != TENIOS_OK) {
        fail(1, status, err);
        goto done;
    }
    printf("1. interrupted the waiting loop of call %s\n", waiting_call);

    /* 2. Record both channels (the API's default).  The UUID is ours to free. */
    status = tenios_client_record_start(client, connected_call, true, true, &recording, &err);
    if (status != TENIOS_OK) {
        fail(2, status, err);
        goto done;
    }
    printf("2. started recording call %s: recording %s\n", connected_call, recording);

    /* 3. Hand the caller to another agent.  Even if this fails, the
     *    recording is stopped below. */
    status = tenios_client_transfer_call(client, connected_call, TENIOS_DESTINATION_SIP_USER,
                                         agent, &err);
    if (status != TENIOS_OK)
        fail(3, status, err);
    else
        printf("3. transferred call %s to SIP user %s\n", connected_call, agent);
    transferred = status == TENIOS_OK;

    /* 4. Stop the recording (call_uuid and recording_uuid are both sent). */
    status = tenios_client_record_stop(client, connected_call, recording, &err);
    if (status != TENIOS_OK) {
        fail(4, status, err);
        goto done;
    }
    printf("4. stopped recording %s\n", recording);
    exit_status = transferred ? 0 : 1;

done:
    tenios_string_free(recording); /* never free(): the library allocated it */
    tenios_client_free(client);
    return exit_status;
}
