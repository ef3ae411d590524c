#include "store/request_query.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <limits>
#include <span>
#include <utility>

namespace gh::store {
namespace {

// ---- Cursors -----------------------------------------------------------------------------------
//
// base64url of: version (1 byte), list kind (1), filter fingerprint (8), position (list
// specific), checksum (8: the first bytes of SHA-256 over everything before it).

constexpr std::uint8_t kCursorVersion = 1;
constexpr std::uint8_t kRequestsList = 'r';
constexpr std::uint8_t kSessionsList = 's';
constexpr std::size_t kFingerprintSize = 8;
constexpr std::size_t kChecksumSize = 8;
constexpr std::size_t kHeaderSize = 2 + kFingerprintSize;

using Fingerprint = std::array<std::uint8_t, kFingerprintSize>;

void putField(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
}

// What a cursor was issued for: the list and every filter, so a cursor replayed with other
// filters is refused rather than silently continuing another query.
Fingerprint fingerprintOf(std::uint8_t list, const RequestFilter& f) {
    std::string canonical(1, char(list));
    const auto time = [&](const std::optional<TimeMs>& t) { putField(canonical, t ? std::to_string(*t) : "-"); };
    time(f.fromMs);
    time(f.toMs);
    for (const std::string* s : {&f.team, &f.identity, &f.repository, &f.task, &f.model, &f.provider, &f.status,
                                 &f.sessionId, &f.keyId})
        putField(canonical, *s);
    const auto digest = crypto::sha256(canonical);
    Fingerprint out{};
    std::copy_n(digest.begin(), out.size(), out.begin());
    return out;
}

void putInt64(std::vector<std::uint8_t>& out, std::int64_t v) {
    const auto u = std::uint64_t(v);
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(std::uint8_t(u >> shift));
}

std::int64_t getInt64(std::span<const std::uint8_t> in) {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < 8; ++i)
        u = (u << 8) | in[i];
    return std::int64_t(u);
}

std::string encodeCursor(std::uint8_t list, const Fingerprint& fingerprint, std::span<const std::uint8_t> position) {
    std::vector<std::uint8_t> bytes{kCursorVersion, list};
    bytes.insert(bytes.end(), fingerprint.begin(), fingerprint.end());
    bytes.insert(bytes.end(), position.begin(), position.end());
    const auto sum = crypto::sha256(bytes);
    bytes.insert(bytes.end(), sum.begin(), sum.begin() + kChecksumSize);
    return crypto::base64url(bytes);
}

// The position bytes of a cursor issued for `list` with `fingerprint`; QueryError otherwise.
std::vector<std::uint8_t> decodeCursor(std::string_view cursor, std::uint8_t list, const Fingerprint& fingerprint) {
    const auto invalid = [] {
        return QueryError("the cursor is not valid (it is damaged or was not issued by this list); "
                          "pass the nextCursor of the previous page unchanged, or start again without a cursor");
    };
    if (cursor.size() > 2048)
        throw invalid();
    auto bytes = crypto::fromBase64url(cursor);
    if (!bytes || bytes->size() < kHeaderSize + kChecksumSize)
        throw invalid();
    const std::span<const std::uint8_t> body(bytes->data(), bytes->size() - kChecksumSize);
    const auto sum = crypto::sha256(body);
    if (!crypto::constantTimeEqual(std::span(sum.data(), kChecksumSize),
                                   std::span(bytes->data() + body.size(), kChecksumSize)))
        throw invalid();
    if ((*bytes)[0] != kCursorVersion || (*bytes)[1] != list)
        throw invalid();
    if (!std::equal(fingerprint.begin(), fingerprint.end(), bytes->begin() + 2))
        throw QueryError("the cursor belongs to a query with other filters; repeat the filters of the query "
                         "that returned it, or start again without a cursor");
    return {body.begin() + kHeaderSize, body.end()};
}

// ---- SQL assembly ------------------------------------------------------------------------------

// WHERE clauses whose values are all parameters (?1, ?2, ...); column names come from this file.
class Where {
public:
    // Integer or text (a struct rather than std::variant, which trips GCC 12's
    // -Wmaybe-uninitialized).
    struct Value {
        Value(std::int64_t n) : number(n) {}
        Value(std::string t) : text(std::move(t)), isText(true) {}
        std::int64_t number = 0;
        std::string text;
        bool isText = false;
    };
    // Each '?' in `clause` takes the next of `values`.
    void add(std::string_view clause, std::initializer_list<Value> values) {
        auto next = values.begin();
        sql_ += sql_.empty() ? " WHERE " : " AND ";
        for (const char c : clause) {
            if (c != '?') {
                sql_ += c;
                continue;
            }
            values_.push_back(*next++);
            sql_ += "?" + std::to_string(values_.size());
        }
    }
    void addText(std::string_view clause, const std::string& value) {
        if (!value.empty())
            add(clause, {value, value}); // the clauses use the value once or twice
    }
    // A parameter outside the WHERE clause (LIMIT); returns its placeholder.
    std::string param(std::int64_t value) {
        values_.push_back(value);
        return "?" + std::to_string(values_.size());
    }
    const std::string& sql() const { return sql_; }
    void bind(Statement& st) const {
        for (std::size_t i = 0; i < values_.size(); ++i) {
            const int index = int(i) + 1;
            if (values_[i].isText)
                st.bind(index, std::string_view(values_[i].text));
            else
                st.bind(index, values_[i].number);
        }
    }

private:
    std::string sql_;
    std::vector<Value> values_;
};

void checkTimeRange(const RequestFilter& f) {
    if (f.fromMs && f.toMs && *f.fromMs >= *f.toMs)
        throw QueryError("the time range is empty: 'from' (" + std::to_string(*f.fromMs) +
                         ") must be before 'to' (" + std::to_string(*f.toMs) + ")");
}

// With a cursor, `to` is left out: the cursor's row is before it (the cursor was issued for the
// same filter), and with two upper bounds on time SQLite may start its range at `to` and filter
// its way down to the cursor, which would make page n cost n pages.
void addTimeRange(Where& where, const RequestFilter& f, std::string_view column, bool cursor) {
    if (f.fromMs)
        where.add(std::string(column) + " >= ?", {*f.fromMs});
    if (f.toMs && !cursor)
        where.add(std::string(column) + " < ?", {*f.toMs});
}

constexpr const char* kSessionColumns =
    "session_id, identity, team, key_id, agent, repository, branch, first_ms, last_ms, requests, denials, errors, "
    "input_tokens, output_tokens, cached_input_tokens, cost_micros, last_model";

SessionSummary readSession(const Statement& st) {
    SessionSummary s;
    int c = 0;
    s.sessionId = st.text(c++);
    s.identity = st.text(c++);
    s.team = st.text(c++);
    s.keyId = st.text(c++);
    s.agent = st.text(c++);
    s.repository = st.text(c++);
    s.branch = st.text(c++);
    s.firstMs = st.int64(c++);
    s.lastMs = st.int64(c++);
    s.requests = st.int64(c++);
    s.denials = st.int64(c++);
    s.errors = st.int64(c++);
    s.inputTokens = st.int64(c++);
    s.outputTokens = st.int64(c++);
    s.cachedInputTokens = st.int64(c++);
    s.costMicros = st.int64(c++);
    s.lastModel = st.text(c++);
    return s;
}

} // namespace

std::size_t clampLimit(std::size_t limit) { return std::clamp<std::size_t>(limit, 1, kMaxPageSize); }

RequestPage queryRequests(Database& db, const RequestFilter& filter, std::string_view cursor, std::size_t limit) {
    checkTimeRange(filter);
    if (!filter.status.empty() && !outcomeFromString(filter.status))
        throw QueryError("unknown status '" + filter.status +
                         "'; use one of ok, cancelled, upstream_error, denied, budget_blocked, invalid");
    limit = clampLimit(limit);
    const Fingerprint fingerprint = fingerprintOf(kRequestsList, filter);

    Where where;
    addTimeRange(where, filter, "time_ms", !cursor.empty());
    where.addText("team = ?", filter.team);
    where.addText("identity = ?", filter.identity);
    where.addText("repository = ?", filter.repository);
    where.addText("task = ?", filter.task);
    where.addText("(requested_model = ? OR served_model = ?)", filter.model);
    where.addText("provider = ?", filter.provider);
    where.addText("outcome = ?", filter.status);
    where.addText("session_id = ?", filter.sessionId);
    where.addText("key_id = ?", filter.keyId);
    if (!cursor.empty()) {
        const auto position = decodeCursor(cursor, kRequestsList, fingerprint);
        if (position.size() != 16)
            throw QueryError("the cursor is not valid (it was not issued by the requests list); start again "
                             "without a cursor");
        // A row-value range on an index ending in (time_ms, rowid): the page starts right after
        // the cursor's row.
        where.add("(time_ms, seq) < (?, ?)", {getInt64(position), getInt64(std::span(position).subspan(8))});
    }
    const std::string limitParam = where.param(std::int64_t(limit) + 1); // one more: is there a next page?

    auto st = db.prepare(std::string("SELECT seq, ") + detail::requestColumns() + " FROM requests" + where.sql() +
                         " ORDER BY time_ms DESC, seq DESC LIMIT " + limitParam);
    where.bind(st);
    RequestPage page;
    page.rows.reserve(limit);
    while (page.rows.size() < limit && st.step())
        page.rows.push_back({st.int64(0), detail::readRecord(st, 1)});
    if (page.rows.size() == limit && st.step()) {
        std::vector<std::uint8_t> position;
        putInt64(position, page.rows.back().record.timeMs);
        putInt64(position, page.rows.back().seq);
        page.nextCursor = encodeCursor(kRequestsList, fingerprint, position);
    }
    return page;
}

std::optional<StoredRequest> findRequest(Database& db, std::string_view requestId) {
    auto st = db.prepare(std::string("SELECT seq, ") + detail::requestColumns() +
                         " FROM requests WHERE request_id = ?1 ORDER BY seq DESC LIMIT 1");
    st.bind(1, requestId);
    if (!st.step())
        return std::nullopt;
    return StoredRequest{st.int64(0), detail::readRecord(st, 1)};
}

SessionPage querySessions(Database& db, const RequestFilter& filter, std::string_view cursor, std::size_t limit) {
    checkTimeRange(filter);
    if (!filter.task.empty() || !filter.model.empty() || !filter.provider.empty() || !filter.status.empty())
        throw QueryError("sessions cannot be filtered by task, model, provider or status (those belong to "
                         "requests); filter sessions by time, team, identity, repository, key or session id");
    limit = clampLimit(limit);
    const Fingerprint fingerprint = fingerprintOf(kSessionsList, filter);

    Where where;
    addTimeRange(where, filter, "last_ms", !cursor.empty());
    where.addText("team = ?", filter.team);
    where.addText("identity = ?", filter.identity);
    where.addText("repository = ?", filter.repository);
    where.addText("session_id = ?", filter.sessionId);
    where.addText("key_id = ?", filter.keyId);
    if (!cursor.empty()) {
        const auto position = decodeCursor(cursor, kSessionsList, fingerprint);
        if (position.size() < 8)
            throw QueryError("the cursor is not valid (it was not issued by the sessions list); start again "
                             "without a cursor");
        const std::string sessionId(position.begin() + 8, position.end());
        where.add("(last_ms, session_id) < (?, ?)", {getInt64(position), sessionId});
    }
    const std::string limitParam = where.param(std::int64_t(limit) + 1);

    auto st = db.prepare(std::string("SELECT ") + kSessionColumns + " FROM sessions" + where.sql() +
                         " ORDER BY last_ms DESC, session_id DESC LIMIT " + limitParam);
    where.bind(st);
    SessionPage page;
    page.rows.reserve(limit);
    while (page.rows.size() < limit && st.step())
        page.rows.push_back(readSession(st));
    if (page.rows.size() == limit && st.step()) {
        std::vector<std::uint8_t> position;
        putInt64(position, page.rows.back().lastMs);
        position.insert(position.end(), page.rows.back().sessionId.begin(), page.rows.back().sessionId.end());
        page.nextCursor = encodeCursor(kSessionsList, fingerprint, position);
    }
    return page;
}

std::optional<SessionSummary> findSession(Database& db, std::string_view sessionId) {
    auto st = db.prepare(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE session_id = ?1");
    st.bind(1, sessionId);
    if (!st.step())
        return std::nullopt;
    return readSession(st);
}

// ---- Replay ----------------------------------------------------------------------------------

namespace {
// Budget refusals, errors and invalid requests were not decided by the policy: replay skips them.
policy::RecordedDecision policyDecisionOf(const RequestRecord& r) {
    if (r.outcome == Outcome::Invalid)
        return policy::RecordedDecision::NotDecided;
    switch (r.decision) {
    case Decision::Routed: return policy::RecordedDecision::Routed;
    case Decision::Denied: return policy::RecordedDecision::Denied;
    case Decision::Blocked:
    case Decision::Error: return policy::RecordedDecision::NotDecided;
    }
    return policy::RecordedDecision::NotDecided;
}
} // namespace

policy::RecordedRequest recordedRequestOf(const RequestRecord& r) {
    policy::RecordedRequest out;
    out.timeMs = r.timeMs;
    out.requestId = r.requestId;
    out.team = r.team;
    out.identity = r.identity;
    out.repository = r.repository;
    out.branch = r.branch;
    out.task = r.task;
    out.requestedModel = r.requestedModel;
    out.agent = r.agent;
    out.keyId = r.keyId;
    out.decision = policyDecisionOf(r);
    out.ruleId = r.ruleId;
    out.endpointId = r.endpointId;
    out.servedModel = r.servedModel;
    out.fallback = r.fallback;
    out.tokens = r.tokens;
    out.cost = r.cost;
    return out;
}

policy::Request policyRequestOf(const RequestRecord& r) {
    return {.team = r.team,
            .identity = r.identity,
            .repository = r.repository,
            .branch = r.branch,
            .task = r.task,
            .model = r.requestedModel,
            .agent = r.agent,
            .keyId = r.keyId};
}

ReplayRange replayRecorded(policy::Replayer& replayer, TimeMs fromMs, TimeMs toMs, const RequestPageReader& readPage,
                           std::int64_t maxRequests) {
    if (fromMs >= toMs)
        throw QueryError("the time range is empty: 'from' must be before 'to'");
    constexpr std::size_t kPage = 1000;
    ReplayRange range{fromMs, toMs, false};
    // Right before the first row of `fromMs`, whatever its seq.
    RequestCursor cursor{fromMs - 1, std::numeric_limits<std::int64_t>::max()};
    std::optional<TimeMs> lastMillisecond; // set once the bound was reached
    std::int64_t scanned = 0;
    for (;;) {
        const RequestScanPage page = readPage(cursor, kPage);
        for (const auto& row : page.rows) {
            const TimeMs t = row.record.timeMs;
            if (t >= toMs)
                return range;
            if (lastMillisecond && t != *lastMillisecond) {
                range.toMs = t;
                range.truncated = true;
                return range;
            }
            replayer.add(recordedRequestOf(row.record));
            ++scanned;
            if (!lastMillisecond && (replayer.considered() >= maxRequests || scanned >= 2 * maxRequests))
                lastMillisecond = t;
        }
        if (!page.next)
            return range;
        cursor = *page.next;
    }
}

} // namespace gh::store
