// The policy resource: current, versions, validate, simulate, replay, diff, apply (If-Match),
// rollback.
#include "admin/admin_api.h"
#include "admin/shapes_from.h"
#include "api/simulation.h"
#include "api/time.h"
#include "policy/diff.h"
#include "policy/replay.h"
#include "policy/yaml_codec.h"
#include "store/request_query.h"

#include <atomic>
#include <charconv>
#include <mutex>
#include <utility>

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

// A draft from a request body, compiled; 422 invalid_policy with the diagnostics when it is not
// a valid policy.
std::shared_ptr<const policy::Evaluator> compileDraft(PolicyService& policy, const std::string& yaml) {
    auto checked = policy.check(yaml);
    if (!checked.evaluator) {
        ApiError e(http::status::unprocessable_entity, "invalid_policy",
                   "the draft is not a valid policy; fix the problems listed in 'diagnostics'");
        e.error.diagnostics = shapeOf(checked.diagnostics);
        throw e;
    }
    return checked.evaluator;
}

// Replay's period: RFC 3339 `from`/`to` from the body, default the 7 days before now.
std::pair<std::int64_t, std::int64_t> replayRange(const api::ReplayRequest& body, std::int64_t now) {
    auto timeOf = [](const std::optional<std::string>& text, const char* field) -> std::optional<std::int64_t> {
        if (!text)
            return std::nullopt;
        auto t = api::parseTime(*text);
        if (!t)
            throw invalid(std::string("'") + field + "' must be an RFC 3339 time such as 2026-11-27T09:30:00.000Z",
                          field);
        return t;
    };
    const auto to = timeOf(body.to, "to").value_or(now);
    const auto from = timeOf(body.from, "from").value_or(to - 7 * 86'400'000LL);
    if (from >= to)
        throw invalid("'from' must be before 'to'", "from");
    return {from, to};
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
    if (body.yaml)
        return json(api::simulate(*compileDraft(s_.policy, *body.yaml), body.request, std::nullopt));
    if (body.version) {
        auto version = s_.policy.versions().get(*body.version);
        if (!version)
            throw notFound("no policy version " + std::to_string(*body.version));
        auto checked = s_.policy.check(version->yaml);
        if (!checked.evaluator)
            throw invalid("policy version " + std::to_string(*body.version) + " no longer validates", "version");
        return json(api::simulate(*checked.evaluator, body.request, version->version));
    }
    auto running = s_.state.currentPolicy();
    return json(api::simulate(*running->evaluator, body.request, running->version));
}

Reply AdminApi::replayPolicy(Call& call) {
    allowQuery(call, {});
    const auto body = readBody<api::ReplayRequest>(call);
    const auto [from, to] = replayRange(body, now());
    const auto sampleLimit = body.sample_limit.value_or(50);
    if (sampleLimit < 1 || sampleLimit > 500)
        throw invalid("'sample_limit' must be 1 to 500", "sample_limit");
    const auto draft = compileDraft(s_.policy, body.yaml);
    // One replay at a time: each may scan a million rows on one of the admin threads, and a few
    // viewers replaying in a loop must not hold every thread while others wait to apply.
    static std::atomic<bool> replaying{false};
    if (replaying.exchange(true))
        throw ApiError(http::status::service_unavailable, "replay_busy",
                       "another replay is running; try again when it has finished (a replay takes a few seconds)");
    struct Release {
        ~Release() { replaying = false; }
    } release;
    policy::Replayer replayer(*draft, std::size_t(sampleLimit));
    // A page at a time under the reader's lock, so other calls are served during a long replay.
    const auto range = store::replayRecorded(replayer, from, to, [&](store::RequestCursor after, std::size_t limit) {
        std::lock_guard lock(s_.requests.mutex);
        return store::requestsAfter(s_.requests.db, after, limit);
    });
    return json(api::replayShape(replayer.summary(), range.fromMs, range.toMs, range.truncated));
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
