// mock-upstream: what tests can observe (GET /mock/requests, GET /mock/stats).
#pragma once

#include "mock.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mock {

// The last `capacity` provider requests, in a ring whose strings keep their capacity, so that
// recording a request under load costs a lock and a few memcpy, not allocations.
class Journal {
public:
    static constexpr std::size_t capacity = 100;
    static constexpr std::size_t body_cap = 1 << 20; // bytes of each body kept

    void record(const Request& req, unsigned status, bool stream, std::string_view injected);
    // JSON array, oldest first: {seq, time_ms, method, target, headers{lowercase name: value},
    // body (parsed JSON, else the raw string, else null; body_truncated: true past 1 MiB),
    // status (0: no response), stream, injected (the failure token, or null)}.
    void dump(std::string& out) const;
    std::size_t clear();
    std::size_t size() const;

private:
    struct Entry {
        std::uint64_t seq = 0;
        std::int64_t time_ms = 0;
        std::string method;
        std::string target;
        std::vector<std::pair<std::string, std::string>> headers;
        std::size_t header_count = 0;
        std::string body;
        bool body_truncated = false;
        unsigned status = 0;
        bool stream = false;
        std::string injected;
    };
    mutable std::mutex mutex_;
    std::array<Entry, capacity> ring_;
    std::size_t next_ = 0;
    std::size_t count_ = 0;
    std::uint64_t seq_ = 0;
};

enum class Endpoint : std::size_t {
    openai_chat,
    azure_chat,
    foundry_chat,
    anthropic_messages,
    models,
    not_found,
    count_
};

class Stats {
public:
    void count_request(Endpoint e, unsigned status, bool stream, std::string_view injected);
    void connection_opened() {
        accepted_.fetch_add(1, std::memory_order_relaxed);
        active_.fetch_add(1, std::memory_order_relaxed);
    }
    void connection_closed() { active_.fetch_sub(1, std::memory_order_relaxed); }
    void hang_started() { hanging_.fetch_add(1, std::memory_order_relaxed); }
    void hang_ended() { hanging_.fetch_sub(1, std::memory_order_relaxed); }
    void dump(std::string& out, std::size_t journal_size) const;
    void clear();

private:
    using Counter = std::atomic<std::uint64_t>;
    Counter requests_{0};
    Counter streams_{0};
    std::array<Counter, static_cast<std::size_t>(Endpoint::count_)> endpoints_{};
    std::array<Counter, 600> statuses_{}; // index = HTTP status; 0 = no response (reset, hang)
    std::array<Counter, 8> injected_{};   // see injected_names in journal.cpp
    Counter accepted_{0};
    std::atomic<std::int64_t> active_{0};
    std::atomic<std::int64_t> hanging_{0};
};

struct State {
    explicit State(Options o) : options(std::move(o)) {}
    const Options options;
    Journal journal;
    Stats stats;
};

} // namespace mock
