// tenios-interrupt-cpp: interrupt the block that is currently running in a
// live call, through the TENIOS Call Control Voice API, using the C++
// bindings of libtenios (bindings/cpp/tenios.hpp).
//
// Usage:
//     TENIOS_ACCESS_KEY=... tenios-interrupt-cpp CALL_UUID
//
// Environment:
//     TENIOS_ACCESS_KEY   the access key (required; kept off the command line,
//                         where `ps` would show it)
//     TENIOS_API_URL      base URL of the API (optional; default
//                         https://api.tenios.com; http:// only for loopback)
//     TENIOS_TIMEOUT_MS   time limit for the whole call in milliseconds
//                         (optional; default 10000)
//
// Exit status: 0 if the block was interrupted, 1 on any error.
//
// Build (from the libtenios checkout; `make cpp-example` does this):
//     g++ -std=c++17 -Wall -Wextra -Iinclude -Ibindings/cpp bindings/cpp/example.cpp
//         -Ltarget/release -ltenios -Wl,-rpath,$PWD/target/release -o tenios-interrupt-cpp
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "tenios.hpp"

namespace {

void usage() {
    std::cerr << "usage: tenios-interrupt-cpp CALL_UUID\n"
                 "Interrupts the block currently running in the call CALL_UUID.\n"
                 "The TENIOS access key is read from the environment variable "
                 "TENIOS_ACCESS_KEY;\n"
                 "TENIOS_API_URL (base URL) and TENIOS_TIMEOUT_MS (time limit) are "
                 "optional.\n";
}

// "a,b,c"
std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) {
            out += ',';
        }
        out += item;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        usage();
        return 1;
    }
    const std::string_view call_uuid = argv[1];

    const char* access_key = std::getenv("TENIOS_ACCESS_KEY");
    if (access_key == nullptr) {
        std::cerr << "tenios-interrupt-cpp: TENIOS_ACCESS_KEY is not set\n";
        usage();
        return 1;
    }

    // Options left unset keep the library's defaults. Unlike the C function
    // tenios_interrupt_block(), a tenios::Client never reads TENIOS_API_URL
    // by itself: the program decides where its key may go.
    tenios::ClientOptions options;
    if (const char* url = std::getenv("TENIOS_API_URL"); url != nullptr && *url != '\0') {
        options.base_url = url;
    }
    if (const char* ms = std::getenv("TENIOS_TIMEOUT_MS"); ms != nullptr && *ms != '\0') {
        const std::string_view text = ms;
        long long value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
            std::cerr << "tenios-interrupt-cpp: TENIOS_TIMEOUT_MS is not a whole number of "
                         "milliseconds: '"
                      << text << "'\n";
            return 1;
        }
        // The library checks the range (1 to 600000 ms).
        options.timeout = std::chrono::milliseconds(value);
    }
    options.user_agent_product = "tenios-interrupt-cpp";

    try {
        // In a long-running program, build one Client and share it: it keeps
        // a pool of keep-alive connections and may be used from any thread.
        const tenios::Client client(access_key, options);
        client.interrupt_block(call_uuid);
    } catch (const tenios::Error& e) {
        // e.what() never contains the access key.
        std::cerr << "tenios-interrupt-cpp: " << tenios::status_name(e.status()) << ": "
                  << e.what() << '\n'
                  << "api_code=" << e.api_code().value_or("")
                  << " http_status=" << e.http_status() << " fields=" << join(e.fields())
                  << '\n';
        return 1;
    } catch (const std::exception& e) {  // std::bad_alloc
        std::cerr << "tenios-interrupt-cpp: " << e.what() << '\n';
        return 1;
    }

    std::cout << "interrupted the current block of call " << call_uuid << '\n';
    return 0;
}
