// core/policy/replay: a draft policy over recorded requests. Every classification, the fallback
// position, a "*" target, a change of price alone, newly denied and newly allowed requests,
// skipped records, the sample's bound and order, the API's text of a negative difference, and
// the scan of requests.db pages with its truncation (store::replayRecorded).
#include "api/simulation.h"
#include "api/usd.h"
#include "policy/replay.h"
#include "policy/validator.h"
#include "store/request_query.h"
#include "support/testdata.h"

#include <QTest>

#include <algorithm>

using namespace gh;
using policy::ReplayClass;

namespace gh {
// QCOMPARE prints amounts with this (found by argument-dependent lookup).
inline char* toString(const Money& m) {
    return qstrdup(m.toString().c_str());
}
} // namespace gh

namespace {

// Two local endpoints serving the same two models at different prices.
std::string policyText(const std::string& routes, const std::string& aM2Price = "{input: 10.00, output: 20.00}") {
    return "version: 1\n"
           "unknown_repository: internal\n"
           "tasks: [docs, chat, codegen]\n"
           "endpoints:\n"
           "  - id: a\n"
           "    kind: ollama\n"
           "    base_url: http://127.0.0.1:11434\n"
           "    class: local\n"
           "    models:\n"
           "      m1: {input: 1.00, output: 2.00}\n"
           "      m2: " +
           aM2Price +
           "\n"
           "  - id: b\n"
           "    kind: ollama\n"
           "    base_url: http://127.0.0.1:11435\n"
           "    class: local\n"
           "    models:\n"
           "      m1: {input: 0.50, output: 1.00}\n"
           "      m2: {input: 5.00, output: 6.00}\n"
           "routes:\n" +
           routes;
}

const std::string kRecordedRoutes = "  - id: legacy\n"
                                    "    when: {model: \"legacy-*\"}\n"
                                    "    deny: legacy models are retired\n"
                                    "  - id: docs\n"
                                    "    when: {task: docs}\n"
                                    "    route: [a/m1, b/m1]\n"
                                    "  - id: chat\n"
                                    "    when: {task: chat}\n"
                                    "    route: [\"a/*\"]\n"
                                    "  - id: rest\n"
                                    "    route: [a/m2]\n";

std::shared_ptr<const policy::Evaluator> compile(const std::string& text) {
    auto result = policy::loadPolicy(text);
    if (!result.ok()) { // warnings (an endpoint no route uses) are expected here
        for (const auto& d : result.diagnostics)
            qWarning("%s", policy::format(d, "policy").c_str());
        qFatal("policy did not load");
    }
    return policy::Evaluator::compile(*result.document);
}

const pricing::Usage kTokens{1000, 500, 0, 0};

Money priceOf(const policy::Evaluator& e, const std::string& endpoint, const std::string& model,
              const pricing::Usage& tokens = kTokens) {
    return pricing::cost(*e.document().findEndpoint(endpoint)->findModel(model)->price, tokens);
}

int nextId = 0;

// A request recorded routed to endpoint/model at `fallback`, costing what `recordedPolicy` charged.
store::RequestRecord routed(const policy::Evaluator& recordedPolicy, const std::string& task, const std::string& model,
                            const std::string& endpoint, const std::string& served, int fallback = 0,
                            std::int64_t timeMs = 1'000) {
    store::RequestRecord r;
    r.timeMs = timeMs;
    r.requestId = "req_" + std::to_string(++nextId);
    r.team = "web";
    r.identity = "alice";
    r.repository = "acme/web";
    r.task = task;
    r.requestedModel = model;
    r.decision = store::Decision::Routed;
    r.outcome = store::Outcome::Ok;
    r.ruleId = task.empty() ? "rest" : task;
    r.endpointId = endpoint;
    r.servedModel = served;
    r.fallback = fallback;
    r.tokens = kTokens;
    r.cost = priceOf(recordedPolicy, endpoint, served);
    return r;
}

store::RequestRecord denied(const std::string& model, std::int64_t timeMs = 1'000) {
    store::RequestRecord r;
    r.timeMs = timeMs;
    r.requestId = "req_" + std::to_string(++nextId);
    r.team = "web";
    r.identity = "alice";
    r.repository = "acme/web";
    r.requestedModel = model;
    r.decision = store::Decision::Denied;
    r.outcome = store::Outcome::Denied;
    r.ruleId = "legacy";
    return r;
}

policy::ReplaySummary replay(const policy::Evaluator& draft, const std::vector<store::RequestRecord>& records,
                             std::size_t sampleLimit = 50) {
    policy::Replayer replayer(draft, sampleLimit);
    for (const auto& r : records)
        replayer.add(store::recordedRequestOf(r));
    return replayer.summary();
}

// requestsAfter over rows in memory, for replayRecorded.
store::RequestScanPage pageOf(const std::vector<store::StoredRequest>& rows, store::RequestCursor after,
                              std::size_t limit) {
    store::RequestScanPage page;
    for (const auto& row : rows) {
        if (std::pair(row.record.timeMs, row.seq) <= std::pair(after.timeMs, after.seq))
            continue;
        if (page.rows.size() == limit)
            break;
        page.rows.push_back(row);
    }
    if (page.rows.size() == limit)
        page.next = store::RequestCursor{page.rows.back().record.timeMs, page.rows.back().seq};
    return page;
}

} // namespace

class TestReplay : public QObject {
    Q_OBJECT
    std::shared_ptr<const policy::Evaluator> recorded_;

private slots:
    void initTestCase() { recorded_ = compile(policyText(kRecordedRoutes)); }

    void theRecordedPolicyChangesNothing() {
        const auto& e = *recorded_;
        const auto s = replay(e, {routed(e, "docs", "m2", "a", "m1"), routed(e, "docs", "m2", "b", "m1", 1),
                                  routed(e, "chat", "m1", "a", "m1"), routed(e, "chat", "m2", "a", "m2"),
                                  routed(e, "", "m1", "a", "m2"), denied("legacy-3")});
        QCOMPARE(s.requests, 6);
        QCOMPARE(s.unchanged, 6);
        QCOMPARE(s.routedDifferently + s.denied + s.allowed, 0);
        QCOMPARE(s.costAfter, s.costBefore);
        QCOMPARE(s.costDifference(), Money(0));
        QVERIFY(s.sample.empty());
    }

    void anotherTargetIsRoutedDifferentlyAndPricedThere() {
        const auto& e = *recorded_;
        const auto draft = compile(policyText(
            "  - id: docs-b\n    when: {task: docs}\n    route: [b/m1, a/m1]\n  - id: rest\n    route: [a/m2]\n"));
        const auto record = routed(e, "docs", "m2", "a", "m1");
        const auto s = replay(*draft, {record});
        QCOMPARE(s.routedDifferently, 1);
        QCOMPARE(s.costBefore, record.cost);
        QCOMPARE(s.costAfter, priceOf(*draft, "b", "m1"));
        QCOMPARE(s.sample.size(), std::size_t(1));
        const auto& change = s.sample.front();
        QVERIFY(change.change == ReplayClass::RoutedDifferently);
        QCOMPARE(change.requestId, record.requestId);
        QCOMPARE(change.recorded.endpointId, std::string("a"));
        QCOMPARE(change.recorded.ruleId, std::string("docs"));
        QCOMPARE(change.draft.endpointId, std::string("b"));
        QCOMPARE(change.draft.model, std::string("m1"));
        QCOMPARE(change.draft.ruleId, std::string("docs-b"));
        QCOMPARE(change.draft.cost, priceOf(*draft, "b", "m1"));
    }

    void anotherRuleToTheSameTargetIsUnchanged() {
        const auto& e = *recorded_;
        const auto draft = compile(policyText("  - id: everything\n    route: [a/m1]\n"));
        const auto s = replay(*draft, {routed(e, "docs", "m2", "a", "m1")});
        QCOMPARE(s.unchanged, 1);
        QCOMPARE(s.costDifference(), Money(0));
    }

    void theRecordedFallbackPositionIsCompared() {
        const auto& e = *recorded_;
        // Served by the fallback b/m1: the same draft compares position 1, not the preferred a/m1.
        const auto fallback = routed(e, "docs", "m2", "b", "m1", 1);
        QCOMPARE(replay(e, {fallback}).unchanged, 1);
        // A draft with a shorter route compares its last target.
        const auto onlyB = compile(policyText("  - id: docs\n    when: {task: docs}\n    route: [b/m1]\n"
                                              "  - id: rest\n    route: [a/m2]\n"));
        QCOMPARE(replay(*onlyB, {fallback}).unchanged, 1);
        const auto onlyA = compile(policyText("  - id: docs\n    when: {task: docs}\n    route: [a/m1]\n"
                                              "  - id: rest\n    route: [a/m2]\n"));
        const auto s = replay(*onlyA, {fallback});
        QCOMPARE(s.routedDifferently, 1);
        QCOMPARE(s.sample.front().draft.endpointId, std::string("a"));
        QCOMPARE(s.costAfter, priceOf(*onlyA, "a", "m1"));
    }

    void aWildcardTargetServesTheRequestedModel() {
        const auto& e = *recorded_;
        const auto m1 = routed(e, "chat", "m1", "a", "m1");
        const auto m2 = routed(e, "chat", "m2", "a", "m2");
        QCOMPARE(replay(e, {m1, m2}).unchanged, 2);
        const auto toB = compile(policyText("  - id: chat\n    when: {task: chat}\n    route: [\"b/*\"]\n"
                                            "  - id: rest\n    route: [a/m2]\n"));
        const auto s = replay(*toB, {m1, m2});
        QCOMPARE(s.routedDifferently, 2);
        QCOMPARE(s.sample[0].draft.model, std::string("m2")); // newest first: m2 was added last
        QCOMPARE(s.sample[1].draft.model, std::string("m1"));
        QCOMPARE(s.costAfter, priceOf(*toB, "b", "m1") + priceOf(*toB, "b", "m2"));
    }

    void aPriceChangeAloneChangesOnlyTheCost() {
        const auto& e = *recorded_;
        const auto dearer = compile(policyText(kRecordedRoutes, "{input: 12.00, output: 30.00}"));
        const auto record = routed(e, "", "m1", "a", "m2");
        const auto s = replay(*dearer, {record});
        QCOMPARE(s.unchanged, 1);
        QVERIFY(s.sample.empty());
        // 1000 x $2/M more input and 500 x $10/M more output.
        QCOMPARE(s.costDifference(), Money(2'000 + 5'000));
        QCOMPARE(s.costAfter, priceOf(*dearer, "a", "m2"));
    }

    void aNewlyDeniedRequestCostsNothingAfter() {
        const auto& e = *recorded_;
        const auto noCodegen = compile(policyText("  - id: no-codegen\n    when: {task: codegen}\n"
                                                  "    deny: codegen is paused\n" +
                                                  kRecordedRoutes));
        const auto codegen = routed(e, "codegen", "m1", "a", "m2");
        const auto docs = routed(e, "docs", "m1", "a", "m1");
        const auto s = replay(*noCodegen, {codegen, docs});
        QCOMPARE(s.requests, 2);
        QCOMPARE(s.denied, 1);
        QCOMPARE(s.unchanged, 1);
        QCOMPARE(s.costBefore, codegen.cost + docs.cost);
        QCOMPARE(s.costAfter, docs.cost);
        QCOMPARE(s.costDifference(), Money(0) - codegen.cost);
        const auto& change = s.sample.front();
        QVERIFY(change.change == ReplayClass::Denied);
        QVERIFY(!change.draft.routed);
        QCOMPARE(change.draft.ruleId, std::string("no-codegen"));
        QCOMPARE(change.draft.reason, std::string("codegen is paused"));
        QCOMPARE(change.draft.cost, Money(0));
        QVERIFY(change.draft.endpointId.empty());
    }

    void aNewlyAllowedRequestIsInNeitherSum() {
        const auto denyAll = compile(policyText("  - id: nothing\n    deny: closed\n"));
        const auto both = replay(*denyAll, {denied("legacy-3")}); // denied before and after
        QCOMPARE(both.unchanged, 1);
        QVERIFY(both.sample.empty());
        const auto allowAll = compile(policyText("  - id: rest\n    route: [a/m2]\n"));
        const auto s = replay(*allowAll, {denied("m2")});
        QCOMPARE(s.allowed, 1);
        QCOMPARE(s.costBefore, Money(0));
        QCOMPARE(s.costAfter, Money(0));
        const auto& change = s.sample.front();
        QVERIFY(change.change == ReplayClass::Allowed);
        QVERIFY(!change.recorded.routed);
        QCOMPARE(change.draft.endpointId, std::string("a"));
        QCOMPARE(change.draft.model, std::string("m2"));
        QCOMPARE(change.draft.cost, Money(0));
    }

    void recordsThePolicyDidNotDecideAreSkipped() {
        const auto& e = *recorded_;
        auto blocked = routed(e, "docs", "m1", "a", "m1");
        blocked.decision = store::Decision::Blocked;
        blocked.outcome = store::Outcome::BudgetBlocked;
        auto error = routed(e, "docs", "m1", "a", "m1");
        error.decision = store::Decision::Error;
        error.outcome = store::Outcome::UpstreamError;
        auto invalid = denied("m1");
        invalid.decision = store::Decision::Error;
        invalid.outcome = store::Outcome::Invalid;
        const auto denyAll = compile(policyText("  - id: nothing\n    deny: closed\n"));
        policy::Replayer replayer(*denyAll, 10);
        for (const auto* r : {&blocked, &error, &invalid})
            QVERIFY(!replayer.add(store::recordedRequestOf(*r)));
        QVERIFY(replayer.add(store::recordedRequestOf(routed(e, "docs", "m1", "a", "m1"))));
        const auto s = replayer.summary();
        QCOMPARE(s.requests, 1);
        QCOMPARE(s.denied, 1);
        QCOMPARE(s.costBefore, priceOf(e, "a", "m1"));
    }

    void theSampleKeepsTheNewestAffectedRequests() {
        const auto& e = *recorded_;
        const auto denyAll = compile(policyText("  - id: nothing\n    deny: closed\n"));
        std::vector<store::RequestRecord> records;
        for (int i = 0; i < 10; ++i)
            records.push_back(routed(e, "docs", "m1", "a", "m1", 0, 1'000 + i));
        const auto s = replay(*denyAll, records, 3);
        QCOMPARE(s.denied, 10);
        QCOMPARE(s.sample.size(), std::size_t(3));
        QCOMPARE(s.sample[0].requestId, records[9].requestId);
        QCOMPARE(s.sample[1].requestId, records[8].requestId);
        QCOMPARE(s.sample[2].requestId, records[7].requestId);
        QCOMPARE(s.sample[0].timeMs, std::int64_t(1'009));
    }

    void theApiShapeWritesANegativeDifference() {
        const auto& e = *recorded_;
        const auto denyAll = compile(policyText("  - id: nothing\n    deny: closed\n"));
        const auto record = routed(e, "", "m1", "a", "m2"); // 1000 x $10/M + 500 x $20/M = $0.02
        QCOMPARE(record.cost, Money(20'000));
        const auto shape = api::replayShape(replay(*denyAll, {record}), 0, 86'400'000, false);
        QCOMPARE(shape.cost_before_usd, std::string("0.020000"));
        QCOMPARE(shape.cost_after_usd, std::string("0.000000"));
        QCOMPARE(shape.cost_difference_micros, std::int64_t(-20'000));
        QCOMPARE(shape.cost_difference_usd, std::string("-0.020000"));
        QCOMPARE(shape.from, std::string("1970-01-01T00:00:00.000Z"));
        QCOMPARE(shape.to, std::string("1970-01-02T00:00:00.000Z"));
        QCOMPARE(shape.sample.size(), std::size_t(1));
        QCOMPARE(shape.sample[0].change, std::string("denied"));
        QCOMPARE(shape.sample[0].recorded.decision, std::string("routed"));
        QCOMPARE(shape.sample[0].recorded.cost_usd, std::string("0.020000"));
        QCOMPARE(shape.sample[0].draft.decision, std::string("denied"));
        QVERIFY(!shape.sample[0].draft.endpoint);
        QCOMPARE(*shape.sample[0].draft.rule, std::string("nothing"));
        QCOMPARE(api::usd(Money(-12'345'678)), std::string("-12.345678"));
        QCOMPARE(api::usd(Money(-1)), std::string("-0.000001"));
    }

    void theScanStopsAtTheRangeAndAfterTheLimitFinishesItsMillisecond() {
        const auto& e = *recorded_;
        const auto denyAll = compile(policyText("  - id: nothing\n    deny: closed\n"));
        std::vector<store::StoredRequest> rows;
        std::int64_t seq = 0;
        auto add = [&](store::RequestRecord r) { rows.push_back({++seq, std::move(r)}); };
        add(routed(e, "docs", "m1", "a", "m1", 0, 5));  // before the range
        add(routed(e, "docs", "m1", "a", "m1", 0, 10)); // 1
        auto blocked = routed(e, "docs", "m1", "a", "m1", 0, 11);
        blocked.decision = store::Decision::Blocked;
        add(blocked);                                   // skipped: does not count
        add(routed(e, "docs", "m1", "a", "m1", 0, 20)); // 2: the limit
        add(routed(e, "docs", "m1", "a", "m1", 0, 20)); // 3: same millisecond, replayed too
        add(routed(e, "docs", "m1", "a", "m1", 0, 30)); // first not replayed
        add(routed(e, "docs", "m1", "a", "m1", 0, 40));
        add(routed(e, "docs", "m1", "a", "m1", 0, 50)); // at `to`: outside
        const auto reader = [&](store::RequestCursor after, std::size_t limit) {
            return pageOf(rows, after, std::min<std::size_t>(limit, 2)); // small pages: cross page edges
        };

        policy::Replayer whole(*denyAll, 50);
        auto range = store::replayRecorded(whole, 10, 50, reader);
        QVERIFY(!range.truncated);
        QCOMPARE(range.fromMs, std::int64_t(10));
        QCOMPARE(range.toMs, std::int64_t(50));
        QCOMPARE(whole.considered(), std::int64_t(5));

        policy::Replayer limited(*denyAll, 50);
        range = store::replayRecorded(limited, 10, 50, reader, 2);
        QVERIFY(range.truncated);
        QCOMPARE(range.toMs, std::int64_t(30));
        QCOMPARE(limited.considered(), std::int64_t(3));

        policy::Replayer exact(*denyAll, 50); // the limit reached by the last request of the range
        range = store::replayRecorded(exact, 10, 50, reader, 5);
        QVERIFY(!range.truncated);
        QCOMPARE(range.toMs, std::int64_t(50));

        policy::Replayer none(*denyAll, 50);
        QVERIFY_THROWS_EXCEPTION(store::QueryError, store::replayRecorded(none, 50, 50, reader));
    }
};

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
