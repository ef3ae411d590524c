#include "store/request_log.h"
#include "store/request_query.h"
#include "store/schema.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "sample_records.h"
#include "support/testdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>

using namespace gh::store;
using gh::test::spreadRecord;

namespace {

constexpr int kRecords = 4000;
constexpr std::int64_t kBase = 1'767'225'600'000; // 2026-01-01T00:00:00Z
constexpr std::int64_t kDay = 86'400'000;

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

// The records as appended (index = append order = seq order).
std::vector<RequestRecord> seed(const QTemporaryDir& dir, int count = kRecords) {
    std::vector<RequestRecord> records;
    RequestLog::Options options;
    options.maxBatch = 500; // many batches: sessions merge across them
    RequestLog log(workspaceOf(dir), options);
    for (int i = 0; i < count; ++i) {
        records.push_back(spreadRecord(i));
        log.append(records.back());
    }
    log.close();
    return records;
}

// Walks every page; fails the test on a repeated request id.
std::vector<StoredRequest> walk(Database& db, const RequestFilter& filter, std::size_t limit, int* pages = nullptr) {
    std::vector<StoredRequest> all;
    std::string cursor;
    int n = 0;
    for (;;) {
        auto page = queryRequests(db, filter, cursor, limit);
        ++n;
        if (page.rows.size() > limit)
            qFatal("page larger than its limit");
        all.insert(all.end(), page.rows.begin(), page.rows.end());
        if (page.nextCursor.empty())
            break;
        if (page.rows.size() != limit)
            qFatal("a short page with a next cursor");
        cursor = page.nextCursor;
    }
    if (pages)
        *pages = n;
    return all;
}

// Request ids of the records `keep` selects, newest first (time, then append order), computed
// without the store.
std::vector<std::string> expectedIds(const std::vector<RequestRecord>& records,
                                     const std::function<bool(const RequestRecord&)>& keep) {
    std::vector<std::pair<std::int64_t, int>> order;
    for (int i = 0; i < int(records.size()); ++i)
        if (keep(records[std::size_t(i)]))
            order.push_back({records[std::size_t(i)].timeMs, i});
    std::sort(order.rbegin(), order.rend());
    std::vector<std::string> ids;
    for (const auto& [t, i] : order)
        ids.push_back(records[std::size_t(i)].requestId);
    return ids;
}

std::vector<std::string> idsOf(const std::vector<StoredRequest>& rows) {
    std::vector<std::string> ids;
    for (const auto& r : rows)
        ids.push_back(r.record.requestId);
    return ids;
}

std::string providerName(const RequestRecord& r) { return r.provider ? gh::policy::toString(*r.provider) : ""; }

// The sessions aggregate, computed here from the records.
std::map<std::string, SessionSummary> expectedSessions(const std::vector<RequestRecord>& records) {
    std::map<std::string, SessionSummary> out;
    std::map<std::string, std::pair<std::int64_t, int>> first, last;
    for (int i = 0; i < int(records.size()); ++i) {
        const auto& r = records[std::size_t(i)];
        if (r.sessionId.empty())
            continue;
        auto& s = out[r.sessionId];
        s.sessionId = r.sessionId;
        const std::pair<std::int64_t, int> at{r.timeMs, i};
        if (!first.count(r.sessionId) || at < first[r.sessionId]) {
            first[r.sessionId] = at;
            s.identity = r.identity;
            s.team = r.team;
            s.keyId = r.keyId;
            s.agent = r.agent;
            s.repository = r.repository;
            s.branch = r.branch;
            s.firstMs = r.timeMs;
        }
        if (!last.count(r.sessionId) || at > last[r.sessionId]) {
            last[r.sessionId] = at;
            s.lastMs = r.timeMs;
            s.lastModel = r.servedModel.empty() ? r.requestedModel : r.servedModel;
        }
        s.requests += 1;
        s.denials += r.decision == Decision::Denied || r.decision == Decision::Blocked;
        s.errors += r.decision == Decision::Error || r.outcome == Outcome::UpstreamError || r.outcome == Outcome::Invalid;
        s.inputTokens += r.tokens.input;
        s.outputTokens += r.tokens.output;
        s.cachedInputTokens += r.tokens.cachedInput;
        s.costMicros += r.cost.micros;
    }
    return out;
}

std::vector<SessionSummary> walkSessions(Database& db, const RequestFilter& filter, std::size_t limit) {
    std::vector<SessionSummary> all;
    std::string cursor;
    for (;;) {
        auto page = querySessions(db, filter, cursor, limit);
        all.insert(all.end(), page.rows.begin(), page.rows.end());
        if (page.nextCursor.empty())
            return all;
        cursor = page.nextCursor;
    }
}

void compareSessions(const std::vector<SessionSummary>& got, const std::map<std::string, SessionSummary>& expected) {
    QCOMPARE(got.size(), expected.size());
    for (const auto& s : got) {
        QVERIFY2(expected.count(s.sessionId), s.sessionId.c_str());
        QVERIFY2(s == expected.at(s.sessionId), s.sessionId.c_str());
    }
}

// Inserts `r` with plain SQL, as a Gatehouse without the sessions table did.
void insertRaw(Database& db, const RequestRecord& r) {
    const auto name = [](const auto& v) -> const char* { return v ? gh::policy::toString(*v) : nullptr; };
    auto st = db.prepare(std::string("INSERT INTO requests (") + detail::requestColumns() +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                         "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)");
    st.bindAll(r.timeMs, r.requestId, r.sessionId, r.identity, r.team, r.keyId, r.agent, r.repository, r.branch,
               name(r.sensitivity), r.task, r.requestedModel, r.servedModel, name(r.provider), r.endpointId,
               name(r.endpointClass), r.policyVersion, r.ruleId, toString(r.decision), r.fallback, r.tokens.input,
               r.tokens.output, r.tokens.cachedInput, r.tokens.cacheWrite, r.cost.micros, r.latencyMs, r.firstTokenMs,
               r.httpStatus, toString(r.outcome), r.bytesSent, r.bytesReceived, r.toolsEnabled, nullptr);
    st.run();
}

std::string queryPlan(const Database& db, const std::string& sql) {
    auto plan = db.prepare("EXPLAIN QUERY PLAN " + sql);
    std::string text;
    while (plan.step())
        text += plan.text(3) + "\n";
    return text;
}

} // namespace

class TestRequestQuery : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::vector<RequestRecord> records_;
    Database db_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        records_ = seed(dir_);
        db_ = reader(dir_);
        QCOMPARE(scalar(db_, "SELECT count(*) FROM requests"), std::int64_t(kRecords));
    }

    void everyRowOnceNewestFirstEvenWithSharedTimes() {
        // Many records share a millisecond (every fourth copies its predecessor's time).
        QVERIFY(scalar(db_, "SELECT count(*) FROM (SELECT time_ms FROM requests GROUP BY time_ms HAVING count(*) > 1)") >
                500);
        for (const std::size_t limit : {std::size_t(1000), std::size_t(97), std::size_t(7)}) {
            int pages = 0;
            const auto rows = walk(db_, {}, limit, &pages);
            QCOMPARE(idsOf(rows), expectedIds(records_, [](const RequestRecord&) { return true; }));
            QCOMPARE(pages, int((kRecords + limit - 1) / limit));
            for (const auto& row : rows)
                QVERIFY(row.record == records_[std::size_t(std::stoi(row.record.requestId.substr(4)))]);
        }
    }

    void eachFilterSelectsExactlyItsRows() {
        struct Case {
            const char* name;
            std::function<void(RequestFilter&)> set;
            std::function<bool(const RequestRecord&)> keep;
        };
        const std::vector<Case> cases = {
            {"from", [](RequestFilter& f) { f.fromMs = kBase + 3 * kDay + 123; },
             [](const RequestRecord& r) { return r.timeMs >= kBase + 3 * kDay + 123; }},
            {"to", [](RequestFilter& f) { f.toMs = kBase + 2 * kDay; },
             [](const RequestRecord& r) { return r.timeMs < kBase + 2 * kDay; }},
            {"team", [](RequestFilter& f) { f.team = "web"; }, [](const RequestRecord& r) { return r.team == "web"; }},
            {"identity", [](RequestFilter& f) { f.identity = "dev3@acme.example"; },
             [](const RequestRecord& r) { return r.identity == "dev3@acme.example"; }},
            {"repository", [](RequestFilter& f) { f.repository = "acme/service-4"; },
             [](const RequestRecord& r) { return r.repository == "acme/service-4"; }},
            {"task", [](RequestFilter& f) { f.task = "docs"; }, [](const RequestRecord& r) { return r.task == "docs"; }},
            {"model served", [](RequestFilter& f) { f.model = "gpt-4.1-mini"; },
             [](const RequestRecord& r) { return r.servedModel == "gpt-4.1-mini"; }},
            {"model requested or served", [](RequestFilter& f) { f.model = "o3"; },
             [](const RequestRecord& r) { return r.requestedModel == "o3" || r.servedModel == "o3"; }},
            {"provider", [](RequestFilter& f) { f.provider = "anthropic"; },
             [](const RequestRecord& r) { return providerName(r) == "anthropic"; }},
            {"status", [](RequestFilter& f) { f.status = "upstream_error"; },
             [](const RequestRecord& r) { return r.outcome == Outcome::UpstreamError; }},
            {"session", [](RequestFilter& f) { f.sessionId = "sess-17"; },
             [](const RequestRecord& r) { return r.sessionId == "sess-17"; }},
            {"key", [](RequestFilter& f) { f.keyId = "key_2"; }, [](const RequestRecord& r) { return r.keyId == "key_2"; }},
            {"no such team", [](RequestFilter& f) { f.team = "nobody"; }, [](const RequestRecord&) { return false; }},
        };
        for (const auto& c : cases) {
            RequestFilter filter;
            c.set(filter);
            const auto expected = expectedIds(records_, c.keep);
            QVERIFY2(expected.size() < std::size_t(kRecords), c.name);
            QVERIFY2(idsOf(walk(db_, filter, 50)) == expected, c.name);
        }
    }

    void combinedFilters() {
        RequestFilter f;
        f.team = "payments";
        f.task = "codegen";
        f.fromMs = kBase + 1 * kDay;
        f.toMs = kBase + 8 * kDay;
        auto expected = expectedIds(records_, [](const RequestRecord& r) {
            return r.team == "payments" && r.task == "codegen" && r.timeMs >= kBase + kDay && r.timeMs < kBase + 8 * kDay;
        });
        QVERIFY(expected.size() > 20);
        QCOMPARE(idsOf(walk(db_, f, 9)), expected);

        RequestFilter g;
        g.model = "gpt-4.1-mini";
        g.provider = "azure-openai";
        g.status = "ok";
        g.identity = "dev5@acme.example";
        expected = expectedIds(records_, [](const RequestRecord& r) {
            return (r.requestedModel == "gpt-4.1-mini" || r.servedModel == "gpt-4.1-mini") &&
                   providerName(r) == "azure-openai" && r.outcome == Outcome::Ok && r.identity == "dev5@acme.example";
        });
        QVERIFY(!expected.empty());
        QCOMPARE(idsOf(walk(db_, g, 3)), expected);

        RequestFilter h;
        h.sessionId = "sess-5";
        h.repository = "acme/service-1";
        h.keyId = "key_1";
        expected = expectedIds(records_, [](const RequestRecord& r) {
            return r.sessionId == "sess-5" && r.repository == "acme/service-1" && r.keyId == "key_1";
        });
        QCOMPARE(idsOf(walk(db_, h, 2)), expected);
    }

    void newRowsDuringPagingDoNotShiftPages() {
        QTemporaryDir dir;
        auto records = seed(dir, 1500);
        Database db = reader(dir);
        RequestFilter filter;
        filter.team = "data";
        const auto before = idsOf(walk(db, filter, 25));

        std::vector<std::string> walked;
        auto page = queryRequests(db, filter, "", 25);
        walked = idsOf(page.rows);
        page = queryRequests(db, filter, page.nextCursor, 25);
        const auto seen = idsOf(page.rows);
        walked.insert(walked.end(), seen.begin(), seen.end());
        const TimeMs cursorTime = page.rows.back().record.timeMs;
        {
            // Newer rows, and rows at the very millisecond of the cursor's row (later seq).
            RequestLog log(workspaceOf(dir));
            for (int i = 0; i < 200; ++i) {
                RequestRecord r = spreadRecord(100'000 + i);
                r.team = "data";
                r.timeMs = i % 2 ? cursorTime : kBase + 20 * kDay + i;
                log.append(r);
            }
        }
        while (!page.nextCursor.empty()) {
            page = queryRequests(db, filter, page.nextCursor, 25);
            const auto ids = idsOf(page.rows);
            walked.insert(walked.end(), ids.begin(), ids.end());
        }
        QCOMPARE(walked, before);
        // A fresh query sees them.
        QCOMPARE(walk(db, filter, 1000).size(), before.size() + 200);
    }

    void limitIsClamped() {
        QCOMPARE(queryRequests(db_, {}, "", 0).rows.size(), std::size_t(1));
        QCOMPARE(queryRequests(db_, {}, "", 100'000).rows.size(), kMaxPageSize);
        QCOMPARE(querySessions(db_, {}, "", 0).rows.size(), std::size_t(1));
        QCOMPARE(clampLimit(5), std::size_t(5));
    }

    void badCursorsAndRangesAreQueryErrors() {
        RequestFilter filter;
        filter.team = "web";
        const auto page = queryRequests(db_, filter, "", 10);
        QVERIFY(!page.nextCursor.empty());
        // The real one works.
        QCOMPARE(queryRequests(db_, filter, page.nextCursor, 10).rows.size(), std::size_t(10));

        std::vector<std::string> bad = {"!!!", "not a cursor", "AAAA", std::string(5000, 'A'),
                                        page.nextCursor.substr(0, page.nextCursor.size() - 3),
                                        page.nextCursor + "A", page.nextCursor + "=", std::string(1, '\0')};
        for (std::size_t i = 0; i < page.nextCursor.size(); i += 3) { // every third character changed
            std::string tampered = page.nextCursor;
            tampered[i] = tampered[i] == 'B' ? 'C' : 'B';
            bad.push_back(tampered);
        }
        {
            // A well-formed cursor (right checksum) whose position is cut short.
            const auto bytes = gh::crypto::fromBase64url(page.nextCursor);
            QVERIFY(bytes);
            std::vector<std::uint8_t> body(bytes->begin(), bytes->end() - 8 - 4);
            const auto sum = gh::crypto::sha256(body);
            body.insert(body.end(), sum.begin(), sum.begin() + 8);
            bad.push_back(gh::crypto::base64url(body));
        }
        for (const auto& cursor : bad)
            QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, filter, cursor, 10));

        // Another query's cursor.
        RequestFilter other = filter;
        other.team = "data";
        QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, other, page.nextCursor, 10));
        other = filter;
        other.fromMs = 0;
        QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, other, page.nextCursor, 10));
        // A sessions cursor in the requests list, and the other way round.
        const auto sessions = querySessions(db_, filter, "", 10);
        QVERIFY(!sessions.nextCursor.empty());
        QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, filter, sessions.nextCursor, 10));
        QVERIFY_THROWS_EXCEPTION(QueryError, querySessions(db_, filter, page.nextCursor, 10));
        for (const auto& cursor : bad)
            QVERIFY_THROWS_EXCEPTION(QueryError, querySessions(db_, filter, cursor, 10));

        RequestFilter empty;
        empty.fromMs = 100;
        empty.toMs = 100;
        QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, empty, "", 10));
        QVERIFY_THROWS_EXCEPTION(QueryError, querySessions(db_, empty, "", 10));
        RequestFilter status;
        status.status = "fine";
        QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db_, status, "", 10));
        RequestFilter byTask;
        byTask.task = "docs";
        QVERIFY_THROWS_EXCEPTION(QueryError, querySessions(db_, byTask, "", 10));
        try {
            queryRequests(db_, filter, "garbage", 10);
            QFAIL("no error");
        } catch (const QueryError& e) {
            QVERIFY(std::string(e.what()).find("without a cursor") != std::string::npos);
        }
    }

    void injectionAttemptsMatchNothingAndChangeNothing() {
        QTemporaryDir dir;
        seed(dir, 300);
        {
            // A writable connection, so that an injected statement could do harm if it ran.
            Database db = openRequestsDb(workspaceOf(dir));
            const std::vector<std::string> attacks = {
                "x' OR '1'='1",
                "' OR 1=1 --",
                "web'; DROP TABLE requests; --",
                "\" OR \"\"=\"",
                "web' UNION SELECT * FROM sessions --",
                "1); DELETE FROM sessions; --",
                "%",
                "_",
                "*",
            };
            for (const auto& attack : attacks) {
                for (int field = 0; field < 8; ++field) {
                    RequestFilter f;
                    std::string* targets[] = {&f.team, &f.identity, &f.repository, &f.task,
                                              &f.model, &f.provider, &f.sessionId, &f.keyId};
                    *targets[field] = attack;
                    QVERIFY2(walk(db, f, 100).empty(), attack.c_str());
                    if (field != 3 && field != 4 && field != 5)
                        QVERIFY2(walkSessions(db, f, 100).empty(), attack.c_str());
                }
                QVERIFY(!findRequest(db, attack));
                QVERIFY(!findSession(db, attack));
                RequestFilter status;
                status.status = attack;
                QVERIFY_THROWS_EXCEPTION(QueryError, queryRequests(db, status, "", 10));
            }
        }
        Database db = reader(dir);
        QCOMPARE(scalar(db, "SELECT count(*) FROM requests"), std::int64_t(300));
        QVERIFY(scalar(db, "SELECT count(*) FROM sessions") > 50);
        auto check = db.prepare("PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.text(0), std::string("ok"));
    }

    void findRequestById() {
        const auto found = findRequest(db_, "req-1234");
        QVERIFY(found);
        QVERIFY(found->record == records_[1234]);
        QVERIFY(found->seq > 0);
        QVERIFY(!findRequest(db_, "req-nope"));
        QVERIFY(!findRequest(db_, ""));
    }

    void pagesUseIndexesWithoutSorting() {
        // The shapes queryRequests and querySessions build, with a cursor.
        const std::string columns = std::string("SELECT seq, ") + detail::requestColumns() + " FROM requests WHERE ";
        const std::string tail = " AND (time_ms, seq) < (?8, ?9) ORDER BY time_ms DESC, seq DESC LIMIT ?10";
        const std::vector<std::pair<std::string, std::string>> shapes = {
            {"time_ms >= ?1 AND time_ms < ?2", "requests_time"},
            {"team = ?1", "requests_team"},
            {"identity = ?1", "requests_identity"},
            {"repository = ?1", "requests_repository"},
            {"outcome = ?1", "requests_status"},
            {"session_id = ?1", "requests_session"},
            {"task = ?1", "requests_time"},
            {"(requested_model = ?1 OR served_model = ?2) AND provider = ?3", "requests_time"},
        };
        for (const auto& [where, index] : shapes) {
            const auto plan = queryPlan(db_, columns + where + tail);
            QVERIFY2(plan.find("INDEX " + index + " (") != std::string::npos, plan.c_str());
            QVERIFY2(plan.find("TEMP B-TREE") == std::string::npos, plan.c_str());
        }
        for (const auto& [where, index] :
             std::vector<std::pair<std::string, std::string>>{{"last_ms >= ?1", "sessions_recent"},
                                                              {"team = ?1", "sessions_team"},
                                                              {"identity = ?1", "sessions_identity"},
                                                              {"repository = ?1", "sessions_repository"}}) {
            const auto plan = queryPlan(db_, "SELECT session_id FROM sessions WHERE " + where +
                                                 " AND (last_ms, session_id) < (?8, ?9) "
                                                 "ORDER BY last_ms DESC, session_id DESC LIMIT ?10");
            QVERIFY2(plan.find("INDEX " + index + " (") != std::string::npos, plan.c_str());
            QVERIFY2(plan.find("TEMP B-TREE") == std::string::npos, plan.c_str());
        }
    }

    // ---- Sessions ----

    void sessionsMatchAnIndependentAggregate() {
        const auto expected = expectedSessions(records_);
        QVERIFY(expected.size() > 300);
        const auto got = walkSessions(db_, {}, 37);
        compareSessions(got, expected);
        // Most recently active first, each once.
        std::set<std::string> ids;
        for (std::size_t i = 0; i < got.size(); ++i) {
            QVERIFY(ids.insert(got[i].sessionId).second);
            if (i > 0)
                QVERIFY(std::tie(got[i - 1].lastMs, got[i - 1].sessionId) > std::tie(got[i].lastMs, got[i].sessionId));
        }
        const auto one = findSession(db_, "sess-17");
        QVERIFY(one);
        QVERIFY(*one == expected.at("sess-17"));
        QVERIFY(!findSession(db_, ""));
    }

    void sessionFilters() {
        const auto all = expectedSessions(records_);
        const auto check = [&](const RequestFilter& f, const std::function<bool(const SessionSummary&)>& keep) {
            std::map<std::string, SessionSummary> expected;
            for (const auto& [id, s] : all)
                if (keep(s))
                    expected[id] = s;
            QVERIFY(expected.size() < all.size());
            compareSessions(walkSessions(db_, f, 11), expected);
        };
        RequestFilter f;
        f.team = "platform";
        check(f, [](const SessionSummary& s) { return s.team == "platform"; });
        f = {};
        f.identity = "dev7@acme.example";
        check(f, [](const SessionSummary& s) { return s.identity == "dev7@acme.example"; });
        f = {};
        f.repository = "acme/service-8";
        f.fromMs = kBase + 9 * kDay;
        check(f, [](const SessionSummary& s) { return s.repository == "acme/service-8" && s.lastMs >= kBase + 9 * kDay; });
        f = {};
        f.toMs = kBase + 9 * kDay;
        check(f, [](const SessionSummary& s) { return s.lastMs < kBase + 9 * kDay; });
        f = {};
        f.keyId = "key_0";
        f.team = "web";
        check(f, [](const SessionSummary& s) { return s.keyId == "key_0" && s.team == "web"; });
        f = {};
        f.sessionId = "sess-3";
        check(f, [](const SessionSummary& s) { return s.sessionId == "sess-3"; });
    }

    void sessionsSurviveReopenAndPrune() {
        QTemporaryDir dir;
        std::vector<RequestRecord> records = seed(dir, 2000);
        {
            // Reopened: more requests of the same sessions, some earlier than the sessions' first.
            RequestLog log(workspaceOf(dir));
            for (int i = 2000; i < 3000; ++i) {
                RequestRecord r = spreadRecord(i);
                if (i % 7 == 0)
                    r.timeMs = kBase - 1000 * i; // before everything so far
                records.push_back(r);
                log.append(r);
            }
        }
        {
            Database db = reader(dir);
            compareSessions(walkSessions(db, {}, 100), expectedSessions(records));
        }
        // Retention: sessions whose last request is older than the cutoff go; the others keep
        // their whole aggregate (it is history, like the rollups).
        const TimeMs cutoff = kBase + 9 * kDay;
        auto expected = expectedSessions(records);
        std::size_t gone = 0;
        for (auto it = expected.begin(); it != expected.end();)
            if (it->second.lastMs < cutoff) {
                it = expected.erase(it);
                ++gone;
            } else {
                ++it;
            }
        QVERIFY(gone > 10);
        QVERIFY(!expected.empty());
        {
            RequestLog log(workspaceOf(dir));
            log.pruneBefore(cutoff);
            QTRY_COMPARE_WITH_TIMEOUT(scalar(reader(dir), "SELECT count(*) FROM sessions WHERE last_ms < " +
                                                              std::to_string(cutoff)),
                                      std::int64_t(0), 10'000);
            QTRY_COMPARE_WITH_TIMEOUT(scalar(reader(dir), "SELECT count(*) FROM requests WHERE time_ms < " +
                                                              std::to_string(cutoff)),
                                      std::int64_t(0), 10'000);
            QTRY_COMPARE_WITH_TIMEOUT(log.stats().prunedSessions, std::uint64_t(gone), 10'000);
        }
        Database db = reader(dir);
        compareSessions(walkSessions(db, {}, 100), expected);
    }

    // A requests.db written before the sessions table existed gains it, filled from its rows.
    void migrationBackfillsSessions() {
        QTemporaryDir dir;
        std::vector<RequestRecord> records;
        {
            Database db = Database::open(workspaceOf(dir) / kRequestsDbFile);
            migrate(db, requestsMigrations().first(1));
            QCOMPARE(db.userVersion(), 1);
            Transaction tx(db);
            for (int i = 0; i < 1500; ++i) {
                records.push_back(spreadRecord(i));
                insertRaw(db, records.back());
            }
            tx.commit();
        }
        {
            RequestLog log(workspaceOf(dir)); // migrates
            // And records go on updating the backfilled rows.
            for (int i = 1500; i < 1800; ++i) {
                records.push_back(spreadRecord(i));
                log.append(records.back());
            }
        }
        Database db = reader(dir);
        QCOMPARE(db.userVersion(), int(requestsMigrations().size()));
        compareSessions(walkSessions(db, {}, 1000), expectedSessions(records));
    }
};

QTEST_GUILESS_MAIN(TestRequestQuery)
#include "tst_request_query.moc"
