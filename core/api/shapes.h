#pragma once
// The JSON shapes of the admin API (docs/admin-api.md), defined once: the gateway writes them
// and the console reads them with the same structs, so the two cannot drift. Member names are
// the JSON field names (hence snake_case here). Times are RFC 3339 strings (api/time.h); money
// is given as exact micro-dollars and as a decimal string.
//
// These are the API's contract, deliberately separate from the stores' structs: a store may
// change its layout without changing what clients read.
#include "api/json_mapping.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gh::api {

// ---- errors ---------------------------------------------------------------------------------

struct Diagnostic {
    std::string severity; // "error" | "warning"
    std::int64_t line = 0;
    std::int64_t column = 0;
    std::string message;
    std::string section;
    std::int64_t index = -1;
};
BOOST_DESCRIBE_STRUCT(Diagnostic, (), (severity, line, column, message, section, index))

struct Error {
    std::string type;    // invalid_request, unauthenticated, forbidden, not_found, ...
    std::string message; // what is wrong and what to do, for a person
    std::optional<std::string> field;
    std::optional<std::vector<Diagnostic>> diagnostics; // invalid_policy
    std::optional<std::int64_t> current_version;         // precondition_failed on the policy
};
BOOST_DESCRIBE_STRUCT(Error, (), (type, message, field, diagnostics, current_version))
template <> struct OmitNulls<Error> : std::true_type {};

struct ErrorBody {
    Error error;
};
BOOST_DESCRIBE_STRUCT(ErrorBody, (), (error))

template <class T> struct Page {
    std::vector<T> items;
    std::optional<std::string> next_cursor;
};
template <class T> json::value toJson(const Page<T>& page) {
    json::object o;
    o["items"] = toJson(page.items);
    o["next_cursor"] = toJson(page.next_cursor);
    return o;
}
template <class T> std::optional<Page<T>> pageFromJson(const json::value& j, ReadError& error) {
    Page<T> page;
    if (!j.is_object()) {
        error = {"", "expected an object"};
        return std::nullopt;
    }
    const auto& o = j.get_object();
    const auto* items = o.if_contains("items");
    if (!items) {
        error = {"items", "is required"};
        return std::nullopt;
    }
    auto list = fromJson<std::vector<T>>(*items, error);
    if (!list)
        return std::nullopt;
    page.items = std::move(*list);
    if (const auto* next = o.if_contains("next_cursor"); next && next->is_string())
        page.next_cursor = std::string(next->get_string());
    return page;
}

// ---- who am I, status -------------------------------------------------------------------------

struct WhoAmI {
    std::string id;
    std::string name;
    std::string role;
    std::optional<std::string> expires_at;
};
BOOST_DESCRIBE_STRUCT(WhoAmI, (), (id, name, role, expires_at))

struct Status {
    std::string version;
    std::int64_t policy_version = 0;
    std::string started_at;
    std::int64_t in_flight = 0;
    std::string data_listen;
    std::string admin_listen;
};
BOOST_DESCRIBE_STRUCT(Status, (), (version, policy_version, started_at, in_flight, data_listen, admin_listen))

// ---- policy ----------------------------------------------------------------------------------

struct PolicyVersion {
    std::int64_t version = 0;
    std::string etag;
    std::string sha256;
    std::string author;
    std::string role;
    std::string comment;
    std::string source; // init | file | api | rollback
    std::optional<std::int64_t> rolled_back_from;
    std::string created_at;
    Omittable<std::string> yaml; // only where one version is returned
};
BOOST_DESCRIBE_STRUCT(PolicyVersion, (), (version, etag, sha256, author, role, comment, source, rolled_back_from,
                                          created_at, yaml))

struct PolicyText { // validate
    std::string yaml;
};
BOOST_DESCRIBE_STRUCT(PolicyText, (), (yaml))

struct ApplyPolicy { // PUT /policy
    std::string yaml;
    std::string comment;
};
BOOST_DESCRIBE_STRUCT(ApplyPolicy, (), (yaml, comment))

struct RollbackPolicy {
    std::int64_t version = 0;
    std::string comment;
};
BOOST_DESCRIBE_STRUCT(RollbackPolicy, (), (version, comment))

struct Validation {
    bool valid = false;
    std::vector<Diagnostic> diagnostics;
};
BOOST_DESCRIBE_STRUCT(Validation, (), (valid, diagnostics))

struct SimulatedRequest {
    std::optional<std::string> team, identity, repository, branch, task, model, agent, key_id;
};
BOOST_DESCRIBE_STRUCT(SimulatedRequest, (), (team, identity, repository, branch, task, model, agent, key_id))

struct Simulate {
    SimulatedRequest request;
    std::optional<std::string> yaml;       // a draft; else `version`; else the running policy
    std::optional<std::int64_t> version;
};
BOOST_DESCRIBE_STRUCT(Simulate, (), (request, yaml, version))

struct DecisionTarget {
    std::string endpoint;
    std::string model;
    std::string provider;       // endpoint kind
    std::string endpoint_class;
    std::string region;
};
BOOST_DESCRIBE_STRUCT(DecisionTarget, (), (endpoint, model, provider, endpoint_class, region))

struct DecisionShape {
    bool allowed = false;
    std::optional<std::string> rule;
    std::int64_t rule_index = -1;
    std::string reason;
    std::optional<std::string> sensitivity;
    std::vector<DecisionTarget> targets;
    std::vector<std::string> budgets;
};
BOOST_DESCRIBE_STRUCT(DecisionShape, (), (allowed, rule, rule_index, reason, sensitivity, targets, budgets))

struct TraceStep {
    std::int64_t rule_index = -1;
    std::optional<std::string> rule;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(TraceStep, (), (rule_index, rule, text))

struct Simulation {
    std::optional<std::int64_t> policy_version; // null for a draft
    DecisionShape decision;
    std::vector<TraceStep> trace;
};
BOOST_DESCRIBE_STRUCT(Simulation, (), (policy_version, decision, trace))

struct PolicyDiff {
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::string diff;
};
BOOST_DESCRIBE_STRUCT(PolicyDiff, (), (from, to, diff))

// ---- endpoints, teams, identities, budgets ----------------------------------------------------

struct DataTerms {
    std::optional<std::int64_t> retention_days;
    bool training_opt_out = false;
};
BOOST_DESCRIBE_STRUCT(DataTerms, (), (retention_days, training_opt_out))

struct CredentialRef {
    std::string id;
    std::optional<std::string> fingerprint; // null: no secret set yet
    std::string state;
};
BOOST_DESCRIBE_STRUCT(CredentialRef, (), (id, fingerprint, state))

struct ModelShape {
    std::string name;
    std::string deployment;
    std::string input_per_mtok_usd;
    std::string output_per_mtok_usd;
    std::optional<std::string> cached_input_per_mtok_usd;
};
BOOST_DESCRIBE_STRUCT(ModelShape, (), (name, deployment, input_per_mtok_usd, output_per_mtok_usd,
                                       cached_input_per_mtok_usd))

struct EndpointShape {
    std::string id;
    std::string kind;
    std::string base_url;
    std::string endpoint_class;
    std::string region;
    std::optional<DataTerms> data_terms;
    std::optional<CredentialRef> credential;
    std::vector<ModelShape> models;
};
BOOST_DESCRIBE_STRUCT(EndpointShape, (), (id, kind, base_url, endpoint_class, region, data_terms, credential, models))

struct TeamShape {
    std::string id;
    std::string name;
    std::vector<std::string> identities;
    std::int64_t keys = 0;
    std::vector<std::string> budgets;
};
BOOST_DESCRIBE_STRUCT(TeamShape, (), (id, name, identities, keys, budgets))

struct IdentityShape {
    std::string identity;
    std::string team;
    std::vector<std::string> keys;
    std::int64_t active_keys = 0;
};
BOOST_DESCRIBE_STRUCT(IdentityShape, (), (identity, team, keys, active_keys))

struct BudgetShape {
    std::string id;
    std::string scope;
    std::string period;
    std::string period_start;
    std::string period_end;
    std::int64_t limit_micros = 0;
    std::string limit_usd;
    std::int64_t spent_micros = 0;
    std::string spent_usd;
    std::int64_t reserved_micros = 0;
    std::string reserved_usd;
    double used_ratio = 0;
    std::int64_t forecast_micros = 0;
    std::string forecast_usd;
    double forecast_ratio = 0;
    std::vector<std::int64_t> thresholds;
    std::vector<std::int64_t> alerts_fired;
    std::string at_limit;
};
BOOST_DESCRIBE_STRUCT(BudgetShape, (), (id, scope, period, period_start, period_end, limit_micros, limit_usd,
                                        spent_micros, spent_usd, reserved_micros, reserved_usd, used_ratio,
                                        forecast_micros, forecast_usd, forecast_ratio, thresholds, alerts_fired,
                                        at_limit))

// ---- credentials, gateway keys, admin tokens -------------------------------------------------

struct Schedule {
    std::int64_t period_days = 0;
    std::int64_t grace_days = 0;
    std::int64_t reminder_days = 0;
};
BOOST_DESCRIBE_STRUCT(Schedule, (), (period_days, grace_days, reminder_days))

struct ScheduleChange { // PUT .../schedule: the schedule's fields, {"schedule": {...}} or {"schedule": null}
    std::optional<std::int64_t> period_days, grace_days, reminder_days;
    json::value schedule; // null when absent
};
BOOST_DESCRIBE_STRUCT(ScheduleChange, (), (period_days, grace_days, reminder_days, schedule))

struct CredentialRotation {
    std::string rotated_at;
    std::string fingerprint;
    std::string actor;
};
BOOST_DESCRIBE_STRUCT(CredentialRotation, (), (rotated_at, fingerprint, actor))

struct Credential {
    std::string id;
    std::string fingerprint;
    std::string created_at;
    std::string rotated_at;
    std::optional<std::string> revoked_at;
    std::string state; // ok | due_soon | overdue | revoked
    std::optional<std::string> next_due;
    std::optional<Schedule> schedule;
    std::vector<std::string> used_by;
    Omittable<std::vector<CredentialRotation>> history; // GET /credentials/{id} only
};
BOOST_DESCRIBE_STRUCT(Credential, (), (id, fingerprint, created_at, rotated_at, revoked_at, state, next_due, schedule,
                                       used_by, history))

struct NewCredential {
    std::string id;
    std::string secret;
    std::optional<Schedule> schedule;
};
BOOST_DESCRIBE_STRUCT(NewCredential, (), (id, secret, schedule))

struct CredentialSecret { // rotate
    std::string secret;
};
BOOST_DESCRIBE_STRUCT(CredentialSecret, (), (secret))

struct GatewayKey {
    std::string id;
    std::string prefix;
    std::string identity;
    std::string team;
    std::vector<std::string> repositories;
    std::string created_at;
    std::optional<std::string> expires_at;
    std::optional<std::string> revoked_at;
    std::string rotated_at;
    std::optional<std::string> previous_valid_until;
    std::string state; // ok | due_soon | overdue | expired | revoked
    std::optional<std::string> next_due;
    std::optional<Schedule> schedule;
    bool pending_secret = false;
};
BOOST_DESCRIBE_STRUCT(GatewayKey, (), (id, prefix, identity, team, repositories, created_at, expires_at, revoked_at,
                                       rotated_at, previous_valid_until, state, next_due, schedule, pending_secret))

struct NewGatewayKey {
    std::string identity;
    std::string team;
    std::optional<std::vector<std::string>> repositories;
    std::optional<std::string> expires_at;
    std::optional<Schedule> schedule;
};
BOOST_DESCRIBE_STRUCT(NewGatewayKey, (), (identity, team, repositories, expires_at, schedule))

struct RotateGatewayKey {
    std::optional<std::int64_t> grace_seconds;
};
BOOST_DESCRIBE_STRUCT(RotateGatewayKey, (), (grace_seconds))

struct IssuedGatewayKey { // the one answer that carries the secret
    GatewayKey key;
    std::string secret;
    std::optional<std::string> previous_valid_until;
};
BOOST_DESCRIBE_STRUCT(IssuedGatewayKey, (), (key, secret, previous_valid_until))

struct AdminToken {
    std::string id;
    std::string name;
    std::string role;
    std::string prefix;
    std::string created_by;
    std::string created_at;
    std::optional<std::string> expires_at;
    std::optional<std::string> revoked_at;
    std::optional<std::string> last_used_at;
};
BOOST_DESCRIBE_STRUCT(AdminToken, (), (id, name, role, prefix, created_by, created_at, expires_at, revoked_at,
                                       last_used_at))

struct NewAdminToken {
    std::string name;
    std::string role;
    std::optional<std::string> expires_at;
};
BOOST_DESCRIBE_STRUCT(NewAdminToken, (), (name, role, expires_at))

struct IssuedAdminToken {
    AdminToken token;
    std::string secret;
};
BOOST_DESCRIBE_STRUCT(IssuedAdminToken, (), (token, secret))

// ---- replay: a draft over recorded traffic -----------------------------------------------------

struct ReplayRequest { // POST /policy/replay
    std::string yaml;                          // the draft policy
    std::optional<std::string> from;           // RFC 3339; default: 7 days before `to`
    std::optional<std::string> to;             // RFC 3339, exclusive; default: now
    std::optional<std::int64_t> sample_limit;  // affected requests to return; default 50, at most 500
};
BOOST_DESCRIBE_STRUCT(ReplayRequest, (), (yaml, from, to, sample_limit))

// How one request was (recorded) or would be (draft) decided.
struct ReplayDecision {
    std::string decision;               // "routed" | "denied"
    std::optional<std::string> rule;    // deciding rule id; null for the default deny
    std::optional<std::string> endpoint; // target (the one used when recorded, the same fallback position for the draft)
    std::optional<std::string> model;
    std::string reason;                 // the draft's reason for a denial ("" when recorded: requests.db keeps no reason)
    std::int64_t cost_micros = 0;       // recorded cost; for the draft the recorded tokens at the draft target's price
    std::string cost_usd;
};
BOOST_DESCRIBE_STRUCT(ReplayDecision, (), (decision, rule, endpoint, model, reason, cost_micros, cost_usd))

struct ReplayChange {
    std::string request_id;
    std::string time;
    std::string team;
    std::string identity;
    std::string repository;
    std::string task;
    std::string requested_model;
    std::string change; // "routed_differently" | "denied" | "allowed"
    ReplayDecision recorded;
    ReplayDecision draft;
};
BOOST_DESCRIBE_STRUCT(ReplayChange, (), (request_id, time, team, identity, repository, task, requested_model, change,
                                         recorded, draft))

// Semantics: docs/admin-api.md, "Replay"; computed by policy::Replayer (core/policy/replay.h).
struct Replay {
    std::string from;
    std::string to;
    std::int64_t requests = 0;            // recorded requests the policy decided in the period
    bool truncated = false;               // the period held more than the gateway replays at once (then `to` is where it stopped)
    std::int64_t unchanged = 0;
    std::int64_t routed_differently = 0;  // allowed before and after, to another endpoint or model (at the recorded fallback position; another rule to the same target is unchanged)
    std::int64_t denied = 0;              // allowed when recorded, denied by the draft
    std::int64_t allowed = 0;             // denied when recorded, allowed by the draft (their cost is unknown: no tokens were recorded)
    std::int64_t cost_before_micros = 0;  // recorded cost of the requests the draft still allows or now denies
    std::string cost_before_usd;
    std::int64_t cost_after_micros = 0;   // the same requests' tokens at the draft's prices (0 for denied ones)
    std::string cost_after_usd;
    std::int64_t cost_difference_micros = 0; // after - before
    std::string cost_difference_usd;
    std::vector<ReplayChange> sample;     // affected requests, newest first, at most sample_limit
};
BOOST_DESCRIBE_STRUCT(Replay, (), (from, to, requests, truncated, unchanged, routed_differently, denied, allowed,
                                   cost_before_micros, cost_before_usd, cost_after_micros, cost_after_usd,
                                   cost_difference_micros, cost_difference_usd, sample))

// ---- requests, sessions, reports, alerts, audit ------------------------------------------------

struct RequestShape {
    std::string request_id;
    std::string time;
    std::string session_id;
    std::string identity;
    std::string team;
    std::string key_id;
    std::string agent;
    std::string repository;
    std::string branch;
    std::optional<std::string> sensitivity;
    std::string task;
    std::string requested_model;
    std::string served_model;
    std::optional<std::string> provider;
    std::string endpoint;
    std::optional<std::string> endpoint_class;
    std::int64_t policy_version = 0;
    std::string rule;
    std::string decision;
    bool fallback = false;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cached_input_tokens = 0;
    std::int64_t cost_micros = 0;
    std::string cost_usd;
    std::int64_t latency_ms = 0;
    std::optional<std::int64_t> first_token_ms;
    std::int64_t http_status = 0;
    std::string outcome;
    std::int64_t bytes_sent = 0;
    bool tools_enabled = false;
};
BOOST_DESCRIBE_STRUCT(RequestShape, (), (request_id, time, session_id, identity, team, key_id, agent, repository, branch,
                                         sensitivity, task, requested_model, served_model, provider, endpoint,
                                         endpoint_class, policy_version, rule, decision, fallback, input_tokens,
                                         output_tokens, cached_input_tokens, cost_micros, cost_usd, latency_ms,
                                         first_token_ms, http_status, outcome, bytes_sent, tools_enabled))

struct SessionShape {
    std::string session_id;
    std::string identity;
    std::string team;
    std::string key_id;
    std::string agent;
    std::string repository;
    std::string branch;
    std::string first_at;
    std::string last_at;
    std::int64_t requests = 0;
    std::int64_t denials = 0;
    std::int64_t errors = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cost_micros = 0;
    std::string cost_usd;
    std::string last_model;
};
BOOST_DESCRIBE_STRUCT(SessionShape, (), (session_id, identity, team, key_id, agent, repository, branch, first_at,
                                         last_at, requests, denials, errors, input_tokens, output_tokens, cost_micros,
                                         cost_usd, last_model))

struct ReportRowShape {
    std::optional<std::string> bucket_start; // null when the report has no buckets
    json::object keys;                       // {"team": "payments", "provider": "anthropic"}
    std::int64_t requests = 0;
    std::int64_t denials = 0;
    std::int64_t errors = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cached_input_tokens = 0;
    std::int64_t cost_micros = 0;
    std::string cost_usd;
    std::int64_t bytes_out = 0;
};
BOOST_DESCRIBE_STRUCT(ReportRowShape, (), (bucket_start, keys, requests, denials, errors, input_tokens, output_tokens,
                                           cached_input_tokens, cost_micros, cost_usd, bytes_out))

struct Report {
    std::string from;
    std::string to;
    std::vector<std::string> by;
    std::optional<std::string> bucket;
    std::vector<ReportRowShape> rows;
};
BOOST_DESCRIBE_STRUCT(Report, (), (from, to, by, bucket, rows))

struct FlowRowShape {
    std::string sensitivity;
    std::string endpoint_class;
    std::string provider;
    std::int64_t requests = 0;
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t bytes_out = 0;
    std::int64_t cost_micros = 0;
    std::string cost_usd;
};
BOOST_DESCRIBE_STRUCT(FlowRowShape, (), (sensitivity, endpoint_class, provider, requests, input_tokens, output_tokens,
                                         bytes_out, cost_micros, cost_usd))

struct FlowReport {
    std::string from;
    std::string to;
    std::vector<FlowRowShape> rows;
};
BOOST_DESCRIBE_STRUCT(FlowReport, (), (from, to, rows))

struct AlertShape {
    std::int64_t id = 0;
    std::string time;
    std::string kind;
    std::string subject;
    std::optional<std::string> period_start;
    std::int64_t threshold = 0;
    json::value detail;
};
BOOST_DESCRIBE_STRUCT(AlertShape, (), (id, time, kind, subject, period_start, threshold, detail))

struct AuditEntryShape {
    std::int64_t seq = 0;
    std::string time;
    std::string actor;
    std::string role;
    std::string action;
    std::string target;
    std::string outcome;
    json::value detail;
    std::string source;
    std::string hash;
};
BOOST_DESCRIBE_STRUCT(AuditEntryShape, (), (seq, time, actor, role, action, target, outcome, detail, source, hash))

struct AuditVerification {
    bool ok = false;
    std::int64_t entries = 0;
    std::int64_t checkpoints = 0;
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(AuditVerification, (), (ok, entries, checkpoints, first_bad_seq, problem, message))

} // namespace gh::api
