// Principle 5 under kill -9: a child appends records and prints each id once onDurable ran for
// it; we SIGKILL it mid-stream and every printed id must be in requests.db.
#include "store/request_log.h"
#include "store/schema.h"
#include "support/testdata.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace gh::store;

class TestRequestLogKill : public QObject {
    Q_OBJECT
private slots:
    void everyAcknowledgedRecordSurvivesSigkill() {
        const QString child = qEnvironmentVariable("REQUEST_LOG_CHILD");
        QVERIFY2(!child.isEmpty(), "REQUEST_LOG_CHILD is not set");
        QTemporaryDir dir;
        std::set<std::string> acknowledged;
        for (int round = 0; round < 4; ++round) {
            QProcess process;
            process.setProgram(child);
            process.setArguments({dir.path(), QString::number(round)});
            process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            process.start();
            QVERIFY(process.waitForStarted());
            // Let it run until thousands of records are acknowledged (more each round), then kill.
            QByteArray output;
            const int wanted = 2000 + round * 3000;
            while (output.count('\n') < wanted) {
                QVERIFY2(process.state() == QProcess::Running, "the child stopped by itself");
                process.waitForReadyRead(1000);
                output += process.readAllStandardOutput();
            }
            process.kill(); // SIGKILL
            QVERIFY(process.waitForFinished());
            QCOMPARE(process.exitStatus(), QProcess::CrashExit);
            output += process.readAllStandardOutput(); // what it printed before it died
            int lines = 0;
            for (const QByteArray& line : output.split('\n'))
                if (!line.isEmpty()) {
                    acknowledged.insert(line.toStdString());
                    ++lines;
                }
            QVERIFY(lines >= wanted);

            // Every acknowledged id, in all rounds so far, is in the database.
            Database db = openRequestsDb(dir.path().toStdString());
            auto find = db.prepare("SELECT count(*) FROM requests WHERE request_id = ?1");
            int missing = 0;
            for (const auto& id : acknowledged) {
                find.bind(1, id);
                find.step();
                missing += find.int64(0) != 1;
                find.reset();
            }
            QCOMPARE(missing, 0);
            auto total = db.prepare("SELECT count(*) FROM requests");
            total.step();
            qInfo("round %d: %d acknowledged this round, %zu in all, %lld rows in the database", round, lines,
                  acknowledged.size(), static_cast<long long>(total.int64(0)));
            QVERIFY(total.int64(0) >= std::int64_t(acknowledged.size()));

            // Rows, rollups and budget spend are committed together: after the kill they agree.
            const auto scalar = [&](const char* sql) {
                auto st = db.prepare(sql);
                st.step();
                return st.int64(0);
            };
            QCOMPARE(scalar("SELECT sum(requests) FROM hourly_rollups"), total.int64(0));
            QCOMPARE(scalar("SELECT sum(cost_micros) FROM hourly_rollups"),
                     scalar("SELECT sum(cost_micros) FROM requests"));
            QCOMPARE(scalar("SELECT sum(spent_micros) FROM budget_spend"),
                     scalar("SELECT sum(json_extract(c.value, '$[2]')) FROM requests, json_each(requests.charges) c"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRequestLogKill)
#include "tst_request_log_kill.moc"
