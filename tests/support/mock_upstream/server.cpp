#include "server.h"

#include "journal.h"
#include "wire.h"

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t header_limit = 64 * 1024;
constexpr std::uint64_t body_limit = 64ull * 1024 * 1024;

std::string_view sv(beast::string_view s) {
    return {s.data(), s.size()};
}

// The date header's value, formatted once a second per thread.
std::string_view http_date() {
    thread_local std::time_t last = 0;
    thread_local char buf[64];
    thread_local std::size_t len = 0;
    const std::time_t now = std::time(nullptr);
    if (now != last) {
        last = now;
        std::tm tm{};
        gmtime_r(&now, &tm);
        len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    }
    return {buf, len};
}

std::string_view reason(unsigned status) {
    if (status == 529)
        return "Site Overloaded";
    const auto r = http::obsolete_reason(http::int_to_status(status));
    return sv(r);
}

// content_length < 0: chunked.
void format_head(std::string& head, const Reply& r, bool keep_alive, long content_length) {
    head.clear();
    char status[16];
    const int n = std::snprintf(status, sizeof status, "%u ", r.status);
    head.append("HTTP/1.1 ").append(status, static_cast<std::size_t>(n)).append(reason(r.status)).append("\r\n");
    head.append("date: ").append(http_date()).append("\r\n");
    head.append("content-type: ").append(r.content_type).append("\r\n");
    if (content_length < 0) {
        head.append("transfer-encoding: chunked\r\ncache-control: no-cache\r\n");
    } else {
        char len[32];
        const int m = std::snprintf(len, sizeof len, "%ld", content_length);
        head.append("content-length: ").append(len, static_cast<std::size_t>(m)).append("\r\n");
    }
    head.append(keep_alive ? "connection: keep-alive\r\n" : "connection: close\r\n");
    head.append(r.headers);
    head.append("\r\n");
}

awaitable<void> sleep_ms(asio::steady_timer& timer, int ms) {
    timer.expires_after(std::chrono::milliseconds(ms));
    co_await timer.async_wait(use_tuple);
}

// RST instead of FIN: what a crashed or reset upstream looks like to the gateway.
void abort_connection(tcp::socket& sock) {
    error_code ec;
    sock.set_option(asio::socket_base::linger(true, 0), ec);
    sock.close(ec);
}

void graceful_close(tcp::socket& sock) {
    error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    sock.close(ec);
}

// Head, then events [0, count) as chunks; the terminating chunk when `terminate`.
awaitable<bool> write_stream(tcp::socket& sock, asio::steady_timer& timer, const Reply& r, std::string& head,
                             bool keep_alive, std::size_t count, bool terminate) {
    format_head(head, r, keep_alive, -1);
    if (auto [ec, n] = co_await asio::async_write(sock, asio::buffer(head), use_tuple); ec)
        co_return false;
    char size_line[24];
    for (std::size_t i = 0; i < count && i < r.events.size(); ++i) {
        if (i > 0 && r.chunk_delay_ms > 0)
            co_await sleep_ms(timer, r.chunk_delay_ms);
        const std::string& ev = r.events[i];
        const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", ev.size());
        const std::array<asio::const_buffer, 3> bufs{asio::buffer(size_line, static_cast<std::size_t>(len)),
                                                     asio::buffer(ev), asio::buffer("\r\n", 2)};
        if (auto [ec, n] = co_await asio::async_write(sock, bufs, use_tuple); ec)
            co_return false;
    }
    if (terminate) {
        if (auto [ec, n] = co_await asio::async_write(sock, asio::buffer("0\r\n\r\n", 5), use_tuple); ec)
            co_return false;
    }
    co_return true;
}

// Never answer; return when the client goes away (or the server stops).
awaitable<void> hang(tcp::socket& sock, State& st) {
    st.stats.hang_started();
    struct Done {
        State& st;
        ~Done() { st.stats.hang_ended(); }
    } done{st};
    char scratch[512];
    for (;;) {
        auto [ec, n] = co_await sock.async_read_some(asio::buffer(scratch), use_tuple);
        if (ec)
            break;
    }
}

bool is_disconnect(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor;
}

awaitable<void> session(tcp::socket sock, State& st) {
    st.stats.connection_opened();
    struct Closed {
        State& st;
        ~Closed() { st.stats.connection_closed(); }
    } closed{st};

    beast::flat_buffer buffer;
    std::vector<Header> headers;
    headers.reserve(32);
    Reply reply;
    std::string head;
    head.reserve(1024);
    asio::steady_timer timer(sock.get_executor());

    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        auto [ec, n] = co_await http::async_read_header(sock, buffer, parser, use_tuple);
        if (!ec && iequals(sv(parser.get()[http::field::expect]), "100-continue")) {
            constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            std::tie(ec, n) = co_await asio::async_write(sock, asio::buffer(cont.data(), cont.size()), use_tuple);
        }
        if (!ec && !parser.is_done())
            std::tie(ec, n) = co_await http::async_read(sock, buffer, parser, use_tuple);
        if (ec) {
            if (is_disconnect(ec))
                break;
            // Malformed or oversized request: answer once, then close.
            reply.reset();
            reply.status = ec == http::error::body_limit ? 413 : 400;
            reply.body = R"({"error":{"message":"malformed HTTP request: )" + ec.message() +
                         R"(","type":"invalid_request_error","param":null,"code":null}})";
            format_head(head, reply, false, static_cast<long>(reply.body.size()));
            const std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(reply.body)};
            co_await asio::async_write(sock, bufs, use_tuple);
            break;
        }

        const auto& msg = parser.get();
        headers.clear();
        for (const auto& f : msg)
            headers.push_back({sv(f.name_string()), sv(f.value())});
        const Request req{sv(msg.method_string()), sv(msg.target()), msg.body(), headers};
        reply.reset();
        handle(st, req, reply);
        const bool keep_alive = msg.keep_alive();
        if (reply.delay_ms > 0)
            co_await sleep_ms(timer, reply.delay_ms);

        switch (reply.action) {
        case Action::respond: {
            format_head(head, reply, keep_alive, static_cast<long>(reply.body.size()));
            const std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(reply.body)};
            if (auto [wec, wn] = co_await asio::async_write(sock, bufs, use_tuple); wec)
                co_return;
            break;
        }
        case Action::stream:
            if (!co_await write_stream(sock, timer, reply, head, keep_alive, reply.events.size(), true))
                co_return;
            break;
        case Action::reset:
            abort_connection(sock);
            co_return;
        case Action::reset_mid_stream:
            if (!reply.events.empty()) {
                co_await write_stream(sock, timer, reply, head, keep_alive, 2, false);
            } else {
                format_head(head, reply, keep_alive, static_cast<long>(reply.body.size()));
                const std::array<asio::const_buffer, 2> bufs{asio::buffer(head),
                                                             asio::buffer(reply.body.data(), reply.body.size() / 2)};
                co_await asio::async_write(sock, bufs, use_tuple);
            }
            abort_connection(sock);
            co_return;
        case Action::hang:
            co_await hang(sock, st);
            co_return;
        }
        if (!keep_alive)
            break;
    }
    graceful_close(sock);
}

void report(std::exception_ptr e) {
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        std::cerr << "mock-upstream: connection error: " << x.what() << '\n';
    } catch (...) {
        std::cerr << "mock-upstream: connection error\n";
    }
}

// Accepts on the first context and hands each connection to the next context in turn; each
// context is run by one thread, so a connection never needs a lock.
awaitable<void> accept_loop(tcp::acceptor& acceptor, std::vector<asio::io_context*> workers, State& st) {
    std::size_t next = 0;
    asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
        asio::io_context& target = *workers[next++ % workers.size()];
        auto [ec, sock] = co_await acceptor.async_accept(target, use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open())
                co_return;
            co_await sleep_ms(backoff, 10); // e.g. out of file descriptors
            continue;
        }
        error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(target, session(std::move(sock), st), report);
    }
}

} // namespace

int run(const Options& options) {
    State st(options);
    const std::size_t n = static_cast<std::size_t>(std::max(1, options.threads));
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (std::size_t i = 0; i < n; ++i)
        contexts.push_back(std::make_unique<asio::io_context>(1));

    {
        error_code ec;
        const auto address = asio::ip::make_address(options.host, ec);
        if (ec) {
            std::cerr << "mock-upstream: invalid --host '" << options.host << "': " << ec.message() << '\n';
            return 2;
        }
        const tcp::endpoint endpoint(address, options.port);
        tcp::acceptor acceptor(*contexts[0]);
        acceptor.open(endpoint.protocol(), ec);
        if (!ec)
            acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor.bind(endpoint, ec);
        if (!ec)
            acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            std::cerr << "mock-upstream: cannot listen on " << options.host << ':' << options.port << ": "
                      << ec.message() << '\n';
            return 1;
        }

        asio::signal_set signals(*contexts[0], SIGINT, SIGTERM);
        signals.async_wait([&](const error_code& e, int) {
            if (e)
                return;
            error_code ignored;
            acceptor.close(ignored);
            for (auto& c : contexts)
                c->stop();
        });

        std::vector<asio::io_context*> workers;
        for (auto& c : contexts)
            workers.push_back(c.get());
        asio::co_spawn(*contexts[0], accept_loop(acceptor, workers, st), report);

        std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
        for (auto& c : contexts)
            guards.push_back(asio::make_work_guard(*c));

        const auto local = acceptor.local_endpoint();
        const auto host =
            local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
        std::cout << "listening on " << host << ':' << local.port() << std::endl;

        auto run_context = [](asio::io_context& ctx) {
            for (;;) {
                try {
                    ctx.run();
                    return;
                } catch (const std::exception& x) {
                    std::cerr << "mock-upstream: " << x.what() << '\n';
                }
            }
        };
        std::vector<std::thread> threads;
        for (std::size_t i = 1; i < n; ++i)
            threads.emplace_back([&, i] { run_context(*contexts[i]); });
        run_context(*contexts[0]);
        for (auto& t : threads)
            t.join();
        guards.clear();
    } // the acceptor and the signal set go before their context

    // Pending accepts on the first context hold sockets of the others: destroy it first.
    contexts[0].reset();
    contexts.clear();
    return 0;
}

} // namespace mock
