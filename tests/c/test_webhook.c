/*
 * The Call Control webhook through the C ABI: every block's valid and invalid forms with exact
 * messages and exact JSON, the documented requests and hostile bodies, NULL arguments, the
 * access key never in a message, and the example server (bindings/c/tenios-webhook-server.c,
 * path in $TENIOS_WEBHOOK_SERVER) answering documented requests byte for byte. Run by
 * tests/c/run.sh plainly, under valgrind and with ASan+UBSan. No network but loopback.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenios.h"
#include "testutil.h"

#define OK(call) EXPECT_STATUS(call, TENIOS_OK, NULL)
#define INVALID(call, msg) EXPECT_STATUS(call, TENIOS_ERR_INVALID_ARGUMENT, msg)

/* The builder's answer equals `want`. */
static void expect_json_at(const char *file, int line, const tenios_blocks *b, const char *want)
{
    char *json = (char *)(uintptr_t)0x1;
    tenios_error *err = NULL;
    tenios_status st = tenios_blocks_to_json(b, &json, &err);
    if (st != TENIOS_OK) {
        test_fail(file, line, "to_json: %s", printable(tenios_error_message(err)));
        tenios_error_free(err);
        return;
    }
    if (strcmp(json, want) != 0)
        test_fail(file, line, "JSON\n  %s\nexpected\n  %s", json, want);
    tenios_string_free(json);
}
#define EXPECT_JSON(b, want) expect_json_at(__FILE__, __LINE__, (b), (want))

static void expect_warning_at(const char *file, int line, const tenios_blocks *b, size_t i,
                              const char *want)
{
    const char *w = tenios_blocks_warning(b, i);
    if (w == NULL || strcmp(w, want) != 0)
        test_fail(file, line, "warning %zu \"%s\", expected \"%s\"", i, printable(w), want);
}
#define EXPECT_WARNING(b, i, want) expect_warning_at(__FILE__, __LINE__, (b), (i), (want))

#define STR_EQ(got, want)                                                                     \
    do {                                                                                      \
        const char *g_ = (got), *w_ = (want);                                                 \
        if ((g_ == NULL) != (w_ == NULL) || (g_ != NULL && strcmp(g_, w_) != 0))              \
            test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got,              \
                      g_ ? g_ : "(NULL)", w_ ? w_ : "(NULL)");                                \
    } while (0)

/* ------------------------------------------------------------------------------ blocks */

static const char *SEQUENTIAL_EXAMPLE =
    "{\"blocks\":[{\"blockType\":\"BRIDGE\",\"bridgeMode\":\"SEQUENTIAL\",\"destinations\":["
    "{\"destinationType\":\"SIP_USER\",\"destination\":\"1001\",\"timeout\":25},"
    "{\"destinationType\":\"EXTERNALNUMBER\",\"destination\":\"+4978787878\",\"timeout\":30}]}]}";
static const char *PARALLEL_EXAMPLE =
    "{\"blocks\":[{\"blockType\":\"BRIDGE\",\"bridgeMode\":\"PARALLEL\",\"blockTimeout\":50,"
    "\"destinations\":[{\"destinationType\":\"SIP_USER\",\"destination\":\"1001\"},"
    "{\"destinationType\":\"EXTERNALNUMBER\",\"destination\":\"+4978787878\"}]}]}";
static const char *ANNOUNCEMENT_EXAMPLE =
    "{\"blocks\":[{\"blockType\":\"ANNOUNCEMENT\",\"standardAnnouncement\":false,"
    "\"announcementName\":\"MySpecialAnnouncement\"}]}";

static void test_documented_answers(void)
{
    tenios_blocks *b = tenios_blocks_new();
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", 25, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_EXTERNALNUMBER, "+4978787878",
                                            30, &err_));
    OK(tenios_blocks_bridge_end(b, &err_));
    EXPECT_JSON(b, SEQUENTIAL_EXAMPLE);
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 0);
    CHECK_INT_EQ(tenios_blocks_count(b), 1);
    tenios_blocks_free(b);

    b = tenios_blocks_new();
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_PARALLEL, 50, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", -1, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_EXTERNALNUMBER, "+4978787878",
                                            -1, &err_));
    OK(tenios_blocks_bridge_end(b, &err_));
    EXPECT_JSON(b, PARALLEL_EXAMPLE);
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 0);
    tenios_blocks_free(b);

    b = tenios_blocks_new();
    OK(tenios_blocks_add_announcement(b, false, "MySpecialAnnouncement", &err_));
    EXPECT_JSON(b, ANNOUNCEMENT_EXAMPLE);
    tenios_blocks_free(b);

    /* The empty answer: one call, or a builder with nothing added. */
    STR_EQ(tenios_blocks_empty_answer(), "{\"blocks\":[]}");
    b = tenios_blocks_new();
    EXPECT_JSON(b, "{\"blocks\":[]}");
    CHECK_INT_EQ(tenios_blocks_count(b), 0);
    tenios_blocks_free(b);
}

static void test_every_other_block(void)
{
    tenios_blocks *b = tenios_blocks_new();
    OK(tenios_blocks_add_say(b, "Hallo \"Welt\"\n\tzwei \xc3\xa4", "de.female.2", true, &err_));
    OK(tenios_blocks_add_routing_plan(b, "Support", &err_));
    OK(tenios_blocks_add_collect_digits(b, "EnterPin", false, "WrongPin", true, "pin", 4, 6, "#",
                                        3, 10, &err_));
    OK(tenios_blocks_add_collect_speech(b, "SayIt", false, "Silence", true, "de-DE", "wish", 2,
                                        &err_));
    OK(tenios_blocks_add_hangup(b, "CALL_REJECTED", &err_));
    OK(tenios_blocks_add_call_settings(b, "+4922155400", &err_));
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 0);
    OK(tenios_blocks_add_refer(b, "sip:4044@192.0.2.10", &err_));
    OK(tenios_blocks_add_refer(b, NULL, &err_));
    EXPECT_JSON(
        b, "{\"blocks\":["
           "{\"blockType\":\"SAY\",\"text\":\"Hallo \\\"Welt\\\"\\n\\tzwei \xc3\xa4\","
           "\"voiceName\":\"de.female.2\",\"useSsml\":true},"
           "{\"blockType\":\"ROUTINGPLAN\",\"routingplanName\":\"Support\"},"
           "{\"blockType\":\"COLLECT_DIGITS\",\"announcementName\":\"EnterPin\","
           "\"standardAnnouncement\":false,\"errorAnnouncementName\":\"WrongPin\","
           "\"standardErrorAnnouncement\":true,\"variableName\":\"pin\",\"minDigits\":4,"
           "\"maxDigits\":6,\"terminator\":\"#\",\"maxTries\":3,\"timeout\":10},"
           "{\"blockType\":\"COLLECT_SPEECH\",\"announcementName\":\"SayIt\","
           "\"standardAnnouncement\":false,\"missingInputAnnouncementName\":\"Silence\","
           "\"standardMissingInputAnnouncement\":true,\"language\":\"de-DE\","
           "\"variableName\":\"wish\",\"maxTries\":2},"
           "{\"blockType\":\"HANGUP\",\"hangupCause\":\"CALL_REJECTED\"},"
           "{\"blockType\":\"CALL_SETTINGS\",\"forwardAni\":\"+4922155400\"},"
           "{\"blockType\":\"REFER\",\"destination\":\"sip:4044@192.0.2.10\"},"
           "{\"blockType\":\"REFER\"}]}");
    CHECK_INT_EQ(tenios_blocks_count(b), 8);
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 2);
    EXPECT_WARNING(b, 0,
                   "block 7 (REFER): TENIOS documents no JSON for REFER: the blockType REFER and "
                   "the attribute destination are inferred; test on a live account [infer]");
    STR_EQ(tenios_blocks_warning(b, 2), NULL);
    tenios_blocks_free(b);
}

static void test_block_errors(void)
{
    tenios_blocks *b = tenios_blocks_new();
    OK(tenios_blocks_add_announcement(b, true, "First", &err_));
    const char *before = "{\"blocks\":[{\"blockType\":\"ANNOUNCEMENT\",\"standardAnnouncement\""
                         ":true,\"announcementName\":\"First\"}]}";
    char *long_text = repeat_char('x', 8193), *long_name = repeat_char('X', 1025);

    INVALID(tenios_blocks_add_announcement(b, false, NULL, &err_), "announcement_name is NULL");
    INVALID(tenios_blocks_add_announcement(b, false, "", &err_), "announcement_name is empty");
    INVALID(tenios_blocks_add_say(b, NULL, "de.male.1", false, &err_), "text is NULL");
    INVALID(tenios_blocks_add_say(b, "", "de.male.1", false, &err_), "text is empty");
    INVALID(tenios_blocks_add_say(b, long_text, "de.male.1", false, &err_),
            "text is longer than 8192 bytes");
    INVALID(tenios_blocks_add_say(b, "\xff", "de.male.1", false, &err_),
            "text is not valid UTF-8");
    INVALID(tenios_blocks_add_say(b, "a\x07", "de.male.1", false, &err_),
            "text contains a control character other than a tab or line break");
    INVALID(tenios_blocks_add_say(b, "hi", NULL, false, &err_), "voice_name is NULL");
    INVALID(tenios_blocks_add_routing_plan(b, "a\nb", &err_),
            "routing_plan_name contains a control character");
    INVALID(tenios_blocks_add_routing_plan(b, NULL, &err_), "routing_plan_name is NULL");
    INVALID(tenios_blocks_add_collect_digits(b, "a", false, "b", false, "pin", 1, 4, NULL, 3, 5,
                                             &err_),
            "terminator is NULL");
    INVALID(tenios_blocks_add_collect_digits(b, "a", false, NULL, false, "pin", 1, 4, "#", 3, 5,
                                             &err_),
            "error_announcement_name is NULL");
    INVALID(tenios_blocks_add_collect_speech(b, "a", false, "b", false, NULL, "v", 1, &err_),
            "language is NULL");
    INVALID(tenios_blocks_add_collect_speech(b, "a", false, "", false, "de-DE", "v", 1, &err_),
            "missing_input_announcement_name is empty");
    INVALID(tenios_blocks_add_hangup(b, long_name, &err_),
            "hangup_cause is longer than 1024 bytes");
    INVALID(tenios_blocks_add_call_settings(b, NULL, &err_), "forward_ani is NULL");
    INVALID(tenios_blocks_add_call_settings(b, "\xc3", &err_), "forward_ani is not valid UTF-8");
    INVALID(tenios_blocks_add_refer(b, "", &err_), "destination is empty");

    /* BRIDGE: every step's errors, each discarding the whole bridge. */
    INVALID(tenios_blocks_bridge_begin(b, 0, -1, &err_),
            "BRIDGE: mode 0 is not TENIOS_BRIDGE_SEQUENTIAL (1) or TENIOS_BRIDGE_PARALLEL (2): "
            "bridgeMode is SEQUENTIAL or PARALLEL");
    INVALID(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_PARALLEL, -2, &err_),
            "block_timeout_s must be -1 (absent) or 0 to 2147483647 seconds, not -2");
    INVALID(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", 5,
                                                 &err_),
            "no BRIDGE is open: call tenios_blocks_bridge_begin first (a failed BRIDGE step "
            "discards the whole BRIDGE)");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_end(b, &err_),
            "BRIDGE: a bridge needs at least one destination");
    INVALID(tenios_blocks_bridge_end(b, &err_),
            "no BRIDGE is open: call tenios_blocks_bridge_begin first (a failed BRIDGE step "
            "discards the whole BRIDGE)");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_add_destination(b, 9, "1001", 5, &err_),
            "destination_type 9 is not TENIOS_DESTINATION_EXTERNALNUMBER (1), "
            "TENIOS_DESTINATION_SIP_USER (2) or TENIOS_DESTINATION_SIP_TRUNK (3)");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_EXTERNALNUMBER,
                                                 "+49 221 987", 5, &err_),
            "BRIDGE: EXTERNALNUMBER destination \"+49 221 987\" is not an international number "
            "in E.164 form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_EXTERNALNUMBER,
                                                 "0221987654", 5, &err_),
            "BRIDGE: EXTERNALNUMBER destination \"0221987654\" is not an international number "
            "in E.164 form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_TRUNK, NULL, 5,
                                                 &err_),
            "destination is NULL");
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    INVALID(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", -7,
                                                 &err_),
            "timeout_s must be -1 (absent) or 0 to 2147483647 seconds, not -7");
    /* While a BRIDGE is open nothing else can be added or serialised. */
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", 5, &err_));
    INVALID(tenios_blocks_add_hangup(b, "CALL_REJECTED", &err_),
            "a BRIDGE is open: end it with tenios_blocks_bridge_end first");
    char *json = (char *)(uintptr_t)0x1;
    INVALID(tenios_blocks_to_json(b, &json, &err_),
            "a BRIDGE is open: end it with tenios_blocks_bridge_end first");
    CHECK(json == NULL, "out_json must be NULL on an error");
    INVALID(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_SEQUENTIAL, -1, &err_),
            "a BRIDGE was already open (tenios_blocks_bridge_end was not called); it is "
            "discarded");

    /* After all that, the builder holds exactly its first block, and no warning. */
    EXPECT_JSON(b, before);
    CHECK_INT_EQ(tenios_blocks_count(b), 1);
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 0);

    /* NULL builder and out pointers. */
    INVALID(tenios_blocks_add_announcement(NULL, false, "a", &err_), "blocks is NULL");
    INVALID(tenios_blocks_bridge_begin(NULL, 1, -1, &err_), "blocks is NULL");
    INVALID(tenios_blocks_bridge_add_destination(NULL, 2, "1001", 5, &err_), "blocks is NULL");
    INVALID(tenios_blocks_bridge_end(NULL, &err_), "blocks is NULL");
    INVALID(tenios_blocks_to_json(NULL, &json, &err_), "blocks is NULL");
    INVALID(tenios_blocks_to_json(b, NULL, &err_), "out_json is NULL");
    CHECK_INT_EQ(tenios_blocks_add_hangup(b, NULL, NULL), TENIOS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(tenios_blocks_count(NULL), 0);
    CHECK_INT_EQ(tenios_blocks_warning_count(NULL), 0);
    STR_EQ(tenios_blocks_warning(NULL, 0), NULL);
    tenios_blocks_free(NULL);
    free(long_text);
    free(long_name);
    tenios_blocks_free(b);
}

static void test_warnings(void)
{
    tenios_blocks *b = tenios_blocks_new();
    OK(tenios_blocks_bridge_begin(b, TENIOS_BRIDGE_PARALLEL, -1, &err_));
    OK(tenios_blocks_bridge_add_destination(b, TENIOS_DESTINATION_SIP_USER, "1001", 20, &err_));
    OK(tenios_blocks_bridge_end(b, &err_));
    OK(tenios_blocks_add_collect_digits(b, "a", false, "b", false, "Pin", 0, 40, "x", 11, 301,
                                        &err_));
    OK(tenios_blocks_add_hangup(b, "NORMAL_CLEARING", &err_));
    OK(tenios_blocks_add_say(b, "hi", "German", false, &err_));
    CHECK_INT_EQ(tenios_blocks_count(b), 4);
    CHECK_INT_EQ(tenios_blocks_warning_count(b), 10);
    EXPECT_WARNING(b, 0,
                   "block 1 (BRIDGE): PARALLEL mode without blockTimeout; the documented example "
                   "sets one and tenios-ruby requires it [client]");
    EXPECT_WARNING(b, 1,
                   "block 1 (BRIDGE): destination 1 has a timeout; tenios-ruby rejects it in "
                   "PARALLEL mode, where blockTimeout applies [client]");
    EXPECT_WARNING(b, 2,
                   "block 2 (COLLECT_DIGITS): variableName \"Pin\" does not match ^[a-z0-9_]+$ "
                   "[client]");
    EXPECT_WARNING(b, 3, "block 2 (COLLECT_DIGITS): minDigits 0 is outside 1 to 32 [client]");
    EXPECT_WARNING(b, 4, "block 2 (COLLECT_DIGITS): maxDigits 40 is outside 1 to 32 [client]");
    EXPECT_WARNING(b, 5, "block 2 (COLLECT_DIGITS): terminator \"x\" is not # or * [client]");
    EXPECT_WARNING(b, 6, "block 2 (COLLECT_DIGITS): maxTries 11 is outside 1 to 10 [client]");
    EXPECT_WARNING(b, 7, "block 2 (COLLECT_DIGITS): timeout 301 s is outside 1 to 300 [client]");
    EXPECT_WARNING(b, 8,
                   "block 3 (HANGUP): hangupCause \"NORMAL_CLEARING\" is not one of the 30 "
                   "causes tenios-ruby knows [client]");
    EXPECT_WARNING(b, 9,
                   "block 4 (SAY): voiceName \"German\" does not look like <lang>.<gender>.<n> "
                   "(de.male.1, en-au.female.1) [ex]");
    /* The blocks are in the answer all the same. */
    EXPECT_JSON(b,
                "{\"blocks\":[{\"blockType\":\"BRIDGE\",\"bridgeMode\":\"PARALLEL\","
                "\"destinations\":[{\"destinationType\":\"SIP_USER\",\"destination\":\"1001\","
                "\"timeout\":20}]},{\"blockType\":\"COLLECT_DIGITS\",\"announcementName\":\"a\","
                "\"standardAnnouncement\":false,\"errorAnnouncementName\":\"b\","
                "\"standardErrorAnnouncement\":false,\"variableName\":\"Pin\",\"minDigits\":0,"
                "\"maxDigits\":40,\"terminator\":\"x\",\"maxTries\":11,\"timeout\":301},"
                "{\"blockType\":\"HANGUP\",\"hangupCause\":\"NORMAL_CLEARING\"},"
                "{\"blockType\":\"SAY\",\"text\":\"hi\",\"voiceName\":\"German\","
                "\"useSsml\":false}]}");
    tenios_blocks_free(b);
}

/* ---------------------------------------------------------------------------- requests */

static const char *REQUEST_0 =
    "{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":200002,"
    "\"accessKey\":\"my-key\",\"variables\":{\"call_uuid\":"
    "\"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4\",\"correlation_id\":"
    "\"0b8b1f1e-5c1a-4d7a-9f0e-1a2b3c4d5e6f\",\"destination_number\":\"+4922155400\","
    "\"caller_id_number\":\"+491701234567\"},\"callControlUuid\":"
    "\"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718\",\"loopCount\":0,\"requestStatus\":"
    "\"REQUESTING_BLOCKS\",\"blocksProcessingResult\":null}";
static const char *REQUEST_1 =
    "{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":200002,"
    "\"accessKey\":\"my-key\",\"variables\":{\"call_uuid\":"
    "\"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4\"},\"callControlUuid\":"
    "\"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718\",\"loopCount\":1,\"requestStatus\":"
    "\"REQUESTING_BLOCKS\",\"blocksProcessingResult\":{\"validationErrors\":[]}}";
static const char *VALIDATION_ERRORS =
    "{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":200002,"
    "\"accessKey\":\"my-key\",\"variables\":{},\"loopCount\":2,\"requestStatus\":"
    "\"VALIDATION_ERRORS\",\"blocksProcessingResult\":{\"validationErrors\":"
    "[\"Low level (JSON) error on line 1, column 25\",\"second\"]}}";

static tenios_webhook_request *parse_ok(const char *body)
{
    tenios_webhook_request *req = (tenios_webhook_request *)(uintptr_t)0x1;
    tenios_error *err = NULL;
    if (tenios_webhook_request_parse((const uint8_t *)body, strlen(body), &req, &err) !=
        TENIOS_OK) {
        test_fail(__FILE__, __LINE__, "parse: %s", printable(tenios_error_message(err)));
        tenios_error_free(err);
        return NULL;
    }
    CHECK(err == NULL, "err set on success");
    return req;
}

static void test_documented_requests(void)
{
    tenios_webhook_request *r = parse_ok(REQUEST_0);
    if (r == NULL)
        return;
    STR_EQ(tenios_webhook_request_request_type(r), "EXTERNAL_CALL_CONTROL");
    STR_EQ(tenios_webhook_request_customer_number(r), "200002");
    STR_EQ(tenios_webhook_request_call_control_uuid(r), "5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718");
    CHECK_INT_EQ(tenios_webhook_request_loop_count(r), 0);
    STR_EQ(tenios_webhook_request_request_status(r), "REQUESTING_BLOCKS");
    STR_EQ(tenios_webhook_request_variable(r, "call_uuid"),
           "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4");
    STR_EQ(tenios_webhook_request_variable(r, "caller_id_number"), "+491701234567");
    STR_EQ(tenios_webhook_request_variable(r, "collected_pin"), NULL);
    STR_EQ(tenios_webhook_request_variable(r, NULL), NULL);
    CHECK_INT_EQ(tenios_webhook_request_variable_count(r), 4);
    const char *names[] = {"call_uuid", "correlation_id", "destination_number",
                           "caller_id_number"};
    for (size_t i = 0; i < 4; i++) {
        STR_EQ(tenios_webhook_request_variable_name(r, i), names[i]);
        STR_EQ(tenios_webhook_request_variable_value(r, i),
               tenios_webhook_request_variable(r, names[i]));
    }
    STR_EQ(tenios_webhook_request_variable_name(r, 4), NULL);
    STR_EQ(tenios_webhook_request_variable_value(r, 4), NULL);
    CHECK_INT_EQ(tenios_webhook_request_validation_error_count(r), 0);
    STR_EQ(tenios_webhook_request_validation_error(r, 0), NULL);
    CHECK(tenios_webhook_request_access_key_matches(r, "my-key"), "the right key");
    CHECK(!tenios_webhook_request_access_key_matches(r, "my-kez"), "a wrong last byte");
    CHECK(!tenios_webhook_request_access_key_matches(r, "my-ke"), "a prefix");
    CHECK(!tenios_webhook_request_access_key_matches(r, "my-key-longer"), "a longer key");
    CHECK(!tenios_webhook_request_access_key_matches(r, ""), "an empty key");
    CHECK(!tenios_webhook_request_access_key_matches(r, NULL), "NULL key");
    tenios_webhook_request_free(r);

    r = parse_ok(REQUEST_1);
    if (r != NULL) {
        CHECK_INT_EQ(tenios_webhook_request_loop_count(r), 1);
        CHECK_INT_EQ(tenios_webhook_request_validation_error_count(r), 0);
        tenios_webhook_request_free(r);
    }
    r = parse_ok(VALIDATION_ERRORS);
    if (r != NULL) {
        STR_EQ(tenios_webhook_request_request_status(r), "VALIDATION_ERRORS");
        STR_EQ(tenios_webhook_request_call_control_uuid(r), NULL);
        CHECK_INT_EQ(tenios_webhook_request_variable_count(r), 0);
        CHECK_INT_EQ(tenios_webhook_request_validation_error_count(r), 2);
        STR_EQ(tenios_webhook_request_validation_error(r, 0),
               "Low level (JSON) error on line 1, column 25");
        STR_EQ(tenios_webhook_request_validation_error(r, 1), "second");
        tenios_webhook_request_free(r);
    }

    /* Every accessor takes NULL. */
    STR_EQ(tenios_webhook_request_request_type(NULL), NULL);
    STR_EQ(tenios_webhook_request_customer_number(NULL), NULL);
    STR_EQ(tenios_webhook_request_call_control_uuid(NULL), NULL);
    STR_EQ(tenios_webhook_request_request_status(NULL), NULL);
    STR_EQ(tenios_webhook_request_variable(NULL, "call_uuid"), NULL);
    STR_EQ(tenios_webhook_request_variable_name(NULL, 0), NULL);
    STR_EQ(tenios_webhook_request_variable_value(NULL, 0), NULL);
    STR_EQ(tenios_webhook_request_validation_error(NULL, 0), NULL);
    CHECK_INT_EQ(tenios_webhook_request_loop_count(NULL), 0);
    CHECK_INT_EQ(tenios_webhook_request_variable_count(NULL), 0);
    CHECK_INT_EQ(tenios_webhook_request_validation_error_count(NULL), 0);
    CHECK(!tenios_webhook_request_access_key_matches(NULL, "my-key"), "NULL request");
    tenios_webhook_request_free(NULL);
}

/* Parses `len` bytes and wants INVALID_ARGUMENT with `want` (exact, or a prefix when
 * `prefix`), *out_request NULL, and never the secret key in the message. */
static void expect_rejected_at(const char *file, int line, const void *body, size_t len,
                               const char *want, int prefix)
{
    tenios_webhook_request *req = (tenios_webhook_request *)(uintptr_t)0x1;
    tenios_error *err = NULL;
    tenios_status st = tenios_webhook_request_parse(body, len, &req, &err);
    const char *msg = err ? tenios_error_message(err) : NULL;
    if (st != TENIOS_ERR_INVALID_ARGUMENT)
        test_fail(file, line, "status %s", tenios_status_str(st));
    if (req != NULL)
        test_fail(file, line, "*out_request not NULL on an error");
    if (msg == NULL || (prefix ? strncmp(msg, want, strlen(want)) != 0 : strcmp(msg, want) != 0))
        test_fail(file, line, "message \"%s\", expected \"%s\"%s", printable(msg), want,
                  prefix ? "..." : "");
    if (msg != NULL && strstr(msg, "SECRET") != NULL)
        test_fail(file, line, "the key is in the message: %s", printable(msg));
    if (st == TENIOS_OK)
        tenios_webhook_request_free(req);
    tenios_error_free(err);
}
#define REJECTED(body, len, want) expect_rejected_at(__FILE__, __LINE__, (body), (len), (want), 0)
#define REJECTED_STR(body, want) REJECTED((body), strlen(body), (want))

static void test_hostile_requests(void)
{
    REJECTED_STR("not json", "webhook request body is not JSON: expected ident at line 1 column 2");
    REJECTED_STR("[1,2]", "webhook request body is not a JSON object but an array");
    REJECTED("{}", 0, "webhook request body is empty");
    REJECTED(NULL, 0, "body is NULL");
    REJECTED(NULL, 10, "body is NULL");

    size_t big = 10u << 20;
    char *huge = malloc(big);
    memset(huge, '{', big);
    REJECTED(huge, big,
             "webhook request body is 10485760 bytes, more than the limit of 1048576 bytes "
             "(1 MiB)");
    /* 100000 nested arrays, within the size limit. */
    memset(huge, '[', 100000);
    REJECTED(huge, 100000,
             "webhook request body nests arrays and objects more than 32 levels deep");
    free(huge);
    /* A length that does not fit the limit is refused before the pointer is read. */
    REJECTED("{", SIZE_MAX,
             "webhook request body is 18446744073709551615 bytes, more than the limit of "
             "1048576 bytes (1 MiB)");

    static const char nul_inside[] = "{\"requestType\":\"a\0b\"}";
    REJECTED(nul_inside, sizeof nul_inside - 1,
             "webhook request body is not JSON: control character (\\u0000-\\u001F) found while "
             "parsing a string at line 1 column 18");
    static const char nul_after[] = "{}\0garbage";
    REJECTED(nul_after, sizeof nul_after - 1,
             "webhook request body is not JSON: trailing characters at line 1 column 3");
    REJECTED_STR("{\"x\":\"\xc3\x28\"}", "webhook request body is not valid UTF-8 (at byte 6)");
    REJECTED_STR("{\"requestType\":\"a\\u0000b\",\"customerNumber\":1,\"accessKey\":\"k\","
                 "\"loopCount\":0,\"requestStatus\":\"X\"}",
                 "webhook request's requestType contains a NUL character (\\u0000), which a C "
                 "string cannot carry");

    /* Wrong types and duplicates around a secret key: the key is never quoted. */
    REJECTED_STR("{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":true,"
                 "\"accessKey\":\"SECRET-KEY-42\"}",
                 "webhook request's customerNumber is a boolean, not a number or a string of "
                 "digits");
    REJECTED_STR("{\"accessKey\":\"SECRET-KEY-42\",\"accessKey\":\"SECRET-2\"}",
                 "webhook request has the field \"accessKey\" more than once");
    REJECTED_STR("{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":1,"
                 "\"accessKey\":[\"SECRET-KEY-42\"]}",
                 "webhook request's accessKey is an array, not a string");
    REJECTED_STR("{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":1,"
                 "\"accessKey\":\"SECRET-KEY-42\",\"loopCount\":-1}",
                 "webhook request's loopCount is -1, not a whole number from 0 to 4294967295");
    REJECTED_STR("{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":1,"
                 "\"accessKey\":\"SECRET-KEY-42\",\"loopCount\":0,\"requestStatus\":"
                 "\"REQUESTING_BLOCKS\",\"variables\":{\"v\":{\"SECRET\":1}}}",
                 "webhook request's variable \"v\" is an object, not a string (numbers, "
                 "booleans and null are accepted too)");

    /* out_request NULL: an error, not a crash. */
    tenios_error *err = NULL;
    CHECK_INT_EQ(tenios_webhook_request_parse((const uint8_t *)"{}", 2, NULL, &err),
                 TENIOS_ERR_INVALID_ARGUMENT);
    STR_EQ(tenios_error_message(err), "out_request is NULL");
    tenios_error_free(err);
    CHECK_INT_EQ(tenios_webhook_request_parse((const uint8_t *)"{}", 2, NULL, NULL),
                 TENIOS_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------ the example server */

static pid_t g_server = -1;

/* Starts the example with the key "my-key"; returns its port, or -1. */
static int start_example(const char *path)
{
    int out[2];
    if (pipe(out) != 0)
        return -1;
    g_server = fork();
    if (g_server == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2); /* its log lines are not the test's output */
        setenv("TENIOS_WEBHOOK_KEY", "my-key", 1);
        unsetenv("TENIOS_WEBHOOK_ANNOUNCEMENT");
        unsetenv("TENIOS_WEBHOOK_AGENT");
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[128] = {0};
    size_t len = 0;
    while (len < sizeof line - 1) {
        ssize_t n = read(out[0], line + len, 1);
        if (n <= 0 || line[len] == '\n')
            break;
        len++;
    }
    close(out[0]);
    int port = -1;
    if (sscanf(line, "listening on http://127.0.0.1:%d", &port) != 1)
        return -1;
    return port;
}

static void expect_answer_at(const char *file, int line, const char *body, int want_status,
                             const char *want_body)
{
    http_response r = sim_http("POST", "/webhook", body);
    if (r.status != want_status)
        test_fail(file, line, "HTTP %d, expected %d (body %s)", r.status, want_status,
                  printable(r.body));
    const char *payload = r.body; /* sim_http gives the body alone */
    if (payload == NULL || strcmp(payload, want_body) != 0)
        test_fail(file, line, "answer \"%s\", expected \"%s\"", printable(payload), want_body);
    http_free(&r);
}
#define EXPECT_ANSWER(body, status, want) expect_answer_at(__FILE__, __LINE__, (body), (status), (want))

static void test_example_server(void)
{
    const char *path = getenv("TENIOS_WEBHOOK_SERVER");
    if (path == NULL) {
        test_fail(__FILE__, __LINE__, "TENIOS_WEBHOOK_SERVER is not set (run.sh sets it)");
        return;
    }
    int port = start_example(path);
    CHECK(port > 0, "the example did not report its port");
    if (port <= 0)
        return;
    sim_set_port(port);
    /* The loop: request 0 gets the announcement, the request after the interrupt a bridge. */
    EXPECT_ANSWER(REQUEST_0, 200,
                  "{\"blocks\":[{\"blockType\":\"ANNOUNCEMENT\",\"standardAnnouncement\":false,"
                  "\"announcementName\":\"WaitingMusic\"}]}");
    EXPECT_ANSWER(REQUEST_1, 200,
                  "{\"blocks\":[{\"blockType\":\"BRIDGE\",\"bridgeMode\":\"SEQUENTIAL\","
                  "\"destinations\":[{\"destinationType\":\"SIP_USER\",\"destination\":\"1001\","
                  "\"timeout\":30}]}]}");
    EXPECT_ANSWER(VALIDATION_ERRORS, 200, "{\"blocks\":[]}");
    EXPECT_ANSWER("{\"requestType\":\"EXTERNAL_CALL_CONTROL\",\"customerNumber\":200002,"
                  "\"accessKey\":\"not-my-key\",\"loopCount\":0,\"requestStatus\":"
                  "\"REQUESTING_BLOCKS\"}",
                  403, "{\"error\":\"access key does not match\"}");
    EXPECT_ANSWER("not json", 400,
                  "{\"error\":\"webhook request body is not JSON: expected ident at line 1 "
                  "column 2\"}");
    EXPECT_ANSWER("{\"accessKey\":1,\"accessKey\":2}", 400,
                  "{\"error\":\"webhook request has the field \\\"accessKey\\\" more than "
                  "once\"}");
    kill(g_server, SIGTERM);
    waitpid(g_server, NULL, 0);
    g_server = -1;
}

int main(void)
{
    run_test("the documented answers byte for byte (BRIDGE x2, ANNOUNCEMENT, empty)",
             test_documented_answers);
    run_test("SAY, ROUTINGPLAN, COLLECT_DIGITS, COLLECT_SPEECH, HANGUP, CALL_SETTINGS, REFER",
             test_every_other_block);
    run_test("invalid blocks: exact messages, nothing added, NULL arguments", test_block_errors);
    run_test("warnings: added anyway, each with its rule and source", test_warnings);
    run_test("the documented requests: every accessor, NULL, the key check",
             test_documented_requests);
    run_test("hostile bodies: not JSON, 10 MiB, depth 100000, NUL, invalid UTF-8; no key",
             test_hostile_requests);
    run_test("the example server answers the documented requests", test_example_server);
    return test_summary();
}
