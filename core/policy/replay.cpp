#include "policy/replay.h"

#include <algorithm>

namespace gh::policy {
namespace {

Request attributesOf(const RecordedRequest& r) {
    return {.team = r.team,
            .identity = r.identity,
            .repository = r.repository,
            .branch = r.branch,
            .task = r.task,
            .model = r.requestedModel,
            .agent = r.agent,
            .keyId = r.keyId};
}

ReplaySide recordedSide(const RecordedRequest& r) {
    ReplaySide side;
    side.routed = r.decision == RecordedDecision::Routed;
    side.ruleId = r.ruleId;
    if (side.routed) {
        side.endpointId = r.endpointId;
        side.model = r.servedModel;
        side.cost = r.cost;
    }
    return side;
}

// The draft's target where the recorded request was served: the same fallback position, or the
// draft's last target when its route is shorter. `decision` is allowed, so it has a target.
const ResolvedTarget& targetAt(const Decision& decision, int fallback) {
    const auto last = decision.targets.size() - 1;
    return decision.targets[std::min(std::size_t(std::max(fallback, 0)), last)];
}

// The draft's side; `tokens` are priced at its target (none for a request nothing served).
ReplaySide draftSide(const Decision& decision, int fallback, const pricing::Usage& tokens) {
    ReplaySide side;
    side.routed = decision.allowed;
    side.ruleId = decision.ruleId;
    if (!decision.allowed) {
        side.reason = decision.reason;
        return side;
    }
    const ResolvedTarget& target = targetAt(decision, fallback);
    side.endpointId = target.endpoint->id;
    side.model = target.model->name; // "*" already resolved to the requested model
    side.cost = pricing::cost(target.model->price.value_or(pricing::ModelPrice{}), tokens);
    return side;
}

ReplayClass classify(const ReplaySide& recorded, const ReplaySide& draft) {
    if (recorded.routed && !draft.routed)
        return ReplayClass::Denied;
    if (!recorded.routed && draft.routed)
        return ReplayClass::Allowed;
    if (recorded.routed && (recorded.endpointId != draft.endpointId || recorded.model != draft.model))
        return ReplayClass::RoutedDifferently;
    return ReplayClass::Unchanged;
}

} // namespace

const char* toString(ReplayClass c) {
    switch (c) {
    case ReplayClass::Unchanged:
        return "unchanged";
    case ReplayClass::RoutedDifferently:
        return "routed_differently";
    case ReplayClass::Denied:
        return "denied";
    case ReplayClass::Allowed:
        return "allowed";
    }
    return "unchanged";
}

Replayer::Replayer(const Evaluator& draft, std::size_t sampleLimit) : draft_(draft), sampleLimit_(sampleLimit) {}

bool Replayer::add(const RecordedRequest& request) {
    if (request.decision == RecordedDecision::NotDecided)
        return false;
    ++summary_.requests;
    const Decision decision = draft_.decide(attributesOf(request));
    ReplaySide recorded = recordedSide(request);
    // A request recorded denied was never served: no tokens to price (its draft cost stays 0).
    ReplaySide draft = draftSide(decision, request.fallback, recorded.routed ? request.tokens : pricing::Usage{});
    if (recorded.routed) {
        summary_.costBefore += recorded.cost;
        summary_.costAfter += draft.cost;
    }
    const ReplayClass change = classify(recorded, draft);
    switch (change) {
    case ReplayClass::Unchanged:
        ++summary_.unchanged;
        return true;
    case ReplayClass::RoutedDifferently:
        ++summary_.routedDifferently;
        break;
    case ReplayClass::Denied:
        ++summary_.denied;
        break;
    case ReplayClass::Allowed:
        ++summary_.allowed;
        break;
    }
    keepSample(request, change, std::move(recorded), std::move(draft));
    return true;
}

void Replayer::keepSample(const RecordedRequest& r, ReplayClass change, ReplaySide recorded, ReplaySide draft) {
    if (sampleLimit_ == 0)
        return;
    if (recent_.size() == sampleLimit_)
        recent_.pop_front(); // requests come oldest first: the oldest kept one makes room
    recent_.push_back({r.timeMs, std::string(r.requestId), std::string(r.team), std::string(r.identity),
                       std::string(r.repository), std::string(r.task), std::string(r.requestedModel), change,
                       std::move(recorded), std::move(draft)});
}

ReplaySummary Replayer::summary() const {
    ReplaySummary out = summary_;
    out.sample.assign(recent_.rbegin(), recent_.rend());
    return out;
}

} // namespace gh::policy
