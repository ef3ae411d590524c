#include "policy/validator.h"
#include "policy/yaml_codec.h"
#include "support/testdata.h"

#include <QTest>

using namespace gh::policy;

namespace {

Document mustLoad(const std::string& text) {
    auto result = loadPolicy(text);
    for (const auto& d : result.diagnostics)
        qWarning("%s", format(d, "policy").c_str());
    if (!result.ok())
        qFatal("policy did not load");
    return *result.document;
}

std::string minimal() { return gh::test::readText(gh::test::sourcePath("tests/core/policies/minimal.yaml")); }

} // namespace

class TestPolicyCodec : public QObject {
    Q_OBJECT
private slots:
    void loadsTheExamplePolicy() {
        const Document doc = mustLoad(gh::test::examplePolicy());
        QCOMPARE(doc.version, 1);
        QVERIFY(!doc.unknownRepository.has_value());
        QCOMPARE(doc.endpoints.size(), std::size_t(6));
        QCOMPARE(doc.teams.size(), std::size_t(5));
        QCOMPARE(doc.tasks.size(), std::size_t(8));

        const Endpoint* azure = doc.findEndpoint("azure-eu");
        QVERIFY(azure);
        QCOMPARE(azure->kind, EndpointKind::AzureOpenAI);
        QCOMPARE(azure->cls, EndpointClass::Enterprise);
        QCOMPARE(azure->region, std::string("eu-west"));
        QCOMPARE(azure->credential.value, std::string("azure-eu-key"));
        QCOMPARE(azure->apiVersion, std::string("2024-10-21"));
        QVERIFY(azure->dataTerms && azure->dataTerms->trainingOptOut);
        QCOMPARE(azure->dataTerms->retentionDays.value_or(-1), 0);
        const ModelEntry* gpt = azure->findModel("gpt-4.1");
        QVERIFY(gpt && gpt->price);
        QCOMPARE(gpt->price->input.micros, std::int64_t(2'000'000));
        QCOMPARE(gpt->price->output.micros, std::int64_t(8'000'000));
        QCOMPARE(gpt->price->cachedInput->micros, std::int64_t(500'000));
        QCOMPARE(gpt->deployment, std::string("gpt41-prod"));
        // Model names with colons and dots survive as map keys.
        QVERIFY(doc.findEndpoint("gpu-box")->findModel("qwen2.5-coder:32b"));

        QCOMPARE(doc.repositories.front().match, std::string("acme/payments-*"));
        QCOMPARE(doc.repositories.front().sensitivity, Sensitivity::Restricted);
        QCOMPARE(toString(doc.constraints[1].sensitivity), std::string(">= confidential"));

        const Rule& opus = doc.routes[2];
        QCOMPARE(opus.id, std::string("no-opus-without-task"));
        QVERIFY(opus.deny.has_value());
        QCOMPARE(opus.when.models.front().value, std::string("claude-opus-*"));
        QCOMPARE(opus.when.tasks.front().value, std::string("none"));

        const Rule& claude = doc.routes[6];
        QCOMPARE(claude.route.size(), std::size_t(3));
        QCOMPARE(claude.route[0].endpoint, std::string("anthropic"));
        QCOMPARE(claude.route[0].model, std::string("*"));
        QCOMPARE(claude.when.sensitivity.bits, std::uint8_t(0b0011));

        const Budget& quarter = doc.budgets.back();
        QCOMPARE(quarter.period, BudgetPeriod::Custom);
        QCOMPARE(quarter.customDays, 91);
        QCOMPARE(quarter.starts, std::string("2026-10-01"));
        QCOMPARE(quarter.limit, gh::Money::fromDollars(150'000));
        QCOMPARE(quarter.scope.value.kind, ScopeKind::Global);
        QCOMPARE(doc.budgets[1].atLimit, AtLimit::Downgrade);
        QCOMPARE(doc.budgets[1].downgradeTo.size(), std::size_t(2));
        QCOMPARE(toString(doc.budgets[4].scope.value), std::string("identity:svc-*"));
    }

    void keepsPositionsOfItems() {
        const std::string text = gh::test::examplePolicy();
        const Document doc = mustLoad(text);
        // Each route's position is the line of its "- id:" entry.
        for (const Rule& rule : doc.routes) {
            QVERIFY(rule.pos.line > 0);
            std::size_t offset = 0;
            for (int line = 1; line < rule.pos.line; ++line)
                offset = text.find('\n', offset) + 1;
            const std::string lineText = text.substr(offset, text.find('\n', offset) - offset);
            QVERIFY2(lineText.find("id: " + rule.id) != std::string::npos, lineText.c_str());
        }
    }

    void roundTripsTheExample() {
        const Document first = mustLoad(gh::test::examplePolicy());
        const std::string saved = toYaml(first);
        const Document second = mustLoad(saved);
        QVERIFY(first == second);
        // Saving is a fixed point: the canonical text does not drift.
        QCOMPARE(toYaml(second), saved);
    }

    void roundTripsEveryOptionalField() {
        const std::string text = gh::test::readText(gh::test::sourcePath("tests/core/policies/all-fields.yaml"));
        const Document first = mustLoad(text);
        QCOMPARE(first.unknownRepository, std::optional(Sensitivity::Internal));
        QCOMPARE(first.teams[1].id, std::string("ops"));
        QCOMPARE(toString(first.routes[0].when.sensitivity), std::string("[public, internal]"));
        QCOMPARE(first.routes[0].when.tasks.size(), std::size_t(2));
        QCOMPARE(toString(first.constraints[0].sensitivity), std::string("[internal, restricted]"));
        QCOMPARE(first.budgets[1].limit.micros, std::int64_t(1));
        QCOMPARE(first.endpoints[0].models[0].price->input.micros, std::int64_t(2'000'001));
        const std::string saved = toYaml(first);
        const Document second = mustLoad(saved);
        QVERIFY2(first == second, saved.c_str());
        QCOMPARE(toYaml(second), saved);
    }

    void aDocumentWithErrorsIsNeverHalfLoaded() {
        std::string text = minimal();
        text += "budgets:\n  - {id: b, scope: global, period: month, limit_usd: lots}\n";
        const auto result = loadPolicy(text);
        QVERIFY(!result.ok());
        QVERIFY(!result.document.has_value());
        QVERIFY(hasErrors(result.diagnostics));
    }

    void warningsDoNotRefuseADocument() {
        std::string text = minimal();
        text += "credentials: [spare]\n";
        const auto result = loadPolicy(text);
        QVERIFY(result.ok());
        QCOMPARE(result.diagnostics.size(), std::size_t(1));
        QCOMPARE(result.diagnostics[0].severity, Severity::Warning);
        QCOMPARE(format(result.diagnostics[0], "p.yaml"),
                 std::string("p.yaml:13:15: warning: credential 'spare' is not used by any endpoint"));
    }

    void minimalDocumentLoads() {
        const Document doc = mustLoad(minimal());
        QCOMPARE(doc.routes.size(), std::size_t(1));
        QVERIFY(doc.budgets.empty());
    }
};

QTEST_APPLESS_MAIN(TestPolicyCodec)
#include "tst_policy_codec.moc"
