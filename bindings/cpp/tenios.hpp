// tenios.hpp: C++17 bindings for libtenios (the TENIOS Call Control Voice API).
//
// Header-only, over the C API in tenios.h. Compile with -I<libtenios>/include
// -I<libtenios>/bindings/cpp and link with -ltenios (-pthread is not needed by
// this header itself).
//
//     #include <tenios.hpp>
//
//     tenios::ClientOptions options;
//     options.timeout = std::chrono::seconds(3);
//     options.user_agent_product = "myapp/1.0";
//     const tenios::Client client(access_key, options);   // share it freely
//     try {
//         client.interrupt_block(call_uuid);
//         const std::string recording = client.record_start(call_uuid);
//         client.transfer_call(call_uuid, tenios::DestinationType::SipUser, "agent-7");
//         client.record_stop(call_uuid, recording);
//     } catch (const tenios::Error& e) {
//         if (e.status() == tenios::Status::ErrCallUuidNotFound) { /* call ended */ }
//         std::cerr << tenios::status_name(e.status()) << ": " << e.what() << '\n';
//     }
//
// Ownership: no C object ever escapes this header. Every tenios_error the
// library returns is copied into a tenios::Error and freed before the
// exception is thrown; builders live only inside the Client constructor;
// tenios::Client owns its tenios_client and frees it in its destructor.
//
// Errors: every failure of the library is a tenios::Error. The only other
// exception this header throws is std::bad_alloc (out of memory, including
// tenios_client_builder_new returning NULL).
//
// Logging and timings: ClientOptions::log receives the library's log lines
// (a std::function; exceptions it throws are caught and counted, never
// propagated into C); tenios::last_call_timings() and Error::timings() say
// where a call's time went; Client::preconnect() opens a connection ahead of
// a call.
//
// Threads: tenios::Client is safe to use from any number of threads at once
// through a const reference (interrupt_block and the other call methods are
// const, and the C client is thread-safe). As with any C++ object, it must not be destroyed, moved from
// or assigned to while other threads still use it.
#ifndef TENIOS_HPP
#define TENIOS_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenios.h"

namespace tenios {

// ------------------------------------------------------------------ Status

// The status of a libtenios call: the values of the C enum tenios_status,
// scoped and type-safe. The underlying type is fixed, so a status that a
// newer libtenios appends (the C API only ever appends codes) is still
// representable: compare against the names you know, and treat an unknown
// value like ErrInternal. status_name() gives "TENIOS_UNKNOWN" for it.
enum class Status : std::uint32_t {
    Ok = TENIOS_OK,
    ErrInvalidArgument = TENIOS_ERR_INVALID_ARGUMENT,
    ErrInvalidValue = TENIOS_ERR_INVALID_VALUE,
    ErrInvalidField = TENIOS_ERR_INVALID_FIELD,
    ErrInvalidJson = TENIOS_ERR_INVALID_JSON,
    ErrCallUuidNotFound = TENIOS_ERR_CALL_UUID_NOT_FOUND,
    ErrBadCredentials = TENIOS_ERR_BAD_CREDENTIALS,
    ErrApi = TENIOS_ERR_API,
    ErrHttp = TENIOS_ERR_HTTP,
    ErrTimeout = TENIOS_ERR_TIMEOUT,
    ErrNetwork = TENIOS_ERR_NETWORK,
    ErrProtocol = TENIOS_ERR_PROTOCOL,
    ErrInternal = TENIOS_ERR_INTERNAL,
    ErrShutdown = TENIOS_ERR_SHUTDOWN,
    ErrSupervisorDestinationBlacklisted = TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
    ErrAgentNotFound = TENIOS_ERR_AGENT_NOT_FOUND,
    ErrAgentNotInWrapUp = TENIOS_ERR_AGENT_NOT_IN_WRAP_UP,
};

// The last status this header names. A test checks that the library names no status after
// it (tests/cpp/test_client.cpp), so that a status added to tenios.h cannot be forgotten here.
constexpr Status kLastStatus = Status::ErrAgentNotInWrapUp;

// The numbers are ABI: pin them, so that a renumbering in tenios.h (which
// must never happen) fails to compile instead of misreporting errors.
static_assert(static_cast<std::uint32_t>(Status::Ok) == 0, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrInvalidArgument) == 1, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrInvalidValue) == 2, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrInvalidField) == 3, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrInvalidJson) == 4, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrCallUuidNotFound) == 5, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrBadCredentials) == 6, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrApi) == 7, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrHttp) == 8, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrTimeout) == 9, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrNetwork) == 10, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrProtocol) == 11, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrInternal) == 12, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrShutdown) == 13, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrSupervisorDestinationBlacklisted) == 14,
              "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrAgentNotFound) == 15, "tenios_status ABI");
static_assert(static_cast<std::uint32_t>(Status::ErrAgentNotInWrapUp) == 16, "tenios_status ABI");

// Where Client::transfer_call() sends a call: the values of the C enum
// tenios_destination_type (fixed numbers, new ones only appended).
enum class DestinationType : std::uint32_t {
    // A phone number in E.164 form, e.g. "+492215540030" (API name EXTERNALNUMBER).
    ExternalNumber = TENIOS_DESTINATION_EXTERNALNUMBER,
    // The user name of a SIP account (SIP_USER).
    SipUser = TENIOS_DESTINATION_SIP_USER,
    // The user name of a SIP trunk (SIP_TRUNK).
    SipTrunk = TENIOS_DESTINATION_SIP_TRUNK,
};

static_assert(static_cast<std::uint32_t>(DestinationType::ExternalNumber) == 1,
              "tenios_destination_type ABI");
static_assert(static_cast<std::uint32_t>(DestinationType::SipUser) == 2,
              "tenios_destination_type ABI");
static_assert(static_cast<std::uint32_t>(DestinationType::SipTrunk) == 3,
              "tenios_destination_type ABI");

// The API's name of a destination type ("EXTERNALNUMBER", "SIP_USER",
// "SIP_TRUNK"), or an empty view for a value that is not one. Static and
// NUL-terminated when not empty.
inline std::string_view destination_type_name(DestinationType type) noexcept {
    const char* name = tenios_destination_type_str(static_cast<std::uint32_t>(type));
    return name != nullptr ? std::string_view(name) : std::string_view();
}

// The name of a status as the C API spells it, e.g. "TENIOS_ERR_TIMEOUT", or
// "TENIOS_UNKNOWN" for any other number. The view refers to a static,
// NUL-terminated string (so .data() may be passed to C functions).
inline std::string_view status_name(std::uint32_t status) noexcept {
    return tenios_status_str(status);
}

inline std::string_view status_name(Status status) noexcept {
    return status_name(static_cast<std::uint32_t>(status));
}

// The version of the libtenios that was loaded at run time, e.g. "1.0.0";
// TENIOS_VERSION_STRING is the version of the header compiled against.
// Static and NUL-terminated, like status_name().
inline std::string_view version() noexcept { return tenios_version(); }

// ---------------------------------------------------------------- LogLevel

// How much a log line matters: the values of the C enum tenios_log_level. A
// log function receives every line up to ClientOptions::log_level.
enum class LogLevel : std::uint32_t {
    Error = TENIOS_LOG_ERROR,  // a call failed: its status and message
    Warn = TENIOS_LOG_WARN,    // worth an operator's attention without failing the call
    Info = TENIOS_LOG_INFO,    // connected, TLS established, reused, request sent, response
    Debug = TENIOS_LOG_DEBUG,  // name lookups and connection attempts
};

static_assert(static_cast<std::uint32_t>(LogLevel::Error) == 1, "tenios_log_level ABI");
static_assert(static_cast<std::uint32_t>(LogLevel::Warn) == 2, "tenios_log_level ABI");
static_assert(static_cast<std::uint32_t>(LogLevel::Info) == 3, "tenios_log_level ABI");
static_assert(static_cast<std::uint32_t>(LogLevel::Debug) == 4, "tenios_log_level ABI");

// "ERROR", "WARN", "INFO", "DEBUG"; "UNKNOWN" for any other value. Static.
inline std::string_view log_level_name(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::Error: return "ERROR";
        case LogLevel::Warn: return "WARN";
        case LogLevel::Info: return "INFO";
        case LogLevel::Debug: return "DEBUG";
    }
    return "UNKNOWN";
}

// A log function: the line's level and the line (UTF-8, without a newline;
// the view is valid only during the call: copy what you keep). Never holds
// the access key, the supervisor key or a request body.
using LogFunction = std::function<void(LogLevel, std::string_view)>;

// ------------------------------------------------------------- CallTimings

// Where one call's time went (tenios_call_timings), for
// tenios::last_call_timings() and Error::timings(). They add up:
// resolve + connect + tls <= first_byte <= total.
struct CallTimings {
    // The call used a pooled or pre-connected connection (then resolve,
    // connect and tls are 0).
    bool connection_reused = false;
    // The name lookup (0 for an IP address, a cached name, a reused connection).
    std::chrono::microseconds resolve{0};
    std::chrono::microseconds connect{0};  // the TCP connect
    std::chrono::microseconds tls{0};      // the TLS handshake
    // From the start of the call to the first byte of the response (0 when
    // none arrived).
    std::chrono::microseconds first_byte{0};
    std::chrono::microseconds total{0};  // the whole call
};

namespace detail {

inline CallTimings to_timings(const tenios_call_timings& raw) noexcept {
    CallTimings t;
    t.connection_reused = raw.connection_reused;
    t.resolve = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(raw.resolve_us));
    t.connect = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(raw.connect_us));
    t.tls = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(raw.tls_us));
    t.first_byte =
        std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(raw.first_byte_us));
    t.total = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(raw.total_us));
    return t;
}

inline tenios_call_timings empty_timings() noexcept {
    tenios_call_timings raw{};
    raw.struct_size = sizeof raw;  // the library fills no more than this
    return raw;
}

}  // namespace detail

// The timings of the last call this thread made (on any Client, or the
// default client): read it right after the call, on the same thread. A call
// made from inside a log function does not replace the outer call's.
inline CallTimings last_call_timings() noexcept {
    tenios_call_timings raw = detail::empty_timings();
    if (tenios_last_call_timings(&raw) != TENIOS_OK) {
        return CallTimings{};
    }
    return detail::to_timings(raw);
}

// ------------------------------------------------------------------- Error

// A failed libtenios call. what() is the library's message (the same text the
// C API gives, never containing the access key); the other accessors say
// what the library knows about the failure.
//
// Copying an Error never throws (the details are shared, immutable), as
// exception classes should.
class Error : public std::runtime_error {
public:
    Error(Status status, const std::string& message,
          std::optional<std::string> api_code = std::nullopt,
          std::uint16_t http_status = 0, std::vector<std::string> fields = {},
          std::optional<CallTimings> timings = std::nullopt)
        : std::runtime_error(message),
          details_(std::make_shared<const Details>(
              Details{status, std::move(api_code), http_status, std::move(fields), timings})) {}

    // Why the call failed; never Status::Ok.
    Status status() const noexcept { return details_->status; }

    // The API's error_code (e.g. "CALL_UUID_NOT_FOUND") when the API itself
    // reported the error; empty for every other kind of failure (bad
    // arguments, HTTP errors without an API body, timeouts, network errors),
    // and always empty for errors of the free function interrupt_block().
    const std::optional<std::string>& api_code() const noexcept {
        return details_->api_code;
    }

    // The HTTP status of the response, or 0 when no response arrived (bad
    // arguments, timeouts before a response, network errors) or when the
    // error came from the free function interrupt_block().
    std::uint16_t http_status() const noexcept { return details_->http_status; }

    // The request fields the API named as the cause (e.g. {"call_uuid"}), in
    // the API's order; empty when it named none.
    const std::vector<std::string>& fields() const noexcept { return details_->fields; }

    // Where the failed call's time went (tenios_error_timings), for errors
    // thrown by a Client's call methods: only that call's, all zero when the
    // library sent nothing (an argument it refused, a call after shutdown);
    // empty for every other error (bad options, arguments rejected by this
    // header, the free function interrupt_block(), whose C function returns
    // no error object).
    const std::optional<CallTimings>& timings() const noexcept { return details_->timings; }

private:
    struct Details {
        Status status;
        std::optional<std::string> api_code;
        std::uint16_t http_status;
        std::vector<std::string> fields;
        std::optional<CallTimings> timings;
    };
    std::shared_ptr<const Details> details_;
};

namespace detail {

struct ErrorDeleter {
    void operator()(tenios_error* e) const noexcept { tenios_error_free(e); }
};
using ErrorPtr = std::unique_ptr<tenios_error, ErrorDeleter>;

struct StringDeleter {
    void operator()(char* s) const noexcept { tenios_string_free(s); }
};
using StringPtr = std::unique_ptr<char, StringDeleter>;

struct BuilderDeleter {
    void operator()(tenios_client_builder* b) const noexcept { tenios_client_builder_free(b); }
};
using BuilderPtr = std::unique_ptr<tenios_client_builder, BuilderDeleter>;

struct ClientDeleter {
    void operator()(tenios_client* c) const noexcept { tenios_client_free(c); }
};
using ClientPtr = std::unique_ptr<tenios_client, ClientDeleter>;

// Throws the Error that describes a failed call; `raw` is the error object
// the call returned (owned from here on: it is freed before the throw, and
// also if copying its contents throws std::bad_alloc). With `api_call`, the
// error carries the call's timings.
[[noreturn]] inline void throw_error(tenios_status status, tenios_error* raw,
                                     bool api_call = false) {
    ErrorPtr owned(raw);
    const tenios_error* e = owned.get();
    if (e == nullptr) {
        // Breaks the C contract (an error status always comes with an error
        // object); report it rather than inventing details.
        throw Error(static_cast<Status>(status),
                    std::string("libtenios returned ") +
                        std::string(status_name(static_cast<int>(status))) +
                        " without an error object (please report this libtenios bug)");
    }
    const char* message = tenios_error_message(e);
    const char* api_code = tenios_error_api_code(e);
    std::vector<std::string> fields;
    const std::size_t count = tenios_error_field_count(e);
    fields.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const char* field = tenios_error_field(e, i);
        fields.emplace_back(field != nullptr ? field : "");
    }
    std::optional<CallTimings> timings;
    if (api_call) {
        tenios_call_timings t = empty_timings();
        if (tenios_error_timings(e, &t) == TENIOS_OK) {
            timings = to_timings(t);
        }
    }
    Error error(static_cast<Status>(status), message != nullptr ? message : "",
                api_code != nullptr ? std::optional<std::string>(api_code) : std::nullopt,
                tenios_error_http_status(e), std::move(fields), timings);
    owned.reset();  // nothing of the C object outlives the throw
    throw error;
}

inline void check(tenios_status status, tenios_error* raw, bool api_call = false) {
    if (status != TENIOS_OK) {
        throw_error(status, raw, api_call);
    }
    tenios_error_free(raw);  // NULL on success; freed anyway should that ever change
}

// Calls `f(&err)`, a C function that reports errors through a tenios_error**,
// and throws its error. The status is stored before `err` is read: passing
// both to one call as `check(c_function(..., &err), err)` would be a bug,
// since C++ leaves the order in which arguments are evaluated unspecified.
template <typename F>
void call_checked(F&& f) {
    tenios_error* err = nullptr;
    const tenios_status status = std::forward<F>(f)(&err);
    check(status, err);
}

// call_checked for a request to the API: its Error carries the call's timings.
template <typename F>
void call_api(F&& f) {
    tenios_error* err = nullptr;
    const tenios_status status = std::forward<F>(f)(&err);
    check(status, err, /*api_call=*/true);
}

// call_api for a C function that hands back an owned string through its
// second-to-last parameter (`char **`): the string, copied and freed.
// `function` names the C function in the (library bug) error of a TENIOS_OK
// without a string.
template <typename F>
std::string call_api_string(const char* function, F&& f) {
    StringPtr owned;
    call_api([&](tenios_error** err) {
        char* raw = nullptr;
        const tenios_status st = std::forward<F>(f)(&raw, err);
        owned.reset(raw);  // owned before anything can throw
        return st;
    });
    if (!owned) {
        throw Error(Status::ErrInternal, std::string("libtenios returned TENIOS_OK from ") +
                                             function +
                                             " without a string (please report this libtenios bug)");
    }
    return std::string(owned.get());
}

// An optional argument: NULL for std::nullopt (the API field is not sent).
inline std::optional<std::string> optional_c_string(std::optional<std::string_view> value,
                                                    const char* name);
inline const char* c_str_or_null(const std::optional<std::string>& value) noexcept {
    return value ? value->c_str() : nullptr;
}

// What a Client's C client calls back: the log function and a count of the
// exceptions it threw. On the heap, owned by the Client through a unique_ptr,
// so its address (the C user_data) stays the same when the Client is moved.
struct LogSink {
    explicit LogSink(LogFunction f) : function(std::move(f)) {}
    LogFunction function;
    std::atomic<std::uint64_t> exceptions{0};
};

extern "C" {
// The C callback (tenios_log_callback; C language linkage, as C calls it).
// Nothing may unwind out of it into the library: whatever the log function
// throws is caught here and counted, and noexcept turns anything that could
// still escape into std::terminate rather than undefined behaviour.
inline void tenios_hpp_log_line(void* user_data, std::uint32_t level,
                                const char* message) noexcept {
    auto* sink = static_cast<LogSink*>(user_data);
    try {
        sink->function(static_cast<LogLevel>(level),
                       message != nullptr ? std::string_view(message) : std::string_view());
    } catch (...) {
        sink->exceptions.fetch_add(1, std::memory_order_relaxed);
    }
}
}  // extern "C"

// A NUL-terminated copy of `value` for the C API. A std::string_view may hold
// a NUL byte, which C would silently treat as the end of the string (and so
// send a shorter key or call UUID than the caller gave): reject it like the
// library rejects every other control character, with the same wording.
inline std::string c_string(std::string_view value, const char* name) {
    if (value.find('\0') != std::string_view::npos) {
        throw Error(Status::ErrInvalidArgument,
                    std::string(name) + " contains a control character");
    }
    return std::string(value);
}

inline std::optional<std::string> optional_c_string(std::optional<std::string_view> value,
                                                    const char* name) {
    return value ? std::optional<std::string>(c_string(*value, name)) : std::nullopt;
}

// The C setters take uint32_t milliseconds; values that do not fit are
// rejected here in the library's words (the library's range check reports
// everything else, including 0 and values over its maximum).
inline std::uint32_t timeout_ms(std::chrono::milliseconds value, const char* what) {
    const auto count = value.count();
    if (count < 0 || static_cast<unsigned long long>(count) >
                         std::numeric_limits<std::uint32_t>::max()) {
        throw Error(Status::ErrInvalidArgument,
                    std::string(what) + " must be 1 to 600000 ms, not " +
                        std::to_string(count));
    }
    return static_cast<std::uint32_t>(count);
}

}  // namespace detail

// ----------------------------------------------------------- ClientOptions

// How a Client talks to the API. Every member left empty keeps the library's
// default; each one that is set maps to one tenios_client_builder_set_*
// setter, called when the Client is constructed (which throws tenios::Error,
// status ErrInvalidArgument, with the library's message if a value is
// unusable; e.g. "timeout must be 1 to 600000 ms, not 0").
struct ClientOptions {
    // Default https://api.tenios.com. http:// only for loopback hosts.
    // Unlike tenios_interrupt_block(), a Client never reads TENIOS_API_URL:
    // pass it here if you want it.
    std::optional<std::string> base_url;
    // Time to connect, TLS handshake included: 1 ms to 600 s (default 5 s).
    std::optional<std::chrono::milliseconds> connect_timeout;
    // Time for the whole call, body included: 1 ms to 600 s (default 10 s).
    std::optional<std::chrono::milliseconds> timeout;
    // A PEM file of extra CA certificates to trust; read when the Client is
    // constructed.
    std::optional<std::string> ca_file;
    // true: verify against the system's CA bundle instead of the bundled
    // Mozilla roots (default false).
    std::optional<bool> system_trust_store;
    // An HTTP proxy, "http://host:port" (default: none).
    std::optional<std::string> proxy;
    // true: honour HTTPS_PROXY and friends (default false: ignored, so that a
    // stray variable cannot reroute the access key).
    std::optional<bool> proxy_from_env;
    // Appended to the User-Agent: "libtenios/<version> <product>",
    // e.g. "myapp/1.0".
    std::optional<std::string> user_agent_product;
    // How long an idle pooled (or pre-connected) connection is reused: 1 ms
    // to 600 s (default 70 s).
    std::optional<std::chrono::milliseconds> idle_timeout;
    // Receives the library's log lines (empty: no logging, the default). It
    // is called on the thread that made the call, after the call's I/O and
    // before the call returns, one line at a time in order, with no libtenios
    // lock held; calls on several threads call it concurrently, so it must be
    // thread-safe. It may call libtenios, even this Client (that call logs
    // too: do not recurse without end), but must not destroy, move or assign
    // to the Client. An exception it throws is caught and counted
    // (Client::log_exceptions()): the call goes on as if it had returned, and
    // later lines are still delivered. The Client keeps a copy for as long as
    // its C client lives.
    LogFunction log;
    // The most detailed level `log` receives (default Info: one line per
    // notable step). Lines above it are never even formatted.
    LogLevel log_level = LogLevel::Info;
};

// ------------------------------------------------------------------ Client

// A connection pool and a set of options for one access key. Construct one
// and share it (by const reference) for the life of your program: sequential
// calls reuse a keep-alive connection, concurrent calls use one each.
//
// Movable, not copyable. A moved-from Client holds no C client: it may be
// destroyed or assigned to; calling interrupt_block() on it throws
// tenios::Error with ErrInvalidArgument and the library's message
// "client is NULL" (the C API's own NULL check), and valid() is false.
class Client {
public:
    // Builds a client. Throws tenios::Error (ErrInvalidArgument) if an
    // option or the access key is unusable; the access key is checked like
    // every argument (UTF-8, no control characters), must be 8 to 1024 bytes,
    // and is never part of a message (docs/redaction.md).
    explicit Client(std::string_view access_key, const ClientOptions& options = {})
        : log_(options.log ? std::make_unique<detail::LogSink>(options.log) : nullptr),
          client_(build(access_key, options, log_.get())) {}

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    // The log function moves with the C client (its address, which the C
    // client holds, does not change).
    Client(Client&&) noexcept = default;
    Client& operator=(Client&& other) noexcept {
        if (this != &other) {
            // The old C client first, while its log function still exists.
            client_ = std::move(other.client_);
            log_ = std::move(other.log_);
        }
        return *this;
    }
    // client_ is declared after log_, so the C client is freed before the log
    // function it calls.
    ~Client() = default;

    // Opens a connection to the API now (name lookup, TCP connect, TLS
    // handshake) and keeps it for the next call on this client, so that call
    // costs one round trip: for a program that knows a call may come soon (a
    // caller just entered the waiting loop). Sends no request. The connection
    // is kept for the idle timeout; at most 4 are kept. Throws tenios::Error
    // like a call (ErrNetwork, ErrTimeout; ErrInvalidArgument through a
    // proxy). Thread-safe.
    void preconnect() const {
        detail::call_checked([&](tenios_error** err) {
            return tenios_client_preconnect(client_.get(), err);
        });
    }

    // How many exceptions ClientOptions::log threw (each caught, so that it
    // never unwinds into the library). 0 for a Client without a log function.
    std::uint64_t log_exceptions() const noexcept {
        return log_ ? log_->exceptions.load(std::memory_order_relaxed) : 0;
    }

    // Interrupts the block currently running on the call (POST
    // /interrupt-ecc-block). Returns when the API confirmed it; throws
    // tenios::Error otherwise. The request is sent at most once: there is no
    // retry. Thread-safe.
    void interrupt_block(std::string_view call_uuid) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_interrupt_block(client_.get(), uuid.c_str(), err);
        });
    }

    // The methods below act on a live call like interrupt_block(): each
    // returns when the API confirmed it and throws tenios::Error otherwise
    // (arguments are checked before anything is sent: ErrInvalidArgument),
    // sends its request at most once, and is thread-safe. Their arguments are
    // the fields the API documents; if TENIOS adds one, a new overload or
    // method is added and these stay as they are.

    // Transfers the connected call (POST /transfer-call) to `destination`: an
    // E.164 number ("+492215540030") for DestinationType::ExternalNumber,
    // checked before sending; a SIP user or trunk name otherwise. TENIOS
    // transfers only a call already put through to a destination.
    void transfer_call(std::string_view call_uuid, DestinationType destination_type,
                       std::string_view destination) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        const std::string target = detail::c_string(destination, "destination");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_transfer_call(client_.get(), uuid.c_str(),
                                               static_cast<std::uint32_t>(destination_type),
                                               target.c_str(), err);
        });
    }

    // Sends the call a SIP REFER to `sip_uri` (POST /refer-call), e.g.
    // "sip:4044@192.0.2.10:5060;user=phone"; it must start with sip: or sips:.
    // Once accepted, the call leaves TENIOS.
    void refer_call(std::string_view call_uuid, std::string_view sip_uri) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        const std::string uri = detail::c_string(sip_uri, "sip_uri");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_refer_call(client_.get(), uuid.c_str(), uri.c_str(), err);
        });
    }

    // Starts recording the call (POST /record-call/start): the caller's
    // channel, the called party's, or both (the API's default). Returns the
    // new recording's UUID, for record_stop(). A call may be recorded in
    // several parts.
    std::string record_start(std::string_view call_uuid, bool record_caller = true,
                             bool record_callee = true) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        detail::StringPtr recording;
        detail::call_api([&](tenios_error** err) {
            char* raw = nullptr;
            const tenios_status st = tenios_client_record_start(
                client_.get(), uuid.c_str(), record_caller, record_callee, &raw, err);
            recording.reset(raw);  // owned before anything can throw
            return st;
        });
        if (!recording) {
            throw Error(Status::ErrInternal,
                        "libtenios returned TENIOS_OK from tenios_client_record_start without a "
                        "recording UUID (please report this libtenios bug)");
        }
        return std::string(recording.get());
    }

    // Stops the recording `recording_uuid` (from record_start()) of the call
    // (POST /record-call/stop; both are sent).
    void record_stop(std::string_view call_uuid, std::string_view recording_uuid) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        const std::string recording = detail::c_string(recording_uuid, "recording_uuid");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_record_stop(client_.get(), uuid.c_str(), recording.c_str(), err);
        });
    }

    // Lets a supervisor listen in on the call (POST /call/listen-in/start):
    // TENIOS calls the supervisor at `supervisor_destination` (a number such
    // as "+4922155400300" or a SIP address). With `whisper_to_agent`, the
    // supervisor and the agent can talk without the caller hearing. There is
    // no stop method: it ends when the supervisor hangs up.
    //
    // `supervisor_key` is a secret like the access key: never part of a
    // message, and not kept. A destination on the account's blacklist throws
    // Status::ErrSupervisorDestinationBlacklisted.
    void listen_in_start(std::string_view call_uuid, std::string_view supervisor_key,
                         std::string_view supervisor_destination,
                         bool whisper_to_agent = false) const {
        const std::string uuid = detail::c_string(call_uuid, "call_uuid");
        const std::string key = detail::c_string(supervisor_key, "supervisor_key");
        const std::string target =
            detail::c_string(supervisor_destination, "supervisor_destination");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_listen_in_start(client_.get(), uuid.c_str(), key.c_str(),
                                                 target.c_str(), whisper_to_agent, err);
        });
    }

    // The contact-center methods (docs/contact-center.md): like the methods
    // above, each returns what the API confirmed and throws tenios::Error
    // otherwise, sends its request at most once, and is thread-safe. An
    // optional argument left std::nullopt is not sent. Ids and states are
    // the API's text (an id the API answers as a number comes back in
    // decimal, e.g. "10").

    // Starts a click-to-call (POST /makecall/init): TENIOS calls
    // `destination_number` first, then puts it through to `tenios_number`,
    // whose routing plan runs (a Call Control block there gets the id as
    // variables.callback_id). `callstate_info_url` must be https://. Returns
    // the id, for makecall_status().
    std::string makecall_init(std::string_view destination_number, std::string_view tenios_number,
                              std::optional<std::string_view> caller_id = std::nullopt,
                              std::optional<std::string_view> callstate_info_url =
                                  std::nullopt) const {
        const std::string destination = detail::c_string(destination_number, "destination_number");
        const std::string number = detail::c_string(tenios_number, "tenios_number");
        const auto caller = detail::optional_c_string(caller_id, "caller_id");
        const auto url = detail::optional_c_string(callstate_info_url, "callstate_info_url");
        return detail::call_api_string("tenios_client_makecall_init", [&](char** out,
                                                                          tenios_error** err) {
            return tenios_client_makecall_init(client_.get(), destination.c_str(), number.c_str(),
                                               detail::c_str_or_null(caller),
                                               detail::c_str_or_null(url), out, err);
        });
    }

    // The state of the click-to-call `id` (POST /makecall/status), e.g.
    // "CONNECTED".
    std::string makecall_status(std::string_view id) const {
        const std::string i = detail::c_string(id, "id");
        return detail::call_api_string("tenios_client_makecall_status",
                                       [&](char** out, tenios_error** err) {
                                           return tenios_client_makecall_status(
                                               client_.get(), i.c_str(), out, err);
                                       });
    }

    // Starts a callback (POST /callback/init) with the portal's callback
    // configuration to `callback_number` after `delay_s` seconds; the agent
    // hears `agent_announcement` and presses `dtmf_key` to start the
    // customer's call. Returns the id, for callback_status().
    std::string callback_init(std::string_view callback_config_id,
                              std::string_view callback_number, std::uint32_t delay_s,
                              std::optional<std::string_view> agent_announcement = std::nullopt,
                              std::optional<std::string_view> dtmf_key = std::nullopt) const {
        const std::string config = detail::c_string(callback_config_id, "callback_config_id");
        const std::string number = detail::c_string(callback_number, "callback_number");
        const auto announcement =
            detail::optional_c_string(agent_announcement, "agent_announcement");
        const auto key = detail::optional_c_string(dtmf_key, "dtmf_key_to_trigger_customer_call");
        return detail::call_api_string("tenios_client_callback_init", [&](char** out,
                                                                          tenios_error** err) {
            return tenios_client_callback_init(client_.get(), config.c_str(), number.c_str(),
                                               delay_s, detail::c_str_or_null(announcement),
                                               detail::c_str_or_null(key), out, err);
        });
    }

    // The state of the callback `id` (POST /callback/status): REQUESTED,
    // ACCEPTED, CALLING_A, CALL_A_FAILED, CALLING_B, CALL_B_FAILED,
    // CONNECTED or DISCONNECTED.
    std::string callback_status(std::string_view id) const {
        const std::string i = detail::c_string(id, "id");
        return detail::call_api_string("tenios_client_callback_status",
                                       [&](char** out, tenios_error** err) {
                                           return tenios_client_callback_status(
                                               client_.get(), i.c_str(), out, err);
                                       });
    }

    // The ACD state of the agent `email` (POST /acd/agent-state/retrieve):
    // "READY" or "NOT_READY".
    std::string agent_state_retrieve(std::string_view email) const {
        const std::string e = detail::c_string(email, "email");
        return detail::call_api_string("tenios_client_agent_state_retrieve",
                                       [&](char** out, tenios_error** err) {
                                           return tenios_client_agent_state_retrieve(
                                               client_.get(), e.c_str(), out, err);
                                       });
    }

    // Sets the agent `email` "READY" or "NOT_READY" (POST
    // /acd/agent-state/change), with a Not-Ready Reason acronym (sent as
    // not_ready_reason) when given.
    void agent_state_change(std::string_view email, std::string_view state,
                            std::optional<std::string_view> not_ready_reason =
                                std::nullopt) const {
        const std::string e = detail::c_string(email, "email");
        const std::string s = detail::c_string(state, "state");
        const auto reason = detail::optional_c_string(not_ready_reason, "not_ready_reason");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_agent_state_change(client_.get(), e.c_str(), s.c_str(),
                                                    detail::c_str_or_null(reason), err);
        });
    }

    // Extends the wrap-up of the agent until `end_time`, a time with a time
    // zone such as "2020-01-01T09:00:00.000Z" (POST /wrap-up/extend). Returns
    // the wrap_up_end_time TENIOS answers. Throws Status::ErrAgentNotFound or
    // Status::ErrAgentNotInWrapUp for those API errors.
    std::string wrap_up_extend(std::string_view agent_email, std::string_view end_time) const {
        const std::string e = detail::c_string(agent_email, "agent_email");
        const std::string t = detail::c_string(end_time, "end_time");
        return detail::call_api_string("tenios_client_wrap_up_extend",
                                       [&](char** out, tenios_error** err) {
                                           return tenios_client_wrap_up_extend(
                                               client_.get(), e.c_str(), t.c_str(), out, err);
                                       });
    }

    // Ends the agent's wrap-up now (POST /wrap-up/cancel; known only from a
    // third-party client, not from TENIOS's pages).
    void wrap_up_cancel(std::string_view agent_email) const {
        const std::string e = detail::c_string(agent_email, "agent_email");
        detail::call_api([&](tenios_error** err) {
            return tenios_client_wrap_up_cancel(client_.get(), e.c_str(), err);
        });
    }

    // The generic call, for any API method without a function of its own:
    // POSTs `body_json` (a JSON object without access_key: the client's key
    // is put first) to `path` (e.g. "/cdrs/retrieve"; checked: one absolute
    // path of the API, no query, no "..") and returns the answer's JSON text.
    std::string call_json(std::string_view path, std::string_view body_json) const {
        const std::string p = detail::c_string(path, "path");
        const std::string b = detail::c_string(body_json, "body_json");
        return detail::call_api_string("tenios_client_call_json",
                                       [&](char** out, tenios_error** err) {
                                           return tenios_client_call_json(
                                               client_.get(), p.c_str(), b.c_str(), out, err);
                                       });
    }

    // Makes calls in flight on this client (in other threads) throw
    // ErrShutdown at once, and every later call too. Thread-safe; the Client
    // must still be destroyed after those calls have returned. No effect on a
    // moved-from Client.
    void shutdown() const noexcept { tenios_client_shutdown(client_.get()); }

    // false for a moved-from Client.
    bool valid() const noexcept { return client_ != nullptr; }

    // The C client, for calling C functions this header does not wrap. It
    // stays owned by this Client; NULL for a moved-from Client.
    const tenios_client* native_handle() const noexcept { return client_.get(); }

private:
    static detail::ClientPtr build(std::string_view access_key, const ClientOptions& options,
                                   detail::LogSink* log) {
        const std::string key = detail::c_string(access_key, "access_key");
        detail::BuilderPtr builder(tenios_client_builder_new());
        if (!builder) {
            throw std::bad_alloc();
        }
        tenios_client_builder* b = builder.get();
        using detail::call_checked;
        // The order of the setters does not matter: checks that involve two
        // options (a proxy for a plain-http base URL) run in tenios_client_build.
        if (options.base_url) {
            const std::string url = detail::c_string(*options.base_url, "base URL");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_base_url(b, url.c_str(), err);
            });
        }
        if (options.connect_timeout) {
            const std::uint32_t ms = detail::timeout_ms(*options.connect_timeout, "connect timeout");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_connect_timeout_ms(b, ms, err);
            });
        }
        if (options.timeout) {
            const std::uint32_t ms = detail::timeout_ms(*options.timeout, "timeout");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_timeout_ms(b, ms, err);
            });
        }
        if (options.ca_file) {
            const std::string path = detail::c_string(*options.ca_file, "CA file path");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_ca_file(b, path.c_str(), err);
            });
        }
        if (options.system_trust_store) {
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_system_trust_store(b, *options.system_trust_store,
                                                                    err);
            });
        }
        if (options.proxy) {
            const std::string proxy = detail::c_string(*options.proxy, "proxy URL");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_proxy(b, proxy.c_str(), err);
            });
        }
        if (options.proxy_from_env) {
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_proxy_from_env(b, *options.proxy_from_env, err);
            });
        }
        if (options.user_agent_product) {
            const std::string product =
                detail::c_string(*options.user_agent_product, "user agent product");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_user_agent_product(b, product.c_str(), err);
            });
        }
        if (options.idle_timeout) {
            const std::uint32_t ms = detail::timeout_ms(*options.idle_timeout, "idle timeout");
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_idle_timeout_ms(b, ms, err);
            });
        }
        if (log != nullptr) {
            call_checked([&](tenios_error** err) {
                return tenios_client_builder_set_log_callback(
                    b, detail::tenios_hpp_log_line, log,
                    static_cast<std::uint32_t>(options.log_level), err);
            });
        }
        detail::ClientPtr client;
        call_checked([&](tenios_error** err) {
            tenios_client* raw = nullptr;
            const tenios_status st = tenios_client_build(b, key.c_str(), &raw, err);
            client.reset(raw);  // owned before anything can throw
            return st;
        });
        if (!client) {
            throw Error(Status::ErrInternal,
                        "libtenios returned TENIOS_OK from tenios_client_build without a "
                        "client (please report this libtenios bug)");
        }
        return client;
    }

    // Declared before client_: constructed first (build() needs its address),
    // destroyed last.
    std::unique_ptr<detail::LogSink> log_;
    detail::ClientPtr client_;
};

// -------------------------------------------------------- interrupt_block

// tenios_interrupt_block(): the library's shared default client, with the
// default options and the base URL from TENIOS_API_URL (read when libtenios
// was loaded, or by global_init()). Throws tenios::Error; since that C function
// gives only a status and a message, api_code() is always empty,
// http_status() 0 and fields() empty. Prefer a Client where you need those.
inline void interrupt_block(std::string_view access_key, std::string_view call_uuid) {
    const std::string key = detail::c_string(access_key, "access_key");
    const std::string uuid = detail::c_string(call_uuid, "call_uuid");
    char* raw = nullptr;
    const tenios_status st = tenios_interrupt_block(key.c_str(), uuid.c_str(), &raw);
    detail::StringPtr message(raw);
    if (st != TENIOS_OK) {
        throw Error(static_cast<Status>(st),
                    message ? std::string(message.get())
                            : std::string("libtenios returned ") +
                                  std::string(status_name(static_cast<std::uint32_t>(st))) +
                                  " without a message (please report this libtenios bug)");
    }
}

// tenios_global_init(): reads TENIOS_API_URL and TENIOS_CA_FILE now and
// rebuilds the default client; throws tenios::Error (ErrInvalidArgument) when
// a variable is unusable. Call it after changing them, or after
// global_cleanup(), while no other thread changes the environment.
inline void global_init() {
    detail::call_checked([](tenios_error** err) { return tenios_global_init(err); });
}

// tenios_global_cleanup(): shuts the default client down (calls in flight
// throw ErrShutdown at once, later ones too until global_init()).
inline void global_cleanup() noexcept { tenios_global_cleanup(); }

// ============================================================ Call Control webhook
//
// The other half of interrupt_block: read the request TENIOS POSTs to your
// Call Control webhook and build the blocks you answer with (docs/webhook.md). Pure: no network. Both classes are RAII, movable, not
// copyable; failures throw tenios::Error (Status::ErrInvalidArgument).

// How a BRIDGE rings its destinations (tenios_bridge_mode).
enum class BridgeMode : std::uint32_t {
    Sequential = TENIOS_BRIDGE_SEQUENTIAL,  // one after another, each with its own timeout
    Parallel = TENIOS_BRIDGE_PARALLEL,      // all at once, under blockTimeout
};

// One destination of a BRIDGE. `type` is TENIOS_DESTINATION_EXTERNALNUMBER
// (an E.164 number), TENIOS_DESTINATION_SIP_USER or
// TENIOS_DESTINATION_SIP_TRUNK; `timeout_s` is SEQUENTIAL's per-destination
// timeout in seconds (std::nullopt: none).
struct BridgeDestination {
    tenios_destination_type type;
    std::string destination;
    std::optional<std::int32_t> timeout_s;
};

namespace detail {
struct WebhookRequestDeleter {
    void operator()(tenios_webhook_request* r) const noexcept { tenios_webhook_request_free(r); }
};
struct BlocksDeleter {
    void operator()(tenios_blocks* b) const noexcept { tenios_blocks_free(b); }
};
inline std::string_view view(const char* s) noexcept {
    return s != nullptr ? std::string_view(s) : std::string_view();
}
}  // namespace detail

// A parsed EXTERNAL_CALL_CONTROL request (tenios_webhook_request). Immutable:
// any number of threads may read one at once. The string_views it returns
// point into it and live as long as it does. The access key is never returned:
// check it with access_key_matches.
class WebhookRequest {
public:
    // Parses the body TENIOS POSTed; throws tenios::Error with the library's
    // message (e.g. "webhook request has no loopCount") for a body it rejects.
    static WebhookRequest parse(std::string_view body) {
        tenios_webhook_request* raw = nullptr;
        // A non-NULL pointer even for an empty body (the library wants one).
        const char* data = body.data() != nullptr ? body.data() : "";
        detail::call_checked([&](tenios_error** err) {
            return tenios_webhook_request_parse(reinterpret_cast<const std::uint8_t*>(data),
                                                body.size(), &raw, err);
        });
        return WebhookRequest(raw);
    }

    std::string_view request_type() const noexcept {
        return detail::view(tenios_webhook_request_request_type(get()));
    }
    // customerNumber as a decimal string, e.g. "200002".
    std::string_view customer_number() const noexcept {
        return detail::view(tenios_webhook_request_customer_number(get()));
    }
    std::optional<std::string_view> call_control_uuid() const noexcept {
        const char* s = tenios_webhook_request_call_control_uuid(get());
        return s != nullptr ? std::optional<std::string_view>(s) : std::nullopt;
    }
    std::uint32_t loop_count() const noexcept { return tenios_webhook_request_loop_count(get()); }
    // "REQUESTING_BLOCKS", "VALIDATION_ERRORS" or any other text as sent.
    std::string_view request_status() const noexcept {
        return detail::view(tenios_webhook_request_request_status(get()));
    }
    bool is_validation_errors() const noexcept {
        return request_status() == "VALIDATION_ERRORS";
    }
    // The variable `name`, or std::nullopt.
    std::optional<std::string_view> variable(std::string_view name) const {
        if (name.find('\0') != std::string_view::npos) {
            return std::nullopt;
        }
        const std::string n(name);
        const char* s = tenios_webhook_request_variable(get(), n.c_str());
        return s != nullptr ? std::optional<std::string_view>(s) : std::nullopt;
    }
    // The variables in the order of the body.
    std::vector<std::pair<std::string_view, std::string_view>> variables() const {
        std::vector<std::pair<std::string_view, std::string_view>> out;
        const std::size_t count = tenios_webhook_request_variable_count(get());
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            out.emplace_back(detail::view(tenios_webhook_request_variable_name(get(), i)),
                             detail::view(tenios_webhook_request_variable_value(get(), i)));
        }
        return out;
    }
    std::vector<std::string_view> validation_errors() const {
        std::vector<std::string_view> out;
        const std::size_t count = tenios_webhook_request_validation_error_count(get());
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            out.push_back(detail::view(tenios_webhook_request_validation_error(get(), i)));
        }
        return out;
    }
    // Constant-time comparison of the request's accessKey with `expected_key`
    // (done by the library); false for an empty or invalid key.
    bool access_key_matches(std::string_view expected_key) const {
        if (expected_key.find('\0') != std::string_view::npos) {
            return false;
        }
        const std::string key(expected_key);
        return tenios_webhook_request_access_key_matches(get(), key.c_str());
    }

    // The C object, for functions of tenios.h (still owned by this object).
    const tenios_webhook_request* get() const noexcept { return request_.get(); }

private:
    explicit WebhookRequest(tenios_webhook_request* raw) : request_(raw) {}
    std::unique_ptr<tenios_webhook_request, detail::WebhookRequestDeleter> request_;
};

// The answer to a webhook request (tenios_blocks). Each add_* checks its block
// in the library: a documented rule or a bad argument throws tenios::Error and
// adds nothing; a rule that only an example or client library states adds the
// block and a warning (warnings()). One thread at a time.
class Blocks {
public:
    Blocks() : blocks_(tenios_blocks_new()) {
        if (!blocks_) {
            throw std::bad_alloc();
        }
    }

    // The answer that hands the call back to the routing plan: {"blocks":[]}.
    static std::string_view empty_answer() noexcept {
        return detail::view(tenios_blocks_empty_answer());
    }

    // BRIDGE: forwards the call; `block_timeout_s` (seconds) is PARALLEL's.
    void add_bridge(BridgeMode mode, std::optional<std::int32_t> block_timeout_s,
                    const std::vector<BridgeDestination>& destinations) {
        // Every string is converted before the first C call, so that a C++
        // exception never leaves a BRIDGE open (a C error discards it itself).
        std::vector<std::string> names;
        names.reserve(destinations.size());
        for (const BridgeDestination& d : destinations) {
            names.push_back(detail::c_string(d.destination, "destination"));
        }
        tenios_blocks* b = blocks_.get();
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_bridge_begin(b, static_cast<std::uint32_t>(mode),
                                              block_timeout_s.value_or(-1), err);
        });
        for (std::size_t i = 0; i < destinations.size(); ++i) {
            const BridgeDestination& d = destinations[i];
            detail::call_checked([&](tenios_error** err) {
                return tenios_blocks_bridge_add_destination(
                    b, static_cast<std::uint32_t>(d.type), names[i].c_str(),
                    d.timeout_s.value_or(-1), err);
            });
        }
        detail::call_checked([&](tenios_error** err) { return tenios_blocks_bridge_end(b, err); });
    }
    void add_announcement(bool standard_announcement, std::string_view announcement_name) {
        const std::string name = detail::c_string(announcement_name, "announcement_name");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_announcement(blocks_.get(), standard_announcement,
                                                  name.c_str(), err);
        });
    }
    void add_say(std::string_view text, std::string_view voice_name, bool use_ssml) {
        const std::string t = detail::c_string(text, "text");
        const std::string v = detail::c_string(voice_name, "voice_name");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_say(blocks_.get(), t.c_str(), v.c_str(), use_ssml, err);
        });
    }
    void add_routing_plan(std::string_view routing_plan_name) {
        const std::string n = detail::c_string(routing_plan_name, "routing_plan_name");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_routing_plan(blocks_.get(), n.c_str(), err);
        });
    }
    void add_collect_digits(std::string_view announcement_name, bool standard_announcement,
                            std::string_view error_announcement_name,
                            bool standard_error_announcement, std::string_view variable_name,
                            std::uint32_t min_digits, std::uint32_t max_digits,
                            std::string_view terminator, std::uint32_t max_tries,
                            std::uint32_t timeout_s) {
        const std::string a = detail::c_string(announcement_name, "announcement_name");
        const std::string e = detail::c_string(error_announcement_name, "error_announcement_name");
        const std::string v = detail::c_string(variable_name, "variable_name");
        const std::string t = detail::c_string(terminator, "terminator");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_collect_digits(blocks_.get(), a.c_str(),
                                                    standard_announcement, e.c_str(),
                                                    standard_error_announcement, v.c_str(),
                                                    min_digits, max_digits, t.c_str(), max_tries,
                                                    timeout_s, err);
        });
    }
    void add_collect_speech(std::string_view announcement_name, bool standard_announcement,
                            std::string_view missing_input_announcement_name,
                            bool standard_missing_input_announcement, std::string_view language,
                            std::string_view variable_name, std::uint32_t max_tries) {
        const std::string a = detail::c_string(announcement_name, "announcement_name");
        const std::string m = detail::c_string(missing_input_announcement_name,
                                               "missing_input_announcement_name");
        const std::string l = detail::c_string(language, "language");
        const std::string v = detail::c_string(variable_name, "variable_name");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_collect_speech(blocks_.get(), a.c_str(),
                                                    standard_announcement, m.c_str(),
                                                    standard_missing_input_announcement,
                                                    l.c_str(), v.c_str(), max_tries, err);
        });
    }
    void add_hangup(std::string_view hangup_cause) {
        const std::string c = detail::c_string(hangup_cause, "hangup_cause");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_hangup(blocks_.get(), c.c_str(), err);
        });
    }
    void add_call_settings(std::string_view forward_ani) {
        const std::string a = detail::c_string(forward_ani, "forward_ani");
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_call_settings(blocks_.get(), a.c_str(), err);
        });
    }
    // REFER (its JSON is undocumented: always a warning).
    void add_refer(std::optional<std::string_view> destination = std::nullopt) {
        const std::optional<std::string> d =
            destination ? std::optional<std::string>(detail::c_string(*destination, "destination"))
                        : std::nullopt;
        detail::call_checked([&](tenios_error** err) {
            return tenios_blocks_add_refer(blocks_.get(), d ? d->c_str() : nullptr, err);
        });
    }

    // The answer's body, {"blocks":[...]}.
    std::string to_json() const {
        char* raw = nullptr;
        detail::call_checked(
            [&](tenios_error** err) { return tenios_blocks_to_json(blocks_.get(), &raw, err); });
        detail::StringPtr owned(raw);
        return std::string(owned.get() != nullptr ? owned.get() : "");
    }
    std::vector<std::string> warnings() const {
        std::vector<std::string> out;
        const std::size_t count = tenios_blocks_warning_count(blocks_.get());
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            out.emplace_back(detail::view(tenios_blocks_warning(blocks_.get(), i)));
        }
        return out;
    }
    // How many blocks were added.
    std::size_t size() const noexcept { return tenios_blocks_count(blocks_.get()); }

private:
    std::unique_ptr<tenios_blocks, detail::BlocksDeleter> blocks_;
};

}  // namespace tenios

#endif  // TENIOS_HPP
