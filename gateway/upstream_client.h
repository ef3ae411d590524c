#pragma once
// HTTP/1.1 client for provider endpoints: keep-alive connection pools, TLS verified against the
// system CA store (plus an optional extra bundle), timeouts on every step, and streaming reads.
//
// One client per worker thread: each worker runs its own single-threaded io_context, so a pool
// is never shared between threads and needs no locks or strands.
#include "net.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace gh::gateway {

// Where a request goes: parsed once from an endpoint's base URL.
struct Origin {
    bool tls = true;
    std::string host;
    std::string port;
    std::string basePath; // path prefix of the base URL, without a trailing '/'
    std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

// nullopt when `url` is not an absolute http(s) URL with a host.
std::optional<Origin> parseOrigin(std::string_view url);

struct UpstreamOptions {
    std::chrono::seconds connect{10};
    std::chrono::seconds response{300}; // longest wait for the next bytes
    // Refuse to connect to link-local addresses (169.254/16 — the cloud metadata service —
    // and fe80::/10) unless allowed: the validator refuses such base URLs, and this catches a
    // host name that resolves there (DNS rebinding).
    bool allowLinkLocal = false;
};

// A TLS context that verifies peers against the system store and `extraCaFile` (if not empty).
std::shared_ptr<ssl::context> makeClientTlsContext(const std::string& extraCaFile);

class UpstreamConnection;

// One request/response on a pooled connection. Read the header, then the body in pieces.
class UpstreamExchange {
public:
    UpstreamExchange(class UpstreamClient& client, std::unique_ptr<UpstreamConnection> connection);
    ~UpstreamExchange();
    UpstreamExchange(const UpstreamExchange&) = delete;
    UpstreamExchange& operator=(const UpstreamExchange&) = delete;

    unsigned status() const;
    // The next piece of the body; empty with no error at the end. Valid until the next call.
    Task<std::pair<error_code, std::string_view>> readSome();
    // The whole remaining body, up to `limit` bytes.
    Task<std::pair<error_code, std::string>> readAll(std::size_t limit);

private:
    friend class UpstreamClient;
    Task<error_code> send(const http::request<http::string_body>& request);
    Task<error_code> readHeader();
    void newParser();

    UpstreamClient& client_;
    std::unique_ptr<UpstreamConnection> connection_;
    std::optional<http::response_parser<http::buffer_body>> parser_; // re-made after a 1xx answer
};

class UpstreamClient {
public:
    UpstreamClient(net::any_io_executor executor, std::shared_ptr<ssl::context> tls, UpstreamOptions options);
    ~UpstreamClient();

    // Sends `request` to `origin` and reads the response header. A pooled connection that turns
    // out to be closed by the server is replaced once, transparently.
    Task<std::pair<error_code, std::unique_ptr<UpstreamExchange>>> start(const Origin& origin,
                                                                         const http::request<http::string_body>& request);


private:
    friend class UpstreamExchange;
    Task<std::pair<error_code, std::unique_ptr<UpstreamConnection>>> connect(const Origin& origin);
    void release(std::unique_ptr<UpstreamConnection> connection);

    net::any_io_executor executor_;
    std::shared_ptr<ssl::context> tls_;
    UpstreamOptions options_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

} // namespace gh::gateway
