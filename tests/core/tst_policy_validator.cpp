#include "policy/validator.h"
#include "policy/yaml_codec.h"
#include "support/testdata.h"

#include <QDir>
#include <QTest>

using namespace gh::policy;

namespace {

// "LINE:COL: error: message", what `gatehoused check-policy` prints after "FILE:".
std::string located(const Diagnostic& d) {
    const std::string full = format(d, "");
    return full.substr(1);
}

std::vector<std::string> expectations(const std::string& text) {
    std::vector<std::string> out;
    std::size_t offset = 0;
    while (offset < text.size()) {
        const std::size_t end = std::min(text.find('\n', offset), text.size());
        const std::string line = text.substr(offset, end - offset);
        const std::string marker = "# expect: ";
        if (line.rfind(marker, 0) == 0)
            out.push_back(line.substr(marker.size()));
        offset = end + 1;
    }
    return out;
}

} // namespace

class TestPolicyValidator : public QObject {
    Q_OBJECT
private slots:
    void theExampleIsClean() {
        const auto result = loadPolicy(gh::test::examplePolicy());
        for (const auto& d : result.diagnostics)
            qWarning("%s", format(d, "example.yaml").c_str());
        QVERIFY(result.ok());
        QVERIFY(result.diagnostics.empty());
    }

    // Every file of the corpus is refused with exactly the messages, lines and columns its
    // "# expect:" header lists, in order.
    void corpus_data() {
        QTest::addColumn<QString>("path");
        const QDir dir(gh::test::sourcePath("tests/core/policy_corpus/invalid"));
        const auto files = dir.entryList({"*.yaml"}, QDir::Files, QDir::Name);
        QVERIFY2(files.size() >= 30, "the corpus must hold at least 30 broken documents");
        for (const auto& f : files)
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
    }
    void corpus() {
        QFETCH(QString, path);
        const std::string text = gh::test::readText(path);
        const auto expected = expectations(text);
        QVERIFY2(!expected.empty(), "corpus file has no '# expect:' line");
        const auto result = loadPolicy(text);
        QVERIFY(!result.ok());
        std::vector<std::string> actual;
        for (const auto& d : result.diagnostics)
            actual.push_back(located(d));
        if (actual != expected) {
            for (const auto& a : actual)
                qWarning("actual:   %s", a.c_str());
            for (const auto& e : expected)
                qWarning("expected: %s", e.c_str());
        }
        QCOMPARE(actual.size(), expected.size());
        for (std::size_t i = 0; i < actual.size(); ++i)
            QCOMPARE(actual[i], expected[i]);
    }

    // The console builds documents without positions: problems still name their item.
    void diagnosticsNameTheirItem() {
        Document doc = *loadPolicy(gh::test::examplePolicy()).document;
        Rule rule;
        rule.id = "drafted";
        rule.when.tasks.push_back({"codegen", {}});
        rule.route.push_back({"openai", "gpt-4.1", {}});
        doc.routes.insert(doc.routes.begin(), rule);
        const auto diagnostics = validate(doc);
        QVERIFY(hasErrors(diagnostics));
        const auto& d = diagnostics.front();
        QCOMPARE(d.section, Section::Routes);
        QCOMPARE(d.index, 0);
        QCOMPARE(d.pos.line, 0);
        QCOMPARE(format(d, "draft"),
                 std::string("draft: error: route 'drafted' can send confidential and restricted repositories to hosted "
                             "endpoint 'openai', which constraint 'confidential-stays-inside' forbids (allowed classes are "
                             "enterprise, local)"));
    }

    // Rules after a catch-all for a sensitivity never see that sensitivity, so sending the rest
    // to a hosted endpoint is allowed.
    void earlierRulesTakeSensitivitiesAway() {
        Document doc = *loadPolicy(gh::test::examplePolicy()).document;
        Rule hosted;
        hosted.id = "web-codegen";
        hosted.when.teams.push_back({"web", {}});
        hosted.route.push_back({"openai", "gpt-4.1", {}});
        // After restricted-local-only and confidential-enterprise: fine.
        doc.routes.insert(doc.routes.begin() + 4, hosted);
        QVERIFY(!hasErrors(validate(doc)));
        // Before them: it could see confidential and restricted code.
        doc.routes.erase(doc.routes.begin() + 4);
        doc.routes.insert(doc.routes.begin() + 1, hosted);
        QVERIFY(hasErrors(validate(doc)));
    }

    // A rule on the only restricted repository pattern takes every restricted request, so a
    // catch-all after it may go to an enterprise endpoint.
    void repositoryRulesTakeTheirSensitivities() {
        std::string text = gh::test::readText(gh::test::sourcePath("tests/core/policies/repo-rule-takes-restricted.yaml"));
        auto result = loadPolicy(text);
        for (const auto& d : result.diagnostics)
            qWarning("%s", format(d, "policy").c_str());
        QVERIFY(result.ok());
        // With a second restricted pattern the first rule no longer takes them all.
        text.replace(text.find("  - {match: \"acme/*\""), 0, "  - {match: \"acme/vault\", sensitivity: restricted}\n");
        result = loadPolicy(text);
        QVERIFY(!result.ok());
        QCOMPARE(result.diagnostics.size(), std::size_t(1));
        QVERIFY(result.diagnostics[0].message.starts_with("route 'everything-else' can send restricted repositories"));
    }

    // Hosts that only look like loopback addresses still get the plain-http warning.
    void loopbackLookalikesAreWarned() {
        const auto result = loadPolicy(gh::test::readText(gh::test::sourcePath("tests/core/policies/loopback-lookalikes.yaml")));
        QVERIFY(result.ok());
        QCOMPARE(result.diagnostics.size(), std::size_t(2));
        for (const auto& d : result.diagnostics) {
            QCOMPARE(d.severity, Severity::Warning);
            QVERIFY(d.message.find("plain http://") != std::string::npos);
        }
        std::string loopback = gh::test::readText(gh::test::sourcePath("tests/core/policies/loopback-lookalikes.yaml"));
        loopback.replace(loopback.find("localhost.proxy.acme.example"), 28, "localhost");
        loopback.replace(loopback.find("127.attacker.example"), 20, "127.0.0.1");
        QVERIFY(loadPolicy(loopback).diagnostics.empty());
    }

    void unreachableNeedsCertainty() {
        Document doc = *loadPolicy(gh::test::examplePolicy()).document;
        // Same model pattern, but the later rule also matches agents the earlier one... does
        // not restrict: the earlier rule has an agent condition, so the later one is reachable.
        Rule narrow;
        narrow.id = "claude-code-only";
        narrow.when.agents.push_back({"claude-code*", {}});
        narrow.when.models.push_back({"claude-*", {}});
        narrow.when.sensitivity = SensitivitySet{0b0001};
        narrow.route.push_back({"anthropic", "claude-haiku-4-5", {}});
        doc.routes.insert(doc.routes.begin() + 6, narrow);
        QVERIFY(!hasErrors(validate(doc)));
        // The broader rule placed first makes the narrow one unreachable.
        std::swap(doc.routes[6], doc.routes[7]);
        const auto diagnostics = validate(doc);
        QVERIFY(hasErrors(diagnostics));
        QVERIFY(diagnostics.front().message.find("'claude-code-only' is unreachable") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestPolicyValidator)
#include "tst_policy_validator.moc"
