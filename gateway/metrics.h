#pragma once
// Prometheus metrics for /metrics (text exposition format 0.0.4).
//
// The data path calls observe() once per finished request, from every worker thread: counters
// and histogram buckets are relaxed atomics in fixed arrays (no locks, no allocation). Only the
// per-team spend takes a mutex, and only for a request that cost something. render() reads the
// atomics (a scrape racing with requests may see a request in one series and not yet in another,
// as Prometheus allows; within one histogram, +Inf always equals _count).
//
// Durations are kept as integer nanoseconds and money as integer micro-dollars, so sums are exact
// and render as exact decimals (1234567 µ$ -> 1.234567).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::gateway {

struct RequestObservation {
    std::string_view outcome;  // store::toString(Outcome): ok, cancelled, upstream_error, ... (else "other")
    std::string_view provider; // policy::toString(EndpointKind) of the endpoint used; "" when none
    std::string_view team;     // cost bucket; "" when not identified
    double seconds = 0;        // arrival to last byte
    std::optional<double> firstTokenSeconds;
    double overheadSeconds = 0; // time spent in the gateway itself (total minus provider waits)
    std::int64_t costMicros = 0;
    std::int64_t inputTokens = 0;
    std::int64_t outputTokens = 0;
    std::int64_t cachedInputTokens = 0;
    bool upstreamError = false; // counts gatehouse_upstream_errors_total{provider}
};

struct BudgetGauge {
    std::string budgetId;
    std::int64_t limitMicros = 0;
    std::int64_t spentMicros = 0;
    std::int64_t reservedMicros = 0;
};

// State that lives elsewhere (ledger, policy, server), read at scrape time.
struct MetricsSnapshot {
    std::vector<BudgetGauge> budgets;
    std::int64_t policyVersion = 0;
    int inFlight = 0;
};

class Metrics {
public:
    static constexpr std::size_t kMaxTeams = 1000; // distinct team label values; later teams count as "other"

    explicit Metrics(std::string version = "unknown");
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    void observe(const RequestObservation& observation);
    std::string render(const MetricsSnapshot& snapshot) const;

    // A fixed-bucket histogram over durations; bounds in nanoseconds, ascending.
    template <std::size_t N>
    struct Histogram {
        const std::array<std::int64_t, N>* bounds = nullptr;
        std::array<std::atomic<std::uint64_t>, N + 1> counts{}; // per bucket (not cumulative); last = above all bounds
        std::atomic<std::uint64_t> sumNanos{0};
        void observe(double seconds);
    };

    static constexpr std::size_t kLatencyBuckets = 15;
    static constexpr std::size_t kOverheadBuckets = 10;

private:
    static constexpr std::size_t kOutcomes = 7;  // store outcomes + "other"
    static constexpr std::size_t kProviders = 8; // endpoint kinds + "other"

    std::string version_;
    std::array<std::atomic<std::uint64_t>, kOutcomes> requests_{};
    std::array<std::atomic<std::uint64_t>, kProviders> upstreamErrors_{};
    Histogram<kLatencyBuckets> duration_;
    Histogram<kLatencyBuckets> firstToken_;
    Histogram<kOverheadBuckets> overhead_;
    std::atomic<std::uint64_t> inputTokens_{0};
    std::atomic<std::uint64_t> outputTokens_{0};
    std::atomic<std::uint64_t> cachedInputTokens_{0};

    mutable std::mutex spendMutex_;
    std::map<std::string, std::int64_t, std::less<>> spendByTeam_; // micro-dollars; at most kMaxTeams + "other"
};

// Prometheus label value escaping: backslash, double quote and newline.
std::string escapeLabelValue(std::string_view value);

} // namespace gh::gateway
