// Tests of the C++ webhook wrappers (tenios::WebhookRequest, tenios::Blocks) in
// bindings/cpp/tenios.hpp. Pure: no simulator needed. Run by tests/cpp/run.sh
// plainly and under valgrind; one line per test, then "N passed, M failed".
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenios.hpp"

using tenios::Status;

static_assert(!std::is_copy_constructible_v<tenios::WebhookRequest>, "");
static_assert(std::is_nothrow_move_constructible_v<tenios::WebhookRequest>, "");
static_assert(!std::is_copy_constructible_v<tenios::Blocks>, "");
static_assert(std::is_nothrow_move_constructible_v<tenios::Blocks>, "");
static_assert(std::is_nothrow_move_assignable_v<tenios::Blocks>, "");

static int g_passed = 0, g_failed = 0, g_current = 0;

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::cout << "    " << __FILE__ << ":" << __LINE__ << ": " #cond "\n";            \
            ++g_current;                                                                      \
        }                                                                                     \
    } while (0)
#define CHECK_EQ(a, b)                                                                        \
    do {                                                                                      \
        const auto& a_ = (a);                                                                 \
        const auto& b_ = (b);                                                                 \
        if (!(a_ == b_)) {                                                                    \
            std::cout << "    " << __FILE__ << ":" << __LINE__ << ": " #a " is\n      " << a_ \
                      << "\n    expected\n      " << b_ << "\n";                              \
            ++g_current;                                                                      \
        }                                                                                     \
    } while (0)

// `f` must throw tenios::Error with ErrInvalidArgument and exactly `message`.
template <typename F>
static void expect_invalid(int line, F&& f, const std::string& message) {
    try {
        f();
        std::cout << "    line " << line << ": no exception, expected \"" << message << "\"\n";
        ++g_current;
    } catch (const tenios::Error& e) {
        if (e.status() != Status::ErrInvalidArgument || e.what() != message) {
            std::cout << "    line " << line << ": \"" << e.what() << "\", expected \"" << message
                      << "\"\n";
            ++g_current;
        }
    }
}
#define EXPECT_INVALID(stmt, message) expect_invalid(__LINE__, [&] { stmt; }, (message))

static void run(const char* name, void (*fn)()) {
    g_current = 0;
    try {
        fn();
    } catch (const std::exception& e) {
        std::cout << "    unexpected exception: " << e.what() << "\n";
        ++g_current;
    }
    std::cout << (g_current == 0 ? "ok   " : "FAIL ") << name << "\n";
    (g_current == 0 ? g_passed : g_failed)++;
}

static const std::string REQUEST_0 =
    R"({"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key",)"
    R"("variables":{"call_uuid":"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4","caller_id_number":"+491701234567"},)"
    R"("callControlUuid":"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718","loopCount":0,)"
    R"("requestStatus":"REQUESTING_BLOCKS","blocksProcessingResult":null})";
static const std::string VALIDATION_ERRORS =
    R"({"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key",)"
    R"("loopCount":1,"requestStatus":"VALIDATION_ERRORS",)"
    R"("blocksProcessingResult":{"validationErrors":["Low level (JSON) error on line 1, column 25"]}})";

static void test_request() {
    tenios::WebhookRequest r = tenios::WebhookRequest::parse(REQUEST_0);
    CHECK_EQ(r.request_type(), "EXTERNAL_CALL_CONTROL");
    CHECK_EQ(r.customer_number(), "200002");
    CHECK(r.call_control_uuid() == std::optional<std::string_view>("5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718"));
    CHECK_EQ(r.loop_count(), 0u);
    CHECK_EQ(r.request_status(), "REQUESTING_BLOCKS");
    CHECK(!r.is_validation_errors());
    CHECK(r.variable("caller_id_number") == std::optional<std::string_view>("+491701234567"));
    CHECK(!r.variable("nope").has_value());
    CHECK(!r.variable(std::string_view("call_uuid\0x", 11)).has_value());
    const auto vars = r.variables();
    CHECK_EQ(vars.size(), 2u);
    CHECK(vars.size() == 2 && vars[0].first == "call_uuid");
    CHECK(r.validation_errors().empty());
    CHECK(r.access_key_matches("my-key"));
    CHECK(!r.access_key_matches("my-kez"));
    CHECK(!r.access_key_matches(""));
    CHECK(!r.access_key_matches(std::string_view("my-key\0", 7)));
    tenios::WebhookRequest moved = std::move(r);
    CHECK_EQ(moved.loop_count(), 0u);

    tenios::WebhookRequest v = tenios::WebhookRequest::parse(VALIDATION_ERRORS);
    CHECK(v.is_validation_errors());
    CHECK(!v.call_control_uuid().has_value());
    CHECK(v.validation_errors() ==
          std::vector<std::string_view>{"Low level (JSON) error on line 1, column 25"});
}

static void test_hostile_requests() {
    EXPECT_INVALID(tenios::WebhookRequest::parse(""), "webhook request body is empty");
    EXPECT_INVALID(tenios::WebhookRequest::parse(std::string_view()), "webhook request body is empty");
    EXPECT_INVALID(tenios::WebhookRequest::parse("not json"),
                   "webhook request body is not JSON: expected ident at line 1 column 2");
    EXPECT_INVALID(tenios::WebhookRequest::parse(std::string(10 << 20, '{')),
                   "webhook request body is 10485760 bytes, more than the limit of 1048576 "
                   "bytes (1 MiB)");
    EXPECT_INVALID(tenios::WebhookRequest::parse(std::string(100000, '[')),
                   "webhook request body nests arrays and objects more than 32 levels deep");
    EXPECT_INVALID(tenios::WebhookRequest::parse(std::string_view("{\"a\":\"\0\"}", 9)),
                   "webhook request body is not JSON: control character (\\u0000-\\u001F) found "
                   "while parsing a string at line 1 column 7");
    EXPECT_INVALID(tenios::WebhookRequest::parse("{\"x\":\"\xc3\x28\"}"),
                   "webhook request body is not valid UTF-8 (at byte 6)");
    EXPECT_INVALID(tenios::WebhookRequest::parse(
                       R"({"requestType":"X","customerNumber":1,"accessKey":"SECRET-KEY","loopCount":"zero"})"),
                   "webhook request's loopCount is the string \"zero\", not a whole number from 0 to "
                   "4294967295");
}

static void test_documented_answers() {
    tenios::Blocks b;
    b.add_bridge(tenios::BridgeMode::Sequential, std::nullopt,
                 {{TENIOS_DESTINATION_SIP_USER, "1001", 25},
                  {TENIOS_DESTINATION_EXTERNALNUMBER, "+4978787878", 30}});
    CHECK_EQ(b.to_json(),
             R"({"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"SIP_USER","destination":"1001","timeout":25},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]})");
    CHECK(b.warnings().empty());
    tenios::Blocks p;
    p.add_bridge(tenios::BridgeMode::Parallel, 50,
                 {{TENIOS_DESTINATION_SIP_USER, "1001", std::nullopt},
                  {TENIOS_DESTINATION_EXTERNALNUMBER, "+4978787878", std::nullopt}});
    CHECK_EQ(p.to_json(),
             R"({"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,"destinations":[{"destinationType":"SIP_USER","destination":"1001"},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]})");
    tenios::Blocks a;
    a.add_announcement(false, "MySpecialAnnouncement");
    CHECK_EQ(a.to_json(),
             R"({"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,"announcementName":"MySpecialAnnouncement"}]})");
    CHECK_EQ(tenios::Blocks().to_json(), R"({"blocks":[]})");
    CHECK_EQ(tenios::Blocks::empty_answer(), R"({"blocks":[]})");
}

static void test_every_other_block() {
    tenios::Blocks b;
    b.add_say("Hallo", "de.female.2", false);
    b.add_routing_plan("Support");
    b.add_collect_digits("EnterPin", false, "WrongPin", true, "pin", 4, 6, "#", 3, 10);
    b.add_collect_speech("SayIt", false, "Silence", false, "de-DE", "wish", 2);
    b.add_hangup("CALL_REJECTED");
    b.add_call_settings("+4922155400");
    CHECK(b.warnings().empty());
    b.add_refer("sip:4044@192.0.2.10");
    b.add_refer();
    CHECK_EQ(b.size(), 8u);
    CHECK_EQ(b.to_json(),
             R"({"blocks":[{"blockType":"SAY","text":"Hallo","voiceName":"de.female.2","useSsml":false},)"
             R"({"blockType":"ROUTINGPLAN","routingplanName":"Support"},)"
             R"({"blockType":"COLLECT_DIGITS","announcementName":"EnterPin","standardAnnouncement":false,"errorAnnouncementName":"WrongPin","standardErrorAnnouncement":true,"variableName":"pin","minDigits":4,"maxDigits":6,"terminator":"#","maxTries":3,"timeout":10},)"
             R"({"blockType":"COLLECT_SPEECH","announcementName":"SayIt","standardAnnouncement":false,"missingInputAnnouncementName":"Silence","standardMissingInputAnnouncement":false,"language":"de-DE","variableName":"wish","maxTries":2},)"
             R"({"blockType":"HANGUP","hangupCause":"CALL_REJECTED"},)"
             R"({"blockType":"CALL_SETTINGS","forwardAni":"+4922155400"},)"
             R"({"blockType":"REFER","destination":"sip:4044@192.0.2.10"},{"blockType":"REFER"}]})");
    CHECK_EQ(b.warnings().size(), 2u);
}

static void test_invalid_blocks_and_warnings() {
    tenios::Blocks b;
    b.add_announcement(true, "First");
    const std::string before = b.to_json();
    EXPECT_INVALID(b.add_bridge(tenios::BridgeMode::Sequential, std::nullopt,
                                {{TENIOS_DESTINATION_SIP_USER, "1001", 5},
                                 {TENIOS_DESTINATION_EXTERNALNUMBER, "+49 221", 5}}),
                   "BRIDGE: EXTERNALNUMBER destination \"+49 221\" is not an international number "
                   "in E.164 form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)");
    EXPECT_INVALID(b.add_bridge(tenios::BridgeMode::Parallel, 30, {}),
                   "BRIDGE: a bridge needs at least one destination");
    EXPECT_INVALID(b.add_bridge(static_cast<tenios::BridgeMode>(7), std::nullopt,
                                {{TENIOS_DESTINATION_SIP_USER, "1001", 5}}),
                   "BRIDGE: mode 7 is not TENIOS_BRIDGE_SEQUENTIAL (1) or TENIOS_BRIDGE_PARALLEL "
                   "(2): bridgeMode is SEQUENTIAL or PARALLEL");
    EXPECT_INVALID(b.add_bridge(tenios::BridgeMode::Sequential, std::nullopt,
                                {{TENIOS_DESTINATION_SIP_USER, std::string("10\0 01", 5), 5}}),
                   "destination contains a control character");
    EXPECT_INVALID(b.add_announcement(false, ""), "announcement_name is empty");
    EXPECT_INVALID(b.add_say(std::string(8193, 'x'), "de.male.1", false),
                   "text is longer than 8192 bytes");
    EXPECT_INVALID(b.add_hangup("a\nb"), "hangup_cause contains a control character");
    EXPECT_INVALID(b.add_refer(""), "destination is empty");
    CHECK_EQ(b.to_json(), before);
    CHECK_EQ(b.size(), 1u);

    b.add_hangup("NORMAL_CLEARING");
    b.add_collect_digits("a", false, "b", false, "pin", 1, 4, "#", 0, 5);
    CHECK(b.warnings() ==
          (std::vector<std::string>{
              "block 2 (HANGUP): hangupCause \"NORMAL_CLEARING\" is not one of the 30 causes "
              "tenios-ruby knows [client]",
              "block 3 (COLLECT_DIGITS): maxTries 0 is outside 1 to 10 [client]"}));
    tenios::Blocks moved = std::move(b);
    CHECK_EQ(moved.size(), 3u);
}

int main() {
    run("the documented requests: accessors, key check", test_request);
    run("hostile bodies: not JSON, 10 MiB, depth 100000, NUL, invalid UTF-8", test_hostile_requests);
    run("the documented answers byte for byte", test_documented_answers);
    run("SAY, ROUTINGPLAN, COLLECT_*, HANGUP, CALL_SETTINGS, REFER", test_every_other_block);
    run("invalid blocks throw and add nothing; warnings", test_invalid_blocks_and_warnings);
    std::cout << g_passed << " passed, " << g_failed << " failed\n";
    return g_failed == 0 ? 0 : 1;
}
