#include "support/testdata.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// `gatehoused check-policy` as a person runs it: a real process, its output and exit code.
class TestCheckPolicy : public QObject {
    Q_OBJECT
    QString gatehoused_ = qEnvironmentVariable("GATEHOUSED");

    struct Run {
        int exitCode;
        QString out;
        QString err;
    };
    Run run(const QStringList& args) {
        QProcess p;
        p.start(gatehoused_, args);
        if (!p.waitForFinished(10'000))
            qFatal("gatehoused did not finish");
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase() { QVERIFY2(QFile::exists(gatehoused_), "GATEHOUSED must name the built gatehoused"); }

    void validPolicyExitsZero() {
        const QString path = gh::test::sourcePath("resources/policies/example.yaml");
        const auto r = run({"check-policy", path});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err, QString());
        QCOMPARE(r.out, path + ": valid: 6 endpoints, 8 repository patterns, 3 constraints, 10 routes, 6 budgets\n");
    }

    void invalidPolicyPrintsCompilerStyleMessagesAndExitsOne() {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.yaml");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n"
                "endpoints:\n"
                "  - id: local\n"
                "    kind: olama\n"
                "    base_url: http://127.0.0.1:11434\n"
                "    class: local\n"
                "    modles: {m: {input: 0, output: 0}}\n"
                "routes: []\n");
        f.close();
        const auto r = run({"check-policy", path});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.out, QString());
        const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
        // The misspelt 'models' is reported once, not also as missing.
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], path + ":4:11: error: unknown endpoint kind 'olama'; did you mean 'ollama'?");
        QCOMPARE(lines[1], path + ":7:5: error: unknown key 'modles' in endpoint; did you mean 'models'?");
        QCOMPARE(lines[2], path + ": 2 errors, 0 warnings; the policy is not valid");
    }

    void missingFileIsAnError() {
        const auto r = run({"check-policy", "/nonexistent/policy.yaml"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err, QString("/nonexistent/policy.yaml: error: cannot read the policy file: No such file or directory\n"));
    }

    void usageErrors() {
        QCOMPARE(run({}).exitCode, 2);
        QCOMPARE(run({"check-policy"}).exitCode, 2);
        const auto r = run({"frobnicate"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.startsWith("gatehoused: unknown command 'frobnicate'"));
        QCOMPARE(run({"help"}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestCheckPolicy)
#include "tst_check_policy.moc"
