#pragma once
// Server-sent events (the WHATWG "event stream" format both providers stream in): an
// incremental parser for upstream bytes and a formatter for what the gateway sends on.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gh::wire {

struct SseEvent {
    std::string event; // the `event:` field; "" when the stream named none (OpenAI never does)
    std::string data;  // `data:` lines joined with '\n', without the final newline
    std::string id;    // the `id:` field, "" when absent

    bool operator==(const SseEvent&) const = default;
};

// Takes the bytes of a stream in chunks split anywhere (mid-line, mid-"\r\n", mid-UTF-8) and
// returns each event once its terminating blank line has arrived. Follows the WHATWG parsing
// rules: lines end with "\n", "\r\n" or "\r"; lines starting with ':' are comments (keep-alives);
// one space after the colon is dropped; an event without data lines is not dispatched; a UTF-8
// BOM at the very start is skipped; `retry:` and unknown fields are ignored.
class SseParser {
public:
    // An upstream that never ends a line must not grow the gateway's memory without bound.
    static constexpr std::size_t kDefaultMaxEventBytes = 32u << 20;

    explicit SseParser(std::size_t maxEventBytes = kDefaultMaxEventBytes) : maxEventBytes_(maxEventBytes) {}

    // Appends the events completed by `bytes` to `out`. Returns false, now and on every later
    // call, once an event grew beyond the limit (the stream is then unusable).
    bool feed(std::string_view bytes, std::vector<SseEvent>& out);

    bool failed() const { return failed_; }
    // True when bytes of an unfinished event are pending: at end of stream this means the
    // upstream was cut mid-event (the spec discards such an event, and so does this parser).
    bool hasPartialEvent() const { return !line_.empty() || !pending_.data.empty() || sawDataField_; }

private:
    void processLine(std::string_view line, std::vector<SseEvent>& out);

    std::size_t maxEventBytes_;
    std::string line_; // an unfinished line carried over from the previous chunk
    SseEvent pending_; // fields of the event being read
    bool sawDataField_ = false;
    bool skipLineFeed_ = false; // the previous chunk ended with '\r': a leading '\n' belongs to it
    bool atStart_ = true;       // nothing consumed yet (BOM check)
    bool failed_ = false;
};

// "event: NAME\ndata: DATA\n\n"; no event line when `event` is empty; each line of a multi-line
// `data` goes on its own data line, so the parser above gives back exactly `data`.
void appendSseEvent(std::string& out, std::string_view event, std::string_view data);
std::string formatSseEvent(std::string_view event, std::string_view data);
// The OpenAI end-of-stream marker, "data: [DONE]\n\n".
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

} // namespace gh::wire
