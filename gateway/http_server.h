#pragma once
// The gateway's HTTP/1.1 server: one single-threaded io_context per worker thread, each with
// its own acceptor on the same port (SO_REUSEPORT: the kernel spreads connections), its own
// upstream connection pool, and no locks on the request path.
#include "net.h"
#include "upstream_client.h"
#include "wire/common.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gh::gateway {

using Request = http::request<http::string_body>;

struct ServerLimits {
    std::uint64_t maxBodyBytes = 8 * 1024 * 1024;
    std::chrono::seconds headerTimeout{10}; // the whole request must arrive within this
    std::chrono::seconds idleTimeout{60};
    std::chrono::seconds drainTimeout{30};  // on stop, in-flight requests get this long
};

// What a handler uses to answer: a whole response, or a chunked stream (server-sent events).
class ResponseChannel {
public:
    ResponseChannel(beast::tcp_stream& stream, bool keepAlive) : stream_(stream), keepAlive_(keepAlive) {}

    Task<error_code> send(http::response<http::string_body> response);
    Task<error_code> beginStream(http::response<http::empty_body> header);
    Task<error_code> writeChunk(std::string_view data);
    Task<error_code> endStream();

    bool started() const { return started_; }
    bool failed() const { return failed_; } // the client went away
    std::uint64_t bytesSent() const { return bytesSent_; }
    bool keepAlive() const { return keepAlive_ && !failed_; }

private:
    beast::tcp_stream& stream_;
    bool keepAlive_;
    bool started_ = false;
    bool failed_ = false;
    std::uint64_t bytesSent_ = 0;
};

// Functions handed to a worker from other threads (the request log's writer), run on the
// worker's thread. They are run in batches: a batch of records committed together wakes the
// worker once, not once per record.
class WorkerInbox {
public:
    explicit WorkerInbox(net::io_context& io) : io_(io) {}
    void deliver(std::function<void()> fn);

private:
    void drain();
    net::io_context& io_;
    std::mutex mutex_;
    std::vector<std::function<void()>> pending_;
    bool scheduled_ = false;
};

struct Worker {
    int index = 0;
    net::io_context io{1};
    std::unique_ptr<UpstreamClient> upstream;
    WorkerInbox inbox{io};
};

using Handler = std::function<Task<void>(Worker&, Request&, ResponseChannel&)>;

class HttpServer {
public:
    HttpServer(int threads, ServerLimits limits, std::shared_ptr<ssl::context> upstreamTls, UpstreamOptions timeouts,
               Handler handler);
    ~HttpServer();

    // Binds every worker's acceptor; returns the bound port (useful with port 0).
    std::uint16_t listen(const std::string& host, std::uint16_t port);
    // Runs the workers until stop() has drained them. Blocks.
    void run();
    // Stops accepting, closes idle connections, lets in-flight requests finish (up to the drain
    // timeout), then returns from run(). Safe from any thread, and from a signal handler's task.
    void stop();

    int inFlight() const { return inFlight_.load(); }

private:
    struct Session;
    Task<void> accept(Worker& worker, std::shared_ptr<tcp::acceptor> acceptor);
    Task<void> serve(Worker& worker, std::shared_ptr<Session> session);
    Task<void> reject(beast::tcp_stream& stream, http::status status, std::string message, wire::Format format);

    ServerLimits limits_;
    Handler handler_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
    std::vector<std::set<std::shared_ptr<Session>>> sessions_; // per worker, touched only on its thread
    std::atomic<bool> stopping_{false};
    std::atomic<int> inFlight_{0};
};

} // namespace gh::gateway
