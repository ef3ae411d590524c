// `gatehoused audit verify DIR` as a person runs it: a real process, its output and exit code.
#include "audit/audit_log.h"
#include "audit_testing.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace gh;

class TestAuditCli : public QObject {
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
        if (!p.waitForFinished(30'000))
            qFatal("gatehoused did not finish");
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // A workspace with master.key and an audit.db of `entries` entries.
    static crypto::MasterKey makeWorkspace(const QTemporaryDir& dir, int entries) {
        const auto key = crypto::generateMasterKey();
        QFile f(dir.filePath("master.key"));
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write master.key");
        f.write(QByteArray::fromStdString(crypto::formatMasterKey(key)));
        f.close();
        audit::AuditLog log(test::workspaceOf(dir), key);
        test::fill(log, entries);
        return key;
    }

private slots:
    void initTestCase() { QVERIFY2(QFile::exists(gatehoused_), "GATEHOUSED must name the built gatehoused"); }

    void intactWorkspaceExitsZero() {
        QTemporaryDir dir;
        makeWorkspace(dir, 25);
        const auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.err, QString());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(dir.filePath("audit.db") + ": intact"), qPrintable(r.out));
        QVERIFY2(r.out.contains("entries checked:     25\n"), qPrintable(r.out));
        QVERIFY2(r.out.contains("signed checkpoints:  26"), qPrintable(r.out));
        QVERIFY2(r.out.contains("head:                seq 25, sha256 "), qPrintable(r.out));
    }

    void emptyLogIsIntact() {
        QTemporaryDir dir;
        makeWorkspace(dir, 0);
        const auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("empty"), qPrintable(r.out));
    }

    void tamperedWorkspaceNamesTheFirstBadEntry() {
        QTemporaryDir dir;
        makeWorkspace(dir, 25);
        test::rawAuditDb(dir).exec("UPDATE audit_entries SET outcome = 'refused' WHERE seq = 7; "
                                   "DELETE FROM audit_entries WHERE seq = 12");
        const auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err, QString());
        QVERIFY2(r.out.startsWith(dir.filePath("audit.db") + ": NOT INTACT: altered\n"), qPrintable(r.out));
        QVERIFY2(r.out.contains("entries checked:     6 intact"), qPrintable(r.out));
        QVERIFY2(r.out.contains("first bad entry:     seq 7 (altered)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("entry 7 was altered"), qPrintable(r.out));
    }

    void truncatedWorkspace() {
        QTemporaryDir dir;
        makeWorkspace(dir, 25);
        test::rawAuditDb(dir).exec("DELETE FROM audit_entries WHERE seq > 20");
        const auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("first bad entry:     seq 21 (truncated)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("entries 21 to 25 were removed from the end"), qPrintable(r.out));
    }

    void missingPiecesAreErrors() {
        QTemporaryDir dir;
        auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("master.key: error:"), qPrintable(r.err));

        makeWorkspace(dir, 3);
        QVERIFY(QFile::remove(dir.filePath("audit.db")));
        r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.out, QString());
        QVERIFY2(r.err.contains("audit.db: error: there is no audit.db"), qPrintable(r.err));
    }

    void wrongMasterKey() {
        QTemporaryDir dir;
        makeWorkspace(dir, 3);
        QFile f(dir.filePath("master.key"));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(crypto::formatMasterKey(crypto::generateMasterKey())));
        f.close();
        const auto r = run({"audit", "verify", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("NOT INTACT: key"), qPrintable(r.out));
    }

    void usage() {
        QCOMPARE(run({"audit", "verify"}).exitCode, 2);
        const auto r = run({"audit", "check", "x"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.startsWith("gatehoused: wrong arguments for 'audit'"));
        QVERIFY(run({"help"}).out.contains("audit verify DIR"));
    }
};

QTEST_GUILESS_MAIN(TestAuditCli)
#include "tst_audit_cli.moc"
