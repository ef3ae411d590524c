#include "admin/shapes_from.h"

#include "admin/admin_call.h"
#include "api/time.h"

namespace gh::gateway {
namespace {
constexpr std::int64_t kDayMs = 86'400'000;

api::json::value parsedOrEmpty(const std::string& text) {
    boost::system::error_code ec;
    auto v = api::json::parse(text, ec);
    return ec ? api::json::value(api::json::object()) : v;
}
} // namespace

api::Diagnostic shapeOf(const policy::Diagnostic& d) {
    return {d.severity == policy::Severity::Error ? "error" : "warning", d.pos.line, d.pos.column, d.message,
            policy::toString(d.section), d.index};
}

std::vector<api::Diagnostic> shapeOf(const std::vector<policy::Diagnostic>& ds) {
    std::vector<api::Diagnostic> out;
    for (const auto& d : ds)
        out.push_back(shapeOf(d));
    return out;
}

api::PolicyVersion shapeOf(const store::PolicyVersion& v, bool withYaml) {
    api::PolicyVersion out;
    out.version = v.version;
    out.etag = "\"" + std::to_string(v.version) + "\"";
    out.sha256 = v.sha256Hex;
    out.author = v.author;
    out.role = v.role;
    out.comment = v.comment;
    out.source = v.source;
    out.rolled_back_from = v.rolledBackFrom;
    out.created_at = api::formatTime(v.createdMs);
    if (withYaml)
        out.yaml = v.yaml;
    return out;
}

std::optional<api::Schedule> shapeOf(const std::optional<store::RotationSchedule>& s) {
    if (!s)
        return std::nullopt;
    return api::Schedule{s->periodMs / kDayMs, s->graceMs / kDayMs, s->reminderMs / kDayMs};
}

store::RotationSchedule scheduleFrom(const api::Schedule& s, const std::string& field) {
    const std::string prefix = field.empty() ? "" : field + ".";
    if (s.period_days < 1 || s.period_days > 3650)
        throw invalid("'" + prefix + "period_days' must be from 1 to 3650 days", prefix + "period_days");
    if (s.grace_days < 0 || s.grace_days > s.period_days)
        throw invalid("'" + prefix + "grace_days' must be from 0 to the period (" + std::to_string(s.period_days) + " days)",
                      prefix + "grace_days");
    if (s.reminder_days < 0 || s.reminder_days > s.period_days)
        throw invalid("'" + prefix + "reminder_days' must be from 0 to the period (" + std::to_string(s.period_days) +
                          " days)",
                      prefix + "reminder_days");
    return store::RotationSchedule{s.period_days * kDayMs, s.grace_days * kDayMs, s.reminder_days * kDayMs};
}

api::Credential shapeOf(const store::CredentialInfo& c, std::int64_t now, const policy::Document& doc) {
    api::Credential out;
    out.id = c.id;
    out.fingerprint = c.fingerprint;
    out.created_at = api::formatTime(c.createdMs);
    out.rotated_at = api::formatTime(c.rotatedMs);
    out.revoked_at = api::formatTime(c.revokedMs);
    out.state = std::string(store::toString(c.state(now)));
    out.next_due = c.revoked() ? std::nullopt : api::formatTime(c.nextDueMs());
    out.schedule = shapeOf(c.schedule);
    for (const auto& e : doc.endpoints)
        if (e.credential.value == c.id)
            out.used_by.push_back(e.id);
    return out;
}

api::GatewayKey shapeOf(const store::KeyInfo& k, std::int64_t now) {
    api::GatewayKey out;
    out.id = k.id;
    out.prefix = std::string(store::kKeySecretPrefix) + k.displayPrefix;
    out.identity = k.identity;
    out.team = k.team;
    out.repositories = k.repositories;
    out.created_at = api::formatTime(k.createdMs);
    out.expires_at = api::formatTime(k.expiresMs);
    out.revoked_at = api::formatTime(k.revokedMs);
    out.rotated_at = api::formatTime(k.rotatedMs);
    out.previous_valid_until = api::formatTime(k.previousValidUntilMs);
    out.state = k.expired(now) && !k.revoked() ? "expired" : std::string(store::toString(k.rotationState(now)));
    out.next_due = k.revoked() ? std::nullopt : api::formatTime(k.nextRotationDue());
    out.schedule = shapeOf(k.rotation);
    out.pending_secret = k.pendingSecret;
    return out;
}

api::AdminToken shapeOf(const store::AdminTokenInfo& t) {
    api::AdminToken out;
    out.id = t.id;
    out.name = t.name;
    out.role = std::string(api::toString(t.role));
    out.prefix = std::string(store::kAdminSecretPrefix) + t.displayPrefix;
    out.created_by = t.createdBy;
    out.created_at = api::formatTime(t.createdMs);
    out.expires_at = api::formatTime(t.expiresMs);
    out.revoked_at = api::formatTime(t.revokedMs);
    out.last_used_at = api::formatTime(t.lastUsedMs);
    return out;
}

api::RequestShape shapeOf(const store::RequestRecord& r) {
    api::RequestShape out;
    out.request_id = r.requestId;
    out.time = api::formatTime(r.timeMs);
    out.session_id = r.sessionId;
    out.identity = r.identity;
    out.team = r.team;
    out.key_id = r.keyId;
    out.agent = r.agent;
    out.repository = r.repository;
    out.branch = r.branch;
    if (r.sensitivity)
        out.sensitivity = policy::toString(*r.sensitivity);
    out.task = r.task;
    out.requested_model = r.requestedModel;
    out.served_model = r.servedModel;
    if (r.provider)
        out.provider = policy::toString(*r.provider);
    out.endpoint = r.endpointId;
    if (r.endpointClass)
        out.endpoint_class = policy::toString(*r.endpointClass);
    out.policy_version = r.policyVersion;
    out.rule = r.ruleId;
    out.decision = store::toString(r.decision);
    out.fallback = r.fallback > 0;
    out.input_tokens = r.tokens.input;
    out.output_tokens = r.tokens.output;
    out.cached_input_tokens = r.tokens.cachedInput;
    out.cost_micros = r.cost.micros;
    out.cost_usd = usd(r.cost);
    out.latency_ms = r.latencyMs;
    out.first_token_ms = r.firstTokenMs;
    out.http_status = r.httpStatus;
    out.outcome = store::toString(r.outcome);
    out.bytes_sent = r.bytesSent;
    out.tools_enabled = r.toolsEnabled;
    return out;
}

api::SessionShape shapeOf(const store::SessionSummary& s) {
    api::SessionShape out;
    out.session_id = s.sessionId;
    out.identity = s.identity;
    out.team = s.team;
    out.key_id = s.keyId;
    out.agent = s.agent;
    out.repository = s.repository;
    out.branch = s.branch;
    out.first_at = api::formatTime(s.firstMs);
    out.last_at = api::formatTime(s.lastMs);
    out.requests = s.requests;
    out.denials = s.denials;
    out.errors = s.errors;
    out.input_tokens = s.inputTokens;
    out.output_tokens = s.outputTokens;
    out.cost_micros = s.costMicros;
    out.cost_usd = usd(s.costMicros);
    out.last_model = s.lastModel;
    return out;
}

api::AlertShape shapeOf(const store::AlertRecord& a) {
    api::AlertShape out;
    out.id = a.id;
    out.time = api::formatTime(a.timeMs);
    out.kind = a.kind;
    out.subject = a.subject;
    if (a.periodStartMs != 0)
        out.period_start = api::formatTime(a.periodStartMs);
    out.threshold = a.threshold;
    out.detail = parsedOrEmpty(a.detailJson);
    return out;
}

api::AuditEntryShape shapeOf(const audit::Entry& e) {
    api::AuditEntryShape out;
    out.seq = e.seq;
    out.time = api::formatTime(e.timeMs);
    out.actor = e.actor;
    out.role = e.role;
    out.action = e.action;
    out.target = e.target;
    out.outcome = e.outcome;
    out.detail = parsedOrEmpty(e.detailJson);
    out.source = e.source;
    out.hash = e.hashHex;
    return out;
}

api::AuditVerification shapeOf(const audit::VerifyReport& r) {
    return {r.ok, r.entries, r.checkpoints, r.firstBadSeq, r.problem, r.message};
}

} // namespace gh::gateway
