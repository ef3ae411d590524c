// mock-upstream: shared plain types (no Boost here, so that the wire code and the journal
// compile without Asio/Beast).
//
// mock-upstream is an independent implementation of the providers' wire formats (OpenAI Chat
// Completions, Azure OpenAI, Foundry, Anthropic Messages). It deliberately shares no code with
// the gateway, so that end-to-end tests catch translation bugs instead of agreeing with them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mock {

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    int threads = 2;
    int latency_ms = 0;      // added before every provider response
    int stream_chunks = 5;   // content pieces in a stream
    int chunk_delay_ms = 0;  // pause between stream events
    std::string require_key; // when not empty, provider auth headers must carry it
};

struct Header {
    std::string_view name;
    std::string_view value;
};

// A received request, as views into the connection's parser (valid while it is handled).
struct Request {
    std::string_view method;
    std::string_view target; // path and query, as received
    std::string_view body;
    std::span<const Header> headers;

    // Value of the first header with this (case-insensitive) name; empty when absent.
    std::string_view header(std::string_view name) const noexcept;
    bool has_header(std::string_view name) const noexcept;
};

// What the connection does with a request.
enum class Action {
    respond,          // status + headers + body (content-length)
    stream,           // 200, chunked text/event-stream, one chunk per event
    reset,            // close the TCP connection abruptly (RST), no response
    reset_mid_stream, // send the head and a couple of events (or half the body), then RST
    hang,             // never answer; keep the connection until the client goes
};

struct Reply {
    Action action = Action::respond;
    unsigned status = 200;
    const char* content_type = "application/json";
    std::string headers;             // extra header lines, each "name: value\r\n"
    std::string body;                // Action::respond (and reset_mid_stream of a non-stream)
    std::vector<std::string> events; // Action::stream: each a complete SSE event
    int delay_ms = 0;                // before the response head
    int chunk_delay_ms = 0;          // between stream events
    std::string_view injected;       // the injected failure (fail-429, reset, hang, ...), if any

    void reset() {
        action = Action::respond;
        status = 200;
        content_type = "application/json";
        headers.clear();
        body.clear();
        events.clear();
        delay_ms = 0;
        chunk_delay_ms = 0;
        injected = {};
    }
    void add_header(std::string_view name, std::string_view value) {
        headers.append(name).append(": ").append(value).append("\r\n");
    }
};

bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace mock
