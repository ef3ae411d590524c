#include "upstream_client.h"

#include <boost/asio/connect.hpp>

#include <algorithm>

namespace gh::gateway {

namespace {
constexpr std::size_t kMaxIdlePerOrigin = 64;
constexpr auto kMaxIdleTime = std::chrono::seconds(30); // most servers close idle keep-alive at 60 s
constexpr std::size_t kChunkSize = 16 * 1024;
} // namespace

std::optional<Origin> parseOrigin(std::string_view url) {
    Origin o;
    if (url.starts_with("https://")) {
        o.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        o.tls = false;
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    if (authority.find('@') != std::string_view::npos)
        return std::nullopt; // credentials never travel in URLs
    while (path.ends_with('/'))
        path.remove_suffix(1);
    o.basePath = std::string(path);
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        o.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (authority.starts_with(':'))
            o.port = std::string(authority.substr(1));
    } else {
        const auto colon = authority.rfind(':');
        o.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            o.port = std::string(authority.substr(colon + 1));
    }
    if (o.port.empty())
        o.port = o.tls ? "443" : "80";
    if (o.host.empty() || !std::all_of(o.port.begin(), o.port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return o;
}

std::shared_ptr<ssl::context> makeClientTlsContext(const std::string& extraCaFile) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_default_verify_paths();
    if (!extraCaFile.empty())
        ctx->load_verify_file(extraCaFile);
    ctx->set_verify_mode(ssl::verify_peer);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    return ctx;
}

// A connection to one origin, plain or TLS.
class UpstreamConnection {
public:
    using Tcp = beast::tcp_stream;
    using Tls = beast::ssl_stream<beast::tcp_stream>;

    std::string originKey;
    std::variant<std::unique_ptr<Tcp>, std::unique_ptr<Tls>> stream;
    beast::flat_buffer buffer;
    std::chrono::steady_clock::time_point idleSince;
    bool reused = false;
    bool keepAlive = true;
    std::vector<char> chunk = std::vector<char>(kChunkSize); // body pieces land here; one per connection

    beast::tcp_stream& tcp() {
        return std::visit(
            [](auto& s) -> beast::tcp_stream& {
                if constexpr (std::is_same_v<std::decay_t<decltype(*s)>, Tcp>)
                    return *s;
                else
                    return s->next_layer();
            },
            stream);
    }
};

UpstreamClient::UpstreamClient(net::any_io_executor executor, std::shared_ptr<ssl::context> tls, UpstreamOptions options)
    : executor_(std::move(executor)), tls_(std::move(tls)), options_(options) {}

UpstreamClient::~UpstreamClient() = default;

Task<std::pair<error_code, std::unique_ptr<UpstreamConnection>>> UpstreamClient::connect(const Origin& origin) {
    auto conn = std::make_unique<UpstreamConnection>();
    conn->originKey = origin.key();
    tcp::resolver resolver(executor_);
    auto [rec, endpoints] = co_await resolver.async_resolve(origin.host, origin.port, use_nothrow);
    if (rec)
        co_return std::pair{rec, nullptr};
    if (!options_.allowLinkLocal) {
        for (const auto& entry : endpoints) {
            auto address = entry.endpoint().address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
            const bool linkLocal = address.is_v4() ? (address.to_v4().to_uint() & 0xffff0000u) == 0xa9fe0000u
                                                   : address.to_v6().is_link_local();
            if (linkLocal)
                co_return std::pair{error_code(net::error::access_denied), nullptr};
        }
    }
    auto tcpStream = std::make_unique<beast::tcp_stream>(executor_);
    tcpStream->expires_after(options_.connect);
    auto [cec, _] = co_await tcpStream->async_connect(endpoints, use_nothrow);
    if (cec)
        co_return std::pair{cec, nullptr};
    tcpStream->socket().set_option(tcp::no_delay(true));
    if (!origin.tls) {
        conn->stream = std::move(tcpStream);
        co_return std::pair{error_code{}, std::move(conn)};
    }
    auto tls = std::make_unique<UpstreamConnection::Tls>(std::move(*tcpStream), *tls_);
    // SNI, and check that the certificate names the host we meant to reach.
    if (!SSL_set_tlsext_host_name(tls->native_handle(), origin.host.c_str()))
        co_return std::pair{error_code(int(::ERR_get_error()), net::error::get_ssl_category()), nullptr};
    tls->set_verify_callback(ssl::host_name_verification(origin.host));
    tls->next_layer().expires_after(options_.connect);
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, use_nothrow);
    if (hec)
        co_return std::pair{hec, nullptr};
    conn->stream = std::move(tls);
    co_return std::pair{error_code{}, std::move(conn)};
}

void UpstreamClient::release(std::unique_ptr<UpstreamConnection> connection) {
    auto& list = idle_[connection->originKey];
    if (list.size() >= kMaxIdlePerOrigin)
        return;
    connection->idleSince = std::chrono::steady_clock::now();
    connection->reused = true;
    list.push_back(std::move(connection));
}

Task<std::pair<error_code, std::unique_ptr<UpstreamExchange>>> UpstreamClient::start(
    const Origin& origin, const http::request<http::string_body>& request) {
    // Up to two tries: a pooled connection may have been closed by the server while idle, which
    // shows only when we use it. A fresh connection gets no second try.
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<UpstreamConnection> conn;
        auto& list = idle_[origin.key()];
        const auto now = std::chrono::steady_clock::now();
        while (!list.empty() && !conn) {
            auto candidate = std::move(list.back());
            list.pop_back();
            if (now - candidate->idleSince < kMaxIdleTime)
                conn = std::move(candidate);
        }
        if (!conn) {
            auto [ec, fresh] = co_await connect(origin);
            if (ec)
                co_return std::pair{ec, nullptr};
            conn = std::move(fresh);
        }
        const bool reused = conn->reused;
        auto exchange = std::make_unique<UpstreamExchange>(*this, std::move(conn));
        error_code ec = co_await exchange->send(request);
        if (!ec)
            ec = co_await exchange->readHeader();
        if (!ec)
            co_return std::pair{error_code{}, std::move(exchange)};
        exchange->connection_->keepAlive = false;
        // Only a pooled connection the server had already closed is retried: never after a
        // timeout, which may mean the provider is working on (and billing) the request.
        const bool staleConnection = ec == net::error::eof || ec == http::error::end_of_stream ||
                                     ec == net::error::connection_reset || ec == net::error::broken_pipe;
        if (!reused || !staleConnection)
            co_return std::pair{ec, nullptr};
    }
    co_return std::pair{make_error_code(net::error::connection_reset), nullptr};
}

UpstreamExchange::UpstreamExchange(UpstreamClient& client, std::unique_ptr<UpstreamConnection> connection)
    : client_(client), connection_(std::move(connection)) {
    newParser();
}

void UpstreamExchange::newParser() {
    parser_.emplace();
    parser_->body_limit(boost::none); // streams can be long; the gateway bounds what it keeps
    parser_->header_limit(64 * 1024);
}

UpstreamExchange::~UpstreamExchange() {
    // Back to the pool only when the response was read to its end on a keep-alive connection.
    if (connection_ && connection_->keepAlive && parser_->is_done() && parser_->get().result_int() >= 200 &&
        parser_->get().keep_alive())
        client_.release(std::move(connection_));
}

unsigned UpstreamExchange::status() const { return parser_->get().result_int(); }

Task<error_code> UpstreamExchange::send(const http::request<http::string_body>& request) {
    connection_->tcp().expires_after(client_.options_.response);
    error_code ec;
    co_await std::visit(
        [&](auto& s) -> Task<void> {
            auto [wec, n] = co_await http::async_write(*s, request, use_nothrow);
            (void)n;
            ec = wec;
        },
        connection_->stream);
    co_return ec;
}

Task<error_code> UpstreamExchange::readHeader() {
    // Interim answers (100 Continue, 103 Early Hints) are not the response: read past them, or
    // the real response would be left on the connection for the next request to read.
    for (;;) {
        connection_->tcp().expires_after(client_.options_.response);
        error_code ec;
        co_await std::visit(
            [&](auto& s) -> Task<void> {
                auto [rec, n] = co_await http::async_read_header(*s, connection_->buffer, *parser_, use_nothrow);
                (void)n;
                ec = rec;
            },
            connection_->stream);
        if (ec || parser_->get().result_int() >= 200)
            co_return ec;
        newParser();
    }
}

Task<std::pair<error_code, std::string_view>> UpstreamExchange::readSome() {
    auto& body = parser_->get().body();
    // Loop: a read may consume only framing (chunk sizes, trailers) and yield no body bytes.
    while (!parser_->is_done()) {
        connection_->tcp().expires_after(client_.options_.response);
        auto& chunk = connection_->chunk;
        body.data = chunk.data();
        body.size = chunk.size();
        error_code ec;
        co_await std::visit(
            [&](auto& s) -> Task<void> {
                auto [rec, n] = co_await http::async_read_some(*s, connection_->buffer, *parser_, use_nothrow);
                (void)n;
                ec = rec;
            },
            connection_->stream);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec) {
            connection_->keepAlive = false;
            co_return std::pair{ec, std::string_view{}};
        }
        const std::size_t got = chunk.size() - body.size;
        if (got > 0)
            co_return std::pair{error_code{}, std::string_view(chunk.data(), got)};
    }
    co_return std::pair{error_code{}, std::string_view{}};
}

Task<std::pair<error_code, std::string>> UpstreamExchange::readAll(std::size_t limit) {
    std::string out;
    for (;;) {
        auto [ec, piece] = co_await readSome();
        if (ec)
            co_return std::pair{ec, std::move(out)};
        if (piece.empty())
            break;
        if (out.size() + piece.size() > limit) {
            connection_->keepAlive = false;
            co_return std::pair{make_error_code(http::error::body_limit), std::move(out)};
        }
        out.append(piece);
    }
    co_return std::pair{error_code{}, std::move(out)};
}

} // namespace gh::gateway
