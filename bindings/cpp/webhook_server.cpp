// tenios-webhook-server-cpp: the Call Control webhook of bindings/c/tenios-webhook-server.c in
// C++17 with tenios.hpp (tenios::WebhookRequest, tenios::Blocks), on a tiny single-threaded
// loopback HTTP/1.1 server (POSIX sockets, no other dependency).
//
//   TENIOS_WEBHOOK_KEY=my-access-key tenios-webhook-server-cpp [--port N]
//
// Request 0: an ANNOUNCEMENT ($TENIOS_WEBHOOK_ANNOUNCEMENT, default "WaitingMusic"), the
// caller's waiting loop until a program interrupts it; any later request: a SEQUENTIAL BRIDGE
// to the SIP user $TENIOS_WEBHOOK_AGENT (default "1001", 30 s); VALIDATION_ERRORS: an empty
// answer; a body libtenios rejects: 400; a wrong accessKey (constant-time check): 403. It
// prints "listening on http://127.0.0.1:PORT" once bound and one line per request on stderr.
// Every response closes its connection. tests/webhook/e2e.sh drives it with tenios-sim.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include <tenios.hpp>

namespace {

constexpr std::size_t kMaxBody = 1024 * 1024;

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

void respond(int fd, int status, std::string_view body) {
    const char* reason = status == 200 ? "OK" : status == 403 ? "Forbidden" : "Bad Request";
    const std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                 std::string(body);
    std::size_t sent = 0;
    while (sent < response.size()) {
        const ssize_t n = send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

// Reads one request; returns false when it is not a complete POST with a Content-Length.
bool read_request(int fd, std::string& body) {
    std::string data;
    char chunk[4096];
    std::size_t head_end = std::string::npos;
    std::size_t length = 0;
    while (true) {
        if (head_end == std::string::npos) {
            head_end = data.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                std::string head = data.substr(0, head_end);
                for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                const std::size_t at = head.find("\r\ncontent-length:");
                if (head.rfind("post ", 0) != 0 || at == std::string::npos) return false;
                length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
                if (length > kMaxBody) return false;
            }
        }
        if (head_end != std::string::npos && data.size() >= head_end + 4 + length) {
            body = data.substr(head_end + 4, length);
            return true;
        }
        const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || data.size() > kMaxBody + 16384) return false;
        data.append(chunk, static_cast<std::size_t>(n));
    }
}

// The answer to one webhook request: the HTTP status and the body.
std::pair<int, std::string> answer(const std::string& body, const std::string& key,
                                   const std::string& announcement, const std::string& agent) {
    try {
        const tenios::WebhookRequest request = tenios::WebhookRequest::parse(body);
        if (!request.access_key_matches(key)) return {403, R"({"error":"wrong accessKey"})"};
        std::cerr << "webhook: loopCount " << request.loop_count() << ", "
                  << request.request_status() << '\n';
        if (request.is_validation_errors()) return {200, std::string(tenios::Blocks::empty_answer())};
        tenios::Blocks blocks;
        if (request.loop_count() == 0) {
            blocks.add_announcement(false, announcement);
        } else {
            blocks.add_bridge(tenios::BridgeMode::Sequential, std::nullopt,
                              {{TENIOS_DESTINATION_SIP_USER, agent, 30}});
        }
        return {200, blocks.to_json()};
    } catch (const tenios::Error&) {
        return {400, std::string(R"({"error":"bad request"})")};
    }
}

}  // namespace

int main(int argc, char** argv) {
    const char* key = std::getenv("TENIOS_WEBHOOK_KEY");
    if (key == nullptr || *key == '\0') {
        std::cerr << "tenios-webhook-server-cpp: TENIOS_WEBHOOK_KEY is not set\n";
        return 2;
    }
    int port = 0;
    if (argc == 3 && std::string_view(argv[1]) == "--port") port = std::atoi(argv[2]);
    const std::string announcement = env_or("TENIOS_WEBHOOK_ANNOUNCEMENT", "WaitingMusic");
    const std::string agent = env_or("TENIOS_WEBHOOK_AGENT", "1001");

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    socklen_t size = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        listen(listener, 16) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        std::cerr << "tenios-webhook-server-cpp: cannot listen: " << std::strerror(errno) << '\n';
        return 1;
    }
    std::cout << "listening on http://127.0.0.1:" << ntohs(address.sin_port) << std::endl;
    while (true) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0) continue;
        std::string body;
        if (read_request(fd, body)) {
            const auto [status, reply] = answer(body, key, announcement, agent);
            respond(fd, status, reply);
        } else {
            respond(fd, 400, R"({"error":"expected a POST with a Content-Length"})");
        }
        close(fd);
    }
}
