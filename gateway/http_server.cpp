#include "http_server.h"

#include "log.h"
#include "wire/errors.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace gh::gateway {

namespace {
constexpr auto kWriteTimeout = std::chrono::seconds(60);
} // namespace

Task<error_code> ResponseChannel::send(http::response<http::string_body> response) {
    // A client that stops reading is cut off rather than holding its upstream and budget.
    stream_.expires_after(kWriteTimeout);
    response.keep_alive(keepAlive_);
    response.prepare_payload();
    started_ = true;
    auto [ec, n] = co_await http::async_write(stream_, response, use_nothrow);
    bytesSent_ += n;
    stream_.expires_never(); // the deadline covers this write only
    failed_ = failed_ || bool(ec);
    co_return ec;
}

Task<error_code> ResponseChannel::beginStream(http::response<http::empty_body> header) {
    // A client that stops reading is cut off rather than holding its upstream and budget.
    stream_.expires_after(kWriteTimeout);
    header.keep_alive(keepAlive_);
    header.chunked(true);
    started_ = true;
    http::response_serializer<http::empty_body> serializer(header);
    auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_nothrow);
    bytesSent_ += n;
    stream_.expires_never(); // the deadline covers this write only
    failed_ = failed_ || bool(ec);
    co_return ec;
}

Task<error_code> ResponseChannel::writeChunk(std::string_view data) {
    // A client that stops reading is cut off rather than holding its upstream and budget.
    stream_.expires_after(kWriteTimeout);
    if (failed_)
        co_return make_error_code(net::error::broken_pipe);
    if (data.empty())
        co_return error_code{}; // an empty chunk would end the stream
    auto [ec, n] = co_await net::async_write(stream_, http::make_chunk(net::buffer(data.data(), data.size())), use_nothrow);
    bytesSent_ += n;
    stream_.expires_never(); // the deadline covers this write only
    failed_ = failed_ || bool(ec);
    co_return ec;
}

Task<error_code> ResponseChannel::endStream() {
    // A client that stops reading is cut off rather than holding its upstream and budget.
    stream_.expires_after(kWriteTimeout);
    if (failed_)
        co_return make_error_code(net::error::broken_pipe);
    auto [ec, n] = co_await net::async_write(stream_, http::make_chunk_last(), use_nothrow);
    bytesSent_ += n;
    stream_.expires_never(); // the deadline covers this write only
    failed_ = failed_ || bool(ec);
    co_return ec;
}

void WorkerInbox::deliver(std::function<void()> fn) {
    bool schedule = false;
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(fn));
        schedule = !std::exchange(scheduled_, true);
    }
    if (schedule)
        net::post(io_, [this] { drain(); });
}

void WorkerInbox::drain() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
        scheduled_ = false;
    }
    for (auto& fn : batch)
        fn();
}

struct HttpServer::Session {
    explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool busy = false; // between a request's first byte and its response's last
};

HttpServer::HttpServer(int threads, ServerLimits limits, std::shared_ptr<ssl::context> upstreamTls,
                       UpstreamOptions timeouts, Handler handler)
    : limits_(limits), handler_(std::move(handler)) {
    threads = std::max(1, threads);
    for (int i = 0; i < threads; ++i) {
        auto w = std::make_unique<Worker>();
        w->index = i;
        w->upstream = std::make_unique<UpstreamClient>(w->io.get_executor(), upstreamTls, timeouts);
        workers_.push_back(std::move(w));
    }
    sessions_.resize(workers_.size());
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::listen(const std::string& host, std::uint16_t port) {
    const auto address = net::ip::make_address(host);
    for (auto& w : workers_) {
        auto acceptor = std::make_shared<tcp::acceptor>(w->io);
        const tcp::endpoint endpoint(address, port);
        acceptor->open(endpoint.protocol());
        acceptor->set_option(net::socket_base::reuse_address(true));
        int one = 1;
        ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        acceptor->bind(endpoint);
        acceptor->listen(net::socket_base::max_listen_connections);
        port = acceptor->local_endpoint().port(); // the others bind the port the first one got
        acceptors_.push_back(acceptor);
    }
    return port;
}

void HttpServer::run() {
    for (std::size_t i = 0; i < workers_.size(); ++i)
        net::co_spawn(workers_[i]->io, accept(*workers_[i], acceptors_[i]), net::detached);
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < workers_.size(); ++i)
        threads.emplace_back([w = workers_[i].get()] { w->io.run(); });
    workers_[0]->io.run();
    for (auto& t : threads)
        t.join();
}

void HttpServer::stop() {
    if (stopping_.exchange(true))
        return;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        Worker& w = *workers_[i];
        net::post(w.io, [this, i, &w] {
            error_code ignored;
            acceptors_[i]->close(ignored);
            // Idle keep-alive connections are closed now; busy ones close after their response.
            for (const auto& s : sessions_[i])
                if (!s->busy)
                    s->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            // Whatever is still running when the drain time is up is cut off.
            auto timer = std::make_shared<net::steady_timer>(w.io, limits_.drainTimeout);
            timer->async_wait([&w, timer](error_code) { w.io.stop(); });
            net::co_spawn(
                w.io,
                [this, i, timer]() -> Task<void> {
                    net::steady_timer poll(co_await net::this_coro::executor);
                    while (!sessions_[i].empty()) {
                        poll.expires_after(std::chrono::milliseconds(20));
                        co_await poll.async_wait(use_nothrow);
                    }
                    timer->cancel();
                },
                net::detached);
        });
    }
}

Task<void> HttpServer::accept(Worker& worker, std::shared_ptr<tcp::acceptor> acceptor) {
    while (!stopping_) {
        auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
        if (ec) {
            if (stopping_ || ec == net::error::operation_aborted)
                break;
            // EMFILE and friends: back off briefly instead of spinning.
            log::warn("accept failed", {{"error", ec.message()}});
            net::steady_timer backoff(worker.io, std::chrono::milliseconds(50));
            co_await backoff.async_wait(use_nothrow);
            continue;
        }
        socket.set_option(tcp::no_delay(true));
        auto session = std::make_shared<Session>(std::move(socket));
        sessions_[std::size_t(worker.index)].insert(session);
        net::co_spawn(worker.io, serve(worker, session), net::detached);
    }
}

Task<void> HttpServer::reject(beast::tcp_stream& stream, http::status status, std::string message,
                              wire::Format format) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::connection, "close");
    res.body() = boost::json::serialize(wire::errorBody(format, int(status), message));
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(stream, res, use_nothrow);
}

Task<void> HttpServer::serve(Worker& worker, std::shared_ptr<Session> session) {
    beast::tcp_stream& stream = session->stream;
    beast::flat_buffer buffer;
    for (;;) {
        if (stopping_)
            break;
        // Wait for the next request's first bytes: idle keep-alive connections time out. From
        // then on the whole request must arrive within the header timeout, so a client that
        // trickles its headers (slowloris) is cut off.
        if (buffer.size() == 0) {
            stream.expires_after(limits_.idleTimeout);
            auto [rec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), use_nothrow);
            if (rec)
                break;
            buffer.commit(n);
        }
        stream.expires_after(limits_.headerTimeout);
        http::request_parser<http::string_body> parser;
        parser.header_limit(32 * 1024);
        parser.body_limit(limits_.maxBodyBytes);
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
        (void)hn;
        // Refusals speak the caller's API format when its path is known (OpenAI's otherwise).
        const auto target = parser.get().target();
        const wire::Format format = target.starts_with("/v1/messages") ? wire::Format::Anthropic : wire::Format::OpenAI;
        if (hec) {
            if (hec == beast::error::timeout)
                co_await reject(stream, http::status::request_timeout,
                                "the request headers did not arrive within " +
                                    std::to_string(limits_.headerTimeout.count()) + " seconds", format);
            else if (hec == http::error::header_limit)
                co_await reject(stream, http::status::request_header_fields_too_large, "request headers are too large", format);
            else if (hec == http::error::body_limit) // a Content-Length over the limit is refused up front
                co_await reject(stream, http::status::payload_too_large,
                                "request body of " + std::to_string(parser.content_length().value_or(0)) +
                                    " bytes is over the limit of " + std::to_string(limits_.maxBodyBytes) + " bytes", format);
            else if (hec != http::error::end_of_stream && hec != net::error::operation_aborted &&
                     hec != beast::error::timeout && hec != net::error::eof && hec != net::error::connection_reset &&
                     hec != net::error::not_connected && buffer.size() + hn > 0)
                co_await reject(stream, http::status::bad_request, "malformed HTTP request: " + hec.message(), format);
            break;
        }
        session->busy = true;
        ++inFlight_;
        // The body too must arrive in time: slow senders are cut off.
        stream.expires_after(limits_.headerTimeout);
        const auto length = parser.content_length();
        if (length && *length > limits_.maxBodyBytes) {
            co_await reject(stream, http::status::payload_too_large,
                            "request body of " + std::to_string(*length) + " bytes is over the limit of " +
                                std::to_string(limits_.maxBodyBytes) + " bytes", format);
            --inFlight_;
            break;
        }
        // A client that asked to be told it may send its body (curl does for large bodies) is
        // told so, rather than left waiting a second for nothing.
        if (const auto expect = parser.get()[http::field::expect];
            parser.get().version() >= 11 && beast::iequals(expect, "100-continue")) {
            http::response<http::empty_body> proceed{http::status::continue_, 11};
            co_await http::async_write(stream, proceed, use_nothrow);
        }
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_nothrow);
        (void)bn;
        if (bec) {
            if (bec == http::error::body_limit)
                co_await reject(stream, http::status::payload_too_large,
                                "request body is over the limit of " + std::to_string(limits_.maxBodyBytes) + " bytes", format);
            else if (bec == beast::error::timeout)
                co_await reject(stream, http::status::request_timeout, "the request did not arrive in time", format);
            --inFlight_;
            break;
        }
        stream.expires_never(); // the handler sets its own deadlines (upstreams can be slow)
        Request request = parser.release();
        // HEAD answers would carry a body here; closing afterwards keeps the connection in step.
        ResponseChannel channel(stream, request.keep_alive() && !stopping_ && request.method() != http::verb::head);
        bool failed = false;
        try {
            co_await handler_(worker, request, channel);
        } catch (const std::exception& e) {
            // A handler that throws (out of memory, a bug) loses this request, never the worker
            // thread: an exception escaping here would end io_context::run() and the process.
            log::error("request handler failed", {{"error", e.what()}});
            failed = true;
        }
        if (failed && !channel.started()) {
            http::response<http::string_body> response{http::status::internal_server_error, request.version()};
            response.set(http::field::content_type, "application/json");
            response.body() = R"({"error":{"message":"the gateway failed to handle this request; see its log","type":"server_error"}})";
            response.keep_alive(false);
            response.prepare_payload();
            co_await channel.send(std::move(response));
        }
        --inFlight_;
        if (failed)
            break;
        session->busy = false;
        if (!channel.keepAlive() || stopping_)
            break;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
    sessions_[std::size_t(worker.index)].erase(session);
}

} // namespace gh::gateway
