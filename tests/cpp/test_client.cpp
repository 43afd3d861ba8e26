// Tests of the C++ bindings (bindings/cpp/tenios.hpp) against tenios-sim.
//
// Run through tests/cpp/run.sh, which starts the simulator and sets
//     TENIOS_API_URL     http://127.0.0.1:PORT (also used by the default client)
//     TENIOS_TEST_KEY    the simulator's access key
//     TENIOS_TEST_CALL   a call whose block can be interrupted
//     TENIOS_TEST_STUCK  a call whose block cannot be interrupted
//     TENIOS_TEST_CONNECTED        a call bridged to a destination (transfer, record, listen-in)
//     TENIOS_TEST_SUPERVISOR_KEY   the simulator's supervisor key
//     TENIOS_TEST_BLACKLISTED      a supervisor destination on the simulator's blacklist
//
// No framework: one line per test ("ok   NAME" / "FAIL NAME", failure details
// above it), then "N passed, M failed"; the exit status is 0 only when all
// passed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenios.hpp"

using namespace std::chrono_literals;
using tenios::Status;

// ------------------------------------------------------ compile-time checks

static_assert(!std::is_copy_constructible_v<tenios::Client>, "Client must not be copyable");
static_assert(!std::is_copy_assignable_v<tenios::Client>, "Client must not be copy-assignable");
static_assert(std::is_nothrow_move_constructible_v<tenios::Client>,
              "Client must be nothrow move-constructible");
static_assert(std::is_nothrow_move_assignable_v<tenios::Client>,
              "Client must be nothrow move-assignable");
static_assert(std::is_nothrow_destructible_v<tenios::Client>, "");
static_assert(!std::is_default_constructible_v<tenios::Client>, "a Client needs a key");
static_assert(std::is_base_of_v<std::runtime_error, tenios::Error>, "");
static_assert(std::is_nothrow_copy_constructible_v<tenios::Error>,
              "exceptions should copy without throwing");
static_assert(std::is_same_v<std::underlying_type_t<Status>, std::uint32_t>, "");
static_assert(std::is_same_v<std::underlying_type_t<tenios::DestinationType>, std::uint32_t>, "");
static_assert(std::is_same_v<decltype(std::declval<const tenios::Client&>().record_start("")),
                             std::string>,
              "record_start returns the recording UUID as an owned std::string");
static_assert(sizeof(tenios_status) == 4, "a fixed-width status");
static_assert(std::is_same_v<std::underlying_type_t<tenios::LogLevel>, std::uint32_t>, "");
static_assert(std::is_same_v<decltype(tenios::ClientOptions::log),
                             std::function<void(tenios::LogLevel, std::string_view)>>,
              "");
static_assert(std::is_same_v<decltype(tenios::CallTimings::total), std::chrono::microseconds>, "");
static_assert(noexcept(tenios::last_call_timings()), "");
static_assert(std::is_same_v<decltype(std::declval<const tenios::Error&>().http_status()),
                             std::uint16_t>,
              "");

// ------------------------------------------------------------------ runner

namespace {

int g_passed = 0;
int g_failed = 0;
int g_current_failures = 0;
std::string g_current = "(none)";

void fail(const char* file, int line, const std::string& what) {
    ++g_current_failures;
    std::cout << "    " << file << ':' << line << ": [" << g_current << "] " << what << std::endl;
}

void run_test(const std::string& name, const std::function<void()>& fn) {
    g_current = name;
    g_current_failures = 0;
    try {
        fn();
    } catch (const tenios::Error& e) {
        fail(__FILE__, __LINE__,
             "unexpected tenios::Error " + std::string(tenios::status_name(e.status())) + ": " +
                 e.what());
    } catch (const std::exception& e) {
        fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    if (g_current_failures == 0) {
        ++g_passed;
        std::cout << "ok   " << name << std::endl;
    } else {
        ++g_failed;
        std::cout << "FAIL " << name << " (" << g_current_failures << " failed check"
                  << (g_current_failures == 1 ? "" : "s") << ')' << std::endl;
    }
}

// Printable forms for failure messages.
std::string show(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out + "\"";
}
std::string show(const std::string& s) { return show(std::string_view(s)); }
std::string show(const char* s) { return s ? show(std::string_view(s)) : "(NULL)"; }
std::string show(const std::optional<std::string>& s) { return s ? show(*s) : "(nullopt)"; }
std::string show(const std::vector<std::string>& v) {
    std::string out = "{";
    for (std::size_t i = 0; i < v.size(); ++i) {
        out += (i ? ", " : "") + show(v[i]);
    }
    return out + "}";
}
std::string show(Status s) {
    return std::string(tenios::status_name(s)) + " (" + std::to_string(static_cast<int>(s)) + ")";
}
template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
std::string show(T v) {
    return std::to_string(v);
}

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) fail(__FILE__, __LINE__, "CHECK(" #cond ") failed");            \
    } while (0)

#define CHECK_EQ(got, want)                                                          \
    do {                                                                             \
        const auto& got_ = (got);                                                    \
        const auto& want_ = (want);                                                  \
        if (!(got_ == want_))                                                        \
            fail(__FILE__, __LINE__, #got " is " + show(got_) + ", expected " + show(want_)); \
    } while (0)

// Runs fn, which must throw tenios::Error; returns it (or nullopt, with a
// recorded failure).
std::optional<tenios::Error> catch_error(const char* file, int line,
                                         const std::function<void()>& fn) {
    try {
        fn();
    } catch (const tenios::Error& e) {
        return e;
    } catch (const std::exception& e) {
        fail(file, line, std::string("expected tenios::Error, got std::exception: ") + e.what());
        return std::nullopt;
    }
    fail(file, line, "expected tenios::Error, nothing was thrown");
    return std::nullopt;
}
#define CATCH_ERROR(...) catch_error(__FILE__, __LINE__, [&] { __VA_ARGS__; })

// Checks every accessor of an Error at once.
void check_error_at(const char* file, int line, const std::optional<tenios::Error>& e,
                    Status status, const std::string& what,
                    const std::optional<std::string>& api_code, std::uint16_t http_status,
                    const std::vector<std::string>& fields) {
    if (!e) return;  // already reported
    auto expect = [&](bool ok, const std::string& name, const std::string& got,
                      const std::string& want) {
        if (!ok) fail(file, line, name + " is " + got + ", expected " + want);
    };
    expect(e->status() == status, "status()", show(e->status()), show(status));
    expect(std::string(e->what()) == what, "what()", show(e->what()), show(what));
    expect(e->api_code() == api_code, "api_code()", show(e->api_code()), show(api_code));
    expect(e->http_status() == http_status, "http_status()", show(e->http_status()),
           show(http_status));
    expect(e->fields() == fields, "fields()", show(e->fields()), show(fields));
}
#define CHECK_ERROR(e, status, what, api_code, http, fields) \
    check_error_at(__FILE__, __LINE__, (e), (status), (what), (api_code), (http), fields)

const std::vector<std::string> kNoFields;
const std::optional<std::string> kNoCode;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::string require_env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        std::cerr << "environment variable " << name << " is not set (use tests/cpp/run.sh)\n";
        std::exit(2);
    }
    return v;
}

// --------------------------------------------- simulator control client

// A raw-socket HTTP/1.0 client for the simulator's /_sim endpoints (the C
// tests' testutil.c does the same; this keeps the C++ test one translation
// unit).
class Sim {
public:
    explicit Sim(int port) : port_(port) {}

    struct Response {
        int status = -1;
        std::string body;
    };

    Response http(const std::string& method, const std::string& path,
                  const std::string& body = "") const {
        Response r;
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return r;
        timeval tv{10, 0};  // never hang a test run on a wedged simulator
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port_));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return r;
        }
        const std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" +
                                    std::to_string(port_) +
                                    "\r\nConnection: close\r\nContent-Type: application/json\r\n"
                                    "Content-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body;
        std::size_t off = 0;
        while (off < request.size()) {
            const ssize_t n = ::write(fd, request.data() + off, request.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fd);
                return r;
            }
            off += static_cast<std::size_t>(n);
        }
        std::string raw;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                ::close(fd);
                return r;
            }
            if (n == 0) break;
            raw.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        const auto sep = raw.find("\r\n\r\n");
        int status = 0;
        if (sep == std::string::npos || std::sscanf(raw.c_str(), "HTTP/%*d.%*d %d", &status) != 1) {
            return r;
        }
        r.status = status;
        r.body = raw.substr(sep + 4);
        return r;
    }

    void reset() const {
        const Response r = http("POST", "/_sim/reset");
        if (r.status != 200) fail(__FILE__, __LINE__, "POST /_sim/reset answered " + show(r.status));
    }

    void fault(const std::string& json) const {
        const Response r = http("POST", "/_sim/faults", json);
        if (r.status < 200 || r.status > 299)
            fail(__FILE__, __LINE__,
                 "POST /_sim/faults answered " + show(r.status) + ": " + show(r.body));
    }

    // A field of /_sim/stats ("connections" or "requests"), -1 on failure.
    long stat(const std::string& field) const {
        const Response r = http("GET", "/_sim/stats");
        const std::string key = "\"" + field + "\":";
        const auto pos = r.body.find(key);
        if (r.status != 200 || pos == std::string::npos) {
            fail(__FILE__, __LINE__, "cannot read " + field + " from /_sim/stats: " + show(r.body));
            return -1;
        }
        return std::strtol(r.body.c_str() + pos + key.size(), nullptr, 10);
    }

    std::string get(const std::string& path) const {
        const Response r = http("GET", path);
        if (r.status != 200) fail(__FILE__, __LINE__, "GET " + path + " answered " + show(r.status));
        return r.body;
    }

    // The User-Agent headers of the recorded requests, in order. The
    // simulator records headers as ["name","value"] pairs, names lowercased.
    std::vector<std::string> user_agents() const {
        const std::string body = get("/_sim/requests");
        const std::string key = "[\"user-agent\",\"";
        std::vector<std::string> out;
        for (auto pos = body.find(key); pos != std::string::npos; pos = body.find(key, pos)) {
            pos += key.size();
            const auto end = body.find('"', pos);
            if (end == std::string::npos) break;
            out.push_back(body.substr(pos, end - pos));
        }
        return out;
    }

    // The (path, body) of every recorded API request, in order, with the body
    // unescaped from its JSON string: exactly the bytes the library sent.
    std::vector<std::pair<std::string, std::string>> requests() const {
        const std::string json = get("/_sim/requests");
        std::vector<std::pair<std::string, std::string>> out;
        std::size_t pos = 0;
        for (;;) {
            const auto path_at = json.find("\"path\":\"", pos);
            if (path_at == std::string::npos) break;
            std::size_t end = path_at + 7;
            const std::string path = json_string(json, end);
            const auto body_at = json.find("\"body\":\"", end);
            if (body_at == std::string::npos) break;
            end = body_at + 7;
            const std::string body = json_string(json, end);
            out.emplace_back(path, body);
            pos = end;
        }
        return out;
    }

    // The bodies of the recorded API requests, in order.
    std::vector<std::string> bodies() const {
        std::vector<std::string> out;
        for (const auto& request : requests()) out.push_back(request.second);
        return out;
    }

private:
    // Reads the JSON string starting at the quote json[pos]; pos ends after
    // its closing quote. Handles the escapes serde_json writes (\uXXXX only
    // for control characters, which never appear in these bodies as such).
    static std::string json_string(const std::string& json, std::size_t& pos) {
        std::string out;
        ++pos;  // the opening quote
        while (pos < json.size() && json[pos] != '"') {
            char c = json[pos++];
            if (c == '\\' && pos < json.size()) {
                const char e = json[pos++];
                switch (e) {
                    case 'n': c = '\n'; break;
                    case 't': c = '\t'; break;
                    case 'r': c = '\r'; break;
                    case 'u':
                        c = static_cast<char>(std::strtol(json.substr(pos, 4).c_str(), nullptr, 16));
                        pos += 4;
                        break;
                    default: c = e;  // \" \\ \/
                }
            }
            out += c;
        }
        ++pos;  // the closing quote
        return out;
    }

    int port_;
};

// A loopback port on which nothing listens: the socket is bound (so no one
// else gets the port while the test runs) but not listening, so connecting
// to it is refused.
class ClosedPort {
public:
    ClosedPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw std::runtime_error(std::string("cannot bind a loopback port: ") +
                                     std::strerror(errno));
        }
        port_ = ntohs(addr.sin_port);
    }
    ~ClosedPort() {
        if (fd_ >= 0) ::close(fd_);
    }
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

// ------------------------------------------------------------------- tests

std::string g_url;    // the simulator, http://127.0.0.1:PORT
std::string g_key;    // its access key
std::string g_call;   // interruptible
std::string g_stuck;  // not interruptible
std::string g_connected;       // bridged to a destination
std::string g_supervisor_key;  // the simulator's supervisor key
std::string g_blacklisted;     // a blacklisted supervisor destination
const std::string kSupervisorAt = "+4922155400300";
const std::string kUnknownRecording = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const std::string kUnknownCall = "0f1e2d3c-4b5a-4968-8776-655443322110";
// The library's message for kUnknownCall: the API's text, then the hint repeating the uuid.
const std::string kNotFound =
    "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the uuid " +
    kUnknownCall +
    ": the call may have ended (the caller hung up or it was transferred away), or the uuid is "
    "wrong";
std::optional<Sim> g_sim;

tenios::ClientOptions sim_options() {
    tenios::ClientOptions o;
    o.base_url = g_url;
    return o;
}

void test_version_and_status_names() {
    CHECK(!tenios::version().empty());
    CHECK_EQ(tenios::version(), std::string_view(tenios_version()));
    CHECK_EQ(tenios::status_name(Status::Ok), std::string_view("TENIOS_OK"));
    CHECK_EQ(tenios::status_name(Status::ErrTimeout), std::string_view("TENIOS_ERR_TIMEOUT"));
    CHECK_EQ(tenios::status_name(Status::ErrCallUuidNotFound),
             std::string_view("TENIOS_ERR_CALL_UUID_NOT_FOUND"));
    CHECK_EQ(tenios::status_name(12), std::string_view("TENIOS_ERR_INTERNAL"));
    CHECK_EQ(tenios::status_name(Status::ErrShutdown), std::string_view("TENIOS_ERR_SHUTDOWN"));
    // The library names no status after the last one this header knows: a status added to
    // tenios.h without a Status enumerator here fails this test.
    const auto after_last = static_cast<std::uint32_t>(tenios::kLastStatus) + 1;
    CHECK_EQ(tenios::status_name(after_last), std::string_view("TENIOS_UNKNOWN"));
    CHECK_EQ(tenios::status_name(UINT32_MAX), std::string_view("TENIOS_UNKNOWN"));
    // The view refers to a NUL-terminated static string.
    CHECK_EQ(std::strlen(tenios::status_name(Status::ErrHttp).data()), std::size_t{15});
}

void test_success() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    CHECK(client.valid());
    CHECK(client.native_handle() != nullptr);
    client.interrupt_block(g_call);
    const std::string interrupts = g_sim->get("/_sim/interrupts");
    CHECK_EQ(interrupts, "[\"" + g_call + "\"]");
    CHECK_EQ(g_sim->stat("requests"), 1L);
}

void test_call_not_found() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    const auto e = CATCH_ERROR(client.interrupt_block(kUnknownCall));
    CHECK_ERROR(e, Status::ErrCallUuidNotFound,
                kNotFound,
                std::optional<std::string>("CALL_UUID_NOT_FOUND"), 400,
                std::vector<std::string>{"call_uuid"});
    CHECK_EQ(g_sim->get("/_sim/interrupts"), std::string("[]"));
}

void test_stuck_call() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    const auto e = CATCH_ERROR(client.interrupt_block(g_stuck));
    CHECK_ERROR(e, Status::ErrApi,
                "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted "
                "(fields: call_uuid)",
                std::optional<std::string>("BLOCK_NOT_INTERRUPTIBLE"), 400,
                std::vector<std::string>{"call_uuid"});
}

void test_bad_credentials() {
    g_sim->reset();
    const std::string wrong_key = "definitely-not-the-key-7c1e";
    const tenios::Client client(wrong_key, sim_options());
    const auto e = CATCH_ERROR(client.interrupt_block(g_call));
    CHECK_ERROR(e, Status::ErrBadCredentials, "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer portal shows it under MY ACCOUNT > General settings, API section",
                std::optional<std::string>("BAD_CREDENTIALS"), 400, kNoFields);
    if (e) CHECK(std::string_view(e->what()).find(wrong_key) == std::string_view::npos);
}

void test_http_error_503_html() {
    g_sim->reset();
    g_sim->fault(
        R"({"status":503,"headers":[["Content-Type","text/html"]],)"
        R"("body":"<html><body><h1>503 Service Unavailable</h1></body></html>"})");
    const tenios::Client client(g_key, sim_options());
    const auto e = CATCH_ERROR(client.interrupt_block(g_call));
    CHECK_ERROR(e, Status::ErrHttp, "HTTP 503 with no API error in the body", kNoCode, 503,
                kNoFields);
    // The fault is used up: the same client goes on working.
    client.interrupt_block(g_call);
    CHECK_EQ(g_sim->stat("requests"), 2L);
}

void test_network_error_closed_port() {
    const ClosedPort closed;
    tenios::ClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(closed.port());
    const tenios::Client client(g_key, o);
    const auto e = CATCH_ERROR(client.interrupt_block(g_call));
    if (!e) return;
    CHECK_EQ(e->status(), Status::ErrNetwork);
    CHECK_EQ(std::string(e->what()), std::string("network error: connection refused; check that the server in the base URL is running"));
    CHECK_EQ(e->api_code(), kNoCode);
    CHECK_EQ(e->http_status(), std::uint16_t{0});
    CHECK_EQ(e->fields(), kNoFields);
}

void test_bad_options_throw_when_building() {
    g_sim->reset();
    struct Case {
        const char* name;
        std::function<void(tenios::ClientOptions&)> set;
        std::string message;  // exact, or a prefix when it ends in "..."
    };
    const std::vector<Case> cases = {
        {"plain http to a public host", [](auto& o) { o.base_url = "http://example.com"; },
         "base URL is unusable: plain http:// is only allowed for loopback hosts "
         "(127.0.0.0/8, ::1, localhost), not example.com; use https://"},
        {"base URL not a URL", [](auto& o) { o.base_url = "not a url"; },
         "base URL is unusable: ..."},
        {"timeout 0", [](auto& o) { o.timeout = 0ms; }, "timeout must be 1 to 600000 ms, not 0"},
        {"timeout 600001", [](auto& o) { o.timeout = 600001ms; },
         "timeout must be 1 to 600000 ms, not 600001"},
        {"timeout negative (checked in C++)", [](auto& o) { o.timeout = -5ms; },
         "timeout must be 1 to 600000 ms, not -5"},
        {"timeout over uint32 (checked in C++)",
         [](auto& o) { o.timeout = std::chrono::milliseconds(4294967296LL); },
         "timeout must be 1 to 600000 ms, not 4294967296"},
        {"connect timeout 0", [](auto& o) { o.connect_timeout = 0ms; },
         "connect timeout must be 1 to 600000 ms, not 0"},
        {"user agent product empty", [](auto& o) { o.user_agent_product = ""; },
         "user agent product is empty"},
        {"user agent product with a newline", [](auto& o) { o.user_agent_product = "a\nb"; },
         "user agent product contains a control character"},
        {"user agent product too long",
         [](auto& o) { o.user_agent_product = std::string(257, 'p'); },
         "user agent product is longer than 256 bytes"},
        {"CA file missing", [](auto& o) { o.ca_file = "/nonexistent/tenios-ca.pem"; },
         "CA file /nonexistent/tenios-ca.pem: ..."},
        {"proxy not a URL", [](auto& o) { o.proxy = "not a url"; }, "proxy URL is unusable: ..."},
        {"non-loopback proxy for a plain-http base URL (checked when building)",
         [](auto& o) { o.proxy = "http://proxy.example:3128"; },
         "proxy proxy.example is not on a loopback host, but the base URL is plain http://"},
        {"NUL in the CA file path (checked in C++)",
         [](auto& o) { o.ca_file = std::string("/etc/ssl/certs/ca-certificates.crt\0x", 36); },
         "CA file path contains a control character"},
    };
    for (const Case& c : cases) {
        tenios::ClientOptions o = sim_options();
        c.set(o);
        const auto e = CATCH_ERROR(tenios::Client(g_key, o));
        if (!e) {
            fail(__FILE__, __LINE__, std::string("case '") + c.name + "': nothing thrown");
            continue;
        }
        const std::string what = e->what();
        const bool prefix = c.message.size() > 3 &&
                            c.message.compare(c.message.size() - 3, 3, "...") == 0;
        const bool ok = prefix ? starts_with(what, c.message.substr(0, c.message.size() - 3))
                               : what == c.message;
        if (!ok || e->status() != Status::ErrInvalidArgument || e->api_code() ||
            e->http_status() != 0 || !e->fields().empty()) {
            fail(__FILE__, __LINE__,
                 std::string("case '") + c.name + "': " + show(e->status()) + " " + show(what) +
                     " api_code " + show(e->api_code()) + " http_status " +
                     show(e->http_status()) + " fields " + show(e->fields()) + "; expected " +
                     show(Status::ErrInvalidArgument) + " " + show(c.message));
        }
    }
    // Keys are checked when the client is built, too.
    CHECK_ERROR(CATCH_ERROR(tenios::Client("", sim_options())), Status::ErrInvalidArgument,
                "access_key is empty", kNoCode, 0, kNoFields);
    CHECK_ERROR(CATCH_ERROR(tenios::Client(std::string(1025, 'k'), sim_options())),
                Status::ErrInvalidArgument, "access_key is longer than 1024 bytes", kNoCode, 0,
                kNoFields);
    // Nothing of this reached the simulator...
    CHECK_EQ(g_sim->stat("requests"), 0L);
    CHECK_EQ(g_sim->stat("connections"), 0L);
    // ...where a client with the same options does arrive (fails closed).
    tenios::Client(g_key, sim_options()).interrupt_block(g_call);
    CHECK_EQ(g_sim->stat("requests"), 1L);
}

void test_every_option_applied() {
    g_sim->reset();
    // Valid values for every option: the client builds and works.
    tenios::ClientOptions o = sim_options();
    o.connect_timeout = 2s;
    o.timeout = 600000ms;
    o.system_trust_store = true;
    o.proxy_from_env = false;
    o.user_agent_product = "all-options/3";
    const char* bundle = "/etc/ssl/certs/ca-certificates.crt";  // Debian's CA bundle
    if (::access(bundle, R_OK) == 0) o.ca_file = bundle;
    const tenios::Client client(g_key, o);
    client.interrupt_block(g_call);
    CHECK_EQ(g_sim->user_agents(), std::vector<std::string>{"libtenios/" +
                                                            std::string(tenios::version()) +
                                                            " all-options/3"});

    // The proxy option reroutes the request: through a (loopback) proxy that
    // refuses connections, nothing reaches the simulator.
    const ClosedPort closed;
    tenios::ClientOptions p = sim_options();
    p.proxy = "http://127.0.0.1:" + std::to_string(closed.port());
    const tenios::Client proxied(g_key, p);
    const auto e = CATCH_ERROR(proxied.interrupt_block(g_call));
    if (e) {
        CHECK_EQ(e->status(), Status::ErrNetwork);
        CHECK_EQ(e->http_status(), std::uint16_t{0});
        CHECK_EQ(e->api_code(), kNoCode);
    }
    CHECK_EQ(g_sim->stat("requests"), 1L);
}

void test_invalid_call_uuid_is_not_sent() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    CHECK_ERROR(CATCH_ERROR(client.interrupt_block("")), Status::ErrInvalidArgument,
                "call_uuid is empty", kNoCode, 0, kNoFields);
    CHECK_ERROR(CATCH_ERROR(client.interrupt_block("a\x01")), Status::ErrInvalidArgument,
                "call_uuid contains a control character", kNoCode, 0, kNoFields);
    // A string_view may hold a NUL, which C would take for the end of the
    // string; the binding must not send the part before it.
    const std::string with_nul = g_call + std::string(1, '\0') + "tail";
    CHECK_ERROR(CATCH_ERROR(client.interrupt_block(with_nul)), Status::ErrInvalidArgument,
                "call_uuid contains a control character", kNoCode, 0, kNoFields);
    const std::string key_with_nul = g_key + std::string(1, '\0');
    CHECK_ERROR(CATCH_ERROR(tenios::Client(key_with_nul, sim_options())),
                Status::ErrInvalidArgument, "access_key contains a control character", kNoCode, 0,
                kNoFields);
    CHECK_ERROR(CATCH_ERROR(tenios::interrupt_block(g_key, with_nul)),
                Status::ErrInvalidArgument, "call_uuid contains a control character", kNoCode, 0,
                kNoFields);
    // A string_view that is not NUL-terminated is copied, not over-read.
    const std::string padded = g_call + "-and-more";
    client.interrupt_block(std::string_view(padded).substr(0, g_call.size()));
    CHECK_EQ(g_sim->stat("requests"), 1L);
    CHECK_EQ(g_sim->get("/_sim/interrupts"), "[\"" + g_call + "\"]");
}

void test_response_timeout() {
    g_sim->reset();
    g_sim->fault(R"({"status":200,"body":"{\"success\":true}","delay_ms":3000})");
    tenios::ClientOptions o = sim_options();
    o.timeout = 300ms;
    const tenios::Client client(g_key, o);
    const auto start = std::chrono::steady_clock::now();
    const auto e = CATCH_ERROR(client.interrupt_block(g_call));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (e) {
        CHECK_EQ(e->status(), Status::ErrTimeout);
        CHECK_EQ(std::string(e->what()),
                 std::string("timed out: no complete response within 300 ms"));
        CHECK_EQ(e->api_code(), kNoCode);
        CHECK_EQ(e->http_status(), std::uint16_t{0});
        CHECK(e->fields().empty());
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    if (ms < 250 || ms >= 2500)
        fail(__FILE__, __LINE__, "gave up after " + show(ms) + " ms, expected 300 to 2500 ms");
}

// shutdown() from another thread makes a call waiting for an 8 s answer throw ErrShutdown
// promptly; later calls throw it without sending; global_cleanup()/global_init() do the same
// for the default client.
void test_shutdown() {
    g_sim->reset();
    g_sim->fault(R"({"status":200,"body":"{\"success\":true}","delay_ms":8000})");
    const tenios::Client client(g_key, sim_options());
    std::optional<tenios::Error> in_flight;
    std::thread caller([&] { in_flight = CATCH_ERROR(client.interrupt_block(g_call)); });
    for (int i = 0; i < 500 && g_sim->stat("requests") < 1; i++)
        std::this_thread::sleep_for(10ms);
    const auto start = std::chrono::steady_clock::now();
    client.shutdown();
    caller.join();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    CHECK_ERROR(in_flight, Status::ErrShutdown,
                "the client was shut down during the call; the request may or may not have "
                "reached the API",
                kNoCode, 0, kNoFields);
    if (ms >= 3000)
        fail(__FILE__, __LINE__, "returned " + show(ms) + " ms after shutdown()");
    CHECK_ERROR(CATCH_ERROR(client.interrupt_block(g_call)), Status::ErrShutdown,
                "the client was shut down; the request was not sent", kNoCode, 0, kNoFields);
    CHECK_EQ(g_sim->stat("requests"), 1L);

    tenios::global_cleanup();
    CHECK_ERROR(CATCH_ERROR(tenios::interrupt_block(g_key, g_call)), Status::ErrShutdown,
                "the default client was shut down by tenios_global_cleanup; call "
                "tenios_global_init to use it again",
                kNoCode, 0, kNoFields);
    tenios::global_init();
    tenios::interrupt_block(g_key, g_call);
    CHECK_EQ(g_sim->stat("requests"), 2L);
}

void test_user_agent_product() {
    g_sim->reset();
    tenios::ClientOptions o = sim_options();
    o.user_agent_product = "myapp/1.0";
    const tenios::Client with_product(g_key, o);
    with_product.interrupt_block(g_call);
    const tenios::Client plain(g_key, sim_options());
    plain.interrupt_block(g_call);
    const std::string v(tenios::version());
    CHECK_EQ(g_sim->user_agents(),
             (std::vector<std::string>{"libtenios/" + v + " myapp/1.0", "libtenios/" + v}));
}

void test_move_semantics() {
    g_sim->reset();
    tenios::Client a(g_key, sim_options());
    const tenios_client* handle = a.native_handle();
    tenios::Client b(std::move(a));
    CHECK(b.valid());
    CHECK(b.native_handle() == handle);
    b.interrupt_block(g_call);  // the moved-into client works

    // The moved-from client holds nothing; using it is reported by the
    // library's own NULL check.
    CHECK(!a.valid());  // NOLINT(bugprone-use-after-move): on purpose
    CHECK(a.native_handle() == nullptr);
    CHECK_ERROR(CATCH_ERROR(a.interrupt_block(g_call)), Status::ErrInvalidArgument,
                "client is NULL", kNoCode, 0, kNoFields);

    // Move assignment frees the old client and takes the other one.
    tenios::ClientOptions o = sim_options();
    o.user_agent_product = "other/2";
    tenios::Client c(g_key, o);
    c = std::move(b);
    CHECK(!b.valid());
    CHECK(c.native_handle() == handle);
    c.interrupt_block(g_call);

    // A moved-from client can be assigned a new one.
    a = tenios::Client(g_key, sim_options());
    CHECK(a.valid());
    a.interrupt_block(g_call);

    // A Client moves into containers and out of functions.
    std::vector<tenios::Client> clients;
    clients.push_back(std::move(c));
    clients.emplace_back(g_key, sim_options());
    clients.reserve(16);  // reallocation moves them
    for (const tenios::Client& client : clients) client.interrupt_block(g_call);
    CHECK_EQ(g_sim->stat("requests"), 5L);
    // a, b (empty), c (empty) and the vector are destroyed here.
}

void test_threads_share_one_const_client() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    constexpr int kThreads = 8;
    constexpr int kCalls = 200;
    std::atomic<int> ok{0};
    std::atomic<int> errors{0};
    std::vector<std::string> first_error(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                try {
                    client.interrupt_block(g_call);
                    ++ok;
                } catch (const std::exception& e) {
                    if (errors++ == 0) first_error[t] = e.what();
                }
            }
        });
    }
    for (std::thread& th : threads) th.join();
    CHECK_EQ(ok.load(), kThreads * kCalls);
    CHECK_EQ(errors.load(), 0);
    for (const std::string& msg : first_error)
        if (!msg.empty()) fail(__FILE__, __LINE__, "first error: " + show(msg));
    CHECK_EQ(g_sim->stat("requests"), long{kThreads * kCalls});
    // Keep-alive: never more connections than threads calling at once.
    const long connections = g_sim->stat("connections");
    if (connections < 1 || connections > kThreads)
        fail(__FILE__, __LINE__,
             "connections is " + show(connections) + ", expected 1 to " + show(kThreads));
}

void test_free_function_default_client() {
    // The default client read TENIOS_API_URL (set by run.sh before the
    // process started) when libtenios was loaded.
    g_sim->reset();
    tenios::interrupt_block(g_key, g_call);
    CHECK_EQ(g_sim->get("/_sim/interrupts"), "[\"" + g_call + "\"]");
    CHECK_EQ(g_sim->user_agents(), std::vector<std::string>{"libtenios/" +
                                                            std::string(tenios::version())});
    // Its errors carry only a status and a message.
    CHECK_ERROR(CATCH_ERROR(tenios::interrupt_block(g_key, kUnknownCall)),
                Status::ErrCallUuidNotFound,
                kNotFound, kNoCode, 0,
                kNoFields);
    CHECK_ERROR(CATCH_ERROR(tenios::interrupt_block("", g_call)), Status::ErrInvalidArgument,
                "access_key is empty", kNoCode, 0, kNoFields);
    CHECK_EQ(g_sim->stat("requests"), 2L);
}

void test_error_is_a_value() {
    // Errors can be caught as std::exception, copied and kept after the
    // client that raised them is gone.
    std::optional<tenios::Error> kept;
    {
        const tenios::Client client(g_key, sim_options());
        try {
            client.interrupt_block(kUnknownCall);
        } catch (const std::exception& e) {
            const auto* te = dynamic_cast<const tenios::Error*>(&e);
            CHECK(te != nullptr);
            if (te) kept = *te;
        }
    }
    CHECK_ERROR(kept, Status::ErrCallUuidNotFound,
                kNotFound,
                std::optional<std::string>("CALL_UUID_NOT_FOUND"), 400,
                std::vector<std::string>{"call_uuid"});
    const tenios::Error own(Status::ErrTimeout, "made here");
    CHECK_ERROR(std::optional<tenios::Error>(own), Status::ErrTimeout, "made here", kNoCode, 0,
                kNoFields);
}

// ------------------------------------------------------- live-call methods

using tenios::DestinationType;

const std::optional<std::string> code(const char* c) { return std::optional<std::string>(c); }
const std::vector<std::string> kCallUuidField{"call_uuid"};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

void test_destination_types() {
    CHECK_EQ(tenios::destination_type_name(DestinationType::ExternalNumber),
             std::string_view("EXTERNALNUMBER"));
    CHECK_EQ(tenios::destination_type_name(DestinationType::SipUser), std::string_view("SIP_USER"));
    CHECK_EQ(tenios::destination_type_name(DestinationType::SipTrunk),
             std::string_view("SIP_TRUNK"));
    CHECK(tenios::destination_type_name(static_cast<DestinationType>(4)).empty());
    CHECK(tenios::destination_type_name(static_cast<DestinationType>(0)).empty());
}

void test_transfer_call() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    client.transfer_call(g_connected, DestinationType::SipUser, "agent-7");
    client.transfer_call(g_connected, DestinationType::ExternalNumber, "+492215540030");
    client.transfer_call(g_connected, DestinationType::SipTrunk, "trunk-1");
    const auto requests = g_sim->requests();
    CHECK_EQ(requests.size(), std::size_t{3});
    if (requests.size() == 3) {
        CHECK_EQ(requests[0].first, std::string("/transfer-call"));
        CHECK_EQ(requests[0].second,
                 "{\"access_key\":" + quoted(g_key) + ",\"call_uuid\":" + quoted(g_connected) +
                     ",\"destination_type\":\"SIP_USER\",\"destination\":\"agent-7\"}");
        CHECK_EQ(requests[1].second,
                 "{\"access_key\":" + quoted(g_key) + ",\"call_uuid\":" + quoted(g_connected) +
                     ",\"destination_type\":\"EXTERNALNUMBER\",\"destination\":\"+492215540030\"}");
        CHECK_EQ(requests[2].second,
                 "{\"access_key\":" + quoted(g_key) + ",\"call_uuid\":" + quoted(g_connected) +
                     ",\"destination_type\":\"SIP_TRUNK\",\"destination\":\"trunk-1\"}");
    }
    const std::string call = g_sim->get("/_sim/calls/" + g_connected);
    CHECK(call.find("\"transfers\":[{\"destination_type\":\"SIP_USER\",\"destination\":"
                    "\"agent-7\"},{\"destination_type\":\"EXTERNALNUMBER\",\"destination\":"
                    "\"+492215540030\"},{\"destination_type\":\"SIP_TRUNK\",\"destination\":"
                    "\"trunk-1\"}]") != std::string::npos);
    if (call.find("\"transfers\":[{") == std::string::npos) fail(__FILE__, __LINE__, "call: " + call);

    // A call still in its block is not connected: TENIOS refuses to transfer it.
    CHECK_ERROR(CATCH_ERROR(client.transfer_call(g_call, DestinationType::SipUser, "agent-7")),
                Status::ErrApi,
                "CALL_NOT_CONNECTED: The call is not connected to a destination (fields: call_uuid)",
                code("CALL_NOT_CONNECTED"), 400, kCallUuidField);
}

void test_refer_call() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    client.refer_call(g_connected, "sip:4044@192.0.2.10:5060;user=phone");
    CHECK_EQ(g_sim->bodies(),
             std::vector<std::string>{"{\"access_key\":" + quoted(g_key) + ",\"call_uuid\":" +
                                      quoted(g_connected) +
                                      ",\"sip_uri\":\"sip:4044@192.0.2.10:5060;user=phone\"}"});
    const std::string call = g_sim->get("/_sim/calls/" + g_connected);
    CHECK(call.find("\"refers\":[{\"sip_uri\":\"sip:4044@192.0.2.10:5060;user=phone\"}]") !=
          std::string::npos);
}

void test_record_start_and_stop() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    const std::string recording = client.record_start(g_connected, false, true);
    CHECK_EQ(recording.size(), std::size_t{36});
    // Recording twice at once is refused.
    CHECK_ERROR(CATCH_ERROR(client.record_start(g_connected)), Status::ErrApi,
                "RECORDING_ALREADY_RUNNING: A recording of this call is already running (fields: "
                "call_uuid)",
                code("RECORDING_ALREADY_RUNNING"), 400, kCallUuidField);
    client.record_stop(g_connected, recording);
    // Stopped: it cannot be stopped again.
    const auto again = CATCH_ERROR(client.record_stop(g_connected, recording));
    if (again) {
        CHECK_EQ(again->status(), Status::ErrApi);
        CHECK_EQ(again->api_code(), code("RECORDING_NOT_FOUND"));
    }
    CHECK_ERROR(CATCH_ERROR(client.record_stop(g_connected, kUnknownRecording)), Status::ErrApi,
                "RECORDING_NOT_FOUND: The recording wasn't found (fields: recording_uuid)",
                code("RECORDING_NOT_FOUND"), 400, std::vector<std::string>{"recording_uuid"});
    // A second part, with the defaults (both channels).
    const std::string second = client.record_start(g_connected);
    CHECK(second != recording);
    client.record_stop(g_connected, second);

    const auto bodies = g_sim->bodies();
    const std::string start = "{\"access_key\":" + quoted(g_key) + ",\"call_uuid\":" +
                              quoted(g_connected);
    CHECK_EQ(bodies.size(), std::size_t{7});
    if (bodies.size() == 7) {
        CHECK_EQ(bodies[0], start + ",\"record_caller\":false,\"record_callee\":true}");
        CHECK_EQ(bodies[2], start + ",\"recording_uuid\":" + quoted(recording) + "}");
        CHECK_EQ(bodies[5], start + ",\"record_caller\":true,\"record_callee\":true}");
    }
    const std::string call = g_sim->get("/_sim/calls/" + g_connected);
    CHECK(call.find(quoted(recording)) != std::string::npos);
    CHECK(call.find(quoted(second)) != std::string::npos);
}

void test_record_stop_accepts_both_success_bodies() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    g_sim->fault(R"({"status":200,"body":"{\"success\":\"true\"}"})");
    client.record_stop(g_connected, kUnknownRecording);
    g_sim->fault(R"({"status":200,"body":"{\"success\":true}"})");
    client.record_stop(g_connected, kUnknownRecording);
    g_sim->fault(R"({"status":200,"body":"{\"recording_uuid\":\"r-1\"}"})");
    CHECK_EQ(client.record_start(g_connected), std::string("r-1"));
    g_sim->fault(R"({"status":200,"body":"{\"success\":true}"})");
    const auto e = CATCH_ERROR(client.record_start(g_connected));
    if (e) CHECK_EQ(e->status(), Status::ErrProtocol);
}

void test_listen_in_start() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    client.listen_in_start(g_connected, g_supervisor_key, kSupervisorAt);
    client.listen_in_start(g_connected, g_supervisor_key, kSupervisorAt, true);
    const std::string start = "{\"access_key\":" + quoted(g_key) + ",\"supervisor_key\":" +
                              quoted(g_supervisor_key) + ",\"call_uuid\":" + quoted(g_connected) +
                              ",\"supervisor_destination\":" + quoted(kSupervisorAt);
    CHECK_EQ(g_sim->bodies(), (std::vector<std::string>{start + ",\"whisper_to_agent\":false}",
                                                        start + ",\"whisper_to_agent\":true}"}));
    const std::string call = g_sim->get("/_sim/calls/" + g_connected);
    CHECK(call.find("\"listen_ins\":[{\"supervisor_destination\":" + quoted(kSupervisorAt) +
                    ",\"whisper_to_agent\":false},{\"supervisor_destination\":" +
                    quoted(kSupervisorAt) + ",\"whisper_to_agent\":true}]") != std::string::npos);

    const std::string wrong = "not-the-supervisor-key-93b1";
    const auto bad = CATCH_ERROR(client.listen_in_start(g_connected, wrong, kSupervisorAt));
    CHECK_ERROR(bad, Status::ErrBadCredentials,
                "BAD_CREDENTIALS: Bad credentials; check the access key: the TENIOS customer "
                "portal shows it under MY ACCOUNT > General settings, API section; check the "
                "supervisor key too",
                code("BAD_CREDENTIALS"), 400, kNoFields);
    const auto blacklisted =
        CATCH_ERROR(client.listen_in_start(g_connected, g_supervisor_key, g_blacklisted));
    CHECK_ERROR(blacklisted, Status::ErrSupervisorDestinationBlacklisted,
                "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST: The supervisor destination is in "
                "the blacklist (fields: supervisor_destination); use another "
                "supervisor_destination, or take it off the account's blacklist",
                code("LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST"), 400,
                std::vector<std::string>{"supervisor_destination"});
    CHECK_ERROR(CATCH_ERROR(client.listen_in_start(g_call, g_supervisor_key, kSupervisorAt)),
                Status::ErrApi,
                "CALL_NOT_CONNECTED: The call is not connected to a destination (fields: call_uuid)",
                code("CALL_NOT_CONNECTED"), 400, kCallUuidField);
}

// The contact-center methods: the exact bytes, the documentation's example
// answers (canned by the simulator), the id as a number or a string.
void test_contact_center_methods() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    const std::string key = "{\"access_key\":" + quoted(g_key);
    g_sim->fault(R"({"status":200,"body":"{\"id\": 10}"})");
    CHECK_EQ(client.makecall_init("+491234567890", "+4922112345678"), std::string("10"));
    g_sim->fault(R"({"status":200,"body":"{\"id\": \"66195\"}"})");
    CHECK_EQ(client.makecall_init("+491234567890", "+4922112345678", "+4922112345678123",
                                  "https://crm.example/state"),
             std::string("66195"));
    g_sim->fault(R"({"status":200,"body":"{\"status\": \"REQUESTED\"}"})");
    CHECK_EQ(client.makecall_status("10"), std::string("REQUESTED"));
    g_sim->fault(R"({"status":200,"body":"{\"id\": 10}"})");
    CHECK_EQ(client.callback_init("XXXXX-XXXX-XXXXXX", "+491234567890", 30,
                                  "Customer Peter M\xc3\xbcller is being called now, please "
                                  "press 1 to start the call.",
                                  "1"),
             std::string("10"));
    g_sim->fault(R"({"status":200,"body":"{\"status\": \"CONNECTED\"}"})");
    CHECK_EQ(client.callback_status("10"), std::string("CONNECTED"));
    g_sim->fault(
        R"({"status":200,"body":"{\"email\": \"test@test.com\", \"state\": \"NOT_READY\"}"})");
    CHECK_EQ(client.agent_state_retrieve("test@test.com"), std::string("NOT_READY"));
    g_sim->fault(R"({"status":200,"body":"{\"success\": true}"})");
    client.agent_state_change("test@test.com", "NOT_READY", "COF");
    g_sim->fault(
        R"({"status":200,"body":"{\"success\": true, \"wrap_up_end_time\": \"2020-01-01T09:00:00.000Z\"}"})");
    CHECK_EQ(client.wrap_up_extend("test@test.com", "2020-01-01T09:00:00.000Z"),
             std::string("2020-01-01T09:00:00.000Z"));
    g_sim->fault(R"({"status":200,"body":"{\"success\": true}"})");
    client.wrap_up_cancel("test@test.com");
    const std::vector<std::string> want = {
        key + ",\"destination_number\":\"+491234567890\",\"tenios_number\":\"+4922112345678\"}",
        key + ",\"destination_number\":\"+491234567890\",\"tenios_number\":\"+4922112345678\","
              "\"caller_id\":\"+4922112345678123\",\"callstate_info_url\":"
              "\"https://crm.example/state\"}",
        key + ",\"id\":\"10\"}",
        key + ",\"callback_config_id\":\"XXXXX-XXXX-XXXXXX\",\"callback_number\":"
              "\"+491234567890\",\"agent_announcement\":\"Customer Peter M\xc3\xbcller is being "
              "called now, please press 1 to start the call.\","
              "\"dtmf_key_to_trigger_customer_call\":\"1\",\"delay\":30}",
        key + ",\"id\":\"10\"}",
        key + ",\"email\":\"test@test.com\"}",
        key + ",\"email\":\"test@test.com\",\"state\":\"NOT_READY\",\"not_ready_reason\":\"COF\"}",
        key + ",\"agent_email\":\"test@test.com\",\"end_time\":\"2020-01-01T09:00:00.000Z\"}",
        key + ",\"agent_email\":\"test@test.com\"}",
    };
    CHECK_EQ(g_sim->bodies(), want);
    std::vector<std::string> paths;
    for (const auto& request : g_sim->requests()) paths.push_back(request.first);
    CHECK_EQ(paths, (std::vector<std::string>{
                        "/makecall/init", "/makecall/init", "/makecall/status", "/callback/init",
                        "/callback/status", "/acd/agent-state/retrieve",
                        "/acd/agent-state/change", "/wrap-up/extend", "/wrap-up/cancel"}));

    // The wrap-up page's errors: statuses of their own, FIELD_IS_REQUIRED stays ErrApi.
    g_sim->fault(
        R"({"status":400,"body":"{\"error_code\": \"AGENT_NOT_IN_WRAP_UP\", \"error_message\": \"The agent is currently not in a wrap-up status.\", \"fields\": [\"agent_email\"]}"})");
    CHECK_ERROR(CATCH_ERROR(client.wrap_up_extend("a@b.c", "2020-01-01T09:00:00Z")),
                Status::ErrAgentNotInWrapUp,
                "AGENT_NOT_IN_WRAP_UP: The agent is currently not in a wrap-up status. (fields: "
                "agent_email)",
                code("AGENT_NOT_IN_WRAP_UP"), 400, std::vector<std::string>{"agent_email"});
    g_sim->fault(
        R"({"status":400,"body":"{\"error_code\": \"AGENT_NOT_FOUND\", \"error_message\": \"Agent not found.\", \"fields\": [\"agent_email\"]}"})");
    CHECK_ERROR(CATCH_ERROR(client.wrap_up_cancel("a@b.c")), Status::ErrAgentNotFound,
                "AGENT_NOT_FOUND: Agent not found. (fields: agent_email)",
                code("AGENT_NOT_FOUND"), 400, std::vector<std::string>{"agent_email"});
    g_sim->fault(
        R"({"status":400,"body":"{\"error_code\": \"FIELD_IS_REQUIRED\", \"error_message\": \"Parameter 'agent_email' is required\", \"fields\": [\"agent_email\"]}"})");
    CHECK_ERROR(CATCH_ERROR(client.wrap_up_cancel("a@b.c")), Status::ErrApi,
                "FIELD_IS_REQUIRED: Parameter 'agent_email' is required (fields: agent_email)",
                code("FIELD_IS_REQUIRED"), 400, std::vector<std::string>{"agent_email"});
    // Checked before sending.
    const auto bad = CATCH_ERROR(client.agent_state_change("a@b.c", "AWAY"));
    if (bad) CHECK_EQ(std::string(bad->what()), std::string("state \"AWAY\" is not READY or NOT_READY"));
    const auto nul = CATCH_ERROR(client.makecall_init("+49", "+49", std::string_view("a\0b", 3)));
    if (nul) CHECK_EQ(std::string(nul->what()), std::string("caller_id contains a control character"));
    CHECK_EQ(g_sim->stat("requests"), 12L);

    // The simulator's own model: a click-to-call to its TENIOS number, a callback.
    const std::string id = client.makecall_init("+491701234567", "+4922112345678");
    CHECK_EQ(client.makecall_status(id), std::string("CONNECTED"));
    const std::string callback = client.callback_init("sim-callback-config", "+491701234567", 0);
    CHECK_EQ(client.callback_status(callback), std::string("CONNECTED"));
}

// The generic call: /cdrs/retrieve and /verification/create, the path checked.
void test_call_json() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    g_sim->fault(
        R"({"status":200,"body":"{\"verification_id\": \"705d5302-d918-454a-b703-c9c23995726e\"}"})");
    CHECK_EQ(client.call_json("/verification/create", R"({"country":"Germany"})"),
             std::string(R"({"verification_id": "705d5302-d918-454a-b703-c9c23995726e"})"));
    g_sim->fault(R"({"status":200,"body":"{\"items\": [], \"total_items\": 0}"})");
    CHECK_EQ(client.call_json("/cdrs/retrieve", R"({"page":1,"page_size":10})"),
             std::string(R"({"items": [], "total_items": 0})"));
    CHECK_EQ(g_sim->bodies(),
             (std::vector<std::string>{"{\"access_key\":" + quoted(g_key) + ",\"country\":\"Germany\"}",
                                       "{\"access_key\":" + quoted(g_key) +
                                           ",\"page\":1,\"page_size\":10}"}));
    CHECK_ERROR(CATCH_ERROR(client.call_json("/a/../b", "{}")), Status::ErrInvalidArgument,
                "path \"/a/../b\" has a . or .. segment", kNoCode, 0, kNoFields);
    CHECK_ERROR(CATCH_ERROR(client.call_json("/number/order", "{}")), Status::ErrHttp,
                "HTTP 404 with no API error in the body; check the base URL (TENIOS's is "
                "https://api.tenios.com)",
                kNoCode, 404, kNoFields);
    CHECK_EQ(g_sim->stat("requests"), 3L);
}

// Every method once, on `call`, with valid arguments.
std::vector<std::pair<const char*, std::function<void(const tenios::Client&)>>> every_method(
    const std::string& call) {
    return {
        {"transfer_call",
         [call](const tenios::Client& c) {
             c.transfer_call(call, DestinationType::SipUser, "agent-7");
         }},
        {"refer_call",
         [call](const tenios::Client& c) { c.refer_call(call, "sip:4044@192.0.2.10:5060"); }},
        {"record_start", [call](const tenios::Client& c) { (void)c.record_start(call); }},
        {"record_stop",
         [call](const tenios::Client& c) { c.record_stop(call, kUnknownRecording); }},
        {"listen_in_start",
         [call](const tenios::Client& c) {
             c.listen_in_start(call, g_supervisor_key, kSupervisorAt);
         }},
    };
}

void test_every_method_unknown_call_and_wrong_key() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    const tenios::Client wrong("wrong-access-key-51c0", sim_options());
    for (const auto& [name, call] : every_method(kUnknownCall)) {
        // record_stop looks the recording up first: an unknown call has none (the
        // simulator's guess at what TENIOS answers).
        const bool stop = std::string_view(name) == "record_stop";
        const auto e = CATCH_ERROR(call(client));
        const std::string want =
            stop ? "RECORDING_NOT_FOUND: The recording wasn't found (fields: recording_uuid)"
                 : kNotFound;
        if (!e || e->status() != (stop ? Status::ErrApi : Status::ErrCallUuidNotFound) ||
            std::string(e->what()) != want)
            fail(__FILE__, __LINE__, std::string(name) + ": " + (e ? e->what() : "nothing thrown"));
    }
    for (const auto& [name, call] : every_method(g_connected)) {
        const auto e = CATCH_ERROR(call(wrong));
        if (!e || e->status() != Status::ErrBadCredentials ||
            std::string_view(e->what()).find("wrong-access-key") != std::string_view::npos)
            fail(__FILE__, __LINE__, std::string(name) + ": " + (e ? e->what() : "nothing thrown"));
    }
    CHECK_EQ(g_sim->stat("requests"), 10L);
}

void test_every_method_redacts_echoed_keys() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    for (const auto& [name, call] : every_method(g_connected)) {
        g_sim->fault(R"({"status":400,"body":"{\"error_code\":\"X\",\"error_message\":\")" + g_key +
                     " " + g_supervisor_key + R"(\",\"fields\":[\")" + g_supervisor_key +
                     R"(\"]}"})");
        const auto e = CATCH_ERROR(call(client));
        if (!e) continue;
        const bool listen = std::string_view(name) == "listen_in_start";
        const std::string what = e->what();
        std::string all = what;
        for (const auto& f : e->fields()) all += " " + f;
        if (all.find(g_key) != std::string::npos ||
            (listen && all.find(g_supervisor_key) != std::string::npos))
            fail(__FILE__, __LINE__, std::string(name) + " leaks a key: " + show(all));
        if (!starts_with(what, "X: [REDACTED] "))
            fail(__FILE__, __LINE__, std::string(name) + ": " + show(what));
        if (listen)
            CHECK_ERROR(e, Status::ErrApi, "X: [REDACTED] [REDACTED] (fields: [REDACTED])",
                        code("X"), 400, std::vector<std::string>{"[REDACTED]"});
    }
    CHECK_EQ(g_sim->stat("requests"), 5L);
}

void test_live_call_arguments_are_checked_before_sending() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    struct Case {
        const char* name;
        std::function<void()> call;
        std::string message;
    };
    const std::string nul("a\0b", 3);
    const std::vector<Case> cases = {
        {"transfer: empty call_uuid",
         [&] { client.transfer_call("", DestinationType::SipUser, "agent-7"); },
         "call_uuid is empty"},
        {"transfer: destination type 7",
         [&] { client.transfer_call(g_connected, static_cast<DestinationType>(7), "agent-7"); },
         "destination_type 7 is not TENIOS_DESTINATION_EXTERNALNUMBER (1), "
         "TENIOS_DESTINATION_SIP_USER (2) or TENIOS_DESTINATION_SIP_TRUNK (3)"},
        {"transfer: not E.164",
         [&] { client.transfer_call(g_connected, DestinationType::ExternalNumber, "0221"); },
         "destination \"0221\" is not an E.164 number (a + and 2 to 15 digits, e.g. "
         "+492215540030)"},
        {"transfer: empty destination",
         [&] { client.transfer_call(g_connected, DestinationType::SipTrunk, ""); },
         "destination is empty"},
        {"transfer: NUL in destination",
         [&] { client.transfer_call(g_connected, DestinationType::SipUser, nul); },
         "destination contains a control character"},
        {"refer: not a SIP URI", [&] { client.refer_call(g_connected, "x"); },
         "sip_uri \"x\" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)"},
        {"refer: empty", [&] { client.refer_call(g_connected, ""); }, "sip_uri is empty"},
        {"refer: NUL", [&] { client.refer_call(g_connected, "sip:" + nul); },
         "sip_uri contains a control character"},
        {"record_start: empty call_uuid", [&] { (void)client.record_start(""); },
         "call_uuid is empty"},
        {"record_start: NUL in call_uuid", [&] { (void)client.record_start(g_connected + nul); },
         "call_uuid contains a control character"},
        {"record_stop: empty recording", [&] { client.record_stop(g_connected, ""); },
         "recording_uuid is empty"},
        {"record_stop: long recording",
         [&] { client.record_stop(g_connected, std::string(1025, 'r')); },
         "recording_uuid is longer than 1024 bytes"},
        {"listen_in: empty supervisor key",
         [&] { client.listen_in_start(g_connected, "", kSupervisorAt); },
         "supervisor_key is empty"},
        {"listen_in: NUL in supervisor key",
         [&] { client.listen_in_start(g_connected, g_supervisor_key + nul, kSupervisorAt); },
         "supervisor_key contains a control character"},
        {"listen_in: control char in supervisor key",
         [&] { client.listen_in_start(g_connected, g_supervisor_key + "\x01", kSupervisorAt); },
         "supervisor_key contains a control character"},
        {"listen_in: empty destination",
         [&] { client.listen_in_start(g_connected, g_supervisor_key, ""); },
         "supervisor_destination is empty"},
    };
    for (const Case& c : cases) {
        const auto e = CATCH_ERROR(c.call());
        if (!e || e->status() != Status::ErrInvalidArgument || e->what() != c.message ||
            e->api_code() || e->http_status() != 0)
            fail(__FILE__, __LINE__,
                 std::string(c.name) + ": " + (e ? show(e->status()) + " " + show(e->what())
                                                 : std::string("nothing thrown")) +
                     ", expected " + show(c.message));
    }
    CHECK_EQ(g_sim->stat("requests"), 0L);
    CHECK_EQ(g_sim->stat("connections"), 0L);
    // Fails closed: the same client's valid call is counted.
    client.interrupt_block(g_call);
    CHECK_EQ(g_sim->stat("requests"), 1L);
}

void test_live_calls_shutdown_and_moved_from() {
    g_sim->reset();
    g_sim->fault(R"({"status":200,"body":"{\"recording_uuid\":\"r-1\"}","delay_ms":8000})");
    tenios::Client client(g_key, sim_options());
    std::optional<tenios::Error> in_flight;
    std::thread caller([&] { in_flight = CATCH_ERROR((void)client.record_start(g_connected)); });
    for (int i = 0; i < 500 && g_sim->stat("requests") < 1; i++)
        std::this_thread::sleep_for(10ms);
    client.shutdown();
    caller.join();
    CHECK_ERROR(in_flight, Status::ErrShutdown,
                "the client was shut down during the call; the request may or may not have "
                "reached the API",
                kNoCode, 0, kNoFields);
    for (const auto& [name, call] : every_method(g_connected)) {
        const auto e = CATCH_ERROR(call(client));
        if (!e || e->status() != Status::ErrShutdown)
            fail(__FILE__, __LINE__, std::string(name) + " after shutdown()");
    }
    const tenios::Client taken(std::move(client));
    for (const auto& [name, call] : every_method(g_connected)) {
        const auto e = CATCH_ERROR(call(client));  // NOLINT(bugprone-use-after-move)
        if (!e || e->status() != Status::ErrInvalidArgument ||
            std::string(e->what()) != "client is NULL")
            fail(__FILE__, __LINE__, std::string(name) + " on a moved-from client");
    }
    CHECK_EQ(g_sim->stat("requests"), 1L);
}

}  // namespace

// ------------------------------------------------ logging, timings, pre-connect

// A log function's view of the lines: thread-safe, with the numbers that change
// from run to run (port, times, sizes) replaced.
struct Lines {
    std::mutex mutex;
    std::vector<std::string> lines;

    tenios::LogFunction function() {
        return [this](tenios::LogLevel level, std::string_view line) {
            static const std::regex port("127\\.0\\.0\\.1:[0-9]+");
            static const std::regex ms("[0-9]+\\.[0-9]+ ms");
            static const std::regex bytes("\\([0-9]+ bytes\\)");
            std::string text(line);
            text = std::regex_replace(text, port, "127.0.0.1:PORT");
            text = std::regex_replace(text, ms, "N ms");
            text = std::regex_replace(text, bytes, "(N bytes)");
            const std::lock_guard<std::mutex> lock(mutex);
            lines.push_back(std::string(tenios::log_level_name(level)) + " " + text);
        };
    }
    std::vector<std::string> take() {
        const std::lock_guard<std::mutex> lock(mutex);
        return std::exchange(lines, {});
    }
};

const std::vector<std::string> kSuccessCold = {
    "DEBUG connecting to 127.0.0.1:PORT",
    "INFO connected to 127.0.0.1:PORT in N ms",
    "INFO POST /interrupt-ecc-block sent (N bytes)",
    "INFO HTTP 200 after N ms (N bytes)",
};
const std::string kNotFoundLine = "ERROR TENIOS_ERR_CALL_UUID_NOT_FOUND: " + kNotFound;
const std::vector<std::string> kNotFoundWarm = {
    "INFO reusing a pooled connection",
    "INFO POST /interrupt-ecc-block sent (N bytes)",
    "INFO HTTP 400 after N ms (N bytes)",
    kNotFoundLine,
};

tenios::ClientOptions logging_options(Lines& lines, tenios::LogLevel level) {
    tenios::ClientOptions o = sim_options();
    o.log = lines.function();
    o.log_level = level;
    return o;
}

bool adds_up(const tenios::CallTimings& t) {
    return t.resolve + t.connect + t.tls <= t.first_byte && t.first_byte <= t.total;
}

void test_log_lines_in_order() {
    g_sim->reset();
    Lines lines;
    const tenios::Client client(g_key, logging_options(lines, tenios::LogLevel::Debug));
    client.interrupt_block(g_call);
    CHECK_EQ(lines.take(), kSuccessCold);  // all delivered before the call returned
    CATCH_ERROR(client.interrupt_block(kUnknownCall));
    CHECK_EQ(lines.take(), kNotFoundWarm);
    CHECK_EQ(client.log_exceptions(), std::uint64_t{0});

    // Pre-connect logs too, and the call then uses that connection.
    const tenios::Client other(g_key, logging_options(lines, tenios::LogLevel::Info));
    other.preconnect();
    other.interrupt_block(g_call);
    CHECK_EQ(lines.take(), (std::vector<std::string>{
                               "INFO connected to 127.0.0.1:PORT in N ms",
                               "INFO pre-connected to 127.0.0.1:PORT",
                               "INFO using the connection pre-connected N ms ago",
                               "INFO reusing a pooled connection",
                               "INFO POST /interrupt-ecc-block sent (N bytes)",
                               "INFO HTTP 200 after N ms (N bytes)",
                           }));
}

void test_log_levels() {
    g_sim->reset();
    Lines lines;
    {
        const tenios::Client client(g_key, logging_options(lines, tenios::LogLevel::Error));
        client.interrupt_block(g_call);
        CHECK_EQ(lines.take(), std::vector<std::string>{});
        CATCH_ERROR(client.interrupt_block(kUnknownCall));
        CHECK_EQ(lines.take(), std::vector<std::string>{kNotFoundLine});
    }
    {
        const tenios::Client client(g_key, logging_options(lines, tenios::LogLevel::Info));
        client.interrupt_block(g_call);
        CHECK_EQ(lines.take(), std::vector<std::string>(kSuccessCold.begin() + 1,
                                                        kSuccessCold.end()));
    }
    {
        tenios::ClientOptions o = sim_options();  // the default level: Info
        o.log = lines.function();
        const tenios::Client client(g_key, o);
        client.interrupt_block(g_call);
        CHECK_EQ(lines.take().size(), kSuccessCold.size() - 1);
    }
    // A level that is not one: the library's message, when the Client is built.
    tenios::ClientOptions bad = logging_options(lines, static_cast<tenios::LogLevel>(9));
    CHECK_ERROR(CATCH_ERROR(tenios::Client(g_key, bad)), Status::ErrInvalidArgument,
                "max_level 9 is not TENIOS_LOG_ERROR (1), TENIOS_LOG_WARN (2), TENIOS_LOG_INFO "
                "(3) or TENIOS_LOG_DEBUG (4)",
                kNoCode, 0, kNoFields);
    // A level without a log function is ignored (no callback is set).
    tenios::ClientOptions no_log = sim_options();
    no_log.log_level = static_cast<tenios::LogLevel>(9);
    tenios::Client(g_key, no_log).interrupt_block(g_call);
}

void test_log_never_holds_a_key() {
    g_sim->reset();
    Lines lines;
    const tenios::Client client(g_key, logging_options(lines, tenios::LogLevel::Debug));
    client.interrupt_block(g_call);
    CATCH_ERROR(client.interrupt_block(kUnknownCall));
    client.listen_in_start(g_connected, g_supervisor_key, kSupervisorAt);
    CATCH_ERROR(client.listen_in_start(g_connected, g_supervisor_key, g_blacklisted));
    const tenios::Client wrong("not-the-key-123", logging_options(lines, tenios::LogLevel::Debug));
    CATCH_ERROR(wrong.interrupt_block(g_call));
    const std::vector<std::string> all = lines.take();
    CHECK(all.size() > 12);
    for (const std::string& line : all) {
        if (line.find(g_key) != std::string::npos ||
            line.find(g_supervisor_key) != std::string::npos ||
            line.find("not-the-key-123") != std::string::npos ||
            line.find("\"call_uuid\"") != std::string::npos)
            fail(__FILE__, __LINE__, "a key or a body in " + show(line));
    }
}

void test_log_exceptions_are_swallowed() {
    g_sim->reset();
    int lines = 0;
    tenios::ClientOptions o = sim_options();
    o.log_level = tenios::LogLevel::Debug;
    o.log = [&lines](tenios::LogLevel, std::string_view line) {
        ++lines;
        if (starts_with(line, "connecting")) throw std::runtime_error("log function broke");
        if (starts_with(line, "HTTP")) throw 42;  // not even a std::exception
    };
    const tenios::Client client(g_key, o);
    client.interrupt_block(g_call);  // returns normally: the exceptions stayed in the trampoline
    CHECK_EQ(lines, 4);              // and every line was still delivered
    CHECK_EQ(client.log_exceptions(), std::uint64_t{2});
    const auto e = CATCH_ERROR(client.interrupt_block(kUnknownCall));
    CHECK_ERROR(e, Status::ErrCallUuidNotFound,
                kNotFound,
                std::optional<std::string>("CALL_UUID_NOT_FOUND"), 400,
                std::vector<std::string>{"call_uuid"});
    CHECK_EQ(client.log_exceptions(), std::uint64_t{3});
    CHECK_EQ(g_sim->get("/_sim/interrupts"), "[\"" + g_call + "\"]");
}

void test_log_function_moves_with_the_client() {
    g_sim->reset();
    Lines first, second;
    tenios::Client a(g_key, logging_options(first, tenios::LogLevel::Error));
    tenios::Client b(std::move(a));  // the log function moves along
    CATCH_ERROR(b.interrupt_block(kUnknownCall));
    CHECK_EQ(first.take(), std::vector<std::string>{kNotFoundLine});
    tenios::Client c(g_key, logging_options(second, tenios::LogLevel::Error));
    c = std::move(b);  // c's old client and log function are freed; c now logs to `first`
    CATCH_ERROR(c.interrupt_block(kUnknownCall));
    CHECK_EQ(first.take(), std::vector<std::string>{kNotFoundLine});
    CHECK_EQ(second.take(), std::vector<std::string>{});
    std::vector<tenios::Client> clients;
    clients.push_back(std::move(c));
    clients.reserve(8);  // moved again
    CATCH_ERROR(clients[0].interrupt_block(kUnknownCall));
    CHECK_EQ(first.take(), std::vector<std::string>{kNotFoundLine});
    CHECK_EQ(a.log_exceptions(), std::uint64_t{0});  // moved-from: no log function
}

void test_log_function_may_call_the_client_again() {
    g_sim->reset();
    Lines lines;
    const tenios::Client* self = nullptr;
    std::atomic<int> nested{0};
    tenios::ClientOptions o = sim_options();
    o.log_level = tenios::LogLevel::Info;
    auto record = lines.function();
    o.log = [&](tenios::LogLevel level, std::string_view line) {
        record(level, line);
        if (level == tenios::LogLevel::Error && nested++ == 0) self->interrupt_block(g_call);
    };
    const tenios::Client client(g_key, o);
    self = &client;
    client.interrupt_block(g_call);
    lines.take();
    std::thread outer([&] { CATCH_ERROR(client.interrupt_block(kUnknownCall)); });
    outer.join();  // a deadlock would hang here (run.sh's caller times out)
    std::vector<std::string> want = kNotFoundWarm;
    want.insert(want.end(), {"INFO reusing a pooled connection",
                             "INFO POST /interrupt-ecc-block sent (N bytes)",
                             "INFO HTTP 200 after N ms (N bytes)"});
    CHECK_EQ(lines.take(), want);
    CHECK_EQ(nested.load(), 1);
    CHECK_EQ(g_sim->get("/_sim/interrupts"), "[\"" + g_call + "\",\"" + g_call + "\"]");
}

void test_log_from_many_threads() {
    g_sim->reset();
    std::mutex mutex;
    std::vector<std::pair<std::thread::id, std::string>> seen;
    tenios::ClientOptions o = sim_options();
    o.log_level = tenios::LogLevel::Info;
    o.log = [&](tenios::LogLevel, std::string_view line) {
        const std::lock_guard<std::mutex> lock(mutex);
        seen.emplace_back(std::this_thread::get_id(), std::string(line));
    };
    const tenios::Client client(g_key, o);
    constexpr int kThreads = 4, kCalls = 20;
    std::vector<std::thread::id> ids(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ids[t] = std::this_thread::get_id();
            for (int i = 0; i < kCalls; ++i) client.interrupt_block(g_call);
        });
    }
    for (std::thread& th : threads) th.join();
    // Every line arrived on the thread whose call made it, each call's request
    // line before its response line.
    for (const std::thread::id id : ids) {
        int sent = 0, answered = 0;
        for (const auto& [thread, line] : seen) {
            if (thread != id) continue;
            if (starts_with(line, "POST ")) ++sent;
            if (starts_with(line, "HTTP 200")) {
                ++answered;
                if (answered > sent) fail(__FILE__, __LINE__, "a response before its request");
            }
        }
        CHECK_EQ(sent, kCalls);
        CHECK_EQ(answered, kCalls);
    }
}

void test_call_timings() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    client.interrupt_block(g_call);
    const tenios::CallTimings cold = tenios::last_call_timings();
    CHECK(!cold.connection_reused);
    CHECK(cold.connect > 0us);
    CHECK_EQ(cold.resolve.count(), 0L);  // an IP address: no lookup
    CHECK_EQ(cold.tls.count(), 0L);      // plain http
    CHECK(adds_up(cold));
    CHECK(cold.total > 0us);

    client.interrupt_block(g_call);
    const tenios::CallTimings warm = tenios::last_call_timings();
    CHECK(warm.connection_reused);
    CHECK(warm.resolve == 0us && warm.connect == 0us && warm.tls == 0us);
    CHECK(warm.first_byte > 0us && adds_up(warm));

    const auto e = CATCH_ERROR(client.interrupt_block(kUnknownCall));
    CHECK(e && e->timings().has_value());
    if (e && e->timings()) {
        CHECK(e->timings()->connection_reused && e->timings()->first_byte > 0us);
        CHECK(adds_up(*e->timings()));
        CHECK(tenios::last_call_timings().total == e->timings()->total);
    }
    // A slow answer shows in first_byte.
    g_sim->fault(R"({"status":200,"headers":[["Content-Type","application/json"]],)"
                 R"("body":"{\"success\": true}","delay_ms":300})");
    client.interrupt_block(g_call);
    const tenios::CallTimings slow = tenios::last_call_timings();
    CHECK(slow.first_byte >= 300ms && slow.first_byte < 2s && adds_up(slow));

    // Per thread: another thread's call does not change this thread's.
    std::thread([&] { client.interrupt_block(g_call); }).join();
    CHECK(tenios::last_call_timings().first_byte == slow.first_byte);

    // No timings for errors that are not a Client's call.
    tenios::ClientOptions bad = sim_options();
    bad.timeout = 0ms;
    const auto option_error = CATCH_ERROR(tenios::Client(g_key, bad));
    CHECK(option_error && !option_error->timings());
    const auto argument_error = CATCH_ERROR(client.interrupt_block(std::string_view("a\0b", 3)));
    CHECK(argument_error && !argument_error->timings());
    const auto free_error = CATCH_ERROR(tenios::interrupt_block(g_key, kUnknownCall));
    CHECK(free_error && !free_error->timings());
}

void test_preconnect() {
    g_sim->reset();
    const tenios::Client client(g_key, sim_options());
    client.preconnect();
    CHECK_EQ(g_sim->stat("requests"), 0L);
    client.interrupt_block(g_call);
    CHECK(tenios::last_call_timings().connection_reused);
    CHECK_EQ(g_sim->stat("connections"), 1L);
    CHECK_EQ(g_sim->stat("requests"), 1L);

    tenios::ClientOptions proxied = sim_options();
    proxied.proxy = "http://127.0.0.1:9";
    CHECK_ERROR(CATCH_ERROR(tenios::Client(g_key, proxied).preconnect()),
                Status::ErrInvalidArgument, "pre-connect does not work through a proxy", kNoCode,
                0, kNoFields);
    tenios::Client moved(g_key, sim_options());
    const tenios::Client into(std::move(moved));
    CHECK_ERROR(CATCH_ERROR(moved.preconnect()), Status::ErrInvalidArgument, "client is NULL",
                kNoCode, 0, kNoFields);
}

void test_idle_timeout() {
    g_sim->reset();
    tenios::ClientOptions o = sim_options();
    o.idle_timeout = 100ms;
    const tenios::Client client(g_key, o);
    client.interrupt_block(g_call);
    std::this_thread::sleep_for(300ms);
    client.interrupt_block(g_call);
    CHECK(!tenios::last_call_timings().connection_reused);
    CHECK_EQ(g_sim->stat("connections"), 2L);
    o.idle_timeout = 0ms;
    CHECK_ERROR(CATCH_ERROR(tenios::Client(g_key, o)), Status::ErrInvalidArgument,
                "idle timeout must be 1 to 600000 ms, not 0", kNoCode, 0, kNoFields);
    o.idle_timeout = -5ms;
    CHECK_ERROR(CATCH_ERROR(tenios::Client(g_key, o)), Status::ErrInvalidArgument,
                "idle timeout must be 1 to 600000 ms, not -5", kNoCode, 0, kNoFields);
}

int main() {
    g_url = require_env("TENIOS_API_URL");
    g_key = require_env("TENIOS_TEST_KEY");
    g_call = require_env("TENIOS_TEST_CALL");
    g_stuck = require_env("TENIOS_TEST_STUCK");
    g_connected = require_env("TENIOS_TEST_CONNECTED");
    g_supervisor_key = require_env("TENIOS_TEST_SUPERVISOR_KEY");
    g_blacklisted = require_env("TENIOS_TEST_BLACKLISTED");
    const auto colon = g_url.rfind(':');
    const int port = colon == std::string::npos ? 0 : std::atoi(g_url.c_str() + colon + 1);
    if (!starts_with(g_url, "http://127.0.0.1:") || port <= 0) {
        std::cerr << "TENIOS_API_URL must be http://127.0.0.1:PORT, not " << g_url << '\n';
        return 2;
    }
    g_sim.emplace(port);

    run_test("version() and status_name()", test_version_and_status_names);
    run_test("success: the call's block is interrupted", test_success);
    run_test("CALL_UUID_NOT_FOUND: status, api_code, http_status, fields, what()",
             test_call_not_found);
    run_test("stuck call: ErrApi with BLOCK_NOT_INTERRUPTIBLE", test_stuck_call);
    run_test("wrong key: ErrBadCredentials, key not in the message", test_bad_credentials);
    run_test("HTTP 503 text/html: ErrHttp, no api_code, http_status 503",
             test_http_error_503_html);
    run_test("closed loopback port: ErrNetwork, http_status 0", test_network_error_closed_port);
    run_test("bad options and keys throw ErrInvalidArgument when the client is built",
             test_bad_options_throw_when_building);
    run_test("valid values for every option; the proxy option reroutes requests",
             test_every_option_applied);
    run_test("invalid call_uuid (empty, control char, embedded NUL) is never sent",
             test_invalid_call_uuid_is_not_sent);
    run_test("timeout 300 ms against a 3 s delay: ErrTimeout in time", test_response_timeout);
    run_test("shutdown() cancels a call in flight; global_cleanup()/global_init()",
             test_shutdown);
    run_test("user_agent_product: User-Agent is libtenios/<version> myapp/1.0",
             test_user_agent_product);
    run_test("move construction and assignment; moved-from is empty and safe",
             test_move_semantics);
    run_test("8 threads x 200 calls share one const Client", test_threads_share_one_const_client);
    run_test("free function interrupt_block over the default client",
             test_free_function_default_client);
    run_test("Error is a std::exception value that outlives its client", test_error_is_a_value);
    run_test("DestinationType names are the API's", test_destination_types);
    run_test("transfer_call: the request bytes, the simulator's transfers, CALL_NOT_CONNECTED",
             test_transfer_call);
    run_test("refer_call: the request bytes and the simulator's refers", test_refer_call);
    run_test("contact center: request bytes, documented answers, AGENT_* statuses, the model",
             test_contact_center_methods);
    run_test("call_json: /verification/create and /cdrs/retrieve, path checks", test_call_json);
    run_test("record_start/record_stop: bytes, UUID, already running, not found, two parts",
             test_record_start_and_stop);
    run_test("record_stop takes {\"success\": \"true\"} and true; record_start needs a UUID",
             test_record_stop_accepts_both_success_bodies);
    run_test("listen_in_start: bytes, whisper, wrong supervisor key, blacklist, not connected",
             test_listen_in_start);
    run_test("every method: unknown call, wrong access key", test_every_method_unknown_call_and_wrong_key);
    run_test("every method: echoed access and supervisor keys are redacted",
             test_every_method_redacts_echoed_keys);
    run_test("live-call arguments are rejected before anything is sent",
             test_live_call_arguments_are_checked_before_sending);
    run_test("live calls: shutdown() cancels record_start; shut-down and moved-from clients",
             test_live_calls_shutdown_and_moved_from);
    run_test("log: lines in order for a success, an API error, pre-connect", test_log_lines_in_order);
    run_test("log: levels; a bad level is the library's error", test_log_levels);
    run_test("log: no key and no body in any line", test_log_never_holds_a_key);
    run_test("log: exceptions thrown by the log function are caught and counted",
             test_log_exceptions_are_swallowed);
    run_test("log: the function moves with the Client", test_log_function_moves_with_the_client);
    run_test("log: the function may call the client again (no deadlock)",
             test_log_function_may_call_the_client_again);
    run_test("log: 4 threads, each line on its own thread", test_log_from_many_threads);
    run_test("timings: cold, warm, on errors, slow answer, per thread; add up", test_call_timings);
    run_test("preconnect: one connection, one request; proxy and moved-from", test_preconnect);
    run_test("idle_timeout: 100 ms; out of range", test_idle_timeout);

    std::cout << g_passed << " passed, " << g_failed << " failed" << std::endl;
    return g_failed == 0 ? 0 : 1;
}
