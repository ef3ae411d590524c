#include "store/request_record.h"

#include <array>

namespace gh::store {
namespace {

constexpr std::array<const char*, 4> kDecisions = {"routed", "denied", "blocked", "error"};
constexpr std::array<const char*, 6> kOutcomes = {"ok", "cancelled", "upstream_error", "denied", "budget_blocked",
                                                  "invalid"};

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<const char*, N>& names, std::string_view text) {
    for (std::size_t i = 0; i < N; ++i)
        if (text == names[i])
            return E(i);
    return std::nullopt;
}

} // namespace

const char* toString(Decision d) { return kDecisions.at(std::size_t(d)); }
const char* toString(Outcome o) { return kOutcomes.at(std::size_t(o)); }
std::optional<Decision> decisionFromString(std::string_view t) { return lookup<Decision>(kDecisions, t); }
std::optional<Outcome> outcomeFromString(std::string_view t) { return lookup<Outcome>(kOutcomes, t); }

RollupTotals& RollupTotals::operator+=(const RollupTotals& o) {
    requests += o.requests;
    denials += o.denials;
    errors += o.errors;
    inputTokens += o.inputTokens;
    outputTokens += o.outputTokens;
    cachedInputTokens += o.cachedInputTokens;
    cacheWriteTokens += o.cacheWriteTokens;
    cost += o.cost;
    bytesOut += o.bytesOut;
    return *this;
}

RollupKey RollupKeyView::toKey() const {
    return RollupKey{hour,
                     std::string(team),
                     std::string(provider),
                     std::string(model),
                     std::string(task),
                     std::string(sensitivity),
                     std::string(endpointClass)};
}

RollupKeyView rollupKeyOf(const RequestRecord& r) {
    return RollupKeyView{hourOf(r.timeMs),
                         r.team,
                         r.provider ? policy::toString(*r.provider) : "",
                         r.servedModel,
                         r.task,
                         r.sensitivity ? policy::toString(*r.sensitivity) : "",
                         r.endpointClass ? policy::toString(*r.endpointClass) : ""};
}

RollupTotals rollupTotalsOf(const RequestRecord& r) {
    RollupTotals t;
    t.requests = 1;
    t.denials = r.decision == Decision::Denied || r.decision == Decision::Blocked;
    t.errors = r.decision == Decision::Error || r.outcome == Outcome::UpstreamError || r.outcome == Outcome::Invalid;
    t.inputTokens = r.tokens.input;
    t.outputTokens = r.tokens.output;
    t.cachedInputTokens = r.tokens.cachedInput;
    t.cacheWriteTokens = r.tokens.cacheWrite;
    t.cost = r.cost;
    t.bytesOut = r.bytesSent;
    return t;
}

} // namespace gh::store
