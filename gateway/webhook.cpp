#include "webhook.h"

#include "crypto/certificate.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "log.h"
#include "net.h"
#include "upstream_client.h"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>

namespace gh::gateway {
namespace {

using Clock = std::chrono::steady_clock;

// Where deliveries go, parsed once from the configured URL.
struct Target {
    bool tls = true;
    bool hostIsAddress = false;
    std::string host;       // name, IPv4 or IPv6 address (no brackets): what the certificate must name
    std::string port;       // "443", "80" or as given
    std::string hostHeader; // host[:port] as the Host header wants it
    std::string path;       // origin-form request target: path and query
    std::string display;    // scheme://host:port, for messages and logs
};

[[noreturn]] void badUrl(const std::string& what) { throw std::invalid_argument("webhook URL " + what); }

// Refuses what a delivery URL must not be; the messages never repeat the URL itself (it may carry a
// token in its path or query, or credentials).
Target parseTarget(std::string_view url) {
    if (url.empty())
        badUrl("is empty");
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        badUrl("is not a valid absolute URL (expected http(s)://host[:port]/path)");
    const auto& u = *parsed;
    Target t;
    if (u.scheme_id() == boost::urls::scheme::https)
        t.tls = true;
    else if (u.scheme_id() == boost::urls::scheme::http)
        t.tls = false;
    else
        badUrl("must start with http:// or https://");
    if (u.has_userinfo())
        badUrl("must not contain credentials (user:password@); use the signing secret to authenticate deliveries");
    if (u.has_fragment())
        badUrl("must not contain a fragment (#...)");
    switch (u.host_type()) {
    case boost::urls::host_type::name:
    case boost::urls::host_type::ipv4:
        t.host = std::string(u.encoded_host_address());
        t.hostIsAddress = u.host_type() == boost::urls::host_type::ipv4;
        t.hostHeader = t.host;
        break;
    case boost::urls::host_type::ipv6:
        t.host = u.host_ipv6_address().to_string();
        t.hostIsAddress = true;
        t.hostHeader = "[" + t.host + "]";
        break;
    default:
        badUrl("must name a host");
    }
    if (t.host.empty())
        badUrl("must name a host");
    if (t.host.find('%') != std::string::npos)
        badUrl("must not percent-encode its host name");
    if (u.has_port()) {
        const auto port = u.port();
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            badUrl("has an invalid port (expected 1-65535)");
        t.port = std::to_string(value);
    } else {
        t.port = t.tls ? "443" : "80";
    }
    if (t.port != (t.tls ? "443" : "80"))
        t.hostHeader += ":" + t.port;
    t.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
    if (t.path.front() != '/')
        badUrl("has an invalid path");
    if (u.has_query())
        t.path += "?" + std::string(u.encoded_query());
    t.display = std::string(t.tls ? "https://" : "http://") + t.hostHeader;
    return t;
}

std::string sanitizeEventType(std::string type) {
    for (char& c : type) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok)
            c = '_';
    }
    return type.empty() ? std::string("event") : type;
}

struct AttemptResult {
    error_code error;                         // transport failure (no HTTP answer)
    unsigned status = 0;                      // HTTP status when an answer came
    std::optional<std::chrono::seconds> retryAfter;
};

AttemptResult failure(error_code ec) {
    AttemptResult r;
    r.error = ec;
    return r;
}

template <class Stream>
Task<AttemptResult> exchange(Stream& stream, const http::request<http::string_body>& request) {
    AttemptResult result;
    auto [wec, written] = co_await http::async_write(stream, request, use_nothrow);
    (void)written;
    if (wec) {
        result.error = wec;
        co_return result;
    }
    // The header is all we need (the request asked for Connection: close).
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    auto [rec, read] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
    (void)read;
    if (rec) {
        result.error = rec;
        co_return result;
    }
    result.status = parser.get().result_int();
    const auto retryAfter = parser.get()[http::field::retry_after];
    unsigned seconds = 0;
    const auto [end, ec] = std::from_chars(retryAfter.data(), retryAfter.data() + retryAfter.size(), seconds);
    if (!retryAfter.empty() && ec == std::errc{} && end == retryAfter.data() + retryAfter.size())
        result.retryAfter = std::chrono::seconds(seconds);
    co_return result;
}

Task<AttemptResult> sendOnce(const Target& target, ssl::context& tlsContext, const http::request<http::string_body>& request,
                             Clock::time_point deadline) {
    auto executor = co_await net::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [rec, endpoints] = co_await resolver.async_resolve(target.host, target.port, use_nothrow);
    if (rec)
        co_return failure(rec);
    beast::tcp_stream tcpStream(executor);
    tcpStream.expires_at(deadline);
    auto [cec, endpoint] = co_await tcpStream.async_connect(endpoints, use_nothrow);
    (void)endpoint;
    if (cec)
        co_return failure(cec);
    if (!target.tls)
        co_return co_await exchange(tcpStream, request);

    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcpStream), tlsContext);
    // SNI for names (never for addresses, RFC 6066), and check that the certificate names the host.
    if (!target.hostIsAddress && !SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str()))
        co_return failure(error_code(int(::ERR_get_error()), net::error::get_ssl_category()));
    tls.set_verify_callback(ssl::host_name_verification(target.host));
    tls.next_layer().expires_at(deadline);
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, use_nothrow);
    if (hec)
        co_return failure(hec);
    co_return co_await exchange(tls, request);
}

std::string hex(std::span<const std::uint8_t> bytes) { return crypto::toHex(bytes); }

} // namespace

struct WebhookNotifier::Impl {
    struct Item {
        std::string type;
        std::string body;
    };

    WebhookConfig config;
    Target target;
    std::shared_ptr<ssl::context> tls;

    mutable std::mutex mutex;
    std::condition_variable wake; // the worker: something queued, or stop
    std::condition_variable idle; // flush(): an event finished
    std::deque<Item> queue;
    bool busy = false;
    bool stopping = false;
    Clock::time_point shutdownDeadline{};
    std::atomic<bool> stoppingFlag{false};

    std::atomic<std::uint64_t> delivered{0}, failed{0}, dropped{0}, attempts{0};
    std::thread thread;

    // The shutdown deadline, once the destructor has set it.
    std::optional<Clock::time_point> deadline() const {
        if (!stoppingFlag.load(std::memory_order_acquire))
            return std::nullopt;
        std::lock_guard lock(mutex);
        return shutdownDeadline;
    }

    void run() {
        for (;;) {
            Item item;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty())
                    break;
                if (stopping && Clock::now() >= shutdownDeadline) {
                    const auto left = queue.size();
                    dropped.fetch_add(left, std::memory_order_relaxed);
                    queue.clear();
                    lock.unlock();
                    idle.notify_all();
                    log::warn("webhook: stopped with events undelivered", {{"origin", target.display},
                                                                          {"dropped", std::to_string(left)}});
                    break;
                }
                item = std::move(queue.front());
                queue.pop_front();
                busy = true;
            }
            try {
                deliver(item);
            } catch (const std::exception& e) {
                failed.fetch_add(1, std::memory_order_relaxed);
                log::error("webhook: delivery failed", {{"event", item.type}, {"origin", target.display},
                                                        {"error", e.what()}});
            }
            {
                std::lock_guard lock(mutex);
                busy = false;
            }
            idle.notify_all();
        }
    }

    http::request<http::string_body> makeRequest(const Item& item, const std::string& deliveryId) const {
        http::request<http::string_body> request(http::verb::post, target.path, 11);
        request.set(http::field::host, target.hostHeader);
        request.set(http::field::user_agent, "gatehoused");
        request.set(http::field::content_type, "application/json");
        request.set(http::field::connection, "close");
        const auto timestamp = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        request.set("X-Gatehouse-Event", item.type);
        request.set("X-Gatehouse-Delivery", deliveryId);
        request.set("X-Gatehouse-Timestamp", timestamp);
        if (!config.signingSecret.empty()) {
            const auto& secret = config.signingSecret;
            const auto mac = crypto::hmacSha256(
                std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()), timestamp + "." + item.body);
            request.set("X-Gatehouse-Signature", "sha256=" + hex(mac));
        }
        request.body() = item.body;
        request.prepare_payload();
        return request;
    }

    // One POST, bounded by `timeout` (and by the shutdown deadline once stopping).
    AttemptResult attempt(const http::request<http::string_body>& request, std::chrono::milliseconds timeout) {
        auto ioDeadline = Clock::now() + timeout;
        std::optional<AttemptResult> result;
        // Declared last: destroyed first, taking an unfinished attempt's sockets with it.
        net::io_context io(1);
        net::co_spawn(io, sendOnce(target, *tls, request, ioDeadline),
                      [&result](std::exception_ptr e, AttemptResult r) {
                          if (e)
                              r = failure(net::error::make_error_code(net::error::fault));
                          result = r;
                      });
        // Socket steps time out on their own; name resolution does not, hence the extra second and
        // the slices (so a stop request cuts a slow attempt short).
        const auto hardDeadline = ioDeadline + std::chrono::seconds(1);
        while (!result) {
            auto limit = hardDeadline;
            if (const auto d = deadline())
                limit = std::min(limit, *d);
            const auto now = Clock::now();
            if (now >= limit || io.stopped())
                break;
            io.run_for(std::min<Clock::duration>(limit - now, std::chrono::milliseconds(100)));
        }
        if (!result)
            return failure(net::error::make_error_code(net::error::timed_out));
        return *result;
    }

    // Waits `delay` before a retry; false when stopping and the delay would pass the deadline.
    bool pause(std::chrono::milliseconds delay) {
        const auto until = Clock::now() + delay;
        std::unique_lock lock(mutex);
        return !wake.wait_until(lock, until, [&] { return stopping && until > shutdownDeadline; });
    }

    void deliver(const Item& item) {
        const auto id = hex(crypto::randomBytes(16));
        auto backoff = config.initialBackoff;
        AttemptResult last;
        int made = 0;
        for (int n = 1; n <= config.maxAttempts; ++n) {
            auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config.timeout);
            if (const auto d = deadline()) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*d - Clock::now());
                if (left <= std::chrono::milliseconds(0))
                    break;
                timeout = std::min(timeout, left);
            }
            last = attempt(makeRequest(item, id), timeout);
            ++made;
            attempts.fetch_add(1, std::memory_order_relaxed);
            if (!last.error && last.status >= 200 && last.status < 300) {
                delivered.fetch_add(1, std::memory_order_relaxed);
                if (n > 1)
                    log::info("webhook: delivered after retries", {{"event", item.type}, {"delivery", id},
                                                                    {"attempts", std::to_string(n)}});
                return;
            }
            const bool retryable = last.error || last.status >= 500 || last.status == 429;
            if (!retryable || n == config.maxAttempts)
                break;
            auto delay = backoff;
            if (last.retryAfter)
                delay = std::max<std::chrono::milliseconds>(delay, *last.retryAfter);
            delay = std::min(delay, config.maxBackoff);
            backoff = std::min(backoff * 2, config.maxBackoff);
            log::info("webhook: attempt failed, retrying",
                      {{"event", item.type}, {"delivery", id}, {"origin", target.display}, {"attempt", std::to_string(n)},
                       {"result", last.error ? last.error.message() : "HTTP " + std::to_string(last.status)},
                       {"retry_in_ms", std::to_string(delay.count())}});
            if (!pause(delay))
                break;
        }
        failed.fetch_add(1, std::memory_order_relaxed);
        std::string result = made == 0      ? std::string("not attempted before shutdown")
                             : last.error ? last.error.message()
                                          : "HTTP " + std::to_string(last.status);
        log::warn("webhook: delivery failed", {{"event", item.type}, {"delivery", id}, {"origin", target.display},
                                               {"attempts", std::to_string(made)}, {"result", std::move(result)}});
    }
};

WebhookNotifier::WebhookNotifier(WebhookConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->target = parseTarget(config.url);
    if (config.maxAttempts < 1)
        throw std::invalid_argument("webhook: max attempts must be at least 1");
    if (config.maxQueue < 1)
        throw std::invalid_argument("webhook: the queue must hold at least one event");
    if (config.timeout.count() < 1)
        throw std::invalid_argument("webhook: the timeout must be at least one second");
    if (config.initialBackoff.count() < 0 || config.maxBackoff < config.initialBackoff)
        throw std::invalid_argument("webhook: backoff must be non-negative and the maximum at least the initial");
    if (config.shutdownGrace.count() < 0)
        throw std::invalid_argument("webhook: shutdown grace must be non-negative");
    try {
        impl_->tls = makeClientTlsContext(config.caFile);
    } catch (const std::exception&) {
        throw std::invalid_argument("webhook: cannot load the CA file " + config.caFile);
    }
    impl_->config = std::move(config);
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

WebhookNotifier::~WebhookNotifier() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
        impl_->shutdownDeadline = Clock::now() + impl_->config.shutdownGrace;
    }
    impl_->stoppingFlag.store(true, std::memory_order_release);
    impl_->wake.notify_all();
    impl_->thread.join();
}

void WebhookNotifier::post(std::string eventType, std::string jsonBody) {
    std::uint64_t droppedSoFar = 0;
    {
        std::lock_guard lock(impl_->mutex);
        if (!impl_->stopping && impl_->queue.size() < impl_->config.maxQueue) {
            impl_->queue.push_back({sanitizeEventType(std::move(eventType)), std::move(jsonBody)});
        } else {
            droppedSoFar = impl_->dropped.fetch_add(1, std::memory_order_relaxed) + 1;
        }
    }
    if (droppedSoFar == 0) {
        impl_->wake.notify_one();
        return;
    }
    if (droppedSoFar % 100 == 1) // the first of each hundred: a full queue must not flood the log
        log::warn("webhook: queue full, event dropped",
                  {{"origin", impl_->target.display}, {"dropped_total", std::to_string(droppedSoFar)}});
}

WebhookNotifier::Stats WebhookNotifier::stats() const {
    return {impl_->delivered.load(std::memory_order_relaxed), impl_->failed.load(std::memory_order_relaxed),
            impl_->dropped.load(std::memory_order_relaxed), impl_->attempts.load(std::memory_order_relaxed)};
}

bool WebhookNotifier::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    return impl_->idle.wait_for(lock, timeout, [&] { return impl_->queue.empty() && !impl_->busy; });
}

const std::string& WebhookNotifier::displayOrigin() const { return impl_->target.display; }

} // namespace gh::gateway
