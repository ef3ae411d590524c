// POST /admin/v1/policy/replay, end to end (docs/admin-api.md, "Replay"): real traffic of three
// teams and several tasks through the data path, then drafts replayed over what requests.db
// recorded: the running policy changes nothing; a draft denying a task denies exactly those
// requests and saves exactly their cost; a draft moving a route to another endpoint and model
// with other prices routes them differently at exactly the new prices; an invalid draft is a
// 422; bad times, limits and fields are 400s naming the field; a viewer may replay; no token is
// a 401.
#include "admin_fixture.h"

#include <QTest>

using namespace gh::test;

namespace {

const QString kMockSecret = QStringLiteral("sk-replay-mock-7Hq2Lx0pWv");

struct Traffic {
    QString key;
    QString task;
    QString model;
    int count;
};

QByteArray compact(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Rules to put first in admin_policy.yaml.
const QString kDenyCodegen = QStringLiteral("  - id: no-codegen\n"
                                            "    when: {task: codegen}\n"
                                            "    deny: codegen is paused\n");
const QString kCheapElsewhere = QStringLiteral("  - id: cheap-elsewhere\n"
                                               "    when: {model: mock-cheap, team: data}\n"
                                               "    route: [rotating/rotating-model]\n");

} // namespace

class TestAdminReplay : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void theRunningPolicyChangesNothing();
    void aDraftDenyingATaskSavesExactlyItsCost();
    void aDraftMovingARoutePricesItThere();
    void aRangeWithoutTrafficReplaysNothing();
    void anInvalidDraftIs422();
    void badInputIs400NamingTheField();
    void aViewerMayReplayAndNoTokenMayNot();

private:
    HttpResult replay(const QJsonObject& body, const QString& token = QStringLiteral("<admin>"));
    QJsonObject replayOk(const QJsonObject& body);
    // The rows of requests.db the policy decided (routed or denied), and their recorded cost.
    QJsonArray decidedRows() const;
    static qint64 costOf(const QJsonArray& rows);

    AdminFixture fx_;
    QString from_; // before the traffic
    QJsonArray rows_;
    int skipped_ = 0; // recorded but not decided by the policy (an upstream failure)
};

HttpResult TestAdminReplay::replay(const QJsonObject& body, const QString& token) {
    return fx_.gateway.admin("POST", "/policy/replay", compact(body), {"Content-Type: application/json"}, token);
}

QJsonObject TestAdminReplay::replayOk(const QJsonObject& body) {
    const HttpResult r = replay(body);
    const QString problem = okProblem(r);
    if (!problem.isEmpty())
        qWarning("%s", qPrintable(problem));
    return problem.isEmpty() ? r.json() : QJsonObject{};
}

QJsonArray TestAdminReplay::decidedRows() const {
    QJsonArray out;
    for (const auto& v : recordedRequests(fx_.gateway.requestsDb())) {
        const QString decision = v.toObject().value("decision").toString();
        if (decision == "routed" || decision == "denied")
            out.append(v);
    }
    return out;
}

qint64 TestAdminReplay::costOf(const QJsonArray& rows) {
    qint64 sum = 0;
    for (const auto& v : rows)
        if (v.toObject().value("decision").toString() == "routed")
            sum += v.toObject().value("cost_micros").toInteger();
    return sum;
}

void TestAdminReplay::initTestCase() {
    QVERIFY(fx_.start({}, {{"mock-key", kMockSecret}}));
    from_ = rfc3339(-60'000);
    // A few dozen requests across teams and tasks; spenders stays far below its budget.
    const QList<Traffic> traffic = {
        {fx_.webKey, "docs", "mock-good", 6},      {fx_.webKey, "codegen", "mock-good", 5},
        {fx_.dataKey, "chat", "mock-cheap", 6},    {fx_.dataKey, "codegen", "mock-good", 4},
        {fx_.spendersKey, "docs", "mock-good", 4}, {fx_.webKey, "chat", "legacy-model", 3},
        {fx_.dataKey, "codegen", "mock-cheap", 2},
    };
    for (const Traffic& t : traffic) {
        for (int i = 0; i < t.count; ++i) {
            const HttpResult r =
                chat(fx_.gateway, t.key, t.model, {"X-Gatehouse-Task: " + t.task, "X-Gatehouse-Repo: acme/replay"});
            const int expected = t.model.startsWith("legacy") ? 403 : 200;
            QVERIFY2(r.status == expected, qPrintable(t.model + ": " + describe(r)));
        }
    }
    // An upstream failure: recorded as an error, which a replay skips.
    const HttpResult failed = chat(fx_.gateway, fx_.webKey, "mock-fail-500", {"X-Gatehouse-Task: docs"});
    QVERIFY2(failed.status >= 500, qPrintable(describe(failed)));
    skipped_ = 1;

    rows_ = decidedRows();
    QCOMPARE(rows_.size(), 6 + 5 + 6 + 4 + 4 + 3 + 2);
    QCOMPARE(recordedRequests(fx_.gateway.requestsDb()).size(), rows_.size() + skipped_);
    QVERIFY(costOf(rows_) > 0);
}

void TestAdminReplay::cleanup() {
    const QString problem = fx_.survivalProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminReplay::cleanupTestCase() {
    fx_.gateway.stop();
}

void TestAdminReplay::theRunningPolicyChangesNothing() {
    const QString yaml = fx_.gateway.admin("GET", "/policy").json().value("yaml").toString();
    QVERIFY(!yaml.isEmpty());
    const QJsonObject o = replayOk({{"yaml", yaml}}); // the default period: the last 7 days
    QVERIFY(!o.isEmpty());
    QCOMPARE(o.value("requests").toInteger(), qint64(rows_.size()));
    QCOMPARE(o.value("unchanged").toInteger(), qint64(rows_.size()));
    QCOMPARE(o.value("routed_differently").toInteger(), 0);
    QCOMPARE(o.value("denied").toInteger(), 0);
    QCOMPARE(o.value("allowed").toInteger(), 0);
    QCOMPARE(o.value("truncated").toBool(true), false);
    QCOMPARE(o.value("cost_before_micros").toInteger(), costOf(rows_));
    QCOMPARE(o.value("cost_after_micros").toInteger(), costOf(rows_));
    QCOMPARE(o.value("cost_difference_micros").toInteger(), 0);
    QCOMPARE(o.value("cost_difference_usd").toString(), QStringLiteral("0.000000"));
    QVERIFY(o.value("sample").toArray().isEmpty());
    // The default period ends now and starts 7 days before.
    const QDateTime from = parseTime(o.value("from").toString());
    const QDateTime to = parseTime(o.value("to").toString());
    QVERIFY2(from.isValid() && to.isValid(), qPrintable(QJsonDocument(o).toJson()));
    QCOMPARE(from.msecsTo(to), 7 * 86'400'000LL);
    QVERIFY(qAbs(to.msecsTo(QDateTime::currentDateTimeUtc())) < 60'000);
}

void TestAdminReplay::aDraftDenyingATaskSavesExactlyItsCost() {
    QJsonArray codegen;
    for (const auto& v : rows_)
        if (v.toObject().value("task").toString() == "codegen")
            codegen.append(v);
    QCOMPARE(codegen.size(), 5 + 4 + 2);
    const QString to = rfc3339(1'000);
    const QJsonObject o = replayOk({{"yaml", adminPolicy(fx_.mock.url(), kDenyCodegen)}, {"from", from_}, {"to", to}});
    QVERIFY(!o.isEmpty());
    QCOMPARE(o.value("from").toString(), from_);
    QCOMPARE(o.value("to").toString(), to);
    QCOMPARE(o.value("requests").toInteger(), qint64(rows_.size()));
    QCOMPARE(o.value("denied").toInteger(), qint64(codegen.size()));
    QCOMPARE(o.value("unchanged").toInteger(), qint64(rows_.size() - codegen.size()));
    QCOMPARE(o.value("routed_differently").toInteger(), 0);
    QCOMPARE(o.value("allowed").toInteger(), 0);
    QCOMPARE(o.value("cost_before_micros").toInteger(), costOf(rows_));
    QCOMPARE(o.value("cost_after_micros").toInteger(), costOf(rows_) - costOf(codegen));
    QCOMPARE(o.value("cost_difference_micros").toInteger(), -costOf(codegen));
    QVERIFY2(o.value("cost_difference_usd").toString().startsWith('-'),
             qPrintable(o.value("cost_difference_usd").toString()));

    // The sample: every denied request once, newest first, both sides described.
    const QJsonArray sample = o.value("sample").toArray();
    QCOMPARE(sample.size(), codegen.size());
    QSet<QString> ids;
    QDateTime previous;
    for (const auto& v : sample) {
        const QJsonObject change = v.toObject();
        QCOMPARE(change.value("change").toString(), QStringLiteral("denied"));
        QCOMPARE(change.value("task").toString(), QStringLiteral("codegen"));
        QCOMPARE(change.value("repository").toString(), QStringLiteral("acme/replay"));
        const QJsonObject recorded = change.value("recorded").toObject();
        const QJsonObject draft = change.value("draft").toObject();
        QCOMPARE(recorded.value("decision").toString(), QStringLiteral("routed"));
        QCOMPARE(recorded.value("endpoint").toString(), QStringLiteral("mock"));
        QVERIFY(recorded.value("cost_micros").toInteger() > 0);
        QCOMPARE(draft.value("decision").toString(), QStringLiteral("denied"));
        QCOMPARE(draft.value("rule").toString(), QStringLiteral("no-codegen"));
        QCOMPARE(draft.value("reason").toString(), QStringLiteral("codegen is paused"));
        QVERIFY(draft.value("endpoint").isNull());
        QCOMPARE(draft.value("cost_micros").toInteger(), 0);
        ids.insert(change.value("request_id").toString());
        const QDateTime time = parseTime(change.value("time").toString());
        QVERIFY(time.isValid());
        if (previous.isValid())
            QVERIFY2(time <= previous, "the sample is not newest first");
        previous = time;
    }
    QCOMPARE(ids.size(), codegen.size());

    // A smaller sample keeps the newest.
    const QJsonObject small =
        replayOk({{"yaml", adminPolicy(fx_.mock.url(), kDenyCodegen)}, {"from", from_}, {"sample_limit", 2}});
    QCOMPARE(small.value("denied").toInteger(), qint64(codegen.size()));
    const QJsonArray two = small.value("sample").toArray();
    QCOMPARE(two.size(), 2);
    QCOMPARE(two.at(0).toObject().value("request_id").toString(),
             sample.at(0).toObject().value("request_id").toString());
    QCOMPARE(two.at(1).toObject().value("request_id").toString(),
             sample.at(1).toObject().value("request_id").toString());
}

void TestAdminReplay::aDraftMovingARoutePricesItThere() {
    // Team data's mock-cheap (all of it) moves from mock/mock-cheap ($0.10/$0.20 per M) to
    // rotating/rotating-model ($1/$1 per M: a micro-dollar a token, so its cost is exactly the
    // token count). (The rule names the team: the validator refuses a rule that hides another.)
    QJsonArray cheap;
    qint64 afterCheap = 0;
    for (const auto& v : rows_) {
        const QJsonObject row = v.toObject();
        if (row.value("requested_model").toString() != "mock-cheap")
            continue;
        cheap.append(row);
        QCOMPARE(row.value("endpoint_id").toString(), QStringLiteral("mock"));
        afterCheap += row.value("input_tokens").toInteger() + row.value("output_tokens").toInteger() +
                      row.value("cached_input_tokens").toInteger() + row.value("cache_write_tokens").toInteger();
    }
    QCOMPARE(cheap.size(), 6 + 2);
    QVERIFY(afterCheap > 0);
    const QJsonObject o =
        replayOk({{"yaml", adminPolicy(fx_.mock.url(), kCheapElsewhere)}, {"from", from_}, {"sample_limit", 3}});
    QVERIFY(!o.isEmpty());
    QCOMPARE(o.value("routed_differently").toInteger(), qint64(cheap.size()));
    QCOMPARE(o.value("unchanged").toInteger(), qint64(rows_.size() - cheap.size()));
    QCOMPARE(o.value("denied").toInteger() + o.value("allowed").toInteger(), 0);
    QCOMPARE(o.value("cost_before_micros").toInteger(), costOf(rows_));
    QCOMPARE(o.value("cost_after_micros").toInteger(), costOf(rows_) - costOf(cheap) + afterCheap);
    QCOMPARE(o.value("cost_difference_micros").toInteger(), afterCheap - costOf(cheap));
    const QJsonArray sample = o.value("sample").toArray();
    QCOMPARE(sample.size(), 3);
    for (const auto& v : sample) {
        const QJsonObject change = v.toObject();
        QCOMPARE(change.value("change").toString(), QStringLiteral("routed_differently"));
        QCOMPARE(change.value("requested_model").toString(), QStringLiteral("mock-cheap"));
        QCOMPARE(change.value("recorded").toObject().value("model").toString(), QStringLiteral("mock-cheap"));
        QCOMPARE(change.value("draft").toObject().value("endpoint").toString(), QStringLiteral("rotating"));
        QCOMPARE(change.value("draft").toObject().value("model").toString(), QStringLiteral("rotating-model"));
        QCOMPARE(change.value("draft").toObject().value("rule").toString(), QStringLiteral("cheap-elsewhere"));
        const QJsonObject row = recordedRequest(fx_.gateway.requestsDb(), change.value("request_id").toString());
        QCOMPARE(change.value("recorded").toObject().value("cost_micros").toInteger(),
                 row.value("cost_micros").toInteger());
        QCOMPARE(change.value("draft").toObject().value("cost_micros").toInteger(),
                 row.value("input_tokens").toInteger() + row.value("output_tokens").toInteger() +
                     row.value("cached_input_tokens").toInteger() + row.value("cache_write_tokens").toInteger());
    }
}

void TestAdminReplay::aRangeWithoutTrafficReplaysNothing() {
    const QJsonObject o = replayOk({{"yaml", adminPolicy(fx_.mock.url(), kDenyCodegen)},
                                    {"from", "2020-01-01T00:00:00Z"},
                                    {"to", "2020-01-02T00:00:00Z"}});
    QCOMPARE(o.value("from").toString(), QStringLiteral("2020-01-01T00:00:00.000Z"));
    QCOMPARE(o.value("to").toString(), QStringLiteral("2020-01-02T00:00:00.000Z"));
    QCOMPARE(o.value("requests").toInteger(), 0);
    QCOMPARE(o.value("cost_before_usd").toString(), QStringLiteral("0.000000"));
    QVERIFY(o.value("sample").toArray().isEmpty());
}

void TestAdminReplay::anInvalidDraftIs422() {
    const HttpResult r =
        replay({{"yaml", adminPolicy(fx_.mock.url(), "  - id: broken\n    route: [nowhere/model]\n")}});
    const QString problem = adminErrorProblem(r, 422, "invalid_policy");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QJsonArray diagnostics = r.json().value("error").toObject().value("diagnostics").toArray();
    QVERIFY2(!diagnostics.isEmpty(), qPrintable(describe(r)));
    QVERIFY2(diagnostics.at(0).toObject().value("message").toString().contains("nowhere"), qPrintable(describe(r)));
}

void TestAdminReplay::badInputIs400NamingTheField() {
    const QString yaml = adminPolicy(fx_.mock.url());
    const QList<QPair<QJsonObject, QString>> cases = {
        {{{"yaml", yaml}, {"from", "yesterday"}}, "from"},
        {{{"yaml", yaml}, {"to", "2026-13-45T00:00:00Z"}}, "to"},
        {{{"yaml", yaml}, {"from", "2026-01-02T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}}, "from"},
        {{{"yaml", yaml}, {"from", "2026-01-01T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}}, "from"},
        {{{"yaml", yaml}, {"sample_limit", 0}}, "sample_limit"},
        {{{"yaml", yaml}, {"sample_limit", 501}}, "sample_limit"},
        {{{"yaml", yaml}, {"sample_limit", "ten"}}, "sample_limit"},
        {{{"yaml", yaml}, {"from", 20260101}}, "from"},
        {{{"yaml", yaml}, {"sample", 5}}, "sample"},
        {{{"yml", yaml}}, "yml"},
        {{{"from", "2026-01-01T00:00:00Z"}}, "yaml"},
    };
    for (const auto& [body, field] : cases) {
        const HttpResult r = replay(body);
        const QString problem = adminErrorProblem(r, 400, "invalid_request", {}, field);
        QVERIFY2(problem.isEmpty(), qPrintable(QString::fromUtf8(compact(body)).left(120) + ": " + problem));
    }
    // Query parameters are not how replay takes its period.
    const HttpResult query = fx_.gateway.admin("POST", "/policy/replay?from=2026-01-01", compact({{"yaml", yaml}}),
                                               {"Content-Type: application/json"});
    QVERIFY2(query.status == 400, qPrintable(describe(query)));
    // Read-only: GET is not a replay.
    const HttpResult get = fx_.gateway.admin("GET", "/policy/replay");
    QVERIFY2(adminErrorProblem(get, 405, "method_not_allowed").isEmpty(), qPrintable(describe(get)));
}

void TestAdminReplay::aViewerMayReplayAndNoTokenMayNot() {
    const HttpResult created =
        fx_.gateway.adminJson("POST", "/tokens", {{"name", "replay-viewer"}, {"role", "viewer"}});
    QVERIFY2(created.status == 201, qPrintable(describe(created)));
    const QString viewer = created.json().value("secret").toString();
    const QJsonObject body{{"yaml", adminPolicy(fx_.mock.url(), kDenyCodegen)}, {"from", from_}};
    const HttpResult r = replay(body, viewer);
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("denied").toInteger(), qint64(5 + 4 + 2));

    const HttpResult anonymous = replay(body, QString());
    const QString problem = adminErrorProblem(anonymous, 401, "unauthenticated");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Reading changes nothing: replays are not audited.
    QString walkProblem;
    const QJsonArray entries = walkPages(fx_.gateway, "/audit", 1000, &walkProblem);
    QVERIFY2(walkProblem.isEmpty(), qPrintable(walkProblem));
    for (const auto& v : entries)
        QVERIFY2(!v.toObject().value("target").toString().contains("replay"),
                 qPrintable(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)));
}

QTEST_GUILESS_MAIN(TestAdminReplay)
#include "tst_admin_replay.moc"
