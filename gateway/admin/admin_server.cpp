#include "admin/admin_server.h"

#include "log.h"

#include <optional>

namespace gh::gateway {

struct AdminServer::Connection {
    explicit Connection(tcp::socket socket, ssl::context& tls) : stream(std::move(socket), tls) {}
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::string remote;
};

std::shared_ptr<ssl::context> makeServerTlsContext(const std::string& certificateFile, const std::string& keyFile) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    error_code ec;
    ctx->use_certificate_chain_file(certificateFile, ec);
    if (ec)
        throw std::runtime_error(certificateFile + ": cannot load the admin TLS certificate: " + ec.message());
    ctx->use_private_key_file(keyFile, ssl::context::pem, ec);
    if (ec)
        throw std::runtime_error(keyFile + ": cannot load the admin TLS key: " + ec.message());
    return ctx;
}

AdminServer::AdminServer(std::shared_ptr<ssl::context> tls, AdminServerLimits limits, AdminHandler handler,
                         AdminRefusal refusal)
    : tls_(std::move(tls)), limits_(limits), handler_(std::move(handler)), refusal_(std::move(refusal)) {}

AdminServer::~AdminServer() { stop(); }

std::uint16_t AdminServer::listen(const std::string& host, std::uint16_t port) {
    const tcp::endpoint endpoint(net::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    // No SO_REUSEPORT here: a second gatehoused on the same admin port must fail, not share it.
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    return acceptor_.local_endpoint().port();
}

void AdminServer::start() {
    net::co_spawn(io_, accept(), net::detached);
    for (int i = 0; i < std::max(1, limits_.threads); ++i)
        threads_.emplace_back([this] { io_.run(); });
}

void AdminServer::stop() {
    if (stopped_.exchange(true))
        return;
    net::post(io_, [this] {
        error_code ignored;
        acceptor_.close(ignored);
    });
    io_.stop();
    for (auto& t : threads_)
        if (t.joinable())
            t.join();
}

Task<void> AdminServer::accept() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor_.is_open())
                co_return;
            continue;
        }
        if (connections_.load() >= limits_.maxConnections) {
            error_code ignored;
            socket.close(ignored); // over the cap: refuse at once rather than queue
            continue;
        }
        auto connection = std::make_shared<Connection>(std::move(socket), *tls_);
        error_code remoteEc;
        const auto remote = beast::get_lowest_layer(connection->stream).socket().remote_endpoint(remoteEc);
        if (!remoteEc)
            connection->remote = remote.address().to_string();
        net::co_spawn(io_, serve(connection), net::detached);
    }
}

Task<void> AdminServer::serve(std::shared_ptr<Connection> c) {
    ++connections_;
    struct Count {
        std::atomic<int>& n;
        ~Count() { --n; }
    } count{connections_};

    auto& tcpStream = beast::get_lowest_layer(c->stream);
    tcpStream.expires_after(limits_.handshakeTimeout);
    auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::server, use_nothrow);
    if (hec)
        co_return; // plain HTTP, a port scan, a client that does not trust us: nothing to answer

    for (bool first = true;; first = false) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(limits_.maxBodyBytes);
        parser.header_limit(16 * 1024);
        // A kept-alive connection may sit idle; once a request starts it must arrive in time.
        tcpStream.expires_after(first ? limits_.requestTimeout : limits_.idleTimeout);
        auto [hdrEc, hdrBytes] = co_await http::async_read_header(c->stream, c->buffer, parser, use_nothrow);
        error_code ec = hdrEc;
        if (!ec) {
            tcpStream.expires_after(limits_.requestTimeout);
            auto [bodyEc, bytes] = co_await http::async_read(c->stream, c->buffer, parser, use_nothrow);
            ec = bodyEc;
        }
        if (ec) {
            // Beast reports an over-long Content-Length with the headers, a chunked body as it
            // grows; both get a 413 (and the connection closes: the rest of the body is unread).
            std::optional<AdminResponse> refusal;
            if (ec == http::error::body_limit)
                refusal = refusal_(http::status::payload_too_large, "the body is larger than the admin API's limit of " +
                                                                        std::to_string(limits_.maxBodyBytes) + " bytes");
            else if (ec == http::error::header_limit)
                refusal = refusal_(http::status::request_header_fields_too_large, "the request headers are larger than 16 KiB");
            else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                     ec != http::error::end_of_stream && ec != http::error::partial_message)
                refusal = refusal_(http::status::bad_request, "the request is not valid HTTP/1.1 (" + ec.message() + ")");
            if (refusal) {
                refusal->keep_alive(false);
                refusal->prepare_payload();
                co_await http::async_write(c->stream, *refusal, use_nothrow);
            }
            break;
        }
        const AdminRequest& request = parser.get();
        AdminResponse response;
        try {
            response = handler_(request, c->remote);
        } catch (const std::exception& e) {
            log::error("admin request failed", {{"error", e.what()}});
            response = refusal_(http::status::internal_server_error, "the gateway failed to handle this request; see its log");
        }
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        if (request.method() == http::verb::head)
            response.body().clear(); // Content-Length says what GET would send; HEAD sends no body
        tcpStream.expires_after(limits_.requestTimeout);
        auto [wec, written] = co_await http::async_write(c->stream, response, use_nothrow);
        if (wec || !response.keep_alive())
            break;
    }
    tcpStream.expires_after(std::chrono::seconds(2));
    co_await c->stream.async_shutdown(use_nothrow);
}

} // namespace gh::gateway
