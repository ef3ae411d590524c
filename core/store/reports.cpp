#include "store/reports.h"

#include <algorithm>
#include <array>

namespace gh::store {
namespace {

constexpr TimeMs kDayMs = 24 * kHourMs;
constexpr TimeMs kWeekMs = 7 * kDayMs;
constexpr TimeMs kMondayOffsetMs = 4 * kDayMs; // 1970-01-01 was a Thursday; 1970-01-05 a Monday

struct DimensionName {
    Dimension dimension;
    std::string_view name;   // in the API
    std::string_view column; // in hourly_rollups
};
constexpr std::array<DimensionName, 6> kDimensions = {{
    {Dimension::Team, "team", "team"},
    {Dimension::Provider, "provider", "provider"},
    {Dimension::Model, "model", "model"},
    {Dimension::Task, "task", "task"},
    {Dimension::Sensitivity, "sensitivity", "sensitivity"},
    {Dimension::EndpointClass, "endpoint_class", "endpoint_class"},
}};

std::string_view columnOf(Dimension d) {
    for (const auto& n : kDimensions)
        if (n.dimension == d)
            return n.column;
    throw QueryError("unknown report dimension");
}

// (bucket size, offset of bucket starts from the epoch)
std::pair<TimeMs, TimeMs> bucketGeometry(Bucket b) {
    switch (b) {
    case Bucket::Hour: return {kHourMs, 0};
    case Bucket::Day: return {kDayMs, 0};
    case Bucket::Week: return {kWeekMs, kMondayOffsetMs};
    }
    return {kHourMs, 0};
}

constexpr const char* kSums = "sum(requests), sum(denials), sum(errors), sum(input_tokens), sum(output_tokens), "
                              "sum(cached_input_tokens), sum(cache_write_tokens), sum(cost_micros), sum(bytes_out)";

ReportTotals readTotals(const Statement& st, int c) {
    ReportTotals t;
    t.requests = st.int64(c++);
    t.denials = st.int64(c++);
    t.errors = st.int64(c++);
    t.inputTokens = st.int64(c++);
    t.outputTokens = st.int64(c++);
    t.cachedInputTokens = st.int64(c++);
    t.cacheWriteTokens = st.int64(c++);
    t.costMicros = st.int64(c++);
    t.bytesOut = st.int64(c++);
    return t;
}

std::vector<ReportRow> groupedReport(Database& db, const ReportQuery& query, bool denialsOnly) {
    const auto [from, to] = effectiveRange(query.fromMs, query.toMs);
    for (std::size_t i = 0; i < query.by.size(); ++i)
        if (std::find(query.by.begin(), query.by.begin() + std::ptrdiff_t(i), query.by[i]) !=
            query.by.begin() + std::ptrdiff_t(i))
            throw QueryError("the report names the dimension '" + std::string(toString(query.by[i])) +
                             "' twice; name each dimension once");
    // Parameters: ?1 from, ?2 to, ?3 bucket size, ?4 bucket offset (or ?3 the range start), ?5 team.
    std::string bucketExpr = "?3";
    if (query.bucket)
        bucketExpr = "(hour_ms - (((hour_ms - ?4) % ?3) + ?3) % ?3)";
    std::string keys;
    for (const Dimension d : query.by) {
        keys += ", ";
        keys += columnOf(d);
    }
    std::string sql = "SELECT " + bucketExpr + " AS bucket" + keys + ", " + kSums +
                      " FROM hourly_rollups WHERE hour_ms >= ?1 AND hour_ms < ?2";
    if (!query.team.empty())
        sql += " AND team = ?5";
    sql += " GROUP BY bucket" + keys;
    if (denialsOnly)
        sql += " HAVING sum(denials) > 0";
    sql += " ORDER BY bucket" + keys;

    auto st = db.prepare(sql);
    st.bind(1, from).bind(2, to);
    if (query.bucket) {
        const auto [size, offset] = bucketGeometry(*query.bucket);
        st.bind(3, size).bind(4, offset);
    } else {
        st.bind(3, from);
    }
    if (!query.team.empty())
        st.bind(5, std::string_view(query.team));
    std::vector<ReportRow> out;
    const int n = int(query.by.size());
    while (st.step()) {
        ReportRow row;
        row.bucketStartMs = st.int64(0);
        row.keys.reserve(query.by.size());
        for (int i = 0; i < n; ++i)
            row.keys.push_back(st.text(1 + i));
        row.totals = readTotals(st, 1 + n);
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

std::optional<Dimension> parseDimension(std::string_view text) {
    for (const auto& n : kDimensions)
        if (n.name == text)
            return n.dimension;
    return std::nullopt;
}

std::string_view toString(Dimension d) {
    for (const auto& n : kDimensions)
        if (n.dimension == d)
            return n.name;
    return "?";
}

std::optional<Bucket> parseBucket(std::string_view text) {
    if (text == "hour")
        return Bucket::Hour;
    if (text == "day")
        return Bucket::Day;
    if (text == "week")
        return Bucket::Week;
    return std::nullopt;
}

std::string_view toString(Bucket b) {
    switch (b) {
    case Bucket::Hour: return "hour";
    case Bucket::Day: return "day";
    case Bucket::Week: return "week";
    }
    return "?";
}

TimeMs bucketStart(Bucket b, TimeMs t) {
    const auto [size, offset] = bucketGeometry(b);
    return t - (((t - offset) % size) + size) % size;
}

std::pair<TimeMs, TimeMs> effectiveRange(TimeMs fromMs, TimeMs toMs) {
    if (fromMs >= toMs)
        throw QueryError("the report range is empty: 'from' (" + std::to_string(fromMs) + ") must be before 'to' (" +
                         std::to_string(toMs) + ")");
    const TimeMs from = hourOf(fromMs);
    const TimeMs to = hourOf(toMs - 1) + kHourMs;
    if (to - from > kMaxReportRangeMs)
        throw QueryError("the report range is too long (" + std::to_string((to - from) / kDayMs) +
                         " days); ask for at most " + std::to_string(kMaxReportRangeMs / kDayMs) +
                         " days at a time");
    return {from, to};
}

std::vector<ReportRow> spendReport(Database& db, const ReportQuery& query) { return groupedReport(db, query, false); }

std::vector<ReportRow> denialsReport(Database& db, const ReportQuery& query) { return groupedReport(db, query, true); }

std::vector<FlowRow> dataFlowReport(Database& db, TimeMs fromMs, TimeMs toMs) {
    const auto [from, to] = effectiveRange(fromMs, toMs);
    auto st = db.prepare(std::string("SELECT sensitivity, endpoint_class, provider, ") + kSums +
                         " FROM hourly_rollups WHERE hour_ms >= ?1 AND hour_ms < ?2 AND provider <> ''"
                         " GROUP BY sensitivity, endpoint_class, provider"
                         " ORDER BY sensitivity, endpoint_class, provider");
    st.bind(1, from).bind(2, to);
    std::vector<FlowRow> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), readTotals(st, 3)});
    return out;
}

} // namespace gh::store
