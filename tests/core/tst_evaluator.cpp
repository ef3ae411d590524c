#include "policy/evaluator.h"
#include "policy/validator.h"
#include "support/testdata.h"

#include <QRandomGenerator>
#include <QTest>

using namespace gh::policy;

namespace {

std::shared_ptr<const Evaluator> compileText(const std::string& text) {
    auto result = loadPolicy(text);
    for (const auto& d : result.diagnostics)
        qWarning("%s", format(d, "policy").c_str());
    if (!result.ok())
        qFatal("policy did not load");
    return Evaluator::compile(*result.document);
}

std::vector<std::string> targetsOf(const Decision& d) {
    std::vector<std::string> out;
    for (const auto& t : d.targets)
        out.push_back(t.endpoint->id + "/" + t.model->name);
    return out;
}

using Targets = std::vector<std::string>;

} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT
    std::shared_ptr<const Evaluator> example_;

private slots:
    void initTestCase() { example_ = compileText(gh::test::examplePolicy()); }

    void firstMatchingRuleWins() {
        // An incident on a public repository: incidents-stay-inside comes before public-anything.
        const auto d = example_->decide({.team = "web", .identity = "alice", .repository = "acme/oss-widgets",
                                         .task = "incident", .model = "gpt-4.1"});
        QVERIFY(d.allowed);
        QCOMPARE(std::string(d.ruleId), std::string("incidents-stay-inside"));
        QCOMPARE(targetsOf(d), (Targets{"gpu-box/qwen2.5-coder:32b", "workstation/devstral-small"}));
        QCOMPARE(d.sensitivity, std::optional(Sensitivity::Public));
    }

    void sensitivityComesFromTheFirstMatchingPattern() {
        auto d = example_->decide({.team = "payments", .repository = "acme/payments-api", .task = "codegen", .model = "gpt-4.1"});
        QCOMPARE(d.sensitivity, std::optional(Sensitivity::Restricted));
        QCOMPARE(std::string(d.ruleId), std::string("restricted-local-only"));
        // Case does not matter for repository names.
        d = example_->decide({.team = "payments", .repository = "ACME/Payments-Api", .task = "codegen", .model = "gpt-4.1"});
        QCOMPARE(d.sensitivity, std::optional(Sensitivity::Restricted));
        d = example_->decide({.team = "web", .repository = "acme/storefront", .task = "codegen", .model = "gpt-4.1"});
        QCOMPARE(d.sensitivity, std::optional(Sensitivity::Internal));
        QCOMPARE(std::string(d.ruleId), std::string("internal-default"));
        QCOMPARE(targetsOf(d), (Targets{"azure-eu/gpt-4.1", "openai/gpt-4.1"}));
    }

    void wildcardsMatchModelsAndPassTheRequestedModelThrough() {
        const auto d = example_->decide({.team = "web", .repository = "acme/storefront", .task = "codegen",
                                         .model = "claude-haiku-4-5", .agent = "claude-code/2.0"});
        QCOMPARE(std::string(d.ruleId), std::string("claude-agents"));
        // anthropic/* forwards the requested model, then the fixed fallbacks follow in order.
        QCOMPARE(targetsOf(d), (Targets{"anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-5", "azure-eu/gpt-4.1"}));
    }

    void aWildcardTargetIsSkippedWhenTheEndpointDoesNotServeTheModel() {
        const auto d = example_->explain({.team = "web", .repository = "acme/storefront", .task = "codegen",
                                          .model = "claude-3-unknown"});
        QCOMPARE(std::string(d.ruleId), std::string("claude-agents"));
        QCOMPARE(targetsOf(d), (Targets{"anthropic/claude-sonnet-4-5", "azure-eu/gpt-4.1"}));
        bool noted = false;
        for (const auto& line : d.trace)
            noted = noted || line.text == "target anthropic/* skipped: endpoint 'anthropic' does not serve model 'claude-3-unknown'";
        QVERIFY(noted);
    }

    void denyRulesGiveTheirReason() {
        const auto d = example_->decide({.team = "web", .repository = "acme/storefront", .model = "claude-opus-4-1"});
        QVERIFY(!d.allowed);
        QCOMPARE(std::string(d.ruleId), std::string("no-opus-without-task"));
        QVERIFY(d.reason.starts_with("expensive models need a task category"));
        QVERIFY(d.targets.empty());
        // With a task the same request is routed.
        const auto withTask = example_->decide({.team = "web", .repository = "acme/storefront", .task = "codegen", .model = "claude-opus-4-1"});
        QVERIFY(withTask.allowed);
        QCOMPARE(std::string(withTask.ruleId), std::string("claude-agents"));
    }

    void unknownRepositoriesAreDeniedByDefault() {
        const auto d = example_->decide({.team = "web", .repository = "someone/else", .task = "codegen", .model = "gpt-4.1"});
        QVERIFY(!d.allowed);
        QCOMPARE(d.rule, -1);
        QCOMPARE(d.reason, std::string("repository 'someone/else' is not in the repository catalog; ask a platform admin to classify it"));
        const auto none = example_->decide({.team = "web", .task = "codegen", .model = "gpt-4.1"});
        QVERIFY(!none.allowed);
        QCOMPARE(none.reason, std::string("the request names no repository; send the X-Gatehouse-Repo header"));
    }

    void unknownRepositoriesCanBeOptedIn() {
        std::string text = gh::test::examplePolicy();
        text.replace(text.find("unknown_repository: deny"), 24, "unknown_repository: confidential");
        const auto evaluator = compileText(text);
        const auto d = evaluator->decide({.team = "web", .repository = "someone/else", .task = "codegen", .model = "gpt-4.1"});
        QVERIFY(d.allowed);
        QCOMPARE(d.sensitivity, std::optional(Sensitivity::Confidential));
        QCOMPARE(std::string(d.ruleId), std::string("confidential-enterprise"));
    }

    void nothingMatchingIsDenied() {
        const std::string text = gh::test::readText(gh::test::sourcePath("tests/core/policies/nothing-matches.yaml"));
        const auto evaluator = compileText(text);
        const auto d = evaluator->explain({.team = "web", .repository = "a/b", .model = "m"});
        QVERIFY(!d.allowed);
        QCOMPARE(d.rule, -1);
        QVERIFY(d.reason.starts_with("no route allows this request"));
        QCOMPARE(d.trace.size(), std::size_t(3)); // repository, why 'docs' missed, the denial
        QCOMPARE(d.trace[1].text, std::string("route 'docs' does not match: task (none) is not 'docs'"));
    }

    void unknownTasksAreRefusedWithASuggestion() {
        const auto d = example_->decide({.team = "web", .repository = "acme/storefront", .task = "codgen", .model = "gpt-4.1"});
        QVERIFY(!d.allowed);
        QCOMPARE(d.reason, std::string("unknown task 'codgen'; did you mean 'codegen'?"));
    }

    void constraintsAreEnforcedAgainAtRunTime() {
        // A document the validator would refuse: a hosted fallback for restricted code. The
        // evaluator still never returns the forbidden target.
        Document doc = *loadPolicy(gh::test::examplePolicy()).document;
        doc.routes[1].route.push_back({"openai", "gpt-4.1", {}});
        const auto evaluator = Evaluator::compile(doc);
        const auto d = evaluator->explain({.team = "payments", .repository = "acme/vault", .task = "codegen", .model = "x"});
        QCOMPARE(targetsOf(d), (Targets{"gpu-box/qwen2.5-coder:32b", "gpu-box/qwen2.5-coder:7b"}));
        bool noted = false;
        for (const auto& line : d.trace)
            noted = noted || line.text.find("target openai/gpt-4.1 skipped: constraint 'restricted-stays-local' forbids restricted") == 0;
        QVERIFY(noted);
    }

    void aRuleWhoseTargetsAreAllForbiddenDenies() {
        Document doc = *loadPolicy(gh::test::examplePolicy()).document;
        doc.routes[1].route = {{"openai", "gpt-4.1", {}}};
        // A decision points into its evaluator, which must outlive it.
        const auto evaluator = Evaluator::compile(doc);
        const auto d = evaluator->decide({.team = "payments", .repository = "acme/vault", .task = "codegen", .model = "x"});
        QVERIFY(!d.allowed);
        QCOMPARE(std::string(d.ruleId), std::string("restricted-local-only"));
        QVERIFY(d.reason.find("none of its targets may serve") != std::string::npos);
    }

    void budgetsThatApplyAreListed() {
        const auto& budgets = example_->document().budgets;
        auto names = [&](const Decision& d) {
            std::vector<std::string> out;
            for (int i : d.budgets)
                out.push_back(budgets[std::size_t(i)].id);
            return out;
        };
        auto d = example_->decide({.team = "security", .identity = "svc-scanner", .repository = "acme/storefront",
                                   .task = "review", .model = "claude-opus-4-1"});
        QCOMPARE(std::string(d.ruleId), std::string("security-reviews-opus"));
        QCOMPARE(names(d), (Targets{"security-reviews", "ci-bots-daily", "company-quarter"}));
        d = example_->decide({.team = "payments", .identity = "bob", .repository = "acme/payments-api", .task = "codegen"});
        QCOMPARE(names(d), (Targets{"payments-monthly", "company-quarter"}));
    }

    void traceExplainsEveryEarlierRule() {
        const auto d = example_->explain({.team = "data", .identity = "carol", .repository = "acme/storefront",
                                          .task = "codegen", .model = "o4-mini"});
        QCOMPARE(std::string(d.ruleId), std::string("data-team-reasoning"));
        QCOMPARE(d.rule, 7);
        // One line for the repository, one per earlier rule, one for the match, one per target.
        QCOMPARE(d.trace.size(), std::size_t(1 + 7 + 1 + 1));
        QCOMPARE(d.trace[0].text, std::string("repository 'acme/storefront' is internal (pattern 'acme/*')"));
        QCOMPARE(d.trace[1].text, std::string("route 'incidents-stay-inside' does not match: task 'codegen' is not 'incident'"));
        QCOMPARE(d.trace[2].text, std::string("route 'restricted-local-only' does not match: sensitivity 'internal' is not restricted"));
        QCOMPARE(d.trace[4].text, std::string("route 'confidential-enterprise' does not match: sensitivity 'internal' is not confidential"));
        QCOMPARE(d.trace[6].text, std::string("route 'security-reviews-opus' does not match: team 'data' is not 'security'"));
        QCOMPARE(d.trace[8].text, std::string("route 'data-team-reasoning' matches"));
        QCOMPARE(d.trace[8].rule, 7);
    }

    // The indexed path and the explaining path must always agree.
    void decideAgreesWithExplain() {
        const std::vector<std::string> teams{"web", "payments", "data", "security", "platform", "nobody", ""};
        const std::vector<std::string> repos{"acme/storefront", "acme/payments-x", "acme/vault", "acme/ml-lab",
                                             "acme-oss/lib", "acme/oss-ui", "acme/security-tools", "x/y", ""};
        const std::vector<std::string> tasks{"", "docs", "codegen", "review", "incident", "test"};
        const std::vector<std::string> models{"gpt-4.1", "claude-opus-4-1", "claude-haiku-4-5", "o4-mini", "llama"};
        QRandomGenerator rng(42);
        auto pick = [&](const std::vector<std::string>& v) -> const std::string& { return v[rng.bounded(int(v.size()))]; };
        for (int i = 0; i < 5000; ++i) {
            const Request r{.team = pick(teams), .identity = "svc-ci", .repository = pick(repos), .task = pick(tasks),
                            .model = pick(models), .agent = "aider"};
            const auto fast = example_->decide(r);
            const auto slow = example_->explain(r);
            QCOMPARE(fast.allowed, slow.allowed);
            QCOMPARE(fast.rule, slow.rule);
            QCOMPARE(fast.reason, slow.reason);
            QCOMPARE(targetsOf(fast), targetsOf(slow));
            QCOMPARE(fast.budgets, slow.budgets);
            QVERIFY(fast.trace.empty());
        }
    }

    void manyRulesAcrossWordBoundaries() {
        // 200 team rules (four bitset words): each team reaches its own rule.
        std::string text = "version: 1\nendpoints:\n  - {id: local, kind: ollama, base_url: \"http://127.0.0.1:1\", class: local, "
                           "models: {m: {input: 0, output: 0}}}\nrepositories: [{match: \"*\", sensitivity: internal}]\nroutes:\n";
        for (int i = 0; i < 200; ++i)
            text += "  - {id: r" + std::to_string(i) + ", when: {team: t" + std::to_string(i) + "}, route: [local/m]}\n";
        text += "  - {id: rest, deny: no team rule}\n";
        const auto evaluator = compileText(text);
        for (int i : {0, 63, 64, 127, 128, 199}) {
            const std::string team = "t" + std::to_string(i);
            const auto d = evaluator->decide({.team = team, .repository = "a/b", .model = "m"});
            QCOMPARE(d.rule, i);
        }
        QCOMPARE(std::string(evaluator->decide({.team = "zz", .repository = "a/b", .model = "m"}).ruleId), std::string("rest"));
    }
};

QTEST_APPLESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
