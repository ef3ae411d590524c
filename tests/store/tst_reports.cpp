#include "store/reports.h"
#include "store/request_log.h"
#include "store/schema.h"
#include "sample_records.h"
#include "support/testdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>
#include <tuple>

using namespace gh::store;
using gh::test::spreadRecord;

namespace {

constexpr int kRecords = 5000;
constexpr std::int64_t kBase = 1'767'225'600'000; // 2026-01-01T00:00:00Z, a Thursday
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

std::filesystem::path workspaceOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

Database reader(const QTemporaryDir& dir) {
    OpenOptions o;
    o.readOnly = true;
    return openRequestsDb(workspaceOf(dir), o);
}

std::vector<RequestRecord> seed(const QTemporaryDir& dir, const std::vector<RequestRecord>& records) {
    RequestLog::Options options;
    options.maxBatch = 700;
    RequestLog log(workspaceOf(dir), options);
    for (const auto& r : records)
        log.append(r);
    log.close();
    return records;
}

ReportTotals totalsOf(const RequestRecord& r) {
    ReportTotals t;
    t.requests = 1;
    t.denials = r.decision == Decision::Denied || r.decision == Decision::Blocked;
    t.errors = r.decision == Decision::Error || r.outcome == Outcome::UpstreamError || r.outcome == Outcome::Invalid;
    t.inputTokens = r.tokens.input;
    t.outputTokens = r.tokens.output;
    t.cachedInputTokens = r.tokens.cachedInput;
    t.cacheWriteTokens = r.tokens.cacheWrite;
    t.costMicros = r.cost.micros;
    t.bytesOut = r.bytesSent;
    return t;
}

void add(ReportTotals& a, const ReportTotals& b) {
    a.requests += b.requests;
    a.denials += b.denials;
    a.errors += b.errors;
    a.inputTokens += b.inputTokens;
    a.outputTokens += b.outputTokens;
    a.cachedInputTokens += b.cachedInputTokens;
    a.cacheWriteTokens += b.cacheWriteTokens;
    a.costMicros += b.costMicros;
    a.bytesOut += b.bytesOut;
}

std::string keyOf(const RequestRecord& r, Dimension d) {
    using gh::policy::toString;
    switch (d) {
    case Dimension::Team: return r.team;
    case Dimension::Provider: return r.provider ? toString(*r.provider) : "";
    case Dimension::Model: return r.servedModel;
    case Dimension::Task: return r.task;
    case Dimension::Sensitivity: return r.sensitivity ? toString(*r.sensitivity) : "";
    case Dimension::EndpointClass: return r.endpointClass ? toString(*r.endpointClass) : "";
    }
    return "?";
}

// Bucket starts computed another way than the store does: by calendar day number.
std::int64_t independentBucket(std::optional<Bucket> b, std::int64_t t, std::int64_t rangeStart) {
    if (!b)
        return rangeStart;
    const std::int64_t days = t / kDay; // all test times are after 1970
    switch (*b) {
    case Bucket::Hour: return t / kHour * kHour;
    case Bucket::Day: return days * kDay;
    case Bucket::Week: {
        const std::int64_t weekday = (days + 3) % 7; // Monday = 0; 1970-01-01 was a Thursday
        return (days - weekday) * kDay;
    }
    }
    return 0;
}

// What the report must say, from the records (`keep` = in range and filters).
std::vector<ReportRow> expectedReport(const std::vector<RequestRecord>& records, const ReportQuery& q,
                                      std::int64_t rangeStart, std::int64_t rangeEnd, bool denialsOnly) {
    std::map<std::pair<std::int64_t, std::vector<std::string>>, ReportTotals> sums;
    for (const auto& r : records) {
        if (r.timeMs < rangeStart || r.timeMs >= rangeEnd || (!q.team.empty() && r.team != q.team))
            continue;
        std::vector<std::string> keys;
        for (const Dimension d : q.by)
            keys.push_back(keyOf(r, d));
        add(sums[{independentBucket(q.bucket, r.timeMs, rangeStart), keys}], totalsOf(r));
    }
    std::vector<ReportRow> out;
    for (const auto& [k, t] : sums)
        if (!denialsOnly || t.denials > 0)
            out.push_back({k.first, k.second, t});
    return out;
}

std::string describe(const std::vector<ReportRow>& rows) {
    std::string s;
    for (const auto& r : rows) {
        s += std::to_string(r.bucketStartMs);
        for (const auto& k : r.keys)
            s += " [" + k + "]";
        s += " requests " + std::to_string(r.totals.requests) + " cost " + std::to_string(r.totals.costMicros) + "\n";
    }
    return s;
}

} // namespace

class TestReports : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::vector<RequestRecord> records_;
    Database db_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        for (int i = 0; i < kRecords; ++i)
            records_.push_back(spreadRecord(i));
        seed(dir_, records_);
        db_ = reader(dir_);
    }

    void reportsSumExactlyToTheRecords() {
        using D = Dimension;
        const std::vector<std::vector<Dimension>> groupings = {
            {}, {D::Team}, {D::Provider}, {D::Model}, {D::Task}, {D::Sensitivity}, {D::EndpointClass},
            {D::Team, D::Provider}, {D::Provider, D::Team}, {D::Task, D::Model, D::EndpointClass}};
        const std::vector<std::optional<Bucket>> buckets = {std::nullopt, Bucket::Hour, Bucket::Day, Bucket::Week};
        const std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
            {kBase - 30 * kDay, kBase + 30 * kDay},      // everything
            {kBase + 2 * kDay, kBase + 5 * kDay + kHour}, // whole hours
        };
        for (const auto& by : groupings)
            for (const auto& bucket : buckets)
                for (const auto& [from, to] : ranges)
                    for (const char* team : {"", "web"}) {
                        ReportQuery q;
                        q.by = by;
                        q.bucket = bucket;
                        q.fromMs = from;
                        q.toMs = to;
                        q.team = team;
                        const auto got = spendReport(db_, q);
                        const auto expected = expectedReport(records_, q, from, to, false);
                        QVERIFY2(got == expected, (describe(got) + "---\n" + describe(expected)).c_str());
                        QVERIFY(!got.empty());
                        const auto denials = denialsReport(db_, q);
                        QVERIFY(denials == expectedReport(records_, q, from, to, true));
                        for (const auto& row : denials)
                            QVERIFY(row.totals.denials > 0);
                    }
        // The grand total, cost included, against a plain sum.
        ReportQuery all;
        all.fromMs = kBase - kDay;
        all.toMs = kBase + 11 * kDay;
        ReportTotals expected;
        for (const auto& r : records_)
            add(expected, totalsOf(r));
        const auto rows = spendReport(db_, all);
        QCOMPARE(rows.size(), std::size_t(1));
        QVERIFY(rows[0].totals == expected);
        QCOMPARE(rows[0].totals.requests, std::int64_t(kRecords));
        QVERIFY(rows[0].totals.costMicros > 0);
    }

    void rangesWidenToWholeHours() {
        const auto [from, to] = effectiveRange(kBase + 10 * kHour + 15 * 60'000, kBase + 12 * kHour + 5 * 60'000);
        QCOMPARE(from, kBase + 10 * kHour);
        QCOMPARE(to, kBase + 13 * kHour);
        QCOMPARE(effectiveRange(kBase, kBase + kHour), std::make_pair(kBase, kBase + kHour));
        QCOMPARE(effectiveRange(kBase + 1, kBase + 2), std::make_pair(kBase, kBase + kHour));
        // The report counts the whole hours.
        ReportQuery q;
        q.fromMs = kBase + 2 * kDay + 10 * kHour + 1;
        q.toMs = kBase + 2 * kDay + 11 * kHour + 1;
        const auto rows = spendReport(db_, q);
        const auto expected = expectedReport(records_, q, kBase + 2 * kDay + 10 * kHour, kBase + 2 * kDay + 12 * kHour, false);
        QVERIFY(rows == expected);
        QCOMPARE(rows.at(0).bucketStartMs, kBase + 2 * kDay + 10 * kHour);
    }

    void badRangesAreQueryErrors() {
        ReportQuery q;
        q.fromMs = kBase;
        q.toMs = kBase;
        QVERIFY_THROWS_EXCEPTION(QueryError, spendReport(db_, q));
        q.toMs = kBase - 1;
        QVERIFY_THROWS_EXCEPTION(QueryError, denialsReport(db_, q));
        q.toMs = kBase + 4 * 366 * kDay;
        QVERIFY_THROWS_EXCEPTION(QueryError, spendReport(db_, q));
        QVERIFY_THROWS_EXCEPTION(QueryError, dataFlowReport(db_, kBase, kBase + 4 * 366 * kDay));
        QVERIFY_THROWS_EXCEPTION(QueryError, dataFlowReport(db_, kBase, kBase));
        q.toMs = kBase + 3 * 365 * kDay; // three years is fine
        QVERIFY(!spendReport(db_, q).empty());
        q.by = {Dimension::Team, Dimension::Team};
        QVERIFY_THROWS_EXCEPTION(QueryError, spendReport(db_, q));
    }

    // A Sunday 23:30 and the Monday 00:30 after it: different days, different weeks (UTC).
    void bucketsFollowUtcCalendarWeeksFromMonday() {
        const std::int64_t monday = kBase + 4 * kDay; // 2026-01-05
        const std::int64_t sunday2330 = monday - 30 * 60'000;
        const std::int64_t monday0030 = monday + 30 * 60'000;
        QCOMPARE(bucketStart(Bucket::Week, sunday2330), monday - 7 * kDay);
        QCOMPARE(bucketStart(Bucket::Week, monday0030), monday);
        QCOMPARE(bucketStart(Bucket::Week, monday), monday);
        QCOMPARE(bucketStart(Bucket::Day, sunday2330), monday - kDay);
        QCOMPARE(bucketStart(Bucket::Day, monday0030), monday);
        QCOMPARE(bucketStart(Bucket::Hour, monday0030), monday);
        QCOMPARE(bucketStart(Bucket::Week, 0), -3 * kDay); // 1969-12-29, a Monday
        QCOMPARE(bucketStart(Bucket::Day, -1), -kDay);

        QTemporaryDir dir;
        RequestRecord a = spreadRecord(1);
        a.timeMs = sunday2330;
        a.team = "web";
        RequestRecord b = spreadRecord(2);
        b.timeMs = monday0030;
        b.team = "web";
        seed(dir, {a, b});
        Database db = reader(dir);
        ReportQuery q;
        q.by = {Dimension::Team};
        q.fromMs = monday - kDay;
        q.toMs = monday + kDay;
        for (const Bucket bucket : {Bucket::Week, Bucket::Day}) {
            q.bucket = bucket;
            const auto rows = spendReport(db, q);
            QCOMPARE(rows.size(), std::size_t(2));
            QCOMPARE(rows[0].bucketStartMs, bucket == Bucket::Week ? monday - 7 * kDay : monday - kDay);
            QCOMPARE(rows[1].bucketStartMs, monday);
            QCOMPARE(rows[0].totals.costMicros, a.cost.micros);
            QCOMPARE(rows[1].totals.costMicros, b.cost.micros);
            QCOMPARE(rows[0].keys, std::vector<std::string>{"web"});
        }
    }

    void dataFlowLeavesOutRequestsThatReachedNoProvider() {
        std::map<std::tuple<std::string, std::string, std::string>, ReportTotals> expected;
        std::int64_t forwarded = 0, denied = 0;
        for (const auto& r : records_) {
            if (!r.provider) {
                ++denied;
                continue;
            }
            ++forwarded;
            add(expected[{keyOf(r, Dimension::Sensitivity), keyOf(r, Dimension::EndpointClass),
                          keyOf(r, Dimension::Provider)}],
                totalsOf(r));
        }
        QVERIFY(denied > 100);
        const auto flows = dataFlowReport(db_, kBase - kDay, kBase + 11 * kDay);
        QCOMPARE(flows.size(), expected.size());
        std::int64_t sum = 0;
        for (const auto& f : flows) {
            QVERIFY(!f.provider.empty());
            QVERIFY(!f.sensitivity.empty());
            QVERIFY(f.totals == expected.at({f.sensitivity, f.endpointClass, f.provider}));
            QCOMPARE(f.totals.denials, std::int64_t(0));
            sum += f.totals.requests;
        }
        QCOMPARE(sum, forwarded);
        // Keyed by the policy names, sorted as text.
        QCOMPARE(flows.front().sensitivity, std::string("confidential"));
    }

    void denialsByTeamAndTask() {
        ReportQuery q;
        q.by = {Dimension::Team, Dimension::Task};
        q.bucket = Bucket::Day;
        q.fromMs = kBase;
        q.toMs = kBase + 10 * kDay;
        const auto rows = denialsReport(db_, q);
        std::int64_t denials = 0;
        for (const auto& row : rows)
            denials += row.totals.denials;
        std::int64_t expected = 0;
        for (const auto& r : records_)
            expected += r.decision == Decision::Denied;
        QCOMPARE(denials, expected);
    }

    void injectionInTheTeamFilterMatchesNothing() {
        for (const char* attack : {"web' OR '1'='1", "'; DROP TABLE hourly_rollups; --", "web\" OR 1=1"}) {
            ReportQuery q;
            q.by = {Dimension::Team};
            q.fromMs = kBase;
            q.toMs = kBase + 10 * kDay;
            q.team = attack;
            QVERIFY(spendReport(db_, q).empty());
            QVERIFY(denialsReport(db_, q).empty());
        }
        auto st = db_.prepare("SELECT sum(requests) FROM hourly_rollups");
        QVERIFY(st.step());
        QCOMPARE(st.int64(0), std::int64_t(kRecords));
    }

    void namesRoundTrip() {
        for (const auto d : {Dimension::Team, Dimension::Provider, Dimension::Model, Dimension::Task,
                             Dimension::Sensitivity, Dimension::EndpointClass})
            QCOMPARE(parseDimension(toString(d)), std::optional<Dimension>(d));
        QCOMPARE(toString(Dimension::EndpointClass), std::string_view("endpoint_class"));
        QVERIFY(!parseDimension("Team"));
        QVERIFY(!parseDimension("team; DROP TABLE x"));
        for (const auto b : {Bucket::Hour, Bucket::Day, Bucket::Week})
            QCOMPARE(parseBucket(toString(b)), std::optional<Bucket>(b));
        QVERIFY(!parseBucket("month"));
    }
};

QTEST_GUILESS_MAIN(TestReports)
#include "tst_reports.moc"
