#include "audit/audit_log.h"
#include "audit_testing.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <set>
#include <thread>

using namespace gh;
using namespace gh::audit;
using gh::test::kAuditNow;
using gh::test::workspaceOf;

namespace {

std::string zeros64() { return std::string(64, '0'); }

std::vector<Entry> all(const AuditLog& log, const AuditFilter& filter = {}, std::size_t pageSize = 1000) {
    std::vector<Entry> out;
    std::optional<std::int64_t> before;
    for (;;) {
        AuditPage page = log.list(filter, before, pageSize);
        out.insert(out.end(), page.entries.begin(), page.entries.end());
        if (!page.nextBeforeSeq)
            return out;
        before = page.nextBeforeSeq;
    }
}

} // namespace

class TestAuditLog : public QObject {
    Q_OBJECT
private slots:
    void emptyLogVerifies() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        {
            AuditLog log(workspaceOf(dir), key);
            const VerifyReport r = log.verify();
            QVERIFY2(r.ok, r.message.c_str());
            QCOMPARE(r.entries, 0);
            QCOMPARE(r.problem, std::string());
            QVERIFY(!r.firstBadSeq);
        }
        QVERIFY(QFile::exists(dir.filePath("audit.db")));
        QVERIFY(!QFile::exists(dir.filePath("state.db"))); // its own file
        QVERIFY(verifyAuditFile(workspaceOf(dir), key).ok);
    }

    void appendChainsEntries() {
        QTemporaryDir dir;
        AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
        NewEntry e = test::sampleEntry(1);
        e.detailJson = "";
        const Entry first = log.append(e, kAuditNow);
        QCOMPARE(first.seq, 1);
        QCOMPARE(first.timeMs, kAuditNow);
        QCOMPARE(first.detailJson, std::string("{}"));
        QCOMPARE(first.prevHashHex, zeros64());
        QCOMPARE(first.hashHex.size(), std::size_t(64));
        QCOMPARE(first.actor, e.actor);
        QCOMPARE(first.source, e.source);
        const Entry second = log.append(test::sampleEntry(2), kAuditNow + 1);
        QCOMPARE(second.seq, 2);
        QCOMPARE(second.prevHashHex, first.hashHex);
        QVERIFY(second.hashHex != first.hashHex);

        const auto listed = all(log);
        QCOMPARE(listed.size(), std::size_t(2));
        QCOMPARE(listed[0].seq, 2); // newest first
        QCOMPARE(listed[0].hashHex, second.hashHex);
        QCOMPARE(listed[1].detailJson, std::string("{}"));
        QCOMPARE(listed[1].role, e.role);
    }

    // The header documents the encoding; an independent implementation of it gives the same hashes.
    void hashesFollowTheDocumentedEncoding() {
        QTemporaryDir dir;
        {
            AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
            test::fill(log, 5);
        }
        auto db = test::rawAuditDb(dir);
        std::vector<std::uint8_t> prev(32, 0);
        for (const auto& r : test::readRows(db)) {
            QCOMPARE(r.prev, prev);
            QCOMPARE(test::attackerHash(prev, r), r.hash);
            prev = r.hash;
        }
    }

    void intactChainOfAThousandVerifies() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        Entry last;
        {
            AuditLog log(workspaceOf(dir), key);
            for (int i = 1; i <= 1000; ++i)
                last = log.append(test::sampleEntry(i), kAuditNow + i);
            const VerifyReport live = log.verify();
            QVERIFY2(live.ok, live.message.c_str());
        }
        const VerifyReport r = verifyAuditFile(workspaceOf(dir), key);
        QVERIFY2(r.ok, r.message.c_str());
        QCOMPARE(r.entries, 1000);
        QCOMPARE(r.checkpoints, 1001);
        QCOMPARE(r.headSeq, 1000);
        QCOMPARE(r.headHashHex, last.hashHex);
        // Reopening continues the chain.
        AuditLog again(workspaceOf(dir), key);
        QCOMPARE(again.append(test::sampleEntry(1001), kAuditNow + 1001).seq, 1001);
        QVERIFY(again.verify().ok);
    }

    void concurrentAppendsStayContiguous() {
        QTemporaryDir dir;
        AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
        constexpr int kThreads = 8, kEach = 200;
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kEach; ++i) {
                    try {
                        log.append(test::sampleEntry(t * kEach + i), kAuditNow + i);
                    } catch (...) {
                        ++failures;
                    }
                }
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        const VerifyReport r = log.verify();
        QVERIFY2(r.ok, r.message.c_str());
        QCOMPARE(r.entries, kThreads * kEach);
        const auto entries = all(log, {}, 333);
        QCOMPARE(entries.size(), std::size_t(kThreads * kEach));
        for (std::size_t i = 0; i < entries.size(); ++i)
            QCOMPARE(entries[i].seq, std::int64_t(entries.size() - i));
        std::set<int> ns; // every append is there exactly once
        for (const auto& e : entries)
            ns.insert(std::stoi(e.detailJson.substr(5)));
        QCOMPARE(ns.size(), std::size_t(kThreads * kEach));
    }

    void appendFailsWhenTheFileStaysLocked() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        AuditLog log(workspaceOf(dir), key);
        test::fill(log, 3);
        {
            store::OpenOptions options;
            options.busyTimeoutMs = 0;
            auto other = store::Database::open(workspaceOf(dir) / kAuditDbFile, options);
            other.exec("BEGIN EXCLUSIVE");
            other.exec("INSERT INTO audit_meta (name, value) VALUES ('x', x'00')"); // holds the write lock
            QElapsedTimer timer;
            timer.start();
            bool threw = false;
            try {
                log.append(test::sampleEntry(4), kAuditNow + 4);
            } catch (const AuditError& e) {
                threw = true;
                QVERIFY2(std::string(e.what()).find("not recorded") != std::string::npos, e.what());
            }
            QVERIFY(threw);
            QVERIFY2(timer.elapsed() >= 1500, qPrintable(QString::number(timer.elapsed())));
            QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
            other.exec("ROLLBACK");
        }
        const VerifyReport r = log.verify();
        QVERIFY2(r.ok, r.message.c_str());
        QCOMPARE(r.entries, 3);
        QCOMPARE(log.append(test::sampleEntry(4), kAuditNow + 4).seq, 4);
        QVERIFY(log.verify().ok);
    }

    void detailMustBeAJsonObject() {
        QTemporaryDir dir;
        AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
        for (const char* bad : {"[1, 2]", "42", "\"text\"", "null", "{\"a\": ", "not json", "{} {}"}) {
            NewEntry e = test::sampleEntry(1);
            e.detailJson = bad;
            QVERIFY_THROWS_EXCEPTION(AuditError, log.append(e, kAuditNow));
        }
        NewEntry noAction = test::sampleEntry(1);
        noAction.action.clear();
        QVERIFY_THROWS_EXCEPTION(AuditError, log.append(noAction, kAuditNow));
        QCOMPARE(log.verify().entries, 0); // nothing was recorded
        NewEntry spaces = test::sampleEntry(1);
        spaces.detailJson = "  \n";
        QCOMPARE(log.append(spaces, kAuditNow).detailJson, std::string("{}"));
    }

    void secretsInTheDetailAreRedacted() {
        const std::string ghk = "ghk_" + std::string(43, 'A');
        const std::string in =
            "{\"name\":\"openai-prod\",\"api_key\":\"sk-live-123\",\"API-KEY\":\"x\","
            "\"nested\":{\"Password\":\"hunter2\",\"token_id\":\"tok_1\",\"secret_fingerprint\":\"f\"},"
            "\"Authorization\":\"Basic abc\",\"client_secrets\":[\"a\",{\"b\":\"c\"},3],"
            "\"note\":\"pasted " +
            ghk +
            " by mistake\",\"header\":\"Bearer abc\","
            "\"tokens\":12,\"prefix\":\"ghk_ab12cd34\"}";
        const std::string out = scrubDetail(in);
        QCOMPARE(out, std::string("{\"name\":\"openai-prod\",\"api_key\":\"[redacted]\",\"API-KEY\":\"[redacted]\","
                                  "\"nested\":{\"Password\":\"[redacted]\",\"token_id\":\"tok_1\","
                                  "\"secret_fingerprint\":\"f\"},\"Authorization\":\"[redacted]\","
                                  "\"client_secrets\":[\"[redacted]\",{\"b\":\"[redacted]\"},3],"
                                  "\"note\":\"[redacted]\",\"header\":\"[redacted]\",\"tokens\":12,"
                                  "\"prefix\":\"ghk_ab12cd34\"}"));

        QTemporaryDir dir;
        AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
        NewEntry e = test::sampleEntry(1);
        e.detailJson = in;
        QCOMPARE(log.append(e, kAuditNow).detailJson, out);
        QCOMPARE(all(log)[0].detailJson, out);
        // Nothing of the secrets reached the file.
        auto db = test::rawAuditDb(dir);
        for (const auto& r : test::readRows(db))
            for (const char* secret : {"sk-live-123", "hunter2", "Basic abc", ghk.c_str()})
                QVERIFY(r.detail.find(secret) == std::string::npos);
    }

    void listFiltersAndPagesByKey() {
        QTemporaryDir dir;
        AuditLog log(workspaceOf(dir), crypto::generateMasterKey());
        test::fill(log, 70); // entry i at kAuditNow + i * 1000

        QCOMPARE(all(log).size(), std::size_t(70));
        // Pages of 7: 10 pages, newest first, no overlap.
        std::optional<std::int64_t> before;
        std::int64_t expected = 70;
        int pages = 0;
        for (;;) {
            const AuditPage page = log.list({}, before, 7);
            ++pages;
            for (const auto& e : page.entries)
                QCOMPARE(e.seq, expected--);
            if (!page.nextBeforeSeq)
                break;
            before = page.nextBeforeSeq;
        }
        QCOMPARE(pages, 10);
        QCOMPARE(expected, 0);

        AuditFilter byAction;
        byAction.action = "auth.failed"; // i % 7 == 2
        auto found = all(log, byAction, 3);
        QCOMPARE(found.size(), std::size_t(10));
        for (const auto& e : found)
            QCOMPARE(e.action, std::string("auth.failed"));

        AuditFilter prefix;
        prefix.action = "credential."; // rotate (i % 7 == 1) and add (i % 7 == 5)
        found = all(log, prefix);
        QCOMPARE(found.size(), std::size_t(20));
        for (const auto& e : found)
            QVERIFY(e.action.starts_with("credential."));

        AuditFilter notAPrefix;
        notAPrefix.action = "credential"; // exact: no such action
        QCOMPARE(all(log, notAPrefix).size(), std::size_t(0));

        AuditFilter actorAndTarget;
        actorAndTarget.actor = "scheduler";      // i % 3 == 0
        actorAndTarget.target = "credential:openai-0"; // i % 5 == 0
        found = all(log, actorAndTarget);
        QCOMPARE(found.size(), std::size_t(4)); // 15, 30, 45, 60
        QCOMPARE(found[0].seq, 60);

        AuditFilter time;
        time.fromMs = kAuditNow + 10 * 1000; // inclusive
        time.toMs = kAuditNow + 20 * 1000;   // exclusive
        found = all(log, time, 4);
        QCOMPARE(found.size(), std::size_t(10));
        QCOMPARE(found.front().seq, 19);
        QCOMPARE(found.back().seq, 10);

        QCOMPARE(log.list({}, 1, 10).entries.size(), std::size_t(0));
        QCOMPARE(log.list({}, std::nullopt, 0).entries.size(), std::size_t(1)); // clamped to 1
    }

    void unreadableFiles() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        VerifyReport r = verifyAuditFile(workspaceOf(dir), key);
        QVERIFY(!r.ok);
        QCOMPARE(r.problem, std::string("unreadable"));
        QVERIFY2(r.message.find("no audit.db") != std::string::npos, r.message.c_str());

        QFile junk(dir.filePath("audit.db"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(8192, 'x'));
        junk.close();
        r = verifyAuditFile(workspaceOf(dir), key);
        QVERIFY(!r.ok);
        QCOMPARE(r.problem, std::string("unreadable"));
        QVERIFY_THROWS_EXCEPTION(AuditError, (void)AuditLog(workspaceOf(dir), key));
    }

    void anotherMasterKeyIsNamedAsSuch() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        {
            AuditLog log(workspaceOf(dir), key);
            test::fill(log, 10);
        }
        const auto other = crypto::generateMasterKey();
        const VerifyReport r = verifyAuditFile(workspaceOf(dir), other);
        QVERIFY(!r.ok);
        QCOMPARE(r.problem, std::string("key"));
        QVERIFY2(r.message.find("master") != std::string::npos, r.message.c_str());
        // The gateway refuses to append with it (that would break the chain).
        QVERIFY_THROWS_EXCEPTION(AuditError, (void)AuditLog(workspaceOf(dir), other));
        QVERIFY(verifyAuditFile(workspaceOf(dir), key).ok);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_audit_log.moc"
