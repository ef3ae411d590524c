#include "api/simulation.h"

#include "api/usd.h"

#include <string_view>
#include <utility>

namespace gh::api {
namespace {

// policy::Request holds views: they point into `r`, which outlives the decision.
policy::Request attributesOf(const SimulatedRequest& r) {
    auto view = [](const std::optional<std::string>& v) { return v ? std::string_view(*v) : std::string_view(); };
    policy::Request request;
    request.team = view(r.team);
    request.identity = view(r.identity);
    request.repository = view(r.repository);
    request.branch = view(r.branch);
    request.task = view(r.task);
    request.model = view(r.model);
    request.agent = view(r.agent);
    request.keyId = view(r.key_id);
    return request;
}

DecisionShape decisionShape(const policy::Decision& decision, const policy::Document& doc) {
    DecisionShape d;
    d.allowed = decision.allowed;
    if (!decision.ruleId.empty())
        d.rule = std::string(decision.ruleId);
    d.rule_index = decision.rule;
    d.reason = decision.reason;
    if (decision.sensitivity)
        d.sensitivity = policy::toString(*decision.sensitivity);
    for (const auto& t : decision.targets)
        d.targets.push_back({t.endpoint->id, t.model->name, policy::toString(t.endpoint->kind),
                             policy::toString(t.endpoint->cls), t.endpoint->region});
    for (int b : decision.budgets)
        d.budgets.push_back(doc.budgets[std::size_t(b)].id);
    return d;
}

std::vector<TraceStep> traceShape(const std::vector<policy::TraceLine>& trace, const policy::Document& doc) {
    std::vector<TraceStep> out;
    for (const auto& line : trace) {
        TraceStep step;
        step.rule_index = line.rule;
        if (line.rule >= 0 && std::size_t(line.rule) < doc.routes.size())
            step.rule = doc.routes[std::size_t(line.rule)].id;
        step.text = line.text;
        out.push_back(std::move(step));
    }
    return out;
}

std::optional<std::string> unlessEmpty(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

ReplayDecision sideShape(const policy::ReplaySide& side) {
    ReplayDecision out;
    out.decision = side.routed ? "routed" : "denied";
    out.rule = unlessEmpty(side.ruleId);
    out.endpoint = unlessEmpty(side.endpointId);
    out.model = unlessEmpty(side.model);
    out.reason = side.reason;
    out.cost_micros = side.cost.micros;
    out.cost_usd = usd(side.cost);
    return out;
}

ReplayChange changeShape(const policy::ReplaySample& s) {
    return {s.requestId,
            formatTime(s.timeMs),
            s.team,
            s.identity,
            s.repository,
            s.task,
            s.requestedModel,
            policy::toString(s.change),
            sideShape(s.recorded),
            sideShape(s.draft)};
}

} // namespace

Simulation simulate(const policy::Evaluator& evaluator, const SimulatedRequest& request,
                    std::optional<std::int64_t> version) {
    const auto decision = evaluator.explain(attributesOf(request));
    const auto& doc = evaluator.document();
    return {version, decisionShape(decision, doc), traceShape(decision.trace, doc)};
}

Replay replayShape(const policy::ReplaySummary& summary, TimeMs fromMs, TimeMs toMs, bool truncated) {
    Replay out;
    out.from = formatTime(fromMs);
    out.to = formatTime(toMs);
    out.requests = summary.requests;
    out.truncated = truncated;
    out.unchanged = summary.unchanged;
    out.routed_differently = summary.routedDifferently;
    out.denied = summary.denied;
    out.allowed = summary.allowed;
    out.cost_before_micros = summary.costBefore.micros;
    out.cost_before_usd = usd(summary.costBefore);
    out.cost_after_micros = summary.costAfter.micros;
    out.cost_after_usd = usd(summary.costAfter);
    out.cost_difference_micros = summary.costDifference().micros;
    out.cost_difference_usd = usd(summary.costDifference());
    for (const auto& s : summary.sample)
        out.sample.push_back(changeShape(s));
    return out;
}

} // namespace gh::api
