// A C++ program that uses an installed libtenios through tenios.hpp, built by the CMake project
// beside it (find_package(tenios 1.0 CONFIG REQUIRED), tenios::tenios or tenios::tenios_static).
//
// Environment: TENIOS_API_URL (the simulator), TEST_KEY, TEST_CALL (interruptible),
// TEST_UNKNOWN (no such call), TEST_VERSION (Cargo.toml's). Prints one line per check and
// "N passed, M failed"; exits 0 only when nothing failed.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <tenios.hpp>

#if !TENIOS_AT_LEAST_VERSION(1, 0, 0)
#error "this program needs libtenios 1.0.0 or later"
#endif
#if TENIOS_AT_LEAST_VERSION(TENIOS_VERSION_MAJOR + 1, 0, 0)
#error "TENIOS_AT_LEAST_VERSION accepts a later major version"
#endif

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string &what) {
    std::cout << (ok ? "ok   " : "FAIL ") << what << '\n';
    (ok ? passed : failed)++;
}

std::string env(const char *name) {
    const char *value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        std::cerr << "consumer_cpp: " << name << " is not set\n";
        std::exit(2);
    }
    return value;
}

}  // namespace

int main() {
    const std::string key = env("TEST_KEY"), call = env("TEST_CALL");
    const std::string unknown = env("TEST_UNKNOWN");

    check(env("TEST_VERSION") == TENIOS_VERSION_STRING,
          "TENIOS_VERSION_STRING is the version in Cargo.toml");
    check(std::strcmp(tenios_version(), TENIOS_VERSION_STRING) == 0,
          "tenios_version() equals TENIOS_VERSION_STRING");
    static_assert(sizeof(tenios_status) == sizeof(std::uint32_t), "tenios_status is 32 bits");

    tenios::ClientOptions options;
    options.base_url = env("TENIOS_API_URL");
    options.timeout = std::chrono::milliseconds(5000);
    tenios::Client client(key, options);
    try {
        client.interrupt_block(call);
        check(true, "Client::interrupt_block(known call) returns");
    } catch (const tenios::Error &e) {
        check(false, std::string("Client::interrupt_block(known call) threw ") + e.what());
    }
    try {
        client.interrupt_block(unknown);
        check(false, "Client::interrupt_block(unknown call) throws");
    } catch (const tenios::Error &e) {
        check(e.status() == tenios::Status::ErrCallUuidNotFound &&
                  std::string(tenios::status_name(e.status())) == "TENIOS_ERR_CALL_UUID_NOT_FOUND",
              "Client::interrupt_block(unknown call) throws TENIOS_ERR_CALL_UUID_NOT_FOUND");
        check(e.api_code().value_or("-") == "CALL_UUID_NOT_FOUND" && e.http_status() == 400,
              "with api_code CALL_UUID_NOT_FOUND and HTTP 400");
    }

    // The free function uses the library's default client (TENIOS_API_URL).
    try {
        tenios::interrupt_block(key, unknown);
        check(false, "tenios::interrupt_block(unknown call) throws");
    } catch (const tenios::Error &e) {
        check(e.status() == tenios::Status::ErrCallUuidNotFound &&
                  std::string(e.what()) ==
                      "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live "
                      "call has the uuid " + unknown +
                          ": the call may have ended (the caller hung up or it was transferred "
                          "away), or the uuid is wrong",
              "tenios::interrupt_block(unknown call) throws TENIOS_ERR_CALL_UUID_NOT_FOUND");
    }

    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
