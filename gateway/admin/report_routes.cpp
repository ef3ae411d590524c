// Read-only resources: what the policy declares (endpoints, teams, identities, budgets), what
// happened (requests, sessions, reports from the rollups, alerts), and the audit chain.
#include "admin/admin_api.h"
#include "admin/shapes_from.h"
#include "api/time.h"
#include "budgets/ledger.h"
#include "store/reports.h"
#include "store/request_query.h"

#include <charconv>
#include <map>
#include <set>

namespace gh::gateway {
namespace {

std::optional<std::string> priceText(const std::optional<Money>& m) {
    return m ? std::optional<std::string>(usd(*m)) : std::nullopt;
}

// The filters /requests and /sessions share; names as in docs/admin-api.md.
store::RequestFilter requestFilter(const Call& call) {
    store::RequestFilter f;
    f.fromMs = queryTime(call, "from");
    f.toMs = queryTime(call, "to");
    if (f.fromMs && f.toMs && *f.fromMs >= *f.toMs)
        throw invalid("'from' must be before 'to'", "from");
    f.team = call.queryValue("team").value_or("");
    f.identity = call.queryValue("identity").value_or("");
    f.repository = call.queryValue("repository").value_or("");
    f.task = call.queryValue("task").value_or("");
    f.model = call.queryValue("model").value_or("");
    f.provider = call.queryValue("provider").value_or("");
    f.status = call.queryValue("status").value_or("");
    f.sessionId = call.queryValue("session").value_or("");
    f.keyId = call.queryValue("key").value_or("");
    for (const auto* v : {&f.team, &f.identity, &f.repository, &f.task, &f.model, &f.provider, &f.status, &f.sessionId, &f.keyId})
        if (v->size() > 500)
            throw invalid("filter values are at most 500 characters");
    return f;
}

// [from, to) for reports: default the last 7 days.
std::pair<std::int64_t, std::int64_t> reportRange(const Call& call, std::int64_t now) {
    const auto to = queryTime(call, "to").value_or(now);
    const auto from = queryTime(call, "from").value_or(to - 7 * 86'400'000LL);
    if (from >= to)
        throw invalid("'from' must be before 'to'", "from");
    return {from, to};
}

store::ReportQuery reportQuery(const Call& call, std::int64_t now) {
    store::ReportQuery q;
    std::tie(q.fromMs, q.toMs) = reportRange(call, now);
    if (auto by = call.queryValue("by")) {
        std::size_t start = 0;
        while (start <= by->size()) {
            const auto comma = std::min(by->find(',', start), by->size());
            const std::string name = by->substr(start, comma - start);
            auto d = store::parseDimension(name);
            if (!d)
                throw invalid("'by' takes team, provider, model, task, sensitivity or endpoint_class, separated by commas; not '" +
                                  name + "'",
                              "by");
            if (std::find(q.by.begin(), q.by.end(), *d) != q.by.end())
                throw invalid("'by' names '" + name + "' twice", "by");
            q.by.push_back(*d);
            start = comma + 1;
        }
    }
    if (auto bucket = call.queryValue("bucket")) {
        q.bucket = store::parseBucket(*bucket);
        if (!q.bucket)
            throw invalid("'bucket' is hour, day or week", "bucket");
    }
    q.team = call.queryValue("team").value_or("");
    return q;
}

api::ReportRowShape rowShape(const store::ReportRow& row, const store::ReportQuery& q) {
    api::ReportRowShape out;
    if (q.bucket)
        out.bucket_start = api::formatTime(row.bucketStartMs);
    for (std::size_t i = 0; i < q.by.size() && i < row.keys.size(); ++i)
        out.keys[std::string(store::toString(q.by[i]))] = row.keys[i];
    const auto& t = row.totals;
    out.requests = t.requests;
    out.denials = t.denials;
    out.errors = t.errors;
    out.input_tokens = t.inputTokens;
    out.output_tokens = t.outputTokens;
    out.cached_input_tokens = t.cachedInputTokens;
    out.cost_micros = t.costMicros;
    out.cost_usd = usd(t.costMicros);
    out.bytes_out = t.bytesOut;
    return out;
}

api::Report reportShape(const std::vector<store::ReportRow>& rows, const store::ReportQuery& q) {
    api::Report out;
    const auto [from, to] = store::effectiveRange(q.fromMs, q.toMs);
    out.from = api::formatTime(from);
    out.to = api::formatTime(to);
    for (auto d : q.by)
        out.by.emplace_back(store::toString(d));
    if (q.bucket)
        out.bucket = std::string(store::toString(*q.bucket));
    for (const auto& row : rows)
        out.rows.push_back(rowShape(row, q));
    return out;
}

template <class F> auto withRequestsDb(RequestsReader& reader, F&& f) {
    std::lock_guard lock(reader.mutex);
    try {
        return f(reader.db);
    } catch (const store::QueryError& e) {
        const std::string message = e.what();
        throw invalid(message, message.find("cursor") != std::string::npos ? std::optional<std::string>("cursor")
                                                                            : std::nullopt);
    }
}

} // namespace

// ---- what the policy declares -----------------------------------------------------------------

Reply AdminApi::listEndpoints(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    auto running = s_.state.currentPolicy();
    const auto& doc = running->document();
    api::Page<api::EndpointShape> page;
    for (const auto& e : doc.endpoints) {
        api::EndpointShape out;
        out.id = e.id;
        out.kind = policy::toString(e.kind);
        out.base_url = e.baseUrl.value;
        out.endpoint_class = policy::toString(e.cls);
        out.region = e.region;
        if (e.dataTerms)
            out.data_terms = api::DataTerms{e.dataTerms->retentionDays, e.dataTerms->trainingOptOut};
        if (!e.credential.value.empty()) {
            api::CredentialRef ref{e.credential.value, std::nullopt, "missing"};
            if (auto c = s_.vault.find(e.credential.value)) {
                ref.fingerprint = c->fingerprint;
                ref.state = std::string(store::toString(c->state(now())));
            }
            out.credential = ref;
        }
        for (const auto& m : e.models) {
            api::ModelShape model;
            model.name = m.name;
            model.deployment = m.deployment;
            if (m.price) {
                model.input_per_mtok_usd = usd(m.price->input);
                model.output_per_mtok_usd = usd(m.price->output);
                model.cached_input_per_mtok_usd = priceText(m.price->cachedInput);
            }
            out.models.push_back(std::move(model));
        }
        page.items.push_back(std::move(out));
    }
    std::sort(page.items.begin(), page.items.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return pageReply(pageOf(call, std::move(page.items), [](const api::EndpointShape& e) { return e.id; }));
}


Reply AdminApi::listTeams(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    auto running = s_.state.currentPolicy();
    const auto& doc = running->document();
    std::map<std::string, api::TeamShape> teams;
    for (const auto& t : doc.teams)
        teams[t.id] = api::TeamShape{t.id, t.name, {}, 0, {}};
    std::map<std::string, std::set<std::string>> identities;
    s_.keys.forEach([&](const store::KeyInfo& k) {
        auto& team = teams[k.team];
        team.id = k.team;
        if (!k.revoked() && !k.expired(now()))
            ++team.keys;
        identities[k.team].insert(k.identity);
        return true;
    });
    for (const auto& b : doc.budgets)
        if (b.scope.value.kind == policy::ScopeKind::Team && teams.count(b.scope.value.value))
            teams[b.scope.value.value].budgets.push_back(b.id);
    api::Page<api::TeamShape> page;
    for (auto& [id, team] : teams) {
        team.identities.assign(identities[id].begin(), identities[id].end());
        page.items.push_back(std::move(team));
    }
    return pageReply(pageOf(call, std::move(page.items), [](const api::TeamShape& t) { return t.id; }));
}

Reply AdminApi::listIdentities(Call& call) {
    allowQuery(call, {"team", "cursor", "limit"});
    const auto team = call.queryValue("team");
    std::map<std::pair<std::string, std::string>, api::IdentityShape> out;
    s_.keys.forEach([&](const store::KeyInfo& k) {
        if (team && k.team != *team)
            return true;
        auto& shape = out[{k.identity, k.team}];
        shape.identity = k.identity;
        shape.team = k.team;
        shape.keys.push_back(k.id);
        if (!k.revoked() && !k.expired(now()))
            ++shape.active_keys;
        return true;
    });
    api::Page<api::IdentityShape> page;
    for (auto& [key, shape] : out)
        page.items.push_back(std::move(shape));
    // Ordered by (identity, team); the cursor holds both, separated by a character neither has.
    return pageReply(pageOf(call, std::move(page.items),
                            [](const api::IdentityShape& i) { return i.identity + '\x1f' + i.team; }));
}

Reply AdminApi::listBudgets(Call& call) {
    allowQuery(call, {"cursor", "limit"});
    auto running = s_.state.currentPolicy();
    const auto& doc = running->document();
    const auto t = now();
    const auto statuses = s_.state.ledger.status(doc, t);
    const auto fired = s_.alerts.list(std::nullopt, 1000, "budget.threshold");
    api::Page<api::BudgetShape> page;
    for (const auto& st : statuses) {
        const auto* b = doc.findBudget(st.budgetId);
        if (!b)
            continue;
        api::BudgetShape out;
        out.id = b->id;
        out.scope = policy::toString(b->scope.value);
        out.period = policy::toString(b->period);
        out.period_start = api::formatTime(st.period.start);
        out.period_end = api::formatTime(st.period.end);
        out.limit_micros = st.limit.micros;
        out.limit_usd = usd(st.limit);
        out.spent_micros = st.spent.micros;
        out.spent_usd = usd(st.spent);
        out.reserved_micros = st.reserved.micros;
        out.reserved_usd = usd(st.reserved);
        out.used_ratio = st.limit.micros > 0 ? double(st.spent.micros) / double(st.limit.micros) : 0.0;
        const Money forecast = budgets::forecastAtPeriodEnd(st.spent, st.period, t);
        out.forecast_micros = forecast.micros;
        out.forecast_usd = usd(forecast);
        out.forecast_ratio = st.limit.micros > 0 ? double(forecast.micros) / double(st.limit.micros) : 0.0;
        for (int a : b->alerts)
            out.thresholds.push_back(a);
        for (const auto& alert : fired)
            if (alert.subject == b->id && alert.periodStartMs == st.period.start)
                out.alerts_fired.push_back(alert.threshold);
        std::sort(out.alerts_fired.begin(), out.alerts_fired.end());
        out.at_limit = b->atLimit == policy::AtLimit::Block ? "block" : "downgrade";
        page.items.push_back(std::move(out));
    }
    std::sort(page.items.begin(), page.items.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return pageReply(pageOf(call, std::move(page.items), [](const api::BudgetShape& b) { return b.id; }));
}

// ---- requests, sessions ------------------------------------------------------------------------

Reply AdminApi::listRequests(Call& call) {
    allowQuery(call, {"from", "to", "team", "identity", "repository", "task", "model", "provider", "status", "session",
                      "key", "cursor", "limit"});
    const auto filter = requestFilter(call);
    const auto limit = pageLimit(call);
    auto result = withRequestsDb(s_.requests, [&](store::Database& db) {
        return store::queryRequests(db, filter, call.queryValue("cursor").value_or(""), limit);
    });
    api::Page<api::RequestShape> page;
    for (const auto& row : result.rows)
        page.items.push_back(shapeOf(row.record));
    if (!result.nextCursor.empty())
        page.next_cursor = result.nextCursor;
    return pageReply(page);
}

Reply AdminApi::getRequest(Call& call) {
    allowQuery(call, {});
    auto row = withRequestsDb(s_.requests, [&](store::Database& db) { return store::findRequest(db, call.param(0)); });
    if (!row)
        throw notFound("no recorded request '" + std::string(call.param(0)) + "'");
    return json(shapeOf(row->record));
}

Reply AdminApi::listSessions(Call& call) {
    allowQuery(call, {"from", "to", "team", "identity", "repository", "session", "key", "cursor", "limit"});
    const auto filter = requestFilter(call);
    const auto limit = pageLimit(call);
    auto result = withRequestsDb(s_.requests, [&](store::Database& db) {
        return store::querySessions(db, filter, call.queryValue("cursor").value_or(""), limit);
    });
    api::Page<api::SessionShape> page;
    for (const auto& session : result.rows)
        page.items.push_back(shapeOf(session));
    if (!result.nextCursor.empty())
        page.next_cursor = result.nextCursor;
    return pageReply(page);
}

// ---- reports -----------------------------------------------------------------------------------

Reply AdminApi::spendReport(Call& call) {
    allowQuery(call, {"from", "to", "by", "bucket", "team"});
    const auto q = reportQuery(call, now());
    auto rows = withRequestsDb(s_.requests, [&](store::Database& db) { return store::spendReport(db, q); });
    return json(reportShape(rows, q));
}

Reply AdminApi::denialsReport(Call& call) {
    allowQuery(call, {"from", "to", "by", "bucket", "team"});
    const auto q = reportQuery(call, now());
    auto rows = withRequestsDb(s_.requests, [&](store::Database& db) { return store::denialsReport(db, q); });
    return json(reportShape(rows, q));
}

Reply AdminApi::flowReport(Call& call) {
    allowQuery(call, {"from", "to"});
    const auto [from, to] = reportRange(call, now());
    auto [rows, range] = withRequestsDb(s_.requests, [&](store::Database& db) {
        return std::pair(store::dataFlowReport(db, from, to), store::effectiveRange(from, to));
    });
    const auto [efrom, eto] = range;
    api::FlowReport out;
    out.from = api::formatTime(efrom);
    out.to = api::formatTime(eto);
    for (const auto& r : rows)
        out.rows.push_back({r.sensitivity, r.endpointClass, r.provider, r.totals.requests, r.totals.inputTokens,
                            r.totals.outputTokens, r.totals.bytesOut, r.totals.costMicros, usd(r.totals.costMicros)});
    return json(out);
}

// ---- alerts, audit -----------------------------------------------------------------------------


Reply AdminApi::listAlerts(Call& call) {
    allowQuery(call, {"kind", "cursor", "limit"});
    const auto limit = pageLimit(call);
    auto alerts = s_.alerts.list(numberFromCursor(call), limit + 1, call.queryValue("kind").value_or(""));
    api::Page<api::AlertShape> page;
    for (std::size_t i = 0; i < alerts.size() && i < limit; ++i)
        page.items.push_back(shapeOf(alerts[i]));
    if (alerts.size() > limit)
        page.next_cursor = idCursor(std::to_string(alerts[limit - 1].id));
    return pageReply(page);
}

Reply AdminApi::listAudit(Call& call) {
    allowQuery(call, {"from", "to", "actor", "action", "target", "cursor", "limit"});
    audit::AuditFilter filter;
    filter.fromMs = queryTime(call, "from");
    filter.toMs = queryTime(call, "to");
    filter.actor = call.queryValue("actor").value_or("");
    filter.action = call.queryValue("action").value_or("");
    filter.target = call.queryValue("target").value_or("");
    auto result = s_.audit.list(filter, numberFromCursor(call), pageLimit(call));
    api::Page<api::AuditEntryShape> page;
    for (const auto& e : result.entries)
        page.items.push_back(shapeOf(e));
    if (result.nextBeforeSeq)
        page.next_cursor = idCursor(std::to_string(*result.nextBeforeSeq));
    return pageReply(page);
}

Reply AdminApi::verifyAudit(Call& call) {
    allowQuery(call, {});
    return json(shapeOf(s_.audit.verify()));
}

} // namespace gh::gateway
