#pragma once
// The request log: every request record goes to requests.db through here, in batches, with the
// hourly rollups and budget spend updated in the same transaction.
//
// Hot path. append() only moves the record into a queue under a mutex; a single writer thread
// takes whatever is queued (up to maxBatch records) and writes it in one transaction. Under load
// a batch fills while the previous one commits, so the cost of a commit is shared by thousands
// of records; when idle, a record is written as soon as it arrives.
//
// Durability (Principle 5: a response the client saw complete is on disk). The gateway passes
// an onDurable callback that releases the response's last bytes; it runs only after the COMMIT
// that contains the record has returned. requests.db runs in WAL mode with synchronous=FULL:
// COMMIT appends the batch to the WAL and fsyncs it. synchronous=NORMAL would already survive
// kill -9 (a committed WAL frame is in the kernel's page cache, which outlives the process), but
// not a kernel crash or power loss, which Principle 5 does not exempt. FULL costs one fsync per
// batch, not per record (about 0.3 ms here), which batching amortises; OFF is never used.
//
// Rollups (Principle 6): the batch's records are first summed in memory per rollup key, per
// budget period and per session, then each distinct key is upserted once, so a dashboard reads
// hourly rows, the sessions screen reads one row per session and the gateway restores budget
// spend without scanning requests.
//
// Failure: a batch that cannot be written (disk full, I/O error) is rolled back, reported to
// onError and retried with back-off; its callbacks wait, so nothing is acknowledged that is not
// stored. At close, a batch that still fails after a few attempts is dropped and reported.
#include "store/database.h"
#include "store/request_record.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gh::store {

struct BudgetSpend {
    std::string budgetId;
    TimeMs periodStart = 0;
    Money spent;
    bool operator==(const BudgetSpend&) const = default;
};

// Keyset position in requests ordered by (time_ms, seq). The default is before every row.
struct RequestCursor {
    TimeMs timeMs = std::numeric_limits<TimeMs>::min();
    std::int64_t seq = 0;
    bool operator==(const RequestCursor&) const = default;
};

struct StoredRequest {
    std::int64_t seq = 0; // rowid: insertion order
    RequestRecord record;
};

// Oldest first, for exports and replays (queryRequests in request_query.h is the filtered,
// newest-first list behind the API and the console).
struct RequestScanPage {
    std::vector<StoredRequest> rows;
    std::optional<RequestCursor> next; // set when there may be more rows after this page
};

// Queries on any connection to requests.db (a read-only one is enough).
// Spend of the budget periods that start at or after `periodStartFrom`, for Ledger::restore.
std::vector<BudgetSpend> loadBudgetSpend(const Database& db,
                                         TimeMs periodStartFrom = std::numeric_limits<TimeMs>::min());
// Up to `limit` requests after `after` in (time_ms, seq) order.
RequestScanPage requestsAfter(const Database& db, RequestCursor after, std::size_t limit);
// Rollup rows of the hours in [fromHour, toHour), in key order.
std::vector<Rollup> loadRollups(const Database& db, TimeMs fromHour, TimeMs toHour);

namespace detail {
// The columns of `requests` after seq, in RequestRecord order ("time_ms, request_id, ..."), and
// the reader of a row selected with them; shared with request_query.cpp.
const char* requestColumns();
RequestRecord readRecord(const Statement& st, int firstColumn);
} // namespace detail

struct RequestLogOptions {
    // Records per transaction at most. It only matters under saturation (otherwise a batch is
    // whatever arrived during the previous commit): 16,384 records commit in ~150 ms here, which
    // bounds the delay it adds to onDurable, and amortise the index pages each commit rewrites
    // (about 10 % more throughput than 4,096).
    std::size_t maxBatch = 16384;
    Synchronous synchronous = Synchronous::Full;  // see the header comment; Normal for benchmarks only
    std::function<void(const std::string&)> onError; // called on the writer thread; may be empty
};

struct RequestLogStats {
    std::uint64_t appended = 0;
    std::uint64_t durable = 0;        // committed, onDurable called
    std::uint64_t dropped = 0;        // given up at close after repeated write failures
    std::uint64_t batches = 0;        // committed transactions
    std::uint64_t failedAttempts = 0; // transactions that failed and were retried or dropped
    std::size_t queued = 0;           // appended, not yet taken by the writer
    std::uint64_t pruned = 0;         // rows deleted by retention
    std::uint64_t prunedSessions = 0; // sessions deleted by retention (last request before the cutoff)
};

class RequestLog {
public:
    using Options = RequestLogOptions;

    // Opens (creating and migrating) <workspace>/requests.db and starts the writer thread.
    // Throws DbError when the database cannot be opened.
    explicit RequestLog(const std::filesystem::path& workspace, Options options = {});
    // Drains the queue and stops the writer (close()).
    ~RequestLog();
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    // Queues `record`; never waits for the disk. `onDurable` runs on the writer thread once the
    // record is committed: keep it short (post to an executor). Callable from any thread.
    // Throws std::logic_error after close().
    void append(RequestRecord record, std::function<void()> onDurable = {});

    // Retention: deletes request rows older than `cutoff`, then the sessions whose last request
    // is older, in small steps on the writer thread, between batches (rollups and budget spend
    // are kept). Returns at once.
    void pruneBefore(TimeMs cutoff);

    // Waits until every record appended before the call is committed (or dropped). False when
    // a record was dropped meanwhile.
    bool flush();
    // Stops accepting records, writes everything queued, stops the writer. Idempotent.
    void close();

    RequestLogStats stats() const;
    const std::filesystem::path& path() const;

    // The queries above, on the log's own read connection (safe from any thread, concurrent
    // with writing; sees committed batches only).
    std::vector<BudgetSpend> loadBudgetSpend(TimeMs periodStartFrom = std::numeric_limits<TimeMs>::min()) const;
    RequestScanPage requestsAfter(RequestCursor after, std::size_t limit) const;
    std::vector<Rollup> rollups(TimeMs fromHour, TimeMs toHour) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

} // namespace gh::store
