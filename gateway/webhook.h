#pragma once
// Webhook notifier: posts audit-worthy events (budget thresholds, rotation due or overdue, key
// rotated) as JSON to one configured URL, on its own thread, off the request path.
//
// Each delivery is an HTTP/1.1 POST of the event's JSON body with these headers:
//   Content-Type: application/json
//   User-Agent: gatehoused
//   X-Gatehouse-Event: <event type>             e.g. budget.threshold
//   X-Gatehouse-Delivery: <32 hex digits>       random; the same on every retry of one event
//   X-Gatehouse-Timestamp: <unix seconds>       when this attempt was sent
//   X-Gatehouse-Signature: sha256=<64 hex>      only with a signing secret
//
// Verifying a signature (receiver side): compute HMAC-SHA256 with the shared signing secret as the
// key over the bytes  <X-Gatehouse-Timestamp value> "." <raw request body>  , hex-encode it in lower
// case, and compare it with the part after "sha256=" in constant time. Reject timestamps more than
// a few minutes from your clock (replays), and use X-Gatehouse-Delivery to drop duplicates: a
// delivery whose answer was lost is sent again with the same id.
//
// Delivery: a 2xx answer delivers. Connection and TLS failures, timeouts, 5xx and 429 are retried
// with exponential backoff (initialBackoff, doubled each time, at most maxBackoff; a Retry-After of
// up to maxBackoff is honoured) up to maxAttempts attempts; any other answer fails at once. TLS is
// always verified (system store plus caFile, SNI, host name). Log lines name the scheme, host and
// port only: the path and query of a webhook URL are often secret (e.g. chat-service tokens) and
// are never logged, nor is the signing secret.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gh::gateway {

struct WebhookConfig {
    std::string url;           // http(s)://host[:port]/path[?query]; no user:pass@
    std::string signingSecret; // "" = unsigned
    std::string caFile;        // extra trusted CAs (PEM), besides the system store
    std::chrono::seconds timeout{5}; // per attempt: connect, TLS, request and response header
    int maxAttempts = 4;
    std::size_t maxQueue = 1000;
    std::chrono::milliseconds initialBackoff{1000};
    std::chrono::milliseconds maxBackoff{60000};
    std::chrono::milliseconds shutdownGrace{5000}; // how long the destructor keeps delivering what is queued
};

class WebhookNotifier {
public:
    // Starts one background thread. Throws std::invalid_argument for a bad URL or limits (the
    // message says what is wrong and never repeats the URL's credentials, path or query), and for
    // a caFile that cannot be loaded.
    explicit WebhookNotifier(WebhookConfig config);
    // Delivers what is queued (up to shutdownGrace; what is left is counted as dropped), then stops.
    ~WebhookNotifier();
    WebhookNotifier(const WebhookNotifier&) = delete;
    WebhookNotifier& operator=(const WebhookNotifier&) = delete;

    // Never blocks on the network; drops (and counts) the event when the queue is full. Characters
    // outside [A-Za-z0-9._-] in the event type are replaced by '_' (it travels in a header).
    void post(std::string eventType, std::string jsonBody);

    struct Stats {
        std::uint64_t delivered = 0;
        std::uint64_t failed = 0;  // gave up: a non-retryable answer or maxAttempts used
        std::uint64_t dropped = 0; // queue full, or still queued when shutdownGrace ran out
        std::uint64_t attempts = 0; // HTTP attempts made, retries included
    };
    Stats stats() const;

    // Waits until every event posted so far is delivered or given up; false on timeout.
    bool flush(std::chrono::milliseconds timeout);

    // "https://host:port": what log lines and messages may show of the URL.
    const std::string& displayOrigin() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace gh::gateway
