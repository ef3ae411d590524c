#pragma once
// The admin API's listener: HTTPS only, separate from the data path (its own port, thread and
// limits), so a flood of agent traffic never locks administrators out and the reverse.
// Handlers are plain functions run on the listener's threads: admin calls touch SQLite and are
// rare, so a small pool beats coroutines all the way down.
#include "net.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace gh::gateway {

using AdminRequest = http::request<http::string_body>;
using AdminResponse = http::response<http::string_body>;
using AdminHandler = std::function<AdminResponse(const AdminRequest&, const std::string& remoteAddress)>;
// Called for requests the transport refuses itself (too large, too slow): status + message.
using AdminRefusal = std::function<AdminResponse(http::status, const std::string& message)>;

struct AdminServerLimits {
    std::uint64_t maxBodyBytes = 4 * 1024 * 1024;
    std::chrono::seconds handshakeTimeout{10};
    std::chrono::seconds requestTimeout{30}; // the whole request must arrive within this
    std::chrono::seconds idleTimeout{60};
    int maxConnections = 256;
    int threads = 2;
};

// A server TLS context from PEM files; throws std::runtime_error naming the file that failed.
std::shared_ptr<ssl::context> makeServerTlsContext(const std::string& certificateFile, const std::string& keyFile);

class AdminServer {
public:
    AdminServer(std::shared_ptr<ssl::context> tls, AdminServerLimits limits, AdminHandler handler, AdminRefusal refusal);
    ~AdminServer();

    std::uint16_t listen(const std::string& host, std::uint16_t port); // returns the bound port
    void start();                                                      // runs on its own threads
    void stop();                                                       // closes everything, joins

private:
    struct Connection;
    Task<void> accept();
    Task<void> serve(std::shared_ptr<Connection> connection);

    std::shared_ptr<ssl::context> tls_;
    AdminServerLimits limits_;
    AdminHandler handler_;
    AdminRefusal refusal_;
    net::io_context io_;
    tcp::acceptor acceptor_{io_};
    std::vector<std::thread> threads_;
    std::atomic<int> connections_{0};
    std::atomic<bool> stopped_{false};
};

} // namespace gh::gateway
