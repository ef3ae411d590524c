#include "store/request_log.h"

#include "store/schema.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

namespace gh::store {
namespace {

// The columns of `requests` after seq, in the order of RequestRecord; one list for the insert
// and the select so that they cannot drift apart.
constexpr const char* kRequestColumns =
    "time_ms, request_id, session_id, identity, team, key_id, agent, repository, branch, sensitivity, task, "
    "requested_model, served_model, provider, endpoint_id, endpoint_class, policy_version, rule_id, decision, "
    "fallback, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_micros, latency_ms, "
    "first_token_ms, http_status, outcome, bytes_sent, bytes_received, tools_enabled, charges";
constexpr int kRequestColumnCount = 33;

std::string insertRequestSql() {
    std::string sql = std::string("INSERT INTO requests (") + kRequestColumns + ") VALUES (";
    for (int i = 1; i <= kRequestColumnCount; ++i)
        sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
    return sql + ")";
}

constexpr const char* kUpsertRollup = R"sql(
INSERT INTO hourly_rollups (hour_ms, team, provider, model, task, sensitivity, endpoint_class,
                            requests, denials, errors, input_tokens, output_tokens, cached_input_tokens,
                            cache_write_tokens, cost_micros, bytes_out)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT (hour_ms, team, provider, model, task, sensitivity, endpoint_class) DO UPDATE SET
    requests = requests + excluded.requests,
    denials = denials + excluded.denials,
    errors = errors + excluded.errors,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    cost_micros = cost_micros + excluded.cost_micros,
    bytes_out = bytes_out + excluded.bytes_out
)sql";

// A batch's sums for one session, merged into its row: the descriptive columns follow the
// earliest request (strictly earlier replaces, so on equal times the first recorded stays), the
// last model the latest (on equal times the last recorded wins), as the backfill of schema step 2
// orders by (time_ms, seq).
constexpr const char* kUpsertSession = R"sql(
INSERT INTO sessions (session_id, identity, team, key_id, agent, repository, branch, first_ms, last_ms, requests,
                      denials, errors, input_tokens, output_tokens, cached_input_tokens, cost_micros, last_model)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (session_id) DO UPDATE SET
    identity = CASE WHEN excluded.first_ms < first_ms THEN excluded.identity ELSE identity END,
    team = CASE WHEN excluded.first_ms < first_ms THEN excluded.team ELSE team END,
    key_id = CASE WHEN excluded.first_ms < first_ms THEN excluded.key_id ELSE key_id END,
    agent = CASE WHEN excluded.first_ms < first_ms THEN excluded.agent ELSE agent END,
    repository = CASE WHEN excluded.first_ms < first_ms THEN excluded.repository ELSE repository END,
    branch = CASE WHEN excluded.first_ms < first_ms THEN excluded.branch ELSE branch END,
    first_ms = min(first_ms, excluded.first_ms),
    last_ms = max(last_ms, excluded.last_ms),
    last_model = CASE WHEN excluded.last_ms >= last_ms THEN excluded.last_model ELSE last_model END,
    requests = requests + excluded.requests,
    denials = denials + excluded.denials,
    errors = errors + excluded.errors,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
    cost_micros = cost_micros + excluded.cost_micros
)sql";

// One session's requests in a batch, before the upsert.
struct SessionSums {
    const RequestRecord* first = nullptr;
    const RequestRecord* last = nullptr;
    RollupTotals totals;
};

void addToSession(SessionSums& s, const RequestRecord& r, const RollupTotals& t) {
    if (!s.first || r.timeMs < s.first->timeMs)
        s.first = &r;
    if (!s.last || r.timeMs >= s.last->timeMs)
        s.last = &r;
    s.totals += t;
}

constexpr const char* kUpsertSpend = R"sql(
INSERT INTO budget_spend (budget_id, period_start_ms, spent_micros) VALUES (?1, ?2, ?3)
ON CONFLICT (budget_id, period_start_ms) DO UPDATE SET spent_micros = spent_micros + excluded.spent_micros
)sql";

// [[budget_id, period_start_ms, micros], ...] into `out`; "" when there are no charges (stored as
// NULL). Written by hand: it runs for every record on the writer thread.
void chargesJson(const std::vector<BudgetCharge>& charges, std::string& out) {
    out.clear();
    if (charges.empty())
        return;
    out += '[';
    for (const auto& c : charges) {
        if (out.size() > 1)
            out += ',';
        out += "[\"";
        for (const char ch : c.budgetId) {
            const auto u = static_cast<unsigned char>(ch);
            if (ch == '"' || ch == '\\') {
                out += '\\';
                out += ch;
            } else if (u < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[u >> 4];
                out += kHex[u & 0x0f];
            } else {
                out += ch;
            }
        }
        out += "\",";
        out += std::to_string(c.periodStart);
        out += ',';
        out += std::to_string(c.amount.micros);
        out += ']';
    }
    out += ']';
}

std::vector<BudgetCharge> parseCharges(std::string_view json) {
    std::vector<BudgetCharge> out;
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(json, ec);
    if (ec || !value.is_array())
        return out;
    for (const auto& item : value.get_array()) {
        const auto* a = item.if_array();
        if (!a || a->size() != 3 || !(*a)[0].is_string() || !(*a)[1].is_int64() || !(*a)[2].is_int64())
            continue;
        out.push_back({std::string((*a)[0].get_string()), (*a)[1].get_int64(), Money((*a)[2].get_int64())});
    }
    return out;
}

// Binds ?1, ?2, ... in kRequestColumns order, without copying text: `r` and `charges` must stay
// alive until the statement has run.
void bindRecord(Statement& st, const RequestRecord& r, const std::string& charges) {
    int i = 0;
    const auto text = [&](std::string_view v) { st.bindNoCopy(++i, v); };
    const auto number = [&](std::int64_t v) { st.bind(++i, v); };
    const auto name = [&](const auto& optionalEnum) {
        if (optionalEnum)
            st.bindNoCopy(++i, policy::toString(*optionalEnum));
        else
            st.bind(++i, nullptr);
    };
    number(r.timeMs);
    text(r.requestId);
    text(r.sessionId);
    text(r.identity);
    text(r.team);
    text(r.keyId);
    text(r.agent);
    text(r.repository);
    text(r.branch);
    name(r.sensitivity);
    text(r.task);
    text(r.requestedModel);
    text(r.servedModel);
    name(r.provider);
    text(r.endpointId);
    name(r.endpointClass);
    number(r.policyVersion);
    text(r.ruleId);
    text(toString(r.decision));
    number(r.fallback);
    number(r.tokens.input);
    number(r.tokens.output);
    number(r.tokens.cachedInput);
    number(r.tokens.cacheWrite);
    number(r.cost.micros);
    number(r.latencyMs);
    st.bind(++i, r.firstTokenMs);
    number(r.httpStatus);
    text(toString(r.outcome));
    number(r.bytesSent);
    number(r.bytesReceived);
    number(r.toolsEnabled);
    if (charges.empty())
        st.bind(++i, nullptr);
    else
        text(charges);
}

} // namespace

namespace detail {

const char* requestColumns() { return kRequestColumns; }

// Reads columns `first`, first + 1, ... in kRequestColumns order.
RequestRecord readRecord(const Statement& st, int first) {
    int c = first;
    RequestRecord r;
    r.timeMs = st.int64(c++);
    r.requestId = st.text(c++);
    r.sessionId = st.text(c++);
    r.identity = st.text(c++);
    r.team = st.text(c++);
    r.keyId = st.text(c++);
    r.agent = st.text(c++);
    r.repository = st.text(c++);
    r.branch = st.text(c++);
    r.sensitivity = policy::sensitivityFromString(st.textView(c++));
    r.task = st.text(c++);
    r.requestedModel = st.text(c++);
    r.servedModel = st.text(c++);
    r.provider = policy::endpointKindFromString(st.textView(c++));
    r.endpointId = st.text(c++);
    r.endpointClass = policy::endpointClassFromString(st.textView(c++));
    r.policyVersion = st.int64(c++);
    r.ruleId = st.text(c++);
    r.decision = decisionFromString(st.textView(c++)).value_or(Decision::Error);
    r.fallback = int(st.int64(c++));
    r.tokens.input = st.int64(c++);
    r.tokens.output = st.int64(c++);
    r.tokens.cachedInput = st.int64(c++);
    r.tokens.cacheWrite = st.int64(c++);
    r.cost = Money(st.int64(c++));
    r.latencyMs = st.int64(c++);
    r.firstTokenMs = st.optionalInt64(c++);
    r.httpStatus = int(st.int64(c++));
    r.outcome = outcomeFromString(st.textView(c++)).value_or(Outcome::Invalid);
    r.bytesSent = st.int64(c++);
    r.bytesReceived = st.int64(c++);
    r.toolsEnabled = st.int64(c++) != 0;
    if (!st.isNull(c))
        r.charges = parseCharges(st.textView(c));
    return r;
}

} // namespace detail

std::vector<BudgetSpend> loadBudgetSpend(const Database& db, TimeMs periodStartFrom) {
    auto st = db.prepare("SELECT budget_id, period_start_ms, spent_micros FROM budget_spend "
                         "WHERE period_start_ms >= ?1 ORDER BY budget_id, period_start_ms");
    st.bind(1, periodStartFrom);
    std::vector<BudgetSpend> out;
    while (st.step())
        out.push_back({st.text(0), st.int64(1), Money(st.int64(2))});
    return out;
}

RequestScanPage requestsAfter(const Database& db, RequestCursor after, std::size_t limit) {
    // A row-value comparison, which SQLite turns into a range on the requests_time index.
    auto st = db.prepare(std::string("SELECT seq, ") + kRequestColumns +
                         " FROM requests WHERE (time_ms, seq) > (?1, ?2) ORDER BY time_ms, seq LIMIT ?3");
    st.bindAll(after.timeMs, after.seq, std::int64_t(limit));
    RequestScanPage page;
    page.rows.reserve(limit);
    while (st.step())
        page.rows.push_back({st.int64(0), detail::readRecord(st, 1)});
    if (limit > 0 && page.rows.size() == limit)
        page.next = RequestCursor{page.rows.back().record.timeMs, page.rows.back().seq};
    return page;
}

std::vector<Rollup> loadRollups(const Database& db, TimeMs fromHour, TimeMs toHour) {
    auto st = db.prepare("SELECT hour_ms, team, provider, model, task, sensitivity, endpoint_class, requests, denials, "
                         "errors, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_micros, "
                         "bytes_out FROM hourly_rollups WHERE hour_ms >= ?1 AND hour_ms < ?2 "
                         "ORDER BY hour_ms, team, provider, model, task, sensitivity, endpoint_class");
    st.bindAll(fromHour, toHour);
    std::vector<Rollup> out;
    while (st.step()) {
        Rollup r;
        r.key = {st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6)};
        r.totals.requests = st.int64(7);
        r.totals.denials = st.int64(8);
        r.totals.errors = st.int64(9);
        r.totals.inputTokens = st.int64(10);
        r.totals.outputTokens = st.int64(11);
        r.totals.cachedInputTokens = st.int64(12);
        r.totals.cacheWriteTokens = st.int64(13);
        r.totals.cost = Money(st.int64(14));
        r.totals.bytesOut = st.int64(15);
        out.push_back(std::move(r));
    }
    return out;
}

// ---- RequestLog ----------------------------------------------------------------------------

struct RequestLog::Impl {
    struct Item {
        RequestRecord record;
        std::function<void()> onDurable;
    };

    Options options;
    std::filesystem::path path;

    // Queue and counters, under `mutex`.
    mutable std::mutex mutex;
    std::condition_variable wake;    // the writer waits for records or for close
    std::condition_variable settled; // flush() waits for the writer
    // Pointers: appending moves 8 bytes, so a growing queue never moves records under the lock.
    std::vector<std::unique_ptr<Item>> queue;
    bool writerIdle = false;
    bool closing = false;
    std::optional<TimeMs> pruneCutoff; // rows older than this are to be deleted (retention)
    RequestLogStats counters;

    // Owned by the writer thread.
    Database writeDb;
    Statement insertRequest, upsertRollup, upsertSpend, upsertSession;

    mutable std::mutex readMutex;
    Database readDb;

    std::thread writer;

    // Checkpoints (copying WAL pages into the database file) run on their own connection and
    // thread: done by the writer, as SQLite's automatic checkpoints are, a checkpoint of tens of
    // megabytes would stall every commit behind it, and with them every response waiting for
    // its record. A PASSIVE checkpoint never blocks the writer; when it has caught up, the
    // writer's next commit starts the WAL from its beginning again.
    Database checkpointDb;
    std::thread checkpointer;
    std::condition_variable checkpointWake;

    void runCheckpoints() {
        using namespace std::chrono_literals;
        std::unique_lock lock(mutex);
        while (!closing) {
            checkpointWake.wait_for(lock, 1s, [&] { return closing; });
            if (closing)
                break;
            lock.unlock();
            try {
                checkpointDb.exec("PRAGMA wal_checkpoint(PASSIVE)");
            } catch (const std::exception& e) {
                report(std::string("WAL checkpoint failed: ") + e.what());
            }
            lock.lock();
        }
    }

    void report(const std::string& message) const {
        if (options.onError)
            options.onError(message);
    }

    void run() {
        std::vector<std::unique_ptr<Item>> pending;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                writerIdle = true;
                wake.wait(lock, [&] { return !queue.empty() || closing || pruneCutoff; });
                writerIdle = false;
                if (queue.empty() && pruneCutoff && !closing) {
                    const TimeMs cutoff = *pruneCutoff;
                    lock.unlock();
                    // One small step at a time, so records arriving meanwhile wait little.
                    const bool more = pruneStep(cutoff);
                    lock.lock();
                    if (!more && pruneCutoff == cutoff)
                        pruneCutoff.reset();
                    continue;
                }
                if (queue.empty())
                    return; // closing, and everything is written
                pending.swap(queue); // the appenders continue in the (reserved) vector we just emptied
            }
            const std::size_t cap = std::max<std::size_t>(1, options.maxBatch);
            for (std::size_t i = 0; i < pending.size(); i += cap) {
                const std::span<const std::unique_ptr<Item>> batch(pending.data() + i,
                                                                   std::min(cap, pending.size() - i));
                const bool written = writeWithRetry(batch);
                if (written)
                    for (const auto& item : batch)
                        if (item->onDurable)
                            notify(item->onDurable);
                {
                    std::lock_guard lock(mutex);
                    (written ? counters.durable : counters.dropped) += batch.size();
                    counters.batches += written;
                }
                settled.notify_all();
            }
            pending.clear();
        }
    }

    // Deletes up to a few thousand request rows older than `cutoff`, then sessions whose last
    // request is older; true when more remain. Rollups and budget spend are aggregates and stay:
    // dashboards keep their history.
    bool pruneStep(TimeMs cutoff) {
        constexpr int kStep = 5000;
        try {
            Transaction tx(writeDb);
            auto del = writeDb.prepare("DELETE FROM requests WHERE rowid IN "
                                       "(SELECT rowid FROM requests WHERE time_ms < ?1 ORDER BY time_ms LIMIT ?2)");
            del.bindAll(cutoff, kStep);
            del.run();
            const int deleted = writeDb.changes();
            int deletedSessions = 0;
            if (deleted < kStep) {
                auto delSessions = writeDb.prepare(
                    "DELETE FROM sessions WHERE session_id IN "
                    "(SELECT session_id FROM sessions WHERE last_ms < ?1 ORDER BY last_ms LIMIT ?2)");
                delSessions.bindAll(cutoff, kStep - deleted);
                delSessions.run();
                deletedSessions = writeDb.changes();
            }
            tx.commit();
            std::lock_guard lock(mutex);
            counters.pruned += std::uint64_t(deleted);
            counters.prunedSessions += std::uint64_t(deletedSessions);
            return deleted + deletedSessions == kStep;
        } catch (const std::exception& e) {
            report(std::string("cannot prune old request records: ") + e.what());
            return false;
        }
    }

    void notify(const std::function<void()>& onDurable) const {
        try {
            onDurable();
        } catch (const std::exception& e) {
            report(std::string("an onDurable callback threw: ") + e.what());
        } catch (...) {
            report("an onDurable callback threw");
        }
    }

    bool writeWithRetry(std::span<const std::unique_ptr<Item>> batch) {
        using namespace std::chrono_literals;
        for (int attempt = 1;; ++attempt) {
            try {
                writeBatch(batch);
                return true;
            } catch (const std::exception& e) {
                bool giveUp = false;
                {
                    std::lock_guard lock(mutex);
                    ++counters.failedAttempts;
                    giveUp = closing && attempt >= 3;
                }
                report("cannot record a batch of " + std::to_string(batch.size()) + " requests (attempt " +
                       std::to_string(attempt) + "): " + e.what() +
                       (giveUp ? "; the log is closing, the batch is dropped" : "; retrying"));
                if (giveUp)
                    return false;
                std::this_thread::sleep_for(std::min(2000ms, 50ms * (1 << std::min(attempt, 6))));
            }
        }
    }

    // One transaction: the rows, then the batch's sums per rollup key, per budget period and per
    // session.
    void writeBatch(std::span<const std::unique_ptr<Item>> batch) {
        // Keys point into the batch's records, which outlive the transaction.
        std::map<RollupKeyView, RollupTotals> rollups;
        std::map<std::pair<std::string_view, TimeMs>, Money> spend;
        std::unordered_map<std::string_view, SessionSums> sessions;
        std::string charges;
        Transaction tx(writeDb);
        for (const auto& item : batch) {
            const RequestRecord& r = item->record;
            chargesJson(r.charges, charges);
            bindRecord(insertRequest, r, charges);
            insertRequest.run();
            insertRequest.reset();
            const RollupTotals totals = rollupTotalsOf(r);
            rollups[rollupKeyOf(r)] += totals;
            if (!r.sessionId.empty())
                addToSession(sessions[r.sessionId], r, totals);
            for (const BudgetCharge& c : r.charges)
                spend[{c.budgetId, c.periodStart}] += c.amount;
        }
        for (const auto& [k, t] : rollups) {
            upsertRollup.bindAll(k.hour, k.team, k.provider, k.model, k.task, k.sensitivity, k.endpointClass,
                                 t.requests, t.denials, t.errors, t.inputTokens, t.outputTokens, t.cachedInputTokens,
                                 t.cacheWriteTokens, t.cost.micros, t.bytesOut);
            upsertRollup.run();
            upsertRollup.reset();
        }
        for (const auto& [k, amount] : spend) {
            upsertSpend.bindAll(k.first, k.second, amount.micros);
            upsertSpend.run();
            upsertSpend.reset();
        }
        for (const auto& [id, s] : sessions) {
            const RequestRecord& f = *s.first;
            const RequestRecord& l = *s.last;
            const auto& t = s.totals;
            upsertSession.bindNoCopy(1, id);
            upsertSession.bindNoCopy(2, f.identity);
            upsertSession.bindNoCopy(3, f.team);
            upsertSession.bindNoCopy(4, f.keyId);
            upsertSession.bindNoCopy(5, f.agent);
            upsertSession.bindNoCopy(6, f.repository);
            upsertSession.bindNoCopy(7, f.branch);
            upsertSession.bind(8, f.timeMs).bind(9, l.timeMs).bind(10, t.requests).bind(11, t.denials);
            upsertSession.bind(12, t.errors).bind(13, t.inputTokens).bind(14, t.outputTokens);
            upsertSession.bind(15, t.cachedInputTokens).bind(16, t.cost.micros);
            upsertSession.bindNoCopy(17, l.servedModel.empty() ? l.requestedModel : l.servedModel);
            upsertSession.run();
            upsertSession.reset();
        }
        tx.commit();
    }
};

RequestLog::RequestLog(const std::filesystem::path& workspace, Options options) : d_(std::make_unique<Impl>()) {
    d_->options = std::move(options);
    OpenOptions open;
    open.synchronous = d_->options.synchronous;
    d_->writeDb = openRequestsDb(workspace, open);
    d_->path = d_->writeDb.path();
    // The writer's page cache holds the hot index pages (64 MiB instead of SQLite's 2 MiB); it
    // never checkpoints itself (see runCheckpoints).
    d_->writeDb.exec("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0");
    d_->checkpointDb = openRequestsDb(workspace, open);
    d_->checkpointDb.exec("PRAGMA wal_autocheckpoint = 0");
    d_->insertRequest = d_->writeDb.prepare(insertRequestSql());
    d_->upsertRollup = d_->writeDb.prepare(kUpsertRollup);
    d_->upsertSpend = d_->writeDb.prepare(kUpsertSpend);
    d_->upsertSession = d_->writeDb.prepare(kUpsertSession);
    OpenOptions read;
    read.readOnly = true;
    d_->readDb = openRequestsDb(workspace, read);
    d_->queue.reserve(d_->options.maxBatch);
    d_->writer = std::thread([impl = d_.get()] { impl->run(); });
    d_->checkpointer = std::thread([impl = d_.get()] { impl->runCheckpoints(); });
}

RequestLog::~RequestLog() { close(); }

void RequestLog::append(RequestRecord record, std::function<void()> onDurable) {
    auto item = std::make_unique<Impl::Item>(Impl::Item{std::move(record), std::move(onDurable)});
    bool wakeWriter = false;
    {
        std::lock_guard lock(d_->mutex);
        if (d_->closing)
            throw std::logic_error("RequestLog::append after close");
        d_->queue.push_back(std::move(item));
        ++d_->counters.appended;
        wakeWriter = d_->writerIdle;
    }
    if (wakeWriter)
        d_->wake.notify_one();
}

void RequestLog::pruneBefore(TimeMs cutoff) {
    {
        std::lock_guard lock(d_->mutex);
        d_->pruneCutoff = cutoff;
    }
    d_->wake.notify_one();
}

bool RequestLog::flush() {
    std::unique_lock lock(d_->mutex);
    const std::uint64_t target = d_->counters.appended;
    const std::uint64_t droppedBefore = d_->counters.dropped;
    d_->settled.wait(lock, [&] { return d_->counters.durable + d_->counters.dropped >= target; });
    return d_->counters.dropped == droppedBefore;
}

void RequestLog::close() {
    {
        std::lock_guard lock(d_->mutex);
        d_->closing = true;
    }
    d_->wake.notify_one();
    d_->checkpointWake.notify_all();
    if (d_->writer.joinable())
        d_->writer.join();
    if (d_->checkpointer.joinable()) {
        d_->checkpointer.join();
        // A final full checkpoint leaves a small WAL behind for the next start.
        try {
            d_->checkpointDb.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (const std::exception& e) {
            d_->report(std::string("final WAL checkpoint failed: ") + e.what());
        }
    }
}

RequestLogStats RequestLog::stats() const {
    std::lock_guard lock(d_->mutex);
    RequestLogStats s = d_->counters;
    s.queued = d_->queue.size();
    return s;
}

const std::filesystem::path& RequestLog::path() const { return d_->path; }

std::vector<BudgetSpend> RequestLog::loadBudgetSpend(TimeMs periodStartFrom) const {
    std::lock_guard lock(d_->readMutex);
    return store::loadBudgetSpend(d_->readDb, periodStartFrom);
}

RequestScanPage RequestLog::requestsAfter(RequestCursor after, std::size_t limit) const {
    std::lock_guard lock(d_->readMutex);
    return store::requestsAfter(d_->readDb, after, limit);
}

std::vector<Rollup> RequestLog::rollups(TimeMs fromHour, TimeMs toHour) const {
    std::lock_guard lock(d_->readMutex);
    return store::loadRollups(d_->readDb, fromHour, toHour);
}

} // namespace gh::store
