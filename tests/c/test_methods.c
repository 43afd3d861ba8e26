/*
 * The live-call methods through the C ABI: transfer, refer, record start/stop, listen-in.
 * Run by tests/c/run.sh (plainly, under valgrind and with ASan+UBSan) against the simulator,
 * whose fault queue gives each call a canned answer, so that what is asserted is the
 * library's part: arguments checked before sending, the exact request bytes, the answer read
 * as documented, the owned recording UUID, secrets never in a message.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *CALL, *SIM_URL;
static const char *SUPERVISOR_KEY = "SUPERVISOR-9a8b7c-SECRET";
static const char *RECORDING = "0b0e6a5e-54b2-4a36-9d4d-2b1f6b2e8a71";
static tenios_client *g_client;

#define FAULT_OK(body_json_escaped)                                                           \
    SIM_FAULT("{\"status\": 200, \"body\": \"" body_json_escaped "\"}")



static void test_transfer(void)
{
    char want[512];
    SIM_RESET();
    FAULT_OK("{\\\"success\\\":true}");
    EXPECT_STATUS(tenios_client_transfer_call(g_client, CALL, TENIOS_DESTINATION_EXTERNALNUMBER,
                                       "+492215540030", &err_),
           TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"call_uuid\":\"%s\",\"destination_type\":"
             "\"EXTERNALNUMBER\",\"destination\":\"+492215540030\"}",
             KEY, CALL);
    EXPECT_LAST_BODY("/transfer-call", want);
    FAULT_OK("{\\\"success\\\":true}");
    EXPECT_STATUS(tenios_client_transfer_call(g_client, CALL, TENIOS_DESTINATION_SIP_TRUNK, "trunk-1",
                                       &err_),
           TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"call_uuid\":\"%s\",\"destination_type\":\"SIP_TRUNK\","
             "\"destination\":\"trunk-1\"}",
             KEY, CALL);
    EXPECT_LAST_BODY("/transfer-call", want);
    CHECK_INT_EQ(SIM_STAT("requests"), 2);

    /* Rejected before sending. */
    static const uint32_t bad_types[] = {0, 4, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "destination_type %lu is not TENIOS_DESTINATION_EXTERNALNUMBER (1), "
                 "TENIOS_DESTINATION_SIP_USER (2) or TENIOS_DESTINATION_SIP_TRUNK (3)",
                 (unsigned long)bad_types[i]);
        EXPECT_STATUS(tenios_client_transfer_call(g_client, CALL, bad_types[i], "x", &err_),
               TENIOS_ERR_INVALID_ARGUMENT, msg);
    }
    EXPECT_STATUS(tenios_client_transfer_call(g_client, CALL, TENIOS_DESTINATION_EXTERNALNUMBER,
                                       "02215540030", &err_),
           TENIOS_ERR_INVALID_ARGUMENT,
           "destination \"02215540030\" is not an E.164 number (a + and 2 to 15 digits, e.g. "
           "+492215540030)");
    EXPECT_STATUS(tenios_client_transfer_call(g_client, CALL, TENIOS_DESTINATION_SIP_USER, NULL, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "destination is NULL");
    EXPECT_STATUS(tenios_client_transfer_call(NULL, CALL, TENIOS_DESTINATION_SIP_USER, "a", &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "client is NULL");
    EXPECT_STATUS(tenios_client_transfer_call(g_client, NULL, TENIOS_DESTINATION_SIP_USER, "a", &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "call_uuid is NULL");
    CHECK_INT_EQ(tenios_client_transfer_call(g_client, CALL, 9, "a", NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(SIM_STAT("requests"), 2);

    CHECK(strcmp(tenios_destination_type_str(TENIOS_DESTINATION_EXTERNALNUMBER),
                 "EXTERNALNUMBER") == 0,
          "EXTERNALNUMBER");
    CHECK(strcmp(tenios_destination_type_str(TENIOS_DESTINATION_SIP_USER), "SIP_USER") == 0,
          "SIP_USER");
    CHECK(strcmp(tenios_destination_type_str(TENIOS_DESTINATION_SIP_TRUNK), "SIP_TRUNK") == 0,
          "SIP_TRUNK");
    CHECK(tenios_destination_type_str(0) == NULL && tenios_destination_type_str(4) == NULL,
          "unknown destination types have no name");
    CHECK_INT_EQ(sizeof(tenios_destination_type), 4);
}

static void test_refer(void)
{
    char want[512];
    SIM_RESET();
    FAULT_OK("{\\\"success\\\":true}");
    EXPECT_STATUS(tenios_client_refer_call(g_client, CALL, "sip:4044@192.0.2.10:5060;user=phone", &err_),
           TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"call_uuid\":\"%s\",\"sip_uri\":\"sip:4044@192.0.2.10:"
             "5060;user=phone\"}",
             KEY, CALL);
    EXPECT_LAST_BODY("/refer-call", want);
    EXPECT_STATUS(tenios_client_refer_call(g_client, CALL, "4044@192.0.2.10", &err_),
           TENIOS_ERR_INVALID_ARGUMENT,
           "sip_uri \"4044@192.0.2.10\" is not a SIP URI (sip:... or sips:..., e.g. "
           "sip:4044@192.0.2.10:5060)");
    EXPECT_STATUS(tenios_client_refer_call(g_client, CALL, "", &err_), TENIOS_ERR_INVALID_ARGUMENT,
           "sip_uri is empty");
    /* The documented error for an empty sip_uri, as the API would send it. */
    SIM_FAULT("{\"status\": 400, \"body\": \"{\\\"error_code\\\":\\\"INVALID_FIELD\\\","
              "\\\"error_message\\\":\\\"Invalid 'sip_uri' input parameter. Invalid value - "
              "'' .\\\",\\\"fields\\\":[\\\"sip_uri\\\"]}\"}");
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_refer_call(g_client, CALL, "sip:x", &err),
                 TENIOS_ERR_INVALID_FIELD);
    CHECK(err != NULL && strcmp(tenios_error_api_code(err), "INVALID_FIELD") == 0 &&
              tenios_error_field_count(err) == 1 &&
              strcmp(tenios_error_field(err, 0), "sip_uri") == 0 &&
              tenios_error_http_status(err) == 400,
          "error object");
    tenios_error_free(err);
    CHECK_INT_EQ(SIM_STAT("requests"), 2);
}

static void test_record_start_and_stop(void)
{
    char want[512];
    SIM_RESET();
    SIM_FAULT("{\"status\": 200, \"body\": \"{\\\"recording_uuid\\\":"
              "\\\"0b0e6a5e-54b2-4a36-9d4d-2b1f6b2e8a71\\\"}\"}");
    char *recording = (char *)"garbage";
    EXPECT_STATUS(tenios_client_record_start(g_client, CALL, false, true, &recording, &err_), TENIOS_OK,
           NULL);
    CHECK(recording != NULL && strcmp(recording, RECORDING) == 0, "recording \"%s\"",
          printable(recording));
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"call_uuid\":\"%s\",\"record_caller\":false,"
             "\"record_callee\":true}",
             KEY, CALL);
    EXPECT_LAST_BODY("/record-call/start", want);

    /* The documented stop answer is the string "true". */
    FAULT_OK("{\\\"success\\\":\\\"true\\\"}");
    EXPECT_STATUS(tenios_client_record_stop(g_client, CALL, recording, &err_), TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"call_uuid\":\"%s\",\"recording_uuid\":\"%s\"}", KEY, CALL,
             RECORDING);
    EXPECT_LAST_BODY("/record-call/stop", want);
    tenios_string_free(recording);

    /* On every error *out_recording_uuid is NULL. */
    recording = (char *)"garbage";
    FAULT_OK("{\\\"success\\\":true}");
    EXPECT_STATUS(tenios_client_record_start(g_client, CALL, true, true, &recording, &err_),
           TENIOS_ERR_PROTOCOL,
           "protocol error: response has no \"recording_uuid\" field (HTTP 200)");
    CHECK(recording == NULL, "recording %p after an error", (void *)recording);
    recording = (char *)"garbage";
    EXPECT_STATUS(tenios_client_record_start(g_client, "", true, true, &recording, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "call_uuid is empty");
    CHECK(recording == NULL, "recording %p after an error", (void *)recording);
    EXPECT_STATUS(tenios_client_record_start(g_client, CALL, true, true, NULL, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "out_recording_uuid is NULL");
    EXPECT_STATUS(tenios_client_record_stop(g_client, CALL, NULL, &err_), TENIOS_ERR_INVALID_ARGUMENT,
           "recording_uuid is NULL");
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
}

static void test_listen_in(void)
{
    char want[512];
    SIM_RESET();
    FAULT_OK("{\\\"success\\\":true}");
    EXPECT_STATUS(tenios_client_listen_in_start(g_client, CALL, SUPERVISOR_KEY, "+4922155400300", true,
                                         &err_),
           TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"supervisor_key\":\"%s\",\"call_uuid\":\"%s\","
             "\"supervisor_destination\":\"+4922155400300\",\"whisper_to_agent\":true}",
             KEY, SUPERVISOR_KEY, CALL);
    EXPECT_LAST_BODY("/call/listen-in/start", want);

    SIM_FAULT("{\"status\": 400, \"body\": \"{\\\"error_code\\\":"
              "\\\"LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST\\\",\\\"error_message\\\":"
              "\\\"The supervisor destination is in the blacklist\\\",\\\"fields\\\":"
              "[\\\"supervisor_destination\\\"]}\"}");
    EXPECT_STATUS(tenios_client_listen_in_start(g_client, CALL, SUPERVISOR_KEY, "+4922155400300", false,
                                         &err_),
           TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
           "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST: The supervisor destination is in the "
           "blacklist (fields: supervisor_destination); use another supervisor_destination, or "
           "take it off the account's blacklist");

    /* A server that echoes both keys: neither shows anywhere in the error. */
    char fault[512];
    snprintf(fault, sizeof fault,
             "{\"status\": 400, \"body\": \"{\\\"error_code\\\":\\\"BAD_CREDENTIALS\\\","
             "\\\"error_message\\\":\\\"%s %s\\\",\\\"fields\\\":[\\\"%s\\\"]}\"}",
             SUPERVISOR_KEY, KEY, SUPERVISOR_KEY);
    SIM_FAULT(fault);
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_client_listen_in_start(g_client, CALL, SUPERVISOR_KEY, "+4930123", false,
                                               &err),
                 TENIOS_ERR_BAD_CREDENTIALS);
    CHECK(err != NULL &&
              strcmp(tenios_error_message(err),
                     "BAD_CREDENTIALS: [REDACTED] [REDACTED] (fields: [REDACTED]); " KEY_HINT
                     "; check the supervisor key too") == 0 &&
              strcmp(tenios_error_field(err, 0), "[REDACTED]") == 0,
          "message \"%s\"", printable(err ? tenios_error_message(err) : NULL));
    tenios_error_free(err);

    EXPECT_STATUS(tenios_client_listen_in_start(g_client, CALL, "", "+4930123", false, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "supervisor_key is empty");
    EXPECT_STATUS(tenios_client_listen_in_start(g_client, CALL, SUPERVISOR_KEY, NULL, false, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "supervisor_destination is NULL");
    /* The call's UUID comes first, as in every method: with both missing it is named first. */
    EXPECT_STATUS(tenios_client_listen_in_start(g_client, NULL, NULL, "+4930123", false, &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "call_uuid is NULL");
    EXPECT_STATUS(tenios_client_listen_in_start(g_client, "", SUPERVISOR_KEY, "+4930123", false,
                                                &err_),
           TENIOS_ERR_INVALID_ARGUMENT, "call_uuid is empty");
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    CALL = require_env("TENIOS_TEST_CALL");
    SIM_URL = require_env("TENIOS_API_URL");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    g_client = build_client_or_exit(SIM_URL, KEY);
    run_test("transfer: wire bytes, destination types, checks before sending", test_transfer);
    run_test("refer: wire bytes, SIP URI check, the documented error", test_refer);
    run_test("record start/stop: wire bytes, owned recording UUID, \"true\" as a string",
             test_record_start_and_stop);
    run_test("listen-in: wire bytes, blacklist status, both keys redacted", test_listen_in);
    tenios_client_free(g_client);
    return test_summary();
}
