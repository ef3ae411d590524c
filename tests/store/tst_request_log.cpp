#include "store/request_log.h"
#include "store/schema.h"
#include "sample_records.h"
#include "support/testdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <tuple>

using namespace gh::store;
using gh::test::sampleRecord;

namespace {

std::filesystem::path workspaceOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

Database reader(const QTemporaryDir& dir) {
    OpenOptions o;
    o.readOnly = true;
    return openRequestsDb(workspaceOf(dir), o);
}

std::int64_t scalar(const Database& db, const std::string& sql) {
    auto st = db.prepare(sql);
    st.step();
    return st.int64(0);
}

std::vector<StoredRequest> allRequests(const RequestLog& log, std::size_t pageSize) {
    std::vector<StoredRequest> all;
    RequestCursor cursor;
    for (;;) {
        auto page = log.requestsAfter(cursor, pageSize);
        all.insert(all.end(), page.rows.begin(), page.rows.end());
        if (!page.next)
            return all;
        cursor = *page.next;
    }
}

// What the rollups must hold, computed here from the records without the store's code.
using Key = std::tuple<std::int64_t, std::string, std::string, std::string, std::string, std::string, std::string>;
struct Sums {
    std::int64_t requests = 0, denials = 0, errors = 0, in = 0, out = 0, cached = 0, cacheWrite = 0, cost = 0;
    std::int64_t bytes = 0;
    bool operator==(const Sums&) const = default;
};

void addExpected(std::map<Key, Sums>& rollups, std::map<std::pair<std::string, std::int64_t>, std::int64_t>& spend,
                 const RequestRecord& r) {
    const Key key{r.timeMs / 3'600'000 * 3'600'000, r.team, r.provider ? gh::policy::toString(*r.provider) : "",
                  r.servedModel, r.task, r.sensitivity ? gh::policy::toString(*r.sensitivity) : "",
                  r.endpointClass ? gh::policy::toString(*r.endpointClass) : ""};
    Sums& s = rollups[key];
    s.requests += 1;
    s.denials += r.decision == Decision::Denied || r.decision == Decision::Blocked;
    s.errors += r.outcome == Outcome::UpstreamError || r.outcome == Outcome::Invalid || r.decision == Decision::Error;
    s.in += r.tokens.input;
    s.out += r.tokens.output;
    s.cached += r.tokens.cachedInput;
    s.cacheWrite += r.tokens.cacheWrite;
    s.cost += r.cost.micros;
    s.bytes += r.bytesSent;
    for (const auto& c : r.charges)
        spend[{c.budgetId, c.periodStart}] += c.amount.micros;
}

Sums sumsOf(const Rollup& r) {
    const auto& t = r.totals;
    return {t.requests, t.denials, t.errors, t.inputTokens, t.outputTokens, t.cachedInputTokens, t.cacheWriteTokens,
            t.cost.micros, t.bytesOut};
}

} // namespace

class TestRequestLog : public QObject {
    Q_OBJECT
private slots:
    void recordsRoundTripWithEveryField() {
        QTemporaryDir dir;
        RequestLog log(workspaceOf(dir));
        std::vector<RequestRecord> written;
        for (int i = 0; i < 50; ++i) {
            written.push_back(sampleRecord(0, i));
            log.append(written.back());
        }
        RequestRecord bare; // defaults: empty strings, nullopts, no charges
        bare.timeMs = 0;
        bare.requestId = "bare";
        written.push_back(bare);
        log.append(bare);
        RequestRecord odd = sampleRecord(0, 99);
        odd.requestId = "odd";
        odd.charges = {{"quote\" back\\slash \n\x01 ünïcode", -5, gh::Money(-1)}, {"", 0, gh::Money(0)}};
        written.push_back(odd);
        log.append(odd);
        QVERIFY(log.flush());
        std::map<std::string, RequestRecord> read;
        for (auto& row : allRequests(log, 7))
            read[row.record.requestId] = row.record;
        QCOMPARE(read.size(), written.size());
        for (const auto& r : written)
            QVERIFY2(read.at(r.requestId) == r, r.requestId.c_str());
    }

    void concurrentAppendsAreStoredExactlyOnceWithMatchingRollups() {
        constexpr int kThreads = 8;
        constexpr int kPerThread = 5000;
        QTemporaryDir dir;
        std::atomic<int> durable{0};
        std::map<Key, Sums> expectedRollups;
        std::map<std::pair<std::string, std::int64_t>, std::int64_t> expectedSpend;
        for (int t = 0; t < kThreads; ++t)
            for (int i = 0; i < kPerThread; ++i)
                addExpected(expectedRollups, expectedSpend, sampleRecord(t, i));
        {
            RequestLog log(workspaceOf(dir));
            std::vector<std::thread> threads;
            for (int t = 0; t < kThreads; ++t)
                threads.emplace_back([&log, &durable, t] {
                    for (int i = 0; i < kPerThread; ++i)
                        log.append(sampleRecord(t, i), [&durable] { durable.fetch_add(1); });
                });
            for (auto& th : threads)
                th.join();
            // close() in the destructor drains the queue.
        }
        QCOMPARE(durable.load(), kThreads * kPerThread);

        RequestLog log(workspaceOf(dir));
        const auto rows = allRequests(log, 1000);
        QCOMPARE(rows.size(), std::size_t(kThreads * kPerThread));
        std::set<std::string> ids;
        RequestCursor previous;
        for (const auto& row : rows) {
            QVERIFY2(ids.insert(row.record.requestId).second, row.record.requestId.c_str());
            const RequestCursor here{row.record.timeMs, row.seq};
            QVERIFY(std::tie(previous.timeMs, previous.seq) < std::tie(here.timeMs, here.seq));
            previous = here;
        }
        for (int t = 0; t < kThreads; ++t)
            for (int i = 0; i < kPerThread; ++i)
                QVERIFY(ids.count("req-" + std::to_string(t) + "-" + std::to_string(i)));

        const auto rollups = log.rollups(std::numeric_limits<TimeMs>::min(), std::numeric_limits<TimeMs>::max());
        QCOMPARE(rollups.size(), expectedRollups.size());
        QVERIFY(rollups.size() < std::size_t(kThreads * kPerThread) / 10); // they do aggregate
        for (const auto& r : rollups) {
            const Key key{r.key.hour, r.key.team, r.key.provider, r.key.model, r.key.task, r.key.sensitivity,
                          r.key.endpointClass};
            QVERIFY(expectedRollups.count(key));
            QVERIFY(sumsOf(r) == expectedRollups.at(key));
        }

        const auto spend = log.loadBudgetSpend();
        QCOMPARE(spend.size(), expectedSpend.size());
        for (const auto& s : spend)
            QCOMPARE(s.spent.micros, expectedSpend.at({s.budgetId, s.periodStart}));

        // The same totals from the raw rows, summed by SQL.
        Database db = reader(dir);
        QCOMPARE(scalar(db, "SELECT count(*) FROM (SELECT (time_ms / 3600000) * 3600000 AS hour_ms, team, "
                            "coalesce(provider, '') AS provider, served_model AS model, task, "
                            "coalesce(sensitivity, '') AS sensitivity, coalesce(endpoint_class, '') AS endpoint_class, "
                            "count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), "
                            "sum(cache_write_tokens), sum(cost_micros), sum(bytes_sent) FROM requests "
                            "GROUP BY 1, 2, 3, 4, 5, 6, 7 EXCEPT SELECT hour_ms, team, provider, model, task, "
                            "sensitivity, endpoint_class, requests, input_tokens, output_tokens, cached_input_tokens, "
                            "cache_write_tokens, cost_micros, bytes_out FROM hourly_rollups)"),
                 std::int64_t(0));
        QCOMPARE(scalar(db, "SELECT sum(cost_micros) FROM requests"),
                 scalar(db, "SELECT sum(cost_micros) FROM hourly_rollups"));
    }

    void onDurableRunsAfterCommit() {
        QTemporaryDir dir;
        RequestLog::Options options;
        options.maxBatch = 64; // many batches
        RequestLog log(workspaceOf(dir), options);
        // A second connection sees committed data only: each callback must find its row there.
        Database other = reader(dir);
        auto find = other.prepare("SELECT count(*) FROM requests WHERE request_id = ?1");
        std::atomic<int> called{0}, missing{0};
        constexpr int kRecords = 3000;
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kRecords / 2; ++i) {
                    const std::string id = "req-" + std::to_string(t) + "-" + std::to_string(i);
                    log.append(sampleRecord(t, i), [&, id] {
                        // Callbacks run one at a time on the writer thread, so `find` is not shared.
                        find.bind(1, id);
                        find.step();
                        if (find.int64(0) != 1)
                            missing.fetch_add(1);
                        find.reset();
                        called.fetch_add(1);
                    });
                }
            });
        for (auto& th : threads)
            th.join();
        QVERIFY(log.flush());
        QCOMPARE(called.load(), kRecords);
        QCOMPARE(missing.load(), 0);
        const auto stats = log.stats();
        QCOMPARE(stats.appended, std::uint64_t(kRecords));
        QCOMPARE(stats.durable, std::uint64_t(kRecords));
        QVERIFY(stats.batches >= kRecords / 64);
        QCOMPARE(stats.failedAttempts, std::uint64_t(0));
    }

    void budgetSpendFiltersByPeriodStart() {
        QTemporaryDir dir;
        RequestLog log(workspaceOf(dir));
        RequestRecord r;
        r.requestId = "a";
        r.charges = {{"team-monthly", 1000, gh::Money(5)}, {"daily", 2000, gh::Money(7)}};
        log.append(r);
        r.requestId = "b";
        r.charges = {{"team-monthly", 1000, gh::Money(1)}, {"daily", 3000, gh::Money(2)}};
        log.append(r);
        QVERIFY(log.flush());
        QCOMPARE(log.loadBudgetSpend(), (std::vector<BudgetSpend>{{"daily", 2000, gh::Money(7)},
                                                                  {"daily", 3000, gh::Money(2)},
                                                                  {"team-monthly", 1000, gh::Money(6)}}));
        QCOMPARE(log.loadBudgetSpend(2000),
                 (std::vector<BudgetSpend>{{"daily", 2000, gh::Money(7)}, {"daily", 3000, gh::Money(2)}}));
    }

    void rollupsSelectAnHourRange() {
        QTemporaryDir dir;
        RequestLog log(workspaceOf(dir));
        for (int h = 0; h < 5; ++h) {
            RequestRecord r;
            r.requestId = "r" + std::to_string(h);
            r.timeMs = h * kHourMs + 59 * 60'000; // late in each hour
            r.team = "web";
            r.cost = gh::Money(h + 1);
            log.append(r);
        }
        QVERIFY(log.flush());
        const auto rows = log.rollups(1 * kHourMs, 3 * kHourMs);
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].key.hour, 1 * kHourMs);
        QCOMPARE(rows[0].totals.cost.micros, std::int64_t(2));
        QCOMPARE(rows[1].key.hour, 2 * kHourMs);
        QCOMPARE(hourOf(-1), -kHourMs); // before 1970 floors down, not toward zero
    }

    void pagesAreKeysetRangesOnTheTimeIndex() {
        QTemporaryDir dir;
        RequestLog log(workspaceOf(dir));
        log.close();
        Database db = reader(dir);
        auto plan = db.prepare("EXPLAIN QUERY PLAN SELECT seq, request_id FROM requests "
                               "WHERE (time_ms, seq) > (?1, ?2) ORDER BY time_ms, seq LIMIT ?3");
        std::string text;
        while (plan.step())
            text += plan.text(3) + "\n";
        QVERIFY2(text.find("SEARCH requests USING INDEX requests_time (time_ms>?)") != std::string::npos, text.c_str());
        QVERIFY2(text.find("TEMP B-TREE") == std::string::npos, text.c_str()); // no sort
        for (const char* index : {"requests_team", "requests_identity", "requests_repository", "requests_status",
                                  "requests_request_id"})
            QCOMPARE(scalar(db, std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + index + "'"),
                     std::int64_t(1));
    }

    // Retention deletes old request rows in steps and keeps the rollups and budget spend.
    void retentionPrunesOldRowsAndKeepsAggregates() {
        QTemporaryDir dir;
        RequestLog log(workspaceOf(dir));
        const std::int64_t base = 1'767'225'600'000;
        for (int i = 0; i < 12'000; ++i)
            log.append(sampleRecord(1, i, base));
        QVERIFY(log.flush());
        const auto rollupsBefore = scalar(reader(dir), "SELECT sum(requests) FROM hourly_rollups");
        const auto spendBefore = scalar(reader(dir), "SELECT sum(spent_micros) FROM budget_spend");
        const std::int64_t cutoff = base + 5'400'000; // the middle of the three hours
        const auto older = scalar(reader(dir), "SELECT count(*) FROM requests WHERE time_ms < " + std::to_string(cutoff));
        QVERIFY(older > 5'000); // more than one pruning step
        log.pruneBefore(cutoff);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(reader(dir), "SELECT count(*) FROM requests WHERE time_ms < " + std::to_string(cutoff)),
                                  std::int64_t(0), 10'000);
        QCOMPARE(scalar(reader(dir), "SELECT count(*) FROM requests"), std::int64_t(12'000) - older);
        QCOMPARE(scalar(reader(dir), "SELECT sum(requests) FROM hourly_rollups"), rollupsBefore);
        QCOMPARE(scalar(reader(dir), "SELECT sum(spent_micros) FROM budget_spend"), spendBefore);
        QCOMPARE(std::int64_t(log.stats().pruned), older);
        // Recording goes on after pruning.
        log.append(sampleRecord(2, 1, base));
        QVERIFY(log.flush());
    }

    void closeDrainsTheQueueAndRefusesMore() {
        QTemporaryDir dir;
        std::atomic<int> durable{0};
        RequestLog log(workspaceOf(dir));
        for (int i = 0; i < 20'000; ++i)
            log.append(sampleRecord(1, i), [&] { durable.fetch_add(1); });
        log.close();
        QCOMPARE(durable.load(), 20'000);
        QCOMPARE(scalar(reader(dir), "SELECT count(*) FROM requests"), std::int64_t(20'000));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, log.append(sampleRecord(1, 0)));
        log.close(); // idempotent
    }
};

QTEST_GUILESS_MAIN(TestRequestLog)
#include "tst_request_log.moc"
