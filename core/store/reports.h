#pragma once
// Reports over requests.db for the admin API and the console's dashboards: spend, data flow and
// denials, all read from hourly_rollups (kept by RequestLog at write time), never from the
// request rows (DESIGN.md, Principle 6). Each function takes the connection to use; a read-only
// one is enough.
//
// Ranges. Rollups are hourly, so a range [from, to) that does not fall on whole UTC hours is
// widened to them: from down to the start of its hour, to up to the end of its hour
// (effectiveRange() says which hours a report covers; the admin API should show it). A range
// that is empty (from >= to) or longer than kMaxReportRangeMs (about three years) is a
// QueryError.
//
// Keys are the names rollups hold ("azure-openai", "confidential", "enterprise"); "" where a
// dimension does not apply to the requests counted (a denied request has no provider, model,
// sensitivity or endpoint class; a request without a task has task "").
#include "store/database.h"
#include "store/request_query.h" // QueryError
#include "store/request_record.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gh::store {

enum class Dimension { Team, Provider, Model /* served */, Task, Sensitivity, EndpointClass };
// "team", "provider", "model", "task", "sensitivity", "endpoint_class"
std::optional<Dimension> parseDimension(std::string_view);
std::string_view toString(Dimension);

// Calendar buckets in UTC; weeks start on Monday 00:00 UTC.
enum class Bucket { Hour, Day, Week };
std::optional<Bucket> parseBucket(std::string_view); // "hour", "day", "week"
std::string_view toString(Bucket);
// The start of the bucket holding `t` (also for times before 1970).
TimeMs bucketStart(Bucket, TimeMs t);

inline constexpr TimeMs kMaxReportRangeMs = 3 * 366 * 24 * kHourMs;

// The whole hours a report over [fromMs, toMs) covers: [hourOf(from), end of the hour of to - 1).
// Throws QueryError for an empty range or one longer than kMaxReportRangeMs.
std::pair<TimeMs, TimeMs> effectiveRange(TimeMs fromMs, TimeMs toMs);

struct ReportTotals {
    std::int64_t requests = 0, denials = 0, errors = 0, inputTokens = 0, outputTokens = 0, cachedInputTokens = 0,
                 cacheWriteTokens = 0, costMicros = 0, bytesOut = 0;
    bool operator==(const ReportTotals&) const = default;
};

struct ReportRow {
    // Start of the calendar bucket; without a bucket, the start of the effective range. The
    // first and last buckets only count the hours inside the effective range (the day bucket of
    // a range starting at 10:00 starts at midnight and holds 10:00 to midnight).
    TimeMs bucketStartMs = 0;
    std::vector<std::string> keys; // one per requested dimension, in order
    ReportTotals totals;
    bool operator==(const ReportRow&) const = default;
};

struct ReportQuery {
    std::vector<Dimension> by;     // none: one row per bucket (or one row in all)
    std::optional<Bucket> bucket;  // nullopt: one row per key combination over the whole range
    TimeMs fromMs = 0, toMs = 0;   // [from, to), widened to whole hours
    std::string team;              // "" = every team
};

// Sums per bucket and key combination, ordered by bucket, then keys. Combinations without any
// request are absent. Throws QueryError (see effectiveRange, and a dimension named twice).
std::vector<ReportRow> spendReport(Database& db, const ReportQuery& query);

// Where data went: per sensitivity class, the endpoint class and provider that received it.
// Requests that reached no provider (denied, blocked, invalid) are not flows and are left out.
// Ordered by sensitivity, endpoint class, provider (as text).
struct FlowRow {
    std::string sensitivity, endpointClass, provider;
    ReportTotals totals;
    bool operator==(const FlowRow&) const = default;
};
std::vector<FlowRow> dataFlowReport(Database& db, TimeMs fromMs, TimeMs toMs);

// spendReport restricted to the rows with denials > 0 (all totals filled, denials among them).
// Denied requests have no provider, model, sensitivity or endpoint class: group them by team or
// task, which they do have.
std::vector<ReportRow> denialsReport(Database& db, const ReportQuery& query);

} // namespace gh::store
