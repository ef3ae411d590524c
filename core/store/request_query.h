#pragma once
// The read side of requests.db for lists: requests and sessions, filtered, newest first, in
// keyset pages. Used by the gateway's admin API and by the console's read-only connection; every
// function takes the connection to use (a read-only one is enough) and runs one statement, so a
// page is one consistent snapshot.
//
// Rules (DESIGN.md, Principle 6):
//   - pages are keyset ranges on an index ending in the ordering key, never OFFSET: page n costs
//     what page 1 costs, and rows recorded while a client pages never shift its pages (new rows
//     are newer than the first page's, so they appear only in a fresh query);
//   - every filter value is bound as a parameter, never spliced into SQL;
//   - a cursor is opaque base64url. It carries the position, a fingerprint of the query's filters
//     and a checksum: a damaged cursor, one from another list, or one used with different
//     filters is a QueryError, never a crash or a page of some other query. (The checksum is not
//     a secret MAC: a client that forges a cursor only reaches rows its filters select anyway.)
//
// Indexes. team, identity, repository, status (outcome) and session id each have an index ending
// in time_ms, so a filter on one of them is a range scan that stops after a page (session id:
// schema step 2, for the drill-down from a session to its requests). task, model, provider and
// key id have none: task, model and provider have few distinct values (a dozen tasks, seven
// provider kinds, a handful of models), so a newest-first walk of the time index finds a page of
// them after a few times `limit` rows, and together with an indexed filter they ride on that
// index. Indexing them would cost a large share of the write throughput (bench/store measures
// it). A rare value (a model last used a year ago, a key used once) therefore walks the time
// index as far back as it must: clients should bound such queries by time, and combine them
// with an indexed filter where they can.
//
// Time: [fromMs, toMs) on the request's arrival; from >= to is a QueryError. Unlike reports,
// lists have no maximum range (paging bounds the work per page).
#include "policy/replay.h"
#include "store/database.h"
#include "store/request_log.h" // StoredRequest
#include "store/request_record.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gh::store {

// A query that cannot be answered as asked: a bad cursor, an empty or too long range, an
// unknown status. The message says what to change.
class QueryError : public std::runtime_error {
    using runtime_error::runtime_error;
};

// Empty strings and nullopts do not filter. Values are compared exactly (no patterns).
struct RequestFilter {
    std::optional<TimeMs> fromMs, toMs; // [from, to)
    std::string team, identity, repository, task;
    std::string model;    // requested or served
    std::string provider; // endpoint kind, as in policy files ("azure-openai")
    std::string status;   // outcome: ok, cancelled, upstream_error, denied, budget_blocked, invalid
    std::string sessionId, keyId;
};

struct RequestPage {
    std::vector<StoredRequest> rows;
    std::string nextCursor; // "" = no more rows
};

inline constexpr std::size_t kMaxPageSize = 1000;
// `limit` clamped to 1 .. kMaxPageSize.
std::size_t clampLimit(std::size_t limit);

// Requests matching `filter`, newest first (time_ms, then insertion order), `limit` (clamped)
// per page. `cursor` is "" for the first page, else the nextCursor of the previous page of the
// same query. Throws QueryError for a bad cursor, an empty time range (from >= to) or an unknown
// status; DbError when the database fails.
RequestPage queryRequests(Database& db, const RequestFilter& filter, std::string_view cursor, std::size_t limit);

// The request with this id (the newest, should an id ever repeat); nullopt when there is none.
std::optional<StoredRequest> findRequest(Database& db, std::string_view requestId);

// One agent session, from the sessions table RequestLog keeps at write time. identity .. branch
// come from the session's first request, lastModel (served, else requested) from its latest.
// Requests without a session id belong to no session.
struct SessionSummary {
    std::string sessionId, identity, team, keyId, agent, repository, branch;
    TimeMs firstMs = 0, lastMs = 0;
    std::int64_t requests = 0, denials = 0, errors = 0, inputTokens = 0, outputTokens = 0, cachedInputTokens = 0,
                 costMicros = 0;
    std::string lastModel;
    bool operator==(const SessionSummary&) const = default;
};

struct SessionPage {
    std::vector<SessionSummary> rows;
    std::string nextCursor; // "" = no more rows
};

// Sessions, most recently active first (lastMs, then session id, descending). The time range
// applies to lastMs; team, identity, repository, keyId and sessionId filter; task, model,
// provider and status are request properties and a QueryError here. A session that gets a new
// request while a client pages moves to the top of the list: it is not shown twice, but a
// client that has passed its new position will not see it again until it starts over.
SessionPage querySessions(Database& db, const RequestFilter& filter, std::string_view cursor, std::size_t limit);

std::optional<SessionSummary> findSession(Database& db, std::string_view sessionId);

// ---- Replay of a draft policy over recorded requests (policy/replay.h) --------------------------

// A record as the replay reads it; the views point into `record`. Routed and denied records are
// what the policy decided; blocked, error and invalid ones are NotDecided (skipped).
policy::RecordedRequest recordedRequestOf(const RequestRecord& record);
// The attributes the policy decides a recorded request on (views into `record`: keep it alive
// while the request is used). For re-deciding history: the demo's generator and its test.
policy::Request policyRequestOf(const RequestRecord& record);

// A replay considers at most this many requests in one call (the admin API's bound on the work
// of one call; only the counts and the sample stay in memory, whatever the number).
inline constexpr std::int64_t kMaxReplayRequests = 1'000'000;

struct ReplayRange {
    TimeMs fromMs = 0, toMs = 0; // the requests replayed are exactly those that arrived in [from, to)
    bool truncated = false;      // stopped early: toMs is the arrival of the first request not replayed
};

// One keyset page of requests after `after`, oldest first: requestsAfter() on the caller's
// connection (taking its lock for the page, not for the whole scan).
using RequestPageReader = std::function<RequestScanPage(RequestCursor after, std::size_t limit)>;

// Feeds the requests recorded in [fromMs, toMs) to `replayer`, oldest first, a page at a time
// (a range on the time index; memory holds one page). Once `maxRequests` requests have been
// considered, or `maxRequests` * 2 rows scanned (so a period full of skipped rows, such as
// budget-blocked ones, is bounded too), it finishes that millisecond and stops, so the answer's
// range still holds exactly the requests replayed. Throws QueryError when from >= to.
ReplayRange replayRecorded(policy::Replayer& replayer, TimeMs fromMs, TimeMs toMs, const RequestPageReader& readPage,
                           std::int64_t maxRequests = kMaxReplayRequests);

} // namespace gh::store
