#pragma once
// One request through the gateway, as recorded in requests.db (DESIGN.md, "Request record").
#include "policy/document.h"
#include "pricing/pricing.h"
#include "util/money.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::store {

using TimeMs = std::int64_t; // milliseconds since the Unix epoch, UTC

// What the policy and budgets decided.
enum class Decision : std::uint8_t {
    Routed,  // forwarded to a target
    Denied,  // refused by a route rule or by default-deny
    Blocked, // refused by a budget at its hard limit
    Error    // could not be decided or forwarded (no target reachable, internal error)
};

// How the request ended, as the client saw it.
enum class Outcome : std::uint8_t {
    Ok,
    Cancelled,     // the client went away before the response ended
    UpstreamError, // the provider failed (after any fallbacks)
    Denied,
    BudgetBlocked,
    Invalid        // the request itself was malformed or unauthenticated
};

const char* toString(Decision);
const char* toString(Outcome);
std::optional<Decision> decisionFromString(std::string_view);
std::optional<Outcome> outcomeFromString(std::string_view);

// An amount charged to one period of one budget (what the ledger settled).
struct BudgetCharge {
    std::string budgetId;
    TimeMs periodStart = 0;
    Money amount;
    bool operator==(const BudgetCharge&) const = default;
};

struct RequestRecord {
    TimeMs timeMs = 0;          // when the request arrived
    std::string requestId;      // unique per request
    std::string sessionId;      // agent session; "" when none
    std::string identity;
    std::string team;
    std::string keyId;          // gateway key id ("key_..."), never the secret
    std::string agent;
    std::string repository;     // "owner/name"; "" when the caller named none
    std::string branch;
    std::optional<policy::Sensitivity> sensitivity; // nullopt: not classified (denied early)
    std::string task;           // "" when the request has no task
    std::string requestedModel;
    std::string servedModel;    // "" when nothing was forwarded
    std::optional<policy::EndpointKind> provider;   // kind of the endpoint used
    std::string endpointId;
    std::optional<policy::EndpointClass> endpointClass;
    std::int64_t policyVersion = 0;
    std::string ruleId;         // deciding rule; "" for default deny
    Decision decision = Decision::Routed;
    int fallback = 0;           // index of the target used; 0 = the preferred one
    pricing::Usage tokens;      // input, output, cached input, cache write
    Money cost;
    std::int64_t latencyMs = 0; // arrival to last byte
    std::optional<std::int64_t> firstTokenMs; // arrival to first token; nullopt when none came
    int httpStatus = 0;
    Outcome outcome = Outcome::Ok;
    std::int64_t bytesSent = 0;     // to the upstream
    std::int64_t bytesReceived = 0; // from the upstream
    bool toolsEnabled = false;
    std::vector<BudgetCharge> charges; // what this request added to each budget

    bool operator==(const RequestRecord&) const = default;
};

// ---- Hourly rollups ----------------------------------------------------------------------------

inline constexpr TimeMs kHourMs = 3'600'000;
inline TimeMs hourOf(TimeMs t) { return t - ((t % kHourMs) + kHourMs) % kHourMs; }

// The dimensions of a rollup row; "" where a dimension does not apply to a request.
struct RollupKey {
    TimeMs hour = 0;
    std::string team;
    std::string provider;
    std::string model; // served model
    std::string task;
    std::string sensitivity;
    std::string endpointClass;
    auto operator<=>(const RollupKey&) const = default;
};

struct RollupTotals {
    std::int64_t requests = 0;
    std::int64_t denials = 0; // decision denied or blocked
    std::int64_t errors = 0;  // decision error, or outcome upstream_error or invalid
    std::int64_t inputTokens = 0;
    std::int64_t outputTokens = 0;
    std::int64_t cachedInputTokens = 0;
    std::int64_t cacheWriteTokens = 0;
    Money cost;
    std::int64_t bytesOut = 0; // sent upstream

    RollupTotals& operator+=(const RollupTotals& o);
    bool operator==(const RollupTotals&) const = default;
};

struct Rollup {
    RollupKey key;
    RollupTotals totals;
    bool operator==(const Rollup&) const = default;
};

// A record's rollup key pointing into the record (no copies: RequestLog sums whole batches).
struct RollupKeyView {
    TimeMs hour = 0;
    std::string_view team, provider, model, task, sensitivity, endpointClass;
    auto operator<=>(const RollupKeyView&) const = default;
    RollupKey toKey() const;
};

// How a record counts in the rollups (the one definition, used by RequestLog).
RollupKeyView rollupKeyOf(const RequestRecord& record);
RollupTotals rollupTotalsOf(const RequestRecord& record);

} // namespace gh::store
