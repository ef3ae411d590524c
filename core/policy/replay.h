#pragma once
// Replay: a draft policy over recorded traffic. For each request the gateway recorded, how the
// draft would have decided it, compared with how it was decided, and what it would have cost.
// The admin API's POST /policy/replay feeds requests.db through this (store/request_query.h
// adapts a RequestRecord; this module knows nothing of the store).
//
// Semantics (docs/admin-api.md, "Replay"):
//   - Only requests the policy decided count: recorded routed or denied. Requests refused by a
//     budget, errors and invalid requests are skipped (not counted in `requests`): the policy
//     did not decide them, so a draft cannot be compared with them.
//   - The draft decides with Evaluator::decide() on the recorded attributes; the draft's
//     repository catalog classifies the repository afresh.
//   - recorded routed, draft denies        -> Denied
//     recorded denied, draft allows        -> Allowed
//     both denied                          -> Unchanged
//     both routed: the recorded (endpoint, served model) against the draft's target at the
//     recorded fallback position (the draft's last target when it has fewer): different ->
//     RoutedDifferently, the same -> Unchanged. A target of model "*" serves the requested
//     model (the evaluator resolves it). A different deciding rule alone is no change.
//   - costBefore: the recorded cost of the requests recorded routed. costAfter: for the same
//     requests, pricing::cost(the draft target's price, the recorded tokens), 0 where the draft
//     denies. Newly allowed requests are in neither sum: nothing was forwarded, so no tokens
//     were recorded and their cost is unknown.
// Known limits of what a record tells: a request refused because its gateway key is scoped to
// other repositories is recorded as denied without a rule, like a default deny, so a draft that
// allows it reports it as Allowed; a request served by a budget's downgrade targets compares its
// downgrade target with the draft's route.
#include "policy/evaluator.h"
#include "pricing/pricing.h"
#include "util/money.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace gh::policy {

enum class RecordedDecision : std::uint8_t {
    Routed,
    Denied,
    NotDecided // blocked by a budget, an error, an invalid request: skipped
};

// One recorded request, as replay reads it. The views must stay valid during Replayer::add().
struct RecordedRequest {
    std::int64_t timeMs = 0; // arrival, milliseconds since the Unix epoch
    std::string_view requestId;
    std::string_view team, identity, repository, branch, task, requestedModel, agent, keyId;
    RecordedDecision decision = RecordedDecision::NotDecided;
    std::string_view ruleId;                  // "" for the default deny
    std::string_view endpointId, servedModel; // what served it; "" when denied
    int fallback = 0;                         // position of that target in the route
    pricing::Usage tokens;
    Money cost;
};

enum class ReplayClass : std::uint8_t { Unchanged, RoutedDifferently, Denied, Allowed };
const char* toString(ReplayClass); // "unchanged", "routed_differently", "denied", "allowed"

// How one request was (recorded) or would be (draft) decided.
struct ReplaySide {
    bool routed = false;
    std::string ruleId;            // "" for the default deny
    std::string endpointId, model; // "" when denied
    std::string reason;            // the draft's reason for a denial; requests.db keeps none
    Money cost;                    // recorded; for the draft the recorded tokens at its price
};

// An affected request (anything but Unchanged).
struct ReplaySample {
    std::int64_t timeMs = 0;
    std::string requestId, team, identity, repository, task, requestedModel;
    ReplayClass change = ReplayClass::Unchanged;
    ReplaySide recorded, draft;
};

struct ReplaySummary {
    std::int64_t requests = 0; // considered: recorded routed or denied
    std::int64_t unchanged = 0, routedDifferently = 0, denied = 0, allowed = 0;
    Money costBefore, costAfter;
    std::vector<ReplaySample> sample; // newest first, at most the sample limit

    Money costDifference() const { return costAfter - costBefore; } // negative: the draft saves
};

// Takes recorded requests one at a time, oldest first (the order requests.db is scanned in), and
// keeps the counts, the two cost sums and the newest `sampleLimit` affected requests: memory is
// bounded by the sample, whatever the number of requests.
class Replayer {
public:
    // `draft` must outlive the replayer.
    Replayer(const Evaluator& draft, std::size_t sampleLimit);

    // Returns false when the request was skipped (not decided by the policy).
    bool add(const RecordedRequest& request);
    std::int64_t considered() const { return summary_.requests; }
    // The summary so far, its sample newest first.
    ReplaySummary summary() const;

private:
    void keepSample(const RecordedRequest& request, ReplayClass change, ReplaySide recorded, ReplaySide draft);

    const Evaluator& draft_;
    std::size_t sampleLimit_;
    ReplaySummary summary_;           // the sample is kept in recent_ instead
    std::deque<ReplaySample> recent_; // oldest first
};

} // namespace gh::policy
