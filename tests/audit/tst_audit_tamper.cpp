// Tampering with audit.db as an attacker who can write the file (raw SQL) and knows the hashing
// scheme, but not the master key: verify names the first entry affected and what was done.
#include "audit/audit_log.h"
#include "audit_testing.h"

#include <QTemporaryDir>
#include <QTest>

using namespace gh;
using namespace gh::audit;
using gh::test::kAuditNow;
using gh::test::workspaceOf;

namespace {

constexpr int kEntries = 100;

// A workspace with a log of kEntries entries, closed, ready to be tampered with.
struct Workspace {
    QTemporaryDir dir;
    crypto::MasterKey key = crypto::generateMasterKey();

    explicit Workspace(int entries = kEntries) {
        AuditLog log(workspaceOf(dir), key);
        test::fill(log, entries);
    }
    store::Database raw() const { return test::rawAuditDb(dir); }
    VerifyReport verify() const { return verifyAuditFile(workspaceOf(dir), key); }
};

std::string describe(const VerifyReport& r) {
    return (r.ok ? std::string("ok") : "problem=" + r.problem) +
           " firstBadSeq=" + (r.firstBadSeq ? std::to_string(*r.firstBadSeq) : "-") + " entries=" +
           std::to_string(r.entries) + ": " + r.message;
}

#define EXPECT_PROBLEM(report, problemName, seq)                                                                       \
    do {                                                                                                               \
        const VerifyReport r_ = (report);                                                                              \
        qInfo("%s", describe(r_).c_str());                                                                             \
        QVERIFY2(!r_.ok && r_.problem == (problemName) && r_.firstBadSeq == std::optional<std::int64_t>(seq),          \
                 describe(r_).c_str());                                                                                \
        QVERIFY2(!r_.message.empty(), "a failure carries a message");                                                  \
    } while (false)

void swapContent(test::RawRow& a, test::RawRow& b, bool withHashes) {
    std::swap(a.timeMs, b.timeMs);
    std::swap(a.actor, b.actor);
    std::swap(a.role, b.role);
    std::swap(a.action, b.action);
    std::swap(a.target, b.target);
    std::swap(a.outcome, b.outcome);
    std::swap(a.detail, b.detail);
    std::swap(a.source, b.source);
    if (withHashes) {
        std::swap(a.prev, b.prev);
        std::swap(a.hash, b.hash);
        std::swap(a.seal, b.seal);
    }
}

// Moves rows with seq >= from by `delta` (negating first, so the primary key never collides).
void renumber(store::Database& db, std::int64_t from, std::int64_t delta) {
    auto neg = db.prepare("UPDATE audit_entries SET seq = -seq WHERE seq >= ?1");
    neg.bind(1, from);
    neg.run();
    auto back = db.prepare("UPDATE audit_entries SET seq = -seq + ?1 WHERE seq < 0");
    back.bind(1, delta);
    back.run();
}

test::RawRow forgedRow(const std::vector<std::uint8_t>& prev, std::int64_t seq) {
    test::RawRow r;
    r.seq = seq;
    r.timeMs = kAuditNow + seq * 1000;
    r.actor = "tok_ab12 (alice)";
    r.role = "admin";
    r.action = "credential.revoke";
    r.target = "credential:openai-1";
    r.outcome = "ok";
    r.detail = "{}";
    r.prev = prev;
    r.hash = test::attackerHash(prev, r);
    r.seal = crypto::randomBytes(32); // the attacker cannot compute the seal
    return r;
}

} // namespace

class TestAuditTamper : public QObject {
    Q_OBJECT
private slots:
    void untouchedLogIsIntact() {
        Workspace ws;
        const VerifyReport r = ws.verify();
        QVERIFY2(r.ok, describe(r).c_str());
        QCOMPARE(r.entries, kEntries);
        QCOMPARE(r.checkpoints, kEntries + 1);
    }

    // ---- altered -----------------------------------------------------------------------------

    void editedField() {
        Workspace ws;
        ws.raw().exec("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 37");
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "altered", 37);
        QCOMPARE(r.entries, 36);
        QVERIFY2(r.message.find("no longer matches its hash") != std::string::npos, r.message.c_str());
    }

    void editedTime() {
        Workspace ws;
        ws.raw().exec("UPDATE audit_entries SET time_ms = time_ms - 3600000 WHERE seq = 64");
        EXPECT_PROBLEM(ws.verify(), "altered", 64);
    }

    void editedFieldWithEveryFollowingHashRecomputed() {
        Workspace ws;
        {
            auto db = ws.raw();
            db.exec("UPDATE audit_entries SET outcome = 'refused', detail = '{}' WHERE seq = 37");
            test::recomputeHashesFrom(db, 37);
        }
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "altered", 37);
        QVERIFY2(r.message.find("hash recomputed") != std::string::npos, r.message.c_str());
    }

    void firstEntryRewrittenAndWholeChainRecomputed() {
        Workspace ws;
        {
            auto db = ws.raw();
            db.exec("UPDATE audit_entries SET target = 'policy' WHERE seq = 1");
            test::recomputeHashesFrom(db, 1);
        }
        EXPECT_PROBLEM(ws.verify(), "altered", 1); // not mistaken for a wrong master key
    }

    void resealedWithAnotherEntrysSeal() {
        Workspace ws;
        ws.raw().exec("UPDATE audit_entries SET seal = (SELECT seal FROM audit_entries WHERE seq = 3) WHERE seq = 80");
        EXPECT_PROBLEM(ws.verify(), "altered", 80);
    }

    // ---- removed -----------------------------------------------------------------------------

    void deletedMiddleRow() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq = 50");
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "removed", 50);
        QCOMPARE(r.entries, 49);
    }

    void deletedSeveralMiddleRows() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq BETWEEN 50 AND 52");
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "removed", 50);
        QVERIFY2(r.message.find("50 to 52") != std::string::npos, r.message.c_str());
    }

    void deletedRowAndRenumberedTheRest() {
        Workspace ws;
        {
            auto db = ws.raw();
            db.exec("DELETE FROM audit_entries WHERE seq = 50");
            renumber(db, 51, -1);
        }
        EXPECT_PROBLEM(ws.verify(), "removed", 50);
    }

    void deletedRowRenumberedAndRecomputed() {
        Workspace ws;
        {
            auto db = ws.raw();
            db.exec("DELETE FROM audit_entries WHERE seq = 50");
            renumber(db, 51, -1);
            test::recomputeHashesFrom(db, 50);
        }
        const VerifyReport r = ws.verify();
        // Recomputing wipes out what the row was; the first affected seq is still named.
        QVERIFY2(!r.ok && r.firstBadSeq == std::optional<std::int64_t>(50), describe(r).c_str());
    }

    // ---- truncated ---------------------------------------------------------------------------

    void deletedLastRows() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq > 95");
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "truncated", 96);
        QCOMPARE(r.entries, 95);
        QVERIFY2(r.message.find("96 to 100") != std::string::npos, r.message.c_str());
    }

    void deletedEveryRow() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries");
        EXPECT_PROBLEM(ws.verify(), "truncated", 1);
    }

    void appendRefusesToHideATruncation() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq > 95");
        {
            AuditLog log(workspaceOf(ws.dir), ws.key);
            QVERIFY_THROWS_EXCEPTION(AuditError, log.append(test::sampleEntry(1), kAuditNow));
        }
        EXPECT_PROBLEM(ws.verify(), "truncated", 96); // the evidence is still there
    }

    // ---- inserted ----------------------------------------------------------------------------

    void forgedRowAfterTheLast() {
        Workspace ws;
        {
            auto db = ws.raw();
            const auto rows = test::readRows(db);
            test::writeRow(db, forgedRow(rows.back().hash, kEntries + 1));
        }
        EXPECT_PROBLEM(ws.verify(), "inserted", kEntries + 1);
    }

    void forgedRowInTheMiddle() {
        Workspace ws;
        {
            auto db = ws.raw();
            const auto rows = test::readRows(db);
            renumber(db, 40, +1);
            test::writeRow(db, forgedRow(rows[38].hash, 40)); // follows entry 39
        }
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "inserted", 40);
        QCOMPARE(r.entries, 39);
    }

    void duplicatedRow() {
        Workspace ws;
        {
            auto db = ws.raw();
            auto rows = test::readRows(db);
            test::RawRow copy = rows[9]; // entry 10, seal and all
            copy.seq = kEntries + 1;
            test::writeRow(db, copy);
        }
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "inserted", kEntries + 1);
        QVERIFY2(r.message.find("copy of entry 10") != std::string::npos, r.message.c_str());
    }

    // ---- reordered ---------------------------------------------------------------------------

    void swappedRows() {
        Workspace ws;
        {
            auto db = ws.raw();
            auto rows = test::readRows(db);
            swapContent(rows[19], rows[59], true); // seqs 20 and 60 trade places
            test::writeRow(db, rows[19]);
            test::writeRow(db, rows[59]);
        }
        const VerifyReport r = ws.verify();
        EXPECT_PROBLEM(r, "reordered", 20);
        QVERIFY2(r.message.find("seq 20 holds entry 60") != std::string::npos, r.message.c_str());
    }

    void swappedSeqsOfNeighbours() {
        Workspace ws;
        {
            auto db = ws.raw();
            db.exec("UPDATE audit_entries SET seq = -1 WHERE seq = 20");
            db.exec("UPDATE audit_entries SET seq = 20 WHERE seq = 21");
            db.exec("UPDATE audit_entries SET seq = 21 WHERE seq = -1");
        }
        EXPECT_PROBLEM(ws.verify(), "reordered", 20);
    }

    void swappedContentsOnly() {
        Workspace ws;
        {
            auto db = ws.raw();
            auto rows = test::readRows(db);
            swapContent(rows[19], rows[59], false); // the fields trade places, the hashes stay
            test::writeRow(db, rows[19]);
            test::writeRow(db, rows[59]);
        }
        EXPECT_PROBLEM(ws.verify(), "reordered", 20);
    }

    // ---- checkpoints -------------------------------------------------------------------------

    void forgedHeadCheckpoint() {
        Workspace ws;
        ws.raw().exec("UPDATE audit_head SET mac = randomblob(32)");
        const VerifyReport r = ws.verify();
        QVERIFY2(!r.ok && r.problem == "checkpoint", describe(r).c_str());
        QCOMPARE(r.entries, kEntries);
    }

    void truncatedWithAHeadPointingAtTheNewEnd() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq > 95; UPDATE audit_head SET seq = 95, hash = (SELECT "
                      "hash FROM audit_entries WHERE seq = 95)");
        const VerifyReport r = ws.verify();
        QVERIFY2(!r.ok && r.problem == "checkpoint", describe(r).c_str());
    }

    void deletedHeadCheckpoint() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_head");
        const VerifyReport r = ws.verify();
        QVERIFY2(!r.ok && r.problem == "checkpoint", describe(r).c_str());
    }

    void olderHeadCheckpointPutBack() {
        Workspace ws(50);
        std::int64_t seq = 0, time = 0;
        std::vector<std::uint8_t> hash, mac;
        {
            auto db = ws.raw();
            auto st = db.prepare("SELECT seq, hash, time_ms, mac FROM audit_head");
            QVERIFY(st.step());
            seq = st.int64(0), hash = st.blob(1), time = st.int64(2), mac = st.blob(3);
        }
        {
            AuditLog log(workspaceOf(ws.dir), ws.key);
            test::fill(log, 10, 51);
        }
        {
            auto db = ws.raw();
            auto st = db.prepare("UPDATE audit_head SET seq = ?1, hash = ?2, time_ms = ?3, mac = ?4");
            st.bindAll(seq, std::span<const std::uint8_t>(hash), time, std::span<const std::uint8_t>(mac));
            st.run();
        }
        const VerifyReport r = ws.verify();
        QVERIFY2(!r.ok && r.problem == "checkpoint", describe(r).c_str());

        // The documented limit: with the old head back AND the newer entries deleted, the file is
        // exactly an older copy of itself, which nothing inside it can tell apart.
        ws.raw().exec("DELETE FROM audit_entries WHERE seq > 50");
        const VerifyReport rolledBack = ws.verify();
        QVERIFY2(rolledBack.ok, describe(rolledBack).c_str());
        QCOMPARE(rolledBack.headSeq, 50); // what an anchor kept elsewhere would be compared with
    }

    void alteredKeyCheck() {
        Workspace ws;
        ws.raw().exec("UPDATE audit_meta SET value = randomblob(32) WHERE name = 'key_check'");
        const VerifyReport r = ws.verify();
        QVERIFY2(!r.ok && r.problem == "checkpoint", describe(r).c_str());
    }

    // With several kinds of damage, the lowest seq is the one named.
    void firstOfSeveralProblemsIsNamed() {
        Workspace ws;
        ws.raw().exec("DELETE FROM audit_entries WHERE seq = 70; UPDATE audit_entries SET role = 'x' WHERE seq = 30; "
                      "DELETE FROM audit_entries WHERE seq > 90");
        EXPECT_PROBLEM(ws.verify(), "altered", 30);
    }
};

QTEST_GUILESS_MAIN(TestAuditTamper)
#include "tst_audit_tamper.moc"
