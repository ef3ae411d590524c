// Credentials (provider secrets) and gateway keys. Secrets come in and never go out: the only
// answers that carry one are a gateway key's issue/rotate/claim, which show the new key once.
#include "admin/admin_api.h"
#include "admin/shapes_from.h"
#include "api/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "util/glob.h"

namespace gh::gateway {
namespace {

constexpr std::size_t kMaxSecretBytes = 16 * 1024;

void checkId(const std::string& id, const char* field) {
    bool ok = !id.empty() && id.size() <= 100;
    for (char c : id)
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
    if (!ok)
        throw invalid(std::string("'") + field + "' must be 1 to 100 letters, digits, '-', '_' or '.'", field);
}

void checkSecret(const std::string& secret) {
    if (secret.empty())
        throw invalid("'secret' is empty", "secret");
    if (secret.size() > kMaxSecretBytes)
        throw invalid("'secret' is longer than 16 KiB", "secret");
    for (char c : secret)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw invalid("'secret' contains a control character or line break; paste only the key", "secret");
}

std::optional<store::RotationSchedule> scheduleChange(const Call& call) {
    auto body = readBody<api::ScheduleChange>(call);
    const bool fields = body.period_days || body.grace_days || body.reminder_days;
    if (body.schedule.is_object()) { // {"schedule": {"period_days": ...}}, as GET shows it
        if (fields)
            throw invalid("send the schedule either as its fields or as 'schedule', not both", "schedule");
        api::ReadError error;
        auto nested = api::fromJson<api::Schedule>(body.schedule, error, api::Unknown::Refuse);
        if (!nested)
            throw invalid("field 'schedule." + error.field + "': " + error.message, "schedule." + error.field);
        return scheduleFrom(*nested, "schedule");
    }
    if (!body.schedule.is_null())
        throw invalid("'schedule' must be an object with period_days, grace_days and reminder_days, or null", "schedule");
    if (!fields)
        return std::nullopt; // {"schedule": null} (or {}): no schedule
    if (!body.period_days)
        throw invalid("'period_days' is required (or send {\"schedule\": null} to remove the schedule)", "period_days");
    return scheduleFrom(api::Schedule{*body.period_days, body.grace_days.value_or(0), body.reminder_days.value_or(0)}, "");
}

} // namespace

// ---- credentials -----------------------------------------------------------------------------

Reply AdminApi::listCredentials(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    const auto& doc = s_.state.currentPolicy()->document();
    std::vector<api::Credential> all; // few: one per provider account; list() is ordered by id
    for (const auto& c : s_.vault.list())
        all.push_back(shapeOf(c, now(), doc));
    return pageReply(pageOf(call, std::move(all), [](const api::Credential& c) { return c.id; }));
}

Reply AdminApi::getCredential(Call& call) {
    allowQuery(call, {});
    const std::string id(call.param(0));
    auto c = s_.vault.find(id);
    if (!c)
        throw notFound("no credential '" + id + "'");
    auto shape = shapeOf(*c, now(), s_.state.currentPolicy()->document());
    shape.history.emplace();
    for (const auto& h : s_.vault.history(id))
        shape.history->push_back({api::formatTime(h.rotatedMs), h.fingerprint, h.actor});
    return json(shape);
}

Reply AdminApi::addCredential(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    auto body = readBody<api::NewCredential>(call);
    checkId(body.id, "id");
    checkSecret(body.secret);
    std::optional<store::RotationSchedule> schedule;
    if (body.schedule)
        schedule = scheduleFrom(*body.schedule, "schedule");
    if (auto existing = s_.vault.find(body.id); existing && !existing->revoked())
        throw conflict("credential '" + body.id + "' exists; rotate it with POST /admin/v1/credentials/" + body.id + "/rotate");
    // Recorded first: when the audit chain cannot take it, the secret is never stored.
    audit(call.caller, "credential.add", "credential:" + body.id,
          {{"after", {{"fingerprint", crypto::fingerprint(s_.masterKey, body.secret)},
                      {"schedule", api::toJson(shapeOf(schedule))}}}});
    s_.vault.set(body.id, body.secret, now(), call.caller.actor());
    if (schedule)
        s_.vault.setSchedule(body.id, schedule);
    crypto::wipe({reinterpret_cast<std::uint8_t*>(body.secret.data()), body.secret.size()});
    return json(shapeOf(*s_.vault.find(body.id), now(), s_.state.currentPolicy()->document()), http::status::created);
}

Reply AdminApi::rotateCredential(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto body = readBody<api::CredentialSecret>(call);
    checkSecret(body.secret);
    auto before = s_.vault.find(id);
    if (!before)
        throw notFound("no credential '" + id + "'; add it with POST /admin/v1/credentials");
    audit(call.caller, "credential.rotate", "credential:" + id,
          {{"before", {{"fingerprint", before->fingerprint}}},
           {"after", {{"fingerprint", crypto::fingerprint(s_.masterKey, body.secret)}}}});
    s_.vault.set(id, body.secret, now(), call.caller.actor());
    crypto::wipe({reinterpret_cast<std::uint8_t*>(body.secret.data()), body.secret.size()});
    return json(shapeOf(*s_.vault.find(id), now(), s_.state.currentPolicy()->document()));
}

Reply AdminApi::scheduleCredential(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto schedule = scheduleChange(call);
    auto before = s_.vault.find(id);
    if (!before)
        throw notFound("no credential '" + id + "'");
    audit(call.caller, "credential.schedule", "credential:" + id,
          {{"before", api::toJson(shapeOf(before->schedule))}, {"after", api::toJson(shapeOf(schedule))}});
    s_.vault.setSchedule(id, schedule);
    return json(shapeOf(*s_.vault.find(id), now(), s_.state.currentPolicy()->document()));
}

Reply AdminApi::revokeCredential(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto before = s_.vault.find(id);
    if (!before)
        throw notFound("no credential '" + id + "'");
    if (!before->revoked()) {
        audit(call.caller, "credential.revoke", "credential:" + id, {{"before", {{"fingerprint", before->fingerprint}}}});
        s_.vault.revoke(id, now());
    }
    return json(shapeOf(*s_.vault.find(id), now(), s_.state.currentPolicy()->document()));
}

// ---- gateway keys ----------------------------------------------------------------------------

Reply AdminApi::listKeys(Call& call) {
    allowQuery(call, {"cursor", "limit", "identity", "team"});
    const auto limit = pageLimit(call);
    const auto identity = call.queryValue("identity"), team = call.queryValue("team");
    api::Page<api::GatewayKey> page;
    s_.keys.forEach(
        [&](const store::KeyInfo& k) {
            if ((identity && k.identity != *identity) || (team && k.team != *team))
                return true;
            if (page.items.size() == limit) {
                page.next_cursor = idCursor(page.items.back().id);
                return false;
            }
            page.items.push_back(shapeOf(k, now()));
            return true;
        },
        idFromCursor(call));
    return pageReply(page);
}

Reply AdminApi::getKey(Call& call) {
    allowQuery(call, {});
    auto k = s_.keys.find(call.param(0));
    if (!k)
        throw notFound("no gateway key '" + std::string(call.param(0)) + "'");
    return json(shapeOf(*k, now()));
}

Reply AdminApi::issueKey(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::NewGatewayKey>(call);
    if (body.identity.empty() || body.identity.size() > 200)
        throw invalid("'identity' must be 1 to 200 characters: the person or service account using the key", "identity");
    checkId(body.team, "team");
    store::KeyRequest request;
    request.identity = body.identity;
    request.team = body.team;
    request.repositories = body.repositories.value_or(std::vector<std::string>{});
    for (std::size_t i = 0; i < request.repositories.size(); ++i)
        if (request.repositories[i].empty() || request.repositories[i].size() > 200)
            throw invalid("repository patterns must be 1 to 200 characters", "repositories[" + std::to_string(i) + "]");
    if (body.expires_at) {
        request.expiresMs = api::parseTime(*body.expires_at);
        if (!request.expiresMs)
            throw invalid("'expires_at' must be an RFC 3339 time such as 2027-01-31T00:00:00Z", "expires_at");
        if (*request.expiresMs <= now())
            throw invalid("'expires_at' is in the past", "expires_at");
    }
    if (body.schedule)
        request.rotation = scheduleFrom(*body.schedule, "schedule");
    const auto& teams = s_.state.currentPolicy()->document().teams;
    if (!teams.empty() && std::none_of(teams.begin(), teams.end(), [&](const auto& t) { return t.id == request.team; }))
        throw invalid("team '" + request.team + "' is not one of the policy's teams", "team");
    auto issued = s_.keys.issue(request, now());
    try {
        audit(call.caller, "key.issue", "key:" + issued.info.id, {{"after", api::toJson(shapeOf(issued.info, now()))}});
    } catch (...) {
        s_.keys.revoke(issued.info.id, now()); // not recorded, so it must not work
        throw;
    }
    return json(api::IssuedGatewayKey{shapeOf(issued.info, now()), issued.secret, std::nullopt}, http::status::created);
}

Reply AdminApi::rotateKey(Call& call) {
    allowQuery(call, {});
    const std::string id(call.param(0));
    auto body = readBody<api::RotateGatewayKey>(call);
    const std::int64_t grace = body.grace_seconds.value_or(86'400);
    if (grace < 0 || grace > 30 * 86'400)
        throw invalid("'grace_seconds' must be from 0 to 2592000 (30 days)", "grace_seconds");

    // Idempotency: the same key and body within 24 h answer the first result again.
    const std::string idempotencyKey = call.header("Idempotency-Key");
    if (idempotencyKey.size() > 200)
        throw invalid("Idempotency-Key is longer than 200 characters", "Idempotency-Key");
    const std::string scope = call.caller.tokenId + " POST /keys/" + id + "/rotate";
    const std::string requestHash = crypto::toHex(crypto::sha256(call.request.body()));
    std::lock_guard turn(secretsMutex_);
    if (!idempotencyKey.empty()) {
        if (auto previous = s_.idempotency.find(scope, idempotencyKey, now())) {
            if (previous->requestHash != requestHash)
                throw conflict("this Idempotency-Key was used for a different request; use a new key for a new rotation");
            Reply reply{http::status(previous->status), previous->response, "application/json", {}};
            reply.headers.emplace_back("Idempotent-Replayed", "true");
            return reply;
        }
    }
    auto before = s_.keys.find(id);
    if (!before)
        throw notFound("no gateway key '" + id + "'");
    if (before->revoked())
        throw conflict("gateway key '" + id + "' is revoked; issue a new key instead");
    audit(call.caller, "key.rotate", "key:" + id,
          {{"before", {{"prefix", std::string(store::kKeySecretPrefix) + before->displayPrefix}}},
           {"grace_seconds", grace}});
    auto rotated = s_.keys.rotate(id, grace * 1000, now());
    if (!rotated)
        throw notFound("no gateway key '" + id + "'");
    api::IssuedGatewayKey answer{shapeOf(rotated->info, now()), rotated->secret,
                                 api::formatTime(rotated->info.previousValidUntilMs)};
    Reply reply = json(answer);
    if (!idempotencyKey.empty())
        s_.idempotency.remember(scope, idempotencyKey, {requestHash, reply.body, int(reply.status)}, now());
    return reply;
}

Reply AdminApi::revokeKey(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto before = s_.keys.find(id);
    if (!before)
        throw notFound("no gateway key '" + id + "'");
    if (!before->revoked()) {
        audit(call.caller, "key.revoke", "key:" + id, {{"before", api::toJson(shapeOf(*before, now()))}});
        s_.keys.revoke(id, now());
    }
    return json(shapeOf(*s_.keys.find(id), now()));
}

Reply AdminApi::scheduleKey(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto schedule = scheduleChange(call);
    auto before = s_.keys.find(id);
    if (!before)
        throw notFound("no gateway key '" + id + "'");
    audit(call.caller, "key.schedule", "key:" + id,
          {{"before", api::toJson(shapeOf(before->rotation))}, {"after", api::toJson(shapeOf(schedule))}});
    s_.keys.setSchedule(id, schedule);
    return json(shapeOf(*s_.keys.find(id), now()));
}

Reply AdminApi::claimKey(Call& call) {
    allowQuery(call, {});
    std::lock_guard turn(secretsMutex_);
    const std::string id(call.param(0));
    auto key = s_.keys.find(id);
    if (!key)
        throw notFound("no gateway key '" + id + "'");
    if (!key->pendingSecret)
        throw notFound("gateway key '" + id + "' has no secret waiting: it was claimed already, or no scheduled rotation happened");
    audit(call.caller, "key.claim", "key:" + id, {{"prefix", std::string(store::kKeySecretPrefix) + key->displayPrefix}});
    auto secret = s_.keys.claimPendingSecret(id);
    if (!secret)
        throw notFound("gateway key '" + id + "' has no secret waiting");
    return json(api::IssuedGatewayKey{shapeOf(*s_.keys.find(id), now()), *secret,
                                      api::formatTime(key->previousValidUntilMs)});
}

} // namespace gh::gateway
