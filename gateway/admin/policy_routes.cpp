// The policy resource: current, versions, validate, simulate, diff, apply (If-Match), rollback.
#include "admin/admin_api.h"
#include "admin/shapes_from.h"
#include "policy/diff.h"
#include "policy/yaml_codec.h"

#include <charconv>

namespace gh::gateway {
namespace {

std::string etagOf(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

// If-Match: "7" (also W/"7" and a bare 7: clients differ in how they quote).
std::optional<std::int64_t> ifMatchVersion(const Call& call) {
    std::string v = call.header("If-Match");
    if (v.empty())
        throw ApiError(http::status::precondition_required, "precondition_required",
                       "send the version you edited in If-Match (the ETag of GET /admin/v1/policy, such as \"7\"), so "
                       "a change made meanwhile is never overwritten");
    if (v.starts_with("W/"))
        v = v.substr(2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
        v = v.substr(1, v.size() - 2);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 0)
        throw invalid("If-Match must be a policy version's ETag, such as \"7\"", "If-Match");
    return n;
}

api::Simulation simulate(const policy::Evaluator& evaluator, const api::SimulatedRequest& r,
                         std::optional<std::int64_t> version) {
    // policy::Request holds views: they point into `r`, which outlives the decision.
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
    const auto decision = evaluator.explain(request);
    const auto& doc = evaluator.document();
    api::Simulation out;
    out.policy_version = version;
    auto& d = out.decision;
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
    for (const auto& line : decision.trace) {
        api::TraceStep step;
        step.rule_index = line.rule;
        if (line.rule >= 0 && std::size_t(line.rule) < doc.routes.size())
            step.rule = doc.routes[std::size_t(line.rule)].id;
        step.text = line.text;
        out.trace.push_back(std::move(step));
    }
    return out;
}

} // namespace

Reply AdminApi::getPolicy(Call& call) {
    allowQuery(call, {});
    auto running = s_.policy.runningVersion();
    auto version = s_.policy.versions().get(running);
    if (!version)
        throw notFound("no policy version is stored yet");
    Reply reply = json(shapeOf(*version, true));
    reply.headers.emplace_back("ETag", etagOf(version->version));
    return reply;
}

Reply AdminApi::listPolicyVersions(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    const auto limit = pageLimit(call);
    const auto before = numberFromCursor(call);
    auto versions = s_.policy.versions().list(before, limit + 1);
    api::Page<api::PolicyVersion> page;
    for (std::size_t i = 0; i < versions.size() && i < limit; ++i)
        page.items.push_back(shapeOf(versions[i], false));
    if (versions.size() > limit)
        page.next_cursor = idCursor(std::to_string(versions[limit - 1].version));
    return pageReply(page);
}

Reply AdminApi::getPolicyVersion(Call& call) {
    allowQuery(call, {});
    std::int64_t n = 0;
    const auto p = call.param(0);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec != std::errc() || end != p.data() + p.size())
        throw invalid("a policy version is a number, such as /policy/versions/3");
    auto version = s_.policy.versions().get(n);
    if (!version)
        throw notFound("no policy version " + std::string(p));
    return json(shapeOf(*version, true));
}

Reply AdminApi::validatePolicy(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::PolicyText>(call);
    auto checked = s_.policy.check(body.yaml);
    return json(api::Validation{checked.evaluator != nullptr, shapeOf(checked.diagnostics)});
}

Reply AdminApi::simulatePolicy(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::Simulate>(call);
    if (body.yaml && body.version)
        throw invalid("give either 'yaml' (a draft) or 'version', not both", "version");
    if (body.yaml) {
        auto checked = s_.policy.check(*body.yaml);
        if (!checked.evaluator) {
            ApiError e(http::status::unprocessable_entity, "invalid_policy",
                       "the draft is not a valid policy; fix the problems listed in 'diagnostics'");
            e.error.diagnostics = shapeOf(checked.diagnostics);
            throw e;
        }
        return json(simulate(*checked.evaluator, body.request, std::nullopt));
    }
    if (body.version) {
        auto version = s_.policy.versions().get(*body.version);
        if (!version)
            throw notFound("no policy version " + std::to_string(*body.version));
        auto checked = s_.policy.check(version->yaml);
        if (!checked.evaluator)
            throw invalid("policy version " + std::to_string(*body.version) + " no longer validates", "version");
        return json(simulate(*checked.evaluator, body.request, version->version));
    }
    auto running = s_.state.currentPolicy();
    return json(simulate(*running->evaluator, body.request, running->version));
}

Reply AdminApi::diffPolicy(Call& call) {
    allowQuery(call, {"from", "to"});
    const auto to = queryInt(call, "to", 1, INT64_MAX).value_or(s_.policy.runningVersion());
    const auto from = queryInt(call, "from", 1, INT64_MAX);
    if (!from)
        throw invalid("parameter 'from' is required: the version to compare against", "from");
    auto a = s_.policy.versions().get(*from);
    auto b = s_.policy.versions().get(to);
    if (!a)
        throw notFound("no policy version " + std::to_string(*from));
    if (!b)
        throw notFound("no policy version " + std::to_string(to));
    return json(api::PolicyDiff{*from, to,
                                policy::unifiedDiff(a->yaml, b->yaml, "version " + std::to_string(*from),
                                                    "version " + std::to_string(to))});
}

Reply AdminApi::applyPolicy(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::ApplyPolicy>(call);
    return changePolicy(call, body.yaml, body.comment, "api", std::nullopt);
}

Reply AdminApi::rollbackPolicy(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::RollbackPolicy>(call);
    auto version = s_.policy.versions().get(body.version);
    if (!version)
        throw notFound("no policy version " + std::to_string(body.version) + " to roll back to");
    return changePolicy(call, version->yaml,
                        body.comment.empty() ? "rollback to version " + std::to_string(body.version) : body.comment,
                        "rollback", body.version);
}

Reply AdminApi::changePolicy(Call& call, const std::string& yaml, const std::string& comment, const std::string& source,
                             std::optional<std::int64_t> rolledBackFrom) {
    const auto expected = *ifMatchVersion(call);
    if (comment.size() > 2000)
        throw invalid("'comment' is longer than 2000 characters", "comment");
    PolicyChange change{yaml, call.caller.actor(), std::string(api::toString(call.caller.role)), comment, source,
                        rolledBackFrom};
    const std::string action = source == "rollback" ? "policy.rollback" : "policy.apply";
    bool audited = false;
    auto result = s_.policy.apply(expected, change, now(), [&](const store::PolicyVersion& running, std::int64_t next) {
        audited = true;
        api::json::object detail{{"from_version", running.version},
                                 {"to_version", next},
                                 {"before_sha256", running.sha256Hex},
                                 {"comment", comment}};
        if (rolledBackFrom)
            detail["rolled_back_from"] = *rolledBackFrom;
        std::string diff = policy::unifiedDiff(running.yaml, yaml, "version " + std::to_string(running.version),
                                               "version " + std::to_string(next));
        if (diff.size() > 64 * 1024)
            diff = diff.substr(0, 64 * 1024) + "\n… (diff truncated at 64 KiB)\n";
        detail["diff"] = diff; // a policy holds no secrets: credentials are referenced by id
        audit(call.caller, action, "policy", std::move(detail));
    });
    using S = PolicyChangeResult::Status;
    if (result.status == S::Stale && audited) // another process won after our entry was written
        auditSecurityEvent(call.caller, action, "policy",
                           {{"outcome", "not applied: another writer changed the policy at the same moment"},
                            {"current_version", result.currentVersion}});
    if (result.status == S::Stale) {
        ApiError e(http::status::precondition_failed, "precondition_failed",
                   "the policy changed since version " + std::to_string(expected) + ": the running version is " +
                       std::to_string(result.currentVersion) + ". Review its changes, then apply again from it");
        e.error.current_version = result.currentVersion;
        throw e;
    }
    if (result.status == S::Invalid) {
        ApiError e(http::status::unprocessable_entity, "invalid_policy",
                   "the policy is not valid; nothing changed. Fix the problems listed in 'diagnostics'");
        e.error.diagnostics = shapeOf(result.diagnostics);
        throw e;
    }
    Reply reply = json(shapeOf(*result.version, true));
    reply.headers.emplace_back("ETag", etagOf(result.version->version));
    return reply;
}

} // namespace gh::gateway
