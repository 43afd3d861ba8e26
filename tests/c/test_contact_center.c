/*
 * The contact-center methods (click-to-call, callback, ACD agent state, wrap-up) and the
 * generic call through the C ABI. Run by tests/c/run.sh (plainly, under valgrind and with
 * ASan+UBSan) against the simulator: canned answers (the documentation's own example bodies,
 * through the fault queue) for the exact request bytes and how each answer is read, then the
 * simulator's own model (a click-to-call, agents started with --agent/--wrap-up-agent).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenios.h"
#include "testutil.h"

static const char *KEY, *SIM_URL, *AGENT, *WRAP_UP_AGENT;
static tenios_client *g_client;

#define ANSWER(status, body_json_escaped)                                                     \
    SIM_FAULT("{\"status\": " #status ", \"body\": \"" body_json_escaped "\"}")

/* `got` (an owned string or NULL) is exactly `want`; frees it. */
static void expect_owned_at(const char *file, int line, char *got, const char *want)
{
    if (want == NULL ? got != NULL : (got == NULL || strcmp(got, want) != 0))
        test_fail(file, line, "got \"%s\", expected \"%s\"", printable(got),
                  want ? want : "(NULL)");
    tenios_string_free(got);
}
#define EXPECT_OWNED(got, want) expect_owned_at(__FILE__, __LINE__, (got), (want))

static void test_makecall(void)
{
    char want[1024];
    char *id = (char *)(uintptr_t)0x1, *status = NULL;
    SIM_RESET();
    ANSWER(200, "{\\\"id\\\": 10}");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+491234567890", "+4922112345678", NULL,
                                              NULL, &id, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(id, "10");
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"destination_number\":\"+491234567890\","
             "\"tenios_number\":\"+4922112345678\"}",
             KEY);
    EXPECT_LAST_BODY("/makecall/init", want);

    /* Both optional fields; the id as a string (the webhook's callback_id form). */
    ANSWER(200, "{\\\"id\\\": \\\"66195\\\"}");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+491234567890", "+4922112345678",
                                              "+4922112345678123",
                                              "https://crm.example/tenios/state", &id, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(id, "66195");
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"destination_number\":\"+491234567890\","
             "\"tenios_number\":\"+4922112345678\",\"caller_id\":\"+4922112345678123\","
             "\"callstate_info_url\":\"https://crm.example/tenios/state\"}",
             KEY);
    EXPECT_LAST_BODY("/makecall/init", want);

    ANSWER(200, "{\\\"status\\\": \\\"REQUESTED\\\"}");
    EXPECT_STATUS(tenios_client_makecall_status(g_client, "10", &status, &err_), TENIOS_OK, NULL);
    EXPECT_OWNED(status, "REQUESTED");
    snprintf(want, sizeof want, "{\"access_key\":\"%s\",\"id\":\"10\"}", KEY);
    EXPECT_LAST_BODY("/makecall/status", want);
    CHECK_INT_EQ(SIM_STAT("requests"), 3);

    /* Rejected before sending; the out pointer is NULL on every error. */
    id = (char *)(uintptr_t)0x1;
    EXPECT_STATUS(tenios_client_makecall_init(g_client, NULL, "+49", NULL, NULL, &id, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "destination_number is NULL");
    CHECK(id == NULL, "out_id not cleared");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+49", "+49", "", NULL, &id, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "caller_id is empty");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+49", "+49", NULL, "http://x/y", &id,
                                              &err_),
                  TENIOS_ERR_INVALID_ARGUMENT,
                  "callstate_info_url \"http://x/y\" is not an https:// URL");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+49", "+49", NULL, NULL, NULL, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "out_id is NULL");
    EXPECT_STATUS(tenios_client_makecall_status(NULL, "10", &status, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "client is NULL");
    CHECK_INT_EQ(SIM_STAT("requests"), 3);

    /* An answer the API would not send. */
    ANSWER(200, "{\\\"id\\\": true}");
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+49", "+4922112345678", NULL, NULL, &id,
                                              &err_),
                  TENIOS_ERR_PROTOCOL,
                  "protocol error: response has an unexpected \"id\" value (HTTP 200)");
    CHECK(id == NULL, "out_id set on an error");
}

static void test_callback(void)
{
    char want[1024];
    char *id = NULL, *status = NULL;
    SIM_RESET();
    /* The documentation's example request and answer. */
    ANSWER(200, "{\\\"id\\\": 10}");
    EXPECT_STATUS(tenios_client_callback_init(
                      g_client, "XXXXX-XXXX-XXXXXX", "+491234567890", 30,
                      "Customer Peter M\xc3\xbcller is being called now, please press 1 to start "
                      "the call.",
                      "1", &id, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(id, "10");
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"callback_config_id\":\"XXXXX-XXXX-XXXXXX\","
             "\"callback_number\":\"+491234567890\",\"agent_announcement\":\"Customer Peter "
             "M\xc3\xbcller is being called now, please press 1 to start the call.\","
             "\"dtmf_key_to_trigger_customer_call\":\"1\",\"delay\":30}",
             KEY);
    EXPECT_LAST_BODY("/callback/init", want);
    ANSWER(200, "{\\\"status\\\": \\\"CALL_B_FAILED\\\"}");
    EXPECT_STATUS(tenios_client_callback_status(g_client, "10", &status, &err_), TENIOS_OK, NULL);
    EXPECT_OWNED(status, "CALL_B_FAILED");
    snprintf(want, sizeof want, "{\"access_key\":\"%s\",\"id\":\"10\"}", KEY);
    EXPECT_LAST_BODY("/callback/status", want);
    /* The page's BAD_CREDENTIALS_2: a wrong configuration id looks like a wrong key. */
    ANSWER(400, "{\\\"error_code\\\": \\\"BAD_CREDENTIALS\\\", \\\"error_message\\\": "
                "\\\"Bad credentials\\\", \\\"fields\\\": []}");
    EXPECT_STATUS(tenios_client_callback_init(g_client, "wrong", "+491234567890", 0, NULL, NULL,
                                              &id, &err_),
                  TENIOS_ERR_BAD_CREDENTIALS,
                  "BAD_CREDENTIALS: Bad credentials; " KEY_HINT "; a callback_config_id the "
                  "account does not have is reported the same way");
    CHECK(id == NULL, "out_id set on an error");
    /* Against the simulator's model: the configuration every simulator has. */
    EXPECT_STATUS(tenios_client_callback_init(g_client, "sim-callback-config", "+491701234567", 0,
                                              NULL, NULL, &id, &err_),
                  TENIOS_OK, NULL);
    EXPECT_STATUS(tenios_client_callback_status(g_client, id, &status, &err_), TENIOS_OK, NULL);
    EXPECT_OWNED(status, "CONNECTED");
    EXPECT_OWNED(id, "1");
}

static void test_agent_state(void)
{
    char want[512];
    char *state = NULL;
    SIM_RESET();
    ANSWER(200, "{\\\"email\\\": \\\"test@test.com\\\", \\\"state\\\": \\\"NOT_READY\\\"}");
    EXPECT_STATUS(tenios_client_agent_state_retrieve(g_client, "test@test.com", &state, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(state, "NOT_READY");
    snprintf(want, sizeof want, "{\"access_key\":\"%s\",\"email\":\"test@test.com\"}", KEY);
    EXPECT_LAST_BODY("/acd/agent-state/retrieve", want);
    ANSWER(200, "{\\\"success\\\": true}");
    EXPECT_STATUS(tenios_client_agent_state_change(g_client, "test@test.com", "NOT_READY", "COF",
                                                   &err_),
                  TENIOS_OK, NULL);
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"email\":\"test@test.com\",\"state\":\"NOT_READY\","
             "\"not_ready_reason\":\"COF\"}",
             KEY);
    EXPECT_LAST_BODY("/acd/agent-state/change", want);
    EXPECT_STATUS(tenios_client_agent_state_change(g_client, "test@test.com", "AWAY", NULL, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "state \"AWAY\" is not READY or NOT_READY");
    CHECK_INT_EQ(SIM_STAT("requests"), 2);

    /* The simulator's agents. */
    EXPECT_STATUS(tenios_client_agent_state_change(g_client, AGENT, "NOT_READY", NULL, &err_),
                  TENIOS_OK, NULL);
    EXPECT_STATUS(tenios_client_agent_state_retrieve(g_client, AGENT, &state, &err_), TENIOS_OK,
                  NULL);
    EXPECT_OWNED(state, "NOT_READY");
    EXPECT_STATUS(tenios_client_agent_state_retrieve(g_client, "nobody@example.com", &state, &err_),
                  TENIOS_ERR_AGENT_NOT_FOUND, "AGENT_NOT_FOUND: Agent not found. (fields: email)");
    CHECK(state == NULL, "out_state set on an error");
}

static void test_wrap_up(void)
{
    char want[512];
    char *end = NULL;
    SIM_RESET();
    ANSWER(200, "{\\\"success\\\": true, \\\"wrap_up_end_time\\\": "
                "\\\"2020-01-01T09:00:00.000Z\\\"}");
    EXPECT_STATUS(tenios_client_wrap_up_extend(g_client, "test@test.com",
                                               "2020-01-01T09:00:00.000Z", &end, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(end, "2020-01-01T09:00:00.000Z");
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"agent_email\":\"test@test.com\","
             "\"end_time\":\"2020-01-01T09:00:00.000Z\"}",
             KEY);
    EXPECT_LAST_BODY("/wrap-up/extend", want);
    ANSWER(200, "{\\\"success\\\": true}");
    EXPECT_STATUS(tenios_client_wrap_up_cancel(g_client, "test@test.com", &err_), TENIOS_OK, NULL);
    snprintf(want, sizeof want, "{\"access_key\":\"%s\",\"agent_email\":\"test@test.com\"}", KEY);
    EXPECT_LAST_BODY("/wrap-up/cancel", want);

    /* The page's errors, verbatim: statuses a C program can branch on, with the code. */
    ANSWER(400, "{\\\"error_code\\\": \\\"AGENT_NOT_FOUND\\\", \\\"error_message\\\": \\\"Agent "
                "not found.\\\", \\\"fields\\\": [\\\"agent_email\\\"]}");
    tenios_error *err = NULL;
    tenios_status st = tenios_client_wrap_up_extend(g_client, "x@example.com",
                                                    "2020-01-01T09:00:00.000Z", &end, &err);
    CHECK_INT_EQ(st, TENIOS_ERR_AGENT_NOT_FOUND);
    CHECK_INT_EQ(st, 15);
    CHECK(err != NULL && strcmp(tenios_error_api_code(err), "AGENT_NOT_FOUND") == 0,
          "api_code");
    CHECK(err != NULL && tenios_error_field_count(err) == 1 &&
              strcmp(tenios_error_field(err, 0), "agent_email") == 0,
          "fields");
    CHECK_INT_EQ(tenios_error_http_status(err), 400);
    tenios_error_free(err);
    ANSWER(400, "{\\\"error_code\\\": \\\"FIELD_IS_REQUIRED\\\", \\\"error_message\\\": "
                "\\\"Parameter 'agent_email' is required\\\", \\\"fields\\\": [\\\"agent_email\\\"]}");
    EXPECT_STATUS(tenios_client_wrap_up_cancel(g_client, "x@example.com", &err_), TENIOS_ERR_API,
                  "FIELD_IS_REQUIRED: Parameter 'agent_email' is required (fields: agent_email)");
    EXPECT_STATUS(tenios_client_wrap_up_extend(g_client, "x@example.com", "in 10 minutes", &end,
                                               &err_),
                  TENIOS_ERR_INVALID_ARGUMENT,
                  "end_time \"in 10 minutes\" is not a time with a time zone (e.g. "
                  "2020-01-01T09:00:00.000Z or 2020-01-01T10:00:00+01:00)");
    CHECK_INT_EQ(SIM_STAT("requests"), 4);

    /* The simulator's agents: one in wrap-up, one not. */
    EXPECT_STATUS(tenios_client_wrap_up_extend(g_client, WRAP_UP_AGENT,
                                               "2026-12-06T10:30:00+01:00", &end, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(end, "2026-12-06T10:30:00+01:00");
    EXPECT_STATUS(tenios_client_wrap_up_cancel(g_client, AGENT, &err_),
                  TENIOS_ERR_AGENT_NOT_IN_WRAP_UP,
                  "AGENT_NOT_IN_WRAP_UP: The agent is currently not in a wrap-up status. "
                  "(fields: agent_email)");
    EXPECT_STATUS(tenios_client_wrap_up_cancel(g_client, WRAP_UP_AGENT, &err_), TENIOS_OK, NULL);
}

static void test_generic_call(void)
{
    char want[1024];
    char *json = NULL;
    SIM_RESET();
    ANSWER(200, "{\\\"total_items\\\": 0, \\\"page\\\": 1, \\\"page_size\\\": 10, "
                "\\\"items\\\": []}");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve",
                                          "{\"start_date_from\":\"2016-04-11T09:00:00.000Z\","
                                          "\"start_date_to\":\"2016-04-12T09:00:00.000Z\","
                                          "\"page\":1,\"page_size\":10}",
                                          &json, &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(json, "{\"total_items\": 0, \"page\": 1, \"page_size\": 10, \"items\": []}");
    snprintf(want, sizeof want,
             "{\"access_key\":\"%s\",\"start_date_from\":\"2016-04-11T09:00:00.000Z\","
             "\"start_date_to\":\"2016-04-12T09:00:00.000Z\",\"page\":1,\"page_size\":10}",
             KEY);
    EXPECT_LAST_BODY("/cdrs/retrieve", want);
    /* /verification/create's documented answer. */
    ANSWER(200, "{\\\"verification_id\\\": \\\"705d5302-d918-454a-b703-c9c23995726e\\\"}");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/verification/create",
                                          "{\"country\":\"Germany\",\"area_code\":\"221\"}", &json,
                                          &err_),
                  TENIOS_OK, NULL);
    EXPECT_OWNED(json, "{\"verification_id\": \"705d5302-d918-454a-b703-c9c23995726e\"}");
    /* A method the simulator does not have: its 404 page. */
    EXPECT_STATUS(tenios_client_call_json(g_client, "/number/order", "{}", &json, &err_),
                  TENIOS_ERR_HTTP,
                  "HTTP 404 with no API error in the body; check the base URL (TENIOS's is "
                  "https://api.tenios.com)");
    CHECK(json == NULL, "out_json set on an error");
    CHECK_INT_EQ(SIM_STAT("requests"), 3);

    /* Rejected before sending. */
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve?page=1", "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT,
                  "path \"/cdrs/retrieve?page=1\" has a query or fragment");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/a/../b", "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "path \"/a/../b\" has a . or .. segment");
    EXPECT_STATUS(tenios_client_call_json(g_client, "http://evil.example/cdrs", "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT,
                  "path \"http://evil.example/cdrs\" is not an absolute path of the API (e.g. "
                  "/cdrs/retrieve): no scheme or host");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/x\xff", "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "path is not valid UTF-8");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve", "{\"access_key\":\"k\"}",
                                          &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT,
                  "body_json has its own access_key (the client's key is sent)");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve", "[1]", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "body_json is not a JSON object");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve", NULL, &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "body_json is NULL");
    EXPECT_STATUS(tenios_client_call_json(g_client, NULL, "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "path is NULL");
    EXPECT_STATUS(tenios_client_call_json(g_client, "/cdrs/retrieve", "{}", NULL, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "out_json is NULL");
    char *long_path = repeat_char('a', 2000);
    long_path[0] = '/';
    EXPECT_STATUS(tenios_client_call_json(g_client, long_path, "{}", &json, &err_),
                  TENIOS_ERR_INVALID_ARGUMENT, "path is longer than 1024 bytes");
    free(long_path);
    CHECK_INT_EQ(SIM_STAT("requests"), 3);
}

static void test_click_to_call_model(void)
{
    char *id = NULL, *status = NULL;
    SIM_RESET();
    /* No webhook here: the call reaches the number's routing and is connected. */
    EXPECT_STATUS(tenios_client_makecall_init(g_client, "+491701234567", "+4922112345678", NULL,
                                              NULL, &id, &err_),
                  TENIOS_OK, NULL);
    EXPECT_STATUS(tenios_client_makecall_status(g_client, id, &status, &err_), TENIOS_OK, NULL);
    EXPECT_OWNED(status, "CONNECTED");
    EXPECT_OWNED(id, "1");
    EXPECT_STATUS(tenios_client_makecall_status(g_client, "77", &status, &err_),
                  TENIOS_ERR_INVALID_VALUE,
                  "INVALID_VALUE: Invalid parameter type or format (fields: id)");
}

int main(void)
{
    KEY = require_env("TENIOS_TEST_KEY");
    SIM_URL = require_env("TENIOS_API_URL");
    AGENT = require_env("TENIOS_TEST_AGENT");
    WRAP_UP_AGENT = require_env("TENIOS_TEST_WRAP_UP_AGENT");
    sim_set_port(atoi(require_env("TENIOS_SIM_PORT")));
    g_client = build_client_or_exit(SIM_URL, KEY);
    run_test("makecall: wire bytes, the id as a number or a string, checks", test_makecall);
    run_test("callback: the documented example, BAD_CREDENTIALS, the model", test_callback);
    run_test("agent state: wire bytes, documented answers, the model's agents", test_agent_state);
    run_test("wrap-up: extend and cancel, AGENT_* statuses, FIELD_IS_REQUIRED", test_wrap_up);
    run_test("generic call: /cdrs/retrieve and /verification/create, path and body checks",
             test_generic_call);
    run_test("click-to-call against the simulator's model", test_click_to_call_model);
    tenios_client_free(g_client);
    return test_summary();
}
