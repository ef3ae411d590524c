#include "admin/admin_api.h"

#include "admin/shapes_from.h"
#include "api/time.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "log.h"

#include <boost/url/parse.hpp>

#include <chrono>

namespace gh::gateway {
namespace {

using V = http::verb;
using P = Permission;

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < path.size()) {
        const auto slash = std::min(path.find('/', start), path.size());
        out.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

std::string requestId() { return "adm_" + crypto::toHex(crypto::randomBytes(8)); }

AdminResponse toResponse(Reply reply, const std::string& id) {
    AdminResponse response{reply.status, 11};
    response.set(http::field::content_type, reply.contentType);
    response.set(http::field::cache_control, "no-store"); // answers may name keys and spend
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Request-Id", id);
    for (auto& [name, value] : reply.headers)
        response.set(name, value);
    response.body() = std::move(reply.body);
    return response;
}

Reply errorReply(const ApiError& e) {
    Reply reply = json(api::ErrorBody{e.error}, e.status);
    if (e.status == http::status::unauthorized)
        reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"gatehouse admin\"");
    return reply;
}

} // namespace

bool allows(api::Role role, Permission permission) {
    using R = api::Role;
    switch (permission) {
    case P::None:
    case P::Read: return true;
    case P::ChangePolicy: return role == R::PolicyEditor || role == R::Admin;
    case P::ManageSecrets:
    case P::ReadAudit: return role == R::Security || role == R::Admin;
    case P::ManageTokens: return role == R::Admin;
    }
    return false;
}

AdminApi::AdminApi(AdminServices& services) : s_(services) {
    auto add = [this](V method, std::string_view path, Permission permission, Handler handler) {
        routes_.push_back({method, split(path), permission, handler});
    };
    add(V::get, "health", P::None, &AdminApi::health);
    add(V::get, "whoami", P::Read, &AdminApi::whoami);
    add(V::get, "status", P::Read, &AdminApi::status);
    add(V::get, "metrics", P::Read, &AdminApi::metrics);

    add(V::get, "policy", P::Read, &AdminApi::getPolicy);
    add(V::put, "policy", P::ChangePolicy, &AdminApi::applyPolicy);
    add(V::get, "policy/versions", P::Read, &AdminApi::listPolicyVersions);
    add(V::get, "policy/versions/{}", P::Read, &AdminApi::getPolicyVersion);
    add(V::post, "policy/validate", P::Read, &AdminApi::validatePolicy);
    add(V::post, "policy/simulate", P::Read, &AdminApi::simulatePolicy);
    add(V::post, "policy/replay", P::Read, &AdminApi::replayPolicy); // reads only: not audited, like simulate
    add(V::get, "policy/diff", P::Read, &AdminApi::diffPolicy);
    add(V::post, "policy/rollback", P::ChangePolicy, &AdminApi::rollbackPolicy);

    add(V::get, "endpoints", P::Read, &AdminApi::listEndpoints);
    add(V::get, "teams", P::Read, &AdminApi::listTeams);
    add(V::get, "identities", P::Read, &AdminApi::listIdentities);
    add(V::get, "budgets", P::Read, &AdminApi::listBudgets);

    add(V::get, "credentials", P::Read, &AdminApi::listCredentials);
    add(V::post, "credentials", P::ManageSecrets, &AdminApi::addCredential);
    add(V::get, "credentials/{}", P::Read, &AdminApi::getCredential);
    add(V::post, "credentials/{}/rotate", P::ManageSecrets, &AdminApi::rotateCredential);
    add(V::put, "credentials/{}/schedule", P::ManageSecrets, &AdminApi::scheduleCredential);
    add(V::post, "credentials/{}/revoke", P::ManageSecrets, &AdminApi::revokeCredential);

    add(V::get, "keys", P::Read, &AdminApi::listKeys);
    add(V::post, "keys", P::ManageSecrets, &AdminApi::issueKey);
    add(V::get, "keys/{}", P::Read, &AdminApi::getKey);
    add(V::post, "keys/{}/rotate", P::ManageSecrets, &AdminApi::rotateKey);
    add(V::post, "keys/{}/revoke", P::ManageSecrets, &AdminApi::revokeKey);
    add(V::put, "keys/{}/schedule", P::ManageSecrets, &AdminApi::scheduleKey);
    add(V::post, "keys/{}/claim", P::ManageSecrets, &AdminApi::claimKey);

    add(V::get, "tokens", P::ManageTokens, &AdminApi::listTokens);
    add(V::post, "tokens", P::ManageTokens, &AdminApi::createToken);
    add(V::post, "tokens/{}/revoke", P::ManageTokens, &AdminApi::revokeToken);

    add(V::get, "requests", P::Read, &AdminApi::listRequests);
    add(V::get, "requests/{}", P::Read, &AdminApi::getRequest);
    add(V::get, "sessions", P::Read, &AdminApi::listSessions);
    add(V::get, "reports/spend", P::Read, &AdminApi::spendReport);
    add(V::get, "reports/dataflow", P::Read, &AdminApi::flowReport);
    add(V::get, "reports/denials", P::Read, &AdminApi::denialsReport);
    add(V::get, "alerts", P::Read, &AdminApi::listAlerts);
    add(V::get, "audit", P::ReadAudit, &AdminApi::listAudit);
    add(V::get, "audit/verify", P::ReadAudit, &AdminApi::verifyAudit);
}

std::int64_t AdminApi::now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

AdminResponse AdminApi::refusal(http::status status, const std::string& message) {
    std::string type = status == http::status::payload_too_large ? "payload_too_large"
                       : status == http::status::request_header_fields_too_large || status == http::status::bad_request
                           ? "invalid_request"
                           : "internal";
    return toResponse(errorReply(ApiError(status, type, message)), requestId());
}

AdminResponse AdminApi::handle(const AdminRequest& request, const std::string& remoteAddress) {
    const std::string id = requestId();
    Reply reply;
    try {
        reply = dispatch(request, remoteAddress);
    } catch (const ApiError& e) {
        reply = errorReply(e);
    } catch (const std::exception& e) {
        // Store errors and the like: the detail goes to the log, never to the caller.
        log::error("admin call failed", {{"request_id", id}, {"path", std::string(request.target().substr(0, 200))},
                                         {"error", e.what()}});
        reply = errorReply(ApiError(http::status::internal_server_error, "internal",
                                    "the gateway could not complete this call; its log has the details (request " + id + ")"));
    }
    return toResponse(std::move(reply), id);
}

int AdminApi::countFailure(const std::string& source, std::int64_t nowMs) {
    std::lock_guard lock(failuresMutex_);
    const std::int64_t minute = nowMs / 60'000;
    if (failures_.size() > 10'000) // bounded: forget old windows
        std::erase_if(failures_, [&](const auto& kv) { return kv.second.minute != minute; });
    if (failures_.size() > 10'000) // this minute alone: bounded all the same
        failures_.clear();
    auto& window = failures_[source];
    if (window.minute != minute)
        window = {minute, 0};
    return ++window.count;
}

Caller AdminApi::authenticate(const AdminRequest& request, const std::string& remoteAddress) {
    Caller anonymous;
    anonymous.tokenId = "-";
    anonymous.name = "unauthenticated";
    anonymous.source = remoteAddress;
    const auto header = request.find(http::field::authorization);
    if (header == request.end())
        throw ApiError(http::status::unauthorized, "unauthenticated",
                       "this call needs an admin token: send it as 'Authorization: Bearer gha_…'");
    std::string_view value(header->value().data(), header->value().size());
    if (value.size() < 7 || !(value.substr(0, 7) == "Bearer " || value.substr(0, 7) == "bearer "))
        throw ApiError(http::status::unauthorized, "unauthenticated",
                       "the Authorization header must be 'Bearer gha_…' (an admin token)");
    const auto auth = s_.tokens.authenticate(value.substr(7), now());
    if (!auth.ok()) {
        const std::string reason = store::toString(*auth.failure);
        api::json::object detail{{"reason", reason}};
        if (auth.token) {
            anonymous.tokenId = auth.token->id;
            anonymous.name = auth.token->name;
        }
        const int n = countFailure(remoteAddress, now());
        if (n <= kFailuresPerMinute)
            auditSecurityEvent(anonymous, "auth.failed", "admin-api", std::move(detail));
        else if (n == kFailuresPerMinute + 1) // once per minute and address, then silence
            auditSecurityEvent(anonymous, "auth.throttled", "admin-api",
                               {{"failures_this_minute", n},
                                {"note", "further failures from this address this minute are not recorded one by one"}});
        throw ApiError(http::status::unauthorized, "unauthenticated",
                       "the admin token is not valid (" + reason + "); ask an admin for a new one");
    }
    Caller caller;
    caller.tokenId = auth.token->id;
    caller.name = auth.token->name;
    caller.role = auth.token->role;
    caller.expiresMs = auth.token->expiresMs;
    caller.source = remoteAddress;
    return caller;
}

Reply AdminApi::dispatch(const AdminRequest& request, const std::string& remoteAddress) {
    auto target = boost::urls::parse_origin_form(std::string_view(request.target().data(), request.target().size()));
    if (!target)
        throw invalid("the request target is not a valid URL path");
    std::string path = target->path(); // percent-decoded
    if (path == "/metrics")
        path = "/admin/v1/metrics"; // where Prometheus looks by default
    constexpr std::string_view kPrefix = "/admin/v1/";
    if (!path.starts_with(kPrefix))
        throw notFound("no such resource: the admin API lives under /admin/v1/ (see docs/admin-api.md)");
    auto segments = split(std::string_view(path).substr(kPrefix.size()));
    while (!segments.empty() && segments.back().empty())
        segments.pop_back(); // a trailing slash means the same resource

    const Route* found = nullptr;
    std::vector<std::string> params;
    std::string allowed;
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size())
            continue;
        std::vector<std::string> p;
        bool match = true;
        for (std::size_t i = 0; i < segments.size() && match; ++i) {
            if (route.segments[i] == "{}") {
                match = !segments[i].empty();
                p.push_back(segments[i]);
            } else {
                match = route.segments[i] == segments[i];
            }
        }
        if (!match)
            continue;
        allowed += (allowed.empty() ? "" : ", ") + std::string(http::to_string(route.method));
        if (route.method == request.method() ||
            (request.method() == http::verb::head && route.method == http::verb::get)) {
            found = &route;
            params = std::move(p);
            break;
        }
    }
    if (!found) {
        if (allowed.empty())
            throw notFound("no such resource: " + path + " (see docs/admin-api.md)");
        ApiError e(http::status::method_not_allowed, "method_not_allowed",
                   std::string(request.method_string()) + " is not supported on " + path + "; use " + allowed);
        Reply reply = errorReply(e);
        reply.headers.emplace_back("Allow", allowed);
        return reply;
    }

    Call call{request, {}, std::move(params), {}};
    for (const auto& param : target->params()) {
        if (!call.query.emplace(param.key, param.value).second)
            throw invalid("parameter '" + param.key + "' is given more than once", param.key);
    }
    if (found->permission != Permission::None) {
        call.caller = authenticate(request, remoteAddress);
        if (!allows(call.caller.role, found->permission)) {
            auditSecurityEvent(call.caller, "access.denied", path,
                               {{"method", std::string(request.method_string())}, {"path", path}});
            throw ApiError(http::status::forbidden, "forbidden",
                           "the role '" + std::string(api::toString(call.caller.role)) + "' may not " +
                               std::string(request.method_string()) + " " + path + "; ask an admin for a token with a role that may");
        }
    } else {
        call.caller.source = remoteAddress;
    }
    return (this->*(found->handler))(call);
}

void AdminApi::audit(const Caller& caller, std::string action, std::string target, api::json::object detail,
                     std::string outcome) {
    audit::NewEntry entry{caller.actor(), std::string(api::toString(caller.role)), std::move(action), std::move(target),
                          std::move(outcome), api::json::serialize(detail), caller.source};
    try {
        s_.audit.append(entry, now());
    } catch (const std::exception& e) {
        log::error("audit chain append failed; the change is refused", {{"action", entry.action}, {"error", e.what()}});
        throw ApiError(http::status::service_unavailable, "audit_unavailable",
                       "the change was refused because the audit chain could not record it; nothing changed. "
                       "Check the gateway's disk and its log, then try again");
    }
}

void AdminApi::auditSecurityEvent(const Caller& caller, std::string action, std::string target, api::json::object detail) {
    audit::NewEntry entry{caller.actor(), caller.tokenId == "-" ? std::string() : std::string(api::toString(caller.role)),
                          std::move(action), std::move(target), "refused", api::json::serialize(detail), caller.source};
    try {
        s_.audit.append(entry, now());
    } catch (const std::exception& e) {
        log::error("audit chain append failed", {{"action", entry.action}, {"error", e.what()}});
    }
}

// ---- health, whoami, status, metrics --------------------------------------------------------

Reply AdminApi::health(Call& call) {
    allowQuery(call, {});
    return Reply{http::status::ok, "{\"status\":\"ok\"}", "application/json", {}};
}

Reply AdminApi::whoami(Call& call) {
    allowQuery(call, {});
    return json(api::WhoAmI{call.caller.tokenId, call.caller.name, std::string(api::toString(call.caller.role)),
                            api::formatTime(call.caller.expiresMs)});
}

Reply AdminApi::status(Call& call) {
    allowQuery(call, {});
    api::Status out;
    out.version = s_.version;
    out.policy_version = s_.policy.runningVersion();
    out.started_at = api::formatTime(s_.startedMs);
    out.in_flight = s_.inFlight ? s_.inFlight() : 0;
    out.data_listen = s_.dataListen;
    out.admin_listen = s_.adminListen;
    return json(out);
}

Reply AdminApi::metrics(Call& call) {
    allowQuery(call, {});
    MetricsSnapshot snapshot;
    auto running = s_.state.currentPolicy();
    snapshot.policyVersion = running ? running->version : 0;
    snapshot.inFlight = s_.inFlight ? s_.inFlight() : 0;
    if (running)
        for (const auto& b : s_.state.ledger.status(running->document(), now()))
            snapshot.budgets.push_back({b.budgetId, b.limit.micros, b.spent.micros, b.reserved.micros});
    return Reply{http::status::ok, s_.metrics.render(snapshot), "text/plain; version=0.0.4; charset=utf-8", {}};
}

// ---- admin tokens ----------------------------------------------------------------------------

Reply AdminApi::listTokens(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    const auto limit = pageLimit(call);
    api::Page<api::AdminToken> page;
    auto tokens = s_.tokens.list(idFromCursor(call), limit + 1);
    for (std::size_t i = 0; i < tokens.size() && i < limit; ++i)
        page.items.push_back(shapeOf(tokens[i]));
    if (tokens.size() > limit)
        page.next_cursor = idCursor(tokens[limit - 1].id);
    return pageReply(page);
}

Reply AdminApi::createToken(Call& call) {
    allowQuery(call, {});
    auto body = readBody<api::NewAdminToken>(call);
    if (body.name.empty() || body.name.size() > 100)
        throw invalid("'name' must be 1 to 100 characters: who or what uses the token", "name");
    auto role = api::parseRole(body.role);
    if (!role)
        throw invalid("'role' must be one of viewer, policy-editor, security, admin", "role");
    std::optional<std::int64_t> expires;
    if (body.expires_at) {
        expires = api::parseTime(*body.expires_at);
        if (!expires)
            throw invalid("'expires_at' must be an RFC 3339 time such as 2027-01-31T00:00:00Z", "expires_at");
        if (*expires <= now())
            throw invalid("'expires_at' is in the past", "expires_at");
    }
    auto issued = s_.tokens.issue(body.name, *role, expires, call.caller.actor(), now());
    try {
        audit(call.caller, "token.create", "token:" + issued.info.id,
              {{"after", api::toJson(shapeOf(issued.info))}});
    } catch (...) {
        s_.tokens.revoke(issued.info.id, now()); // not recorded, so it must not work
        throw;
    }
    return json(api::IssuedAdminToken{shapeOf(issued.info), issued.secret}, http::status::created);
}

Reply AdminApi::revokeToken(Call& call) {
    allowQuery(call, {});
    const std::string id(call.param(0));
    auto token = s_.tokens.find(id);
    if (!token)
        throw notFound("no admin token '" + id + "'");
    if (id == call.caller.tokenId)
        throw conflict("a token cannot revoke itself; use another admin token");
    if (!token->revoked()) {
        audit(call.caller, "token.revoke", "token:" + id, {{"before", api::toJson(shapeOf(*token))}});
        s_.tokens.revoke(id, now());
        token = s_.tokens.find(id);
    }
    return json(shapeOf(*token));
}

} // namespace gh::gateway
