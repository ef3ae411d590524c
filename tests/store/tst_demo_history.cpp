// gatehouse-demo-history (resources/demo, run by scripts/demo): the history it records is what
// the gateway would have recorded for the same traffic under the workspace's policy. Every
// decision is the evaluator's, every cost pricing::cost() of the tokens, every charge a budget
// period of the decision; rollups, budget spend and sessions agree with the raw rows; the same
// seed gives the same history; and it refuses workspaces it must not write to.
#include "api/time.h"
#include "budgets/ledger.h"
#include "policy/evaluator.h"
#include "policy/validator.h"
#include "pricing/pricing.h"
#include "store/request_log.h"
#include "store/request_query.h"
#include "store/schema.h"
#include "support/testdata.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

using namespace gh;
using namespace gh::store;

namespace {

constexpr const char* kNow = "2026-11-27T09:30:00Z";
constexpr int kRequests = 4000;
constexpr int kDays = 14;

struct Run {
    int exitCode = -1;
    QString out, err;
};

Run run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted())
        return {-1, {}, QStringLiteral("cannot start ") + program};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString gatehoused() {
    return qEnvironmentVariable("GATEHOUSED");
}
QString generator() {
    return qEnvironmentVariable("DEMO_HISTORY");
}

// A workspace as scripts/demo makes it: gatehoused init, then the demo policy (example.yaml with
// its endpoints on a mock upstream's URL, by the script's own make-demo-policy).
bool makeWorkspace(const QString& dir) {
    const Run init = run(gatehoused(), {"init", dir});
    if (init.exitCode != 0) {
        qWarning("gatehoused init: %s", qPrintable(init.err));
        return false;
    }
    const Run policy =
        run(QStringLiteral("bash"),
            {gh::test::sourcePath("resources/demo/make-demo-policy"), QStringLiteral("http://127.0.0.1:9")},
            QByteArray::fromStdString(gh::test::examplePolicy()));
    if (policy.exitCode != 0 || !policy.out.contains(QStringLiteral("base_url: http://127.0.0.1:9"))) {
        qWarning("make-demo-policy: %s", qPrintable(policy.err));
        return false;
    }
    QFile file(dir + "/policy.yaml");
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.write(policy.out.toUtf8());
    file.close();
    const Run check = run(gatehoused(), {"check-policy", dir + "/policy.yaml"});
    if (check.exitCode != 0)
        qWarning("check-policy: %s%s", qPrintable(check.out), qPrintable(check.err));
    return check.exitCode == 0;
}

Run seed(const QString& dir, int requests, int days, int seed) {
    return run(generator(), {dir, "--requests", QString::number(requests), "--days", QString::number(days), "--seed",
                             QString::number(seed), "--now", kNow, "--quiet"});
}

std::vector<RequestRecord> allRecords(const QString& dir) {
    OpenOptions o;
    o.readOnly = true;
    Database db = openRequestsDb(dir.toStdString(), o);
    std::vector<RequestRecord> out;
    RequestCursor cursor;
    for (;;) {
        auto page = requestsAfter(db, cursor, 1000);
        for (auto& row : page.rows)
            out.push_back(std::move(row.record));
        if (!page.next)
            break;
        cursor = *page.next;
    }
    return out;
}

std::int64_t scalar(Database& db, const char* sql) {
    auto st = db.prepare(sql);
    st.step();
    return st.int64(0);
}

} // namespace

class TestDemoHistory : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString ws_;
    std::vector<RequestRecord> records_;
    std::shared_ptr<const policy::Evaluator> evaluator_;
    TimeMs now_ = 0;

private slots:
    void initTestCase() {
        QVERIFY2(!gatehoused().isEmpty() && !generator().isEmpty(), "GATEHOUSED and DEMO_HISTORY must be set");
        ws_ = dir_.filePath("ws");
        QVERIFY(makeWorkspace(ws_));
        const Run r = seed(ws_, kRequests, kDays, 42);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        records_ = allRecords(ws_);
        auto loaded = policy::loadPolicy(gh::test::readText(ws_ + "/policy.yaml"));
        QVERIFY(loaded.ok());
        evaluator_ = policy::Evaluator::compile(std::move(*loaded.document));
        now_ = *api::parseTime(kNow);
    }

    void recordsTheRequestedNumberWithinThePeriod() {
        QCOMPARE(records_.size(), std::size_t(kRequests));
        std::set<std::string> ids;
        for (const auto& r : records_) {
            QVERIFY(r.timeMs >= now_ - kDays * 86'400'000LL && r.timeMs < now_);
            QVERIFY(r.requestId.starts_with("req_") && r.requestId.size() == 28);
            ids.insert(r.requestId);
            QCOMPARE(r.policyVersion, std::int64_t(1)); // what gatehoused serve makes of the file
        }
        QCOMPARE(ids.size(), records_.size());
    }

    void everyDecisionIsTheEvaluators() {
        const auto& doc = evaluator_->document();
        std::map<std::string, int> decisions;
        for (const auto& r : records_) {
            const auto d = evaluator_->decide(store::policyRequestOf(r));
            ++decisions[toString(r.decision)];
            QCOMPARE(r.ruleId, std::string(d.ruleId));
            QCOMPARE(r.sensitivity, d.sensitivity);
            if (r.decision == Decision::Denied) {
                QVERIFY(!d.allowed);
                QCOMPARE(r.httpStatus, 403);
                QVERIFY(r.endpointId.empty() && r.charges.empty() && r.cost == Money());
                continue;
            }
            QVERIFY2(d.allowed, r.requestId.c_str());
            if (r.endpointId.empty()) // blocked by a budget, or no target could serve
                continue;
            // Served by the target at its fallback index, with that target's endpoint and model.
            QVERIFY(r.fallback >= 0 && std::size_t(r.fallback) < d.targets.size());
            const auto& target = d.targets[std::size_t(r.fallback)];
            QCOMPARE(r.endpointId, target.endpoint->id);
            QCOMPARE(r.servedModel, target.model->name);
            QCOMPARE(r.provider, std::optional(target.endpoint->kind));
            QCOMPARE(r.endpointClass, std::optional(target.endpoint->cls));
            // Charged to exactly the decision's budgets, in the period of the request's time.
            std::set<std::pair<std::string, TimeMs>> want, got;
            for (int b : d.budgets)
                want.insert(
                    {doc.budgets[std::size_t(b)].id, budgets::periodOf(doc.budgets[std::size_t(b)], r.timeMs).start});
            for (const auto& c : r.charges) {
                got.insert({c.budgetId, c.periodStart});
                QCOMPARE(c.amount, r.cost);
            }
            QVERIFY(want == got);
        }
        // A realistic mix: mostly routed, some denied (unknown repositories, Opus without a task).
        QVERIFY(decisions["routed"] > kRequests * 8 / 10);
        QVERIFY(decisions["denied"] > kRequests / 100);
    }

    void costsArePricingOfTheTokens() {
        const auto& doc = evaluator_->document();
        int cached = 0, fallbacks = 0, local = 0, streamedShort = 0;
        for (const auto& r : records_) {
            if (r.servedModel.empty()) {
                QCOMPARE(r.cost, Money());
                QCOMPARE(r.tokens, pricing::Usage{});
                continue;
            }
            const auto* model = doc.findEndpoint(r.endpointId)->findModel(r.servedModel);
            QVERIFY(model && model->price);
            QCOMPARE(r.cost, pricing::cost(*model->price, r.tokens));
            QVERIFY(r.tokens.input + r.tokens.cachedInput + r.tokens.cacheWrite > 0 && r.tokens.output > 0);
            QVERIFY(r.latencyMs > 0 && r.firstTokenMs && *r.firstTokenMs <= r.latencyMs);
            QVERIFY(r.bytesSent > 0 && r.bytesReceived > 0);
            cached += r.tokens.cachedInput > 0;
            fallbacks += r.fallback > 0;
            local += r.endpointClass == policy::EndpointClass::Local;
            streamedShort += r.outcome == Outcome::Cancelled;
        }
        QVERIFY(cached > 0);
        QVERIFY(fallbacks > 0);
        QVERIFY(local > 0);
        QVERIFY(streamedShort > 0);
    }

    void coversTheCatalogAgentsAndTasks() {
        std::set<std::string> sensitivities, agents, tasks, teams;
        int unknown = 0, weekday = 0, weekend = 0, tools = 0;
        for (const auto& r : records_) {
            if (r.sensitivity)
                sensitivities.insert(policy::toString(*r.sensitivity));
            else
                ++unknown;
            agents.insert(r.agent);
            tasks.insert(r.task);
            teams.insert(r.team);
            tools += r.toolsEnabled;
            const auto day = (r.timeMs / 86'400'000 + 3) % 7; // 0 = Monday
            (day >= 5 ? weekend : weekday) += 1;
        }
        QCOMPARE(sensitivities.size(), std::size_t(4));
        QVERIFY(unknown > 0);
        QVERIFY(tools > 0);
        for (const char* a : {"claude-code", "copilot", "aider", "continue", "cursor", "ci-bot"})
            QVERIFY2(agents.contains(a), a);
        QVERIFY(tasks.contains("") && tasks.contains("codegen") && tasks.contains("docs"));
        QCOMPARE(teams, (std::set<std::string>{"data", "payments", "platform", "security", "web"}));
        // Two weekends in 14 days: per day, weekdays are far busier.
        QVERIFY(weekday / 10 > 4 * (weekend / 4));
    }

    void rollupsBudgetSpendAndSessionsAgreeWithTheRows() {
        OpenOptions o;
        o.readOnly = true;
        Database db = openRequestsDb(ws_.toStdString(), o);
        std::map<RollupKey, RollupTotals> want;
        std::map<std::pair<std::string, TimeMs>, Money> spend;
        std::map<std::string, std::int64_t> sessionRequests;
        for (const auto& r : records_) {
            want[rollupKeyOf(r).toKey()] += rollupTotalsOf(r);
            for (const auto& c : r.charges)
                spend[{c.budgetId, c.periodStart}] += c.amount;
            if (!r.sessionId.empty())
                ++sessionRequests[r.sessionId];
        }
        std::map<RollupKey, RollupTotals> got;
        for (const auto& row : loadRollups(db, std::numeric_limits<TimeMs>::min(), std::numeric_limits<TimeMs>::max()))
            got[row.key] += row.totals;
        QCOMPARE(got.size(), want.size());
        QVERIFY(got == want);
        QCOMPARE(scalar(db, "SELECT sum(cost_micros) FROM hourly_rollups"),
                 scalar(db, "SELECT sum(cost_micros) FROM requests"));

        std::map<std::pair<std::string, TimeMs>, Money> stored;
        for (const auto& s : loadBudgetSpend(db))
            stored[{s.budgetId, s.periodStart}] = s.spent;
        QVERIFY(stored == spend);
        QVERIFY(!stored.empty());

        // Sessions: bursts of one person's agent on one repository.
        QVERIFY(sessionRequests.size() > 50);
        QCOMPARE(scalar(db, "SELECT count(*) FROM sessions"), std::int64_t(sessionRequests.size()));
        auto st = db.prepare("SELECT session_id, requests FROM sessions");
        while (st.step())
            QCOMPARE(st.int64(1), sessionRequests[st.text(0)]);
        QCOMPARE(scalar(db, "SELECT count(*) FROM (SELECT session_id FROM requests WHERE session_id <> '' "
                            "GROUP BY session_id HAVING count(DISTINCT identity) > 1 OR count(DISTINCT agent) > 1 "
                            "OR count(DISTINCT repository) > 1)"),
                 std::int64_t(0));
        QVERIFY(scalar(db, "SELECT count(*) FROM requests WHERE session_id = ''") > 0); // Copilot often sends none
    }

    void theSameSeedGivesTheSameHistory() {
        const QString again = dir_.filePath("again"), other = dir_.filePath("other");
        QVERIFY(makeWorkspace(again));
        QVERIFY(makeWorkspace(other));
        Run r = seed(again, kRequests, kDays, 42);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = seed(other, kRequests, kDays, 43);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(allRecords(again) == records_);
        QVERIFY(allRecords(other) != records_);
    }

    void aBudgetAtItsLimitBlocks() {
        // With a month of traffic, the CI bot's runaway night reaches ci-bots-daily ($400/day):
        // admitted while under the limit, blocked after, as the gateway's ledger does.
        const QString big = dir_.filePath("big");
        QVERIFY(makeWorkspace(big));
        const Run r = seed(big, 20000, 30, 1);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto& doc = evaluator_->document();
        const auto* budget = doc.findBudget("ci-bots-daily");
        QVERIFY(budget);
        std::map<TimeMs, Money> spent;
        int blocked = 0;
        for (const auto& rec : allRecords(big)) {
            const TimeMs day = budgets::periodOf(*budget, rec.timeMs).start;
            if (rec.decision == Decision::Blocked) {
                ++blocked;
                QCOMPARE(rec.httpStatus, 402);
                QVERIFY(rec.charges.empty() && rec.endpointId.empty());
                if (rec.identity.starts_with("svc-")) // blocked only once the day's spend reached the limit
                    QVERIFY(spent[day] >= budget->limit);
            }
            for (const auto& c : rec.charges)
                if (c.budgetId == "ci-bots-daily")
                    spent[day] += c.amount;
        }
        QVERIFY(blocked > 0);
    }

    void refusesWhatItMustNotWriteTo() {
        // No workspace.
        Run r = seed(dir_.filePath("nonexistent"), 10, 1, 1);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no such directory") && r.err.contains("gatehoused init"), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir_.filePath("nonexistent")));
        // A directory that is not a workspace.
        QVERIFY(QDir(dir_.path()).mkdir("plain"));
        r = seed(dir_.filePath("plain"), 10, 1, 1);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a gateway workspace"), qPrintable(r.err));
        // A history already there.
        r = seed(ws_, 10, 1, 1);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("already holds 4000 request records"), qPrintable(r.err));
        // A database another process has open (as a serving gateway has): this process, here.
        const QString fresh = dir_.filePath("busy");
        QVERIFY(makeWorkspace(fresh));
        {
            Database held = openRequestsDb(fresh.toStdString());
            r = seed(fresh, 10, 1, 1);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains("open in process " + QString::number(QCoreApplication::applicationPid())),
                     qPrintable(r.err));
        }
        r = seed(fresh, 10, 1, 1);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // Bad arguments.
        r = run(generator(), {fresh, "--now", "yesterday"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("RFC 3339"));
    }
};

QTEST_GUILESS_MAIN(TestDemoHistory)
#include "tst_demo_history.moc"
