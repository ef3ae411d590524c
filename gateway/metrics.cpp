#include "metrics.h"

#include "policy/document.h"
#include "store/request_record.h"
#include "util/money.h"

#include <charconv>
#include <cmath>

namespace gh::gateway {
namespace {

static_assert(std::size_t(store::Outcome::Invalid) + 2 == 7, "outcome list changed: update Metrics::kOutcomes");
static_assert(std::size_t(policy::EndpointKind::OpenAICompatible) + 2 == 8,
              "endpoint kinds changed: update Metrics::kProviders");

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

// LLM calls: from a cached refusal (milliseconds) to long generations (minutes).
constexpr std::array<std::int64_t, Metrics::kLatencyBuckets> kLatencyBounds = {
    5'000'000,      10'000'000,     25'000'000,     50'000'000,     100'000'000,
    250'000'000,    500'000'000,    1'000'000'000,  2'500'000'000,  5'000'000'000,
    10'000'000'000, 20'000'000'000, 30'000'000'000, 60'000'000'000, 120'000'000'000};
// The gateway's own time: 100 µs .. 100 ms.
constexpr std::array<std::int64_t, Metrics::kOverheadBuckets> kOverheadBounds = {
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 25'000'000, 50'000'000, 100'000'000};

std::size_t outcomeIndex(std::string_view outcome) {
    for (std::size_t i = 0; i + 1 < 7; ++i)
        if (outcome == store::toString(store::Outcome(i)))
            return i;
    return 6;
}

std::size_t providerIndex(std::string_view provider) {
    for (std::size_t i = 0; i + 1 < 8; ++i)
        if (provider == policy::toString(policy::EndpointKind(i)))
            return i;
    return 7;
}

std::uint64_t nonNegative(std::int64_t v) { return v > 0 ? std::uint64_t(v) : 0; }

// Seconds -> nanoseconds, clamped to [0, 10^6 s] (so that the sums cannot overflow); NaN counts as 0.
std::int64_t toNanos(double seconds) {
    constexpr std::int64_t kMaxNanos = 1'000'000 * kNanosPerSecond;
    if (!(seconds > 0))
        return 0;
    const double ns = seconds * double(kNanosPerSecond);
    if (ns >= double(kMaxNanos))
        return kMaxNanos;
    return std::llround(ns);
}

// Exact decimal of an unsigned amount in units of 10^-scale: (1500000, 9) -> "0.0015".
std::string decimal(std::uint64_t amount, int scale) {
    std::uint64_t unit = 1;
    for (int i = 0; i < scale; ++i)
        unit *= 10;
    std::string out = std::to_string(amount / unit);
    if (const std::uint64_t frac = amount % unit) {
        std::string digits = std::to_string(frac);
        digits.insert(0, std::size_t(scale) - digits.size(), '0');
        while (digits.back() == '0')
            digits.pop_back();
        out += '.';
        out += digits;
    }
    return out;
}

std::string usd(std::int64_t micros) { return Money(micros).toString(); }

std::string number(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help; // constant text: nothing to escape
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labelName, std::string_view labelValue,
            std::string_view value) {
    out += name;
    if (!labelName.empty()) {
        out += '{';
        out += labelName;
        out += "=\"";
        out += escapeLabelValue(labelValue);
        out += "\"}";
    }
    out += ' ';
    out += value;
    out += '\n';
}

template <std::size_t N>
void renderHistogram(std::string& out, std::string_view name, std::string_view help, const Metrics::Histogram<N>& h) {
    header(out, name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < N; ++i) {
        cumulative += h.counts[i].load(std::memory_order_relaxed);
        sample(out, bucket, "le", decimal(std::uint64_t((*h.bounds)[i]), 9), std::to_string(cumulative));
    }
    cumulative += h.counts[N].load(std::memory_order_relaxed);
    sample(out, bucket, "le", "+Inf", std::to_string(cumulative));
    sample(out, std::string(name) + "_sum", {}, {}, decimal(h.sumNanos.load(std::memory_order_relaxed), 9));
    sample(out, std::string(name) + "_count", {}, {}, std::to_string(cumulative));
}

} // namespace

template <std::size_t N>
void Metrics::Histogram<N>::observe(double seconds) {
    const std::int64_t ns = toNanos(seconds);
    std::size_t i = 0;
    while (i < N && ns > (*bounds)[i]) // `le`: a value equal to a bound is in that bucket
        ++i;
    counts[i].fetch_add(1, std::memory_order_relaxed);
    sumNanos.fetch_add(std::uint64_t(ns), std::memory_order_relaxed);
}

std::string escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out += c;
        }
    }
    return out;
}

Metrics::Metrics(std::string version) : version_(std::move(version)) {
    duration_.bounds = &kLatencyBounds;
    firstToken_.bounds = &kLatencyBounds;
    overhead_.bounds = &kOverheadBounds;
}

void Metrics::observe(const RequestObservation& o) {
    requests_[outcomeIndex(o.outcome)].fetch_add(1, std::memory_order_relaxed);
    if (o.upstreamError)
        upstreamErrors_[providerIndex(o.provider)].fetch_add(1, std::memory_order_relaxed);
    duration_.observe(o.seconds);
    if (o.firstTokenSeconds)
        firstToken_.observe(*o.firstTokenSeconds);
    overhead_.observe(o.overheadSeconds);
    if (o.inputTokens > 0)
        inputTokens_.fetch_add(nonNegative(o.inputTokens), std::memory_order_relaxed);
    if (o.outputTokens > 0)
        outputTokens_.fetch_add(nonNegative(o.outputTokens), std::memory_order_relaxed);
    if (o.cachedInputTokens > 0)
        cachedInputTokens_.fetch_add(nonNegative(o.cachedInputTokens), std::memory_order_relaxed);
    if (o.costMicros > 0) {
        const std::string_view team = o.team.empty() ? std::string_view("unknown") : o.team;
        std::lock_guard lock(spendMutex_);
        auto it = spendByTeam_.find(team);
        if (it == spendByTeam_.end()) {
            const bool full = spendByTeam_.size() >= kMaxTeams + (spendByTeam_.contains("other") ? 1 : 0);
            it = spendByTeam_.try_emplace(std::string(full ? std::string_view("other") : team), 0).first;
        }
        it->second += o.costMicros;
    }
}

std::string Metrics::render(const MetricsSnapshot& snapshot) const {
    std::string out;
    out.reserve(8192 + 96 * snapshot.budgets.size() * 4);

    header(out, "gatehouse_up", "gauge", "1 while the gateway serves requests.");
    sample(out, "gatehouse_up", {}, {}, "1");
    header(out, "gatehouse_build_info", "gauge", "Build of the running gateway; the value is always 1.");
    sample(out, "gatehouse_build_info", "version", version_, "1");

    header(out, "gatehouse_requests_total", "counter", "Requests finished, by outcome.");
    for (std::size_t i = 0; i < kOutcomes; ++i) {
        const auto n = requests_[i].load(std::memory_order_relaxed);
        if (i + 1 == kOutcomes && n == 0)
            continue; // "other" only once something unexpected was counted
        sample(out, "gatehouse_requests_total", "outcome",
               i + 1 == kOutcomes ? "other" : store::toString(store::Outcome(i)), std::to_string(n));
    }

    header(out, "gatehouse_upstream_errors_total", "counter", "Requests whose provider failed, by provider kind.");
    for (std::size_t i = 0; i < kProviders; ++i) {
        const auto n = upstreamErrors_[i].load(std::memory_order_relaxed);
        if (i + 1 == kProviders && n == 0)
            continue;
        sample(out, "gatehouse_upstream_errors_total", "provider",
               i + 1 == kProviders ? "other" : policy::toString(policy::EndpointKind(i)), std::to_string(n));
    }

    renderHistogram(out, "gatehouse_request_duration_seconds", "Time from arrival to the last byte of the response.",
                    duration_);
    renderHistogram(out, "gatehouse_time_to_first_token_seconds",
                    "Time from arrival to the first token, for requests that produced one.", firstToken_);
    renderHistogram(out, "gatehouse_gateway_overhead_seconds",
                    "Time spent in the gateway itself (total minus waits for providers).", overhead_);

    header(out, "gatehouse_tokens_total", "counter", "Tokens billed, by direction.");
    sample(out, "gatehouse_tokens_total", "direction", "input", std::to_string(inputTokens_.load(std::memory_order_relaxed)));
    sample(out, "gatehouse_tokens_total", "direction", "output",
           std::to_string(outputTokens_.load(std::memory_order_relaxed)));
    sample(out, "gatehouse_tokens_total", "direction", "cached_input",
           std::to_string(cachedInputTokens_.load(std::memory_order_relaxed)));

    header(out, "gatehouse_spend_usd_total", "counter", "Spend in US dollars, by team.");
    {
        std::lock_guard lock(spendMutex_);
        for (const auto& [team, micros] : spendByTeam_)
            sample(out, "gatehouse_spend_usd_total", "team", team, usd(micros));
    }

    header(out, "gatehouse_budget_spent_usd", "gauge", "Spent in the current period of each budget, in US dollars.");
    for (const auto& b : snapshot.budgets)
        sample(out, "gatehouse_budget_spent_usd", "budget", b.budgetId, usd(b.spentMicros));
    header(out, "gatehouse_budget_limit_usd", "gauge", "Limit of each budget per period, in US dollars.");
    for (const auto& b : snapshot.budgets)
        sample(out, "gatehouse_budget_limit_usd", "budget", b.budgetId, usd(b.limitMicros));
    header(out, "gatehouse_budget_used_ratio", "gauge",
           "Spent divided by limit for each budget (1 = at the limit); absent for a zero limit.");
    for (const auto& b : snapshot.budgets)
        if (b.limitMicros > 0)
            sample(out, "gatehouse_budget_used_ratio", "budget", b.budgetId,
                   number(double(b.spentMicros) / double(b.limitMicros)));
    header(out, "gatehouse_budget_reserved_usd", "gauge",
           "Reserved for requests in flight against each budget, in US dollars.");
    for (const auto& b : snapshot.budgets)
        sample(out, "gatehouse_budget_reserved_usd", "budget", b.budgetId, usd(b.reservedMicros));

    header(out, "gatehouse_policy_version", "gauge", "Version of the route policy in force.");
    sample(out, "gatehouse_policy_version", {}, {}, std::to_string(snapshot.policyVersion));
    header(out, "gatehouse_in_flight_requests", "gauge", "Requests being served now.");
    sample(out, "gatehouse_in_flight_requests", {}, {}, std::to_string(snapshot.inFlight));
    return out;
}

} // namespace gh::gateway
