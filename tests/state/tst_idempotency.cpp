#include "state/state_testing.h"
#include "store/database.h"
#include "store/idempotency.h"
#include "store/schema.h"

#include <QTest>

using namespace gh::store;
using gh::test::kStateNow;
using gh::test::workspaceOf;

namespace {

constexpr TimeMs kHour = 3'600'000;

gh::crypto::MasterKey testKey(std::uint8_t fill) {
    gh::crypto::MasterKey k;
    k.fill(fill);
    return k;
}

IdempotentResult rotationResult(const std::string& secret) {
    return {"sha256-of-request-0001", "{\"id\":\"key_0123456789abcdef\",\"secret\":\"" + secret + "\"}", 201};
}

} // namespace

class TestIdempotency : public QObject {
    Q_OBJECT
private slots:
    void remembersAndFinds() {
        QTemporaryDir dir;
        IdempotencyStore store(workspaceOf(dir), testKey(1));
        QVERIFY(!store.find("keys.rotate", "idem-1", kStateNow));
        const auto result = rotationResult("ghk_SECRETSECRETSECRET");
        store.remember("keys.rotate", "idem-1", result, kStateNow);
        QCOMPARE(store.find("keys.rotate", "idem-1", kStateNow + 1), std::optional(result));
        QVERIFY(!store.find("keys.rotate", "idem-2", kStateNow + 1));
        QVERIFY(!store.find("credentials.rotate", "idem-1", kStateNow + 1)); // scopes are separate

        // The first result stays: a racing second remember does not replace it.
        store.remember("keys.rotate", "idem-1", rotationResult("ghk_OTHER"), kStateNow + 2);
        QCOMPARE(store.find("keys.rotate", "idem-1", kStateNow + 3), std::optional(result));

        // A restart, and another master key.
        IdempotencyStore restarted(workspaceOf(dir), testKey(1));
        QCOMPARE(restarted.find("keys.rotate", "idem-1", kStateNow + 4), std::optional(result));
        IdempotencyStore wrongKey(workspaceOf(dir), testKey(2));
        QVERIFY(!wrongKey.find("keys.rotate", "idem-1", kStateNow + 4));
    }

    void expiresAfterADay() {
        QTemporaryDir dir;
        IdempotencyStore store(workspaceOf(dir), testKey(1));
        const auto result = rotationResult("ghk_X");
        store.remember("keys.rotate", "k", result, kStateNow);
        QVERIFY(store.find("keys.rotate", "k", kStateNow + 24 * kHour - 1));
        QVERIFY(!store.find("keys.rotate", "k", kStateNow + 24 * kHour));
        // Once expired, the key may be used again.
        const auto later = rotationResult("ghk_Y");
        store.remember("keys.rotate", "k", later, kStateNow + 25 * kHour);
        QCOMPARE(store.find("keys.rotate", "k", kStateNow + 25 * kHour), std::optional(later));

        store.remember("keys.rotate", "old", result, kStateNow);
        store.prune(kStateNow + 24 * kHour);
        auto db = openStateDb(workspaceOf(dir));
        auto st = db.prepare("SELECT key FROM idempotency_results ORDER BY key");
        QVERIFY(st.step());
        QCOMPARE(st.text(0), std::string("k"));
        QVERIFY(!st.step());
    }

    void aBlobMovedToAnotherKeyDoesNotOpen() {
        QTemporaryDir dir;
        IdempotencyStore store(workspaceOf(dir), testKey(1));
        store.remember("a:b", "c", rotationResult("ghk_Z"), kStateNow);
        {
            auto db = openStateDb(workspaceOf(dir));
            db.exec("INSERT INTO idempotency_results (scope, key, created_ms, sealed) "
                    "SELECT 'a', 'b:c', created_ms, sealed FROM idempotency_results");
            db.exec("INSERT INTO idempotency_results (scope, key, created_ms, sealed) "
                    "SELECT 'a:b', 'other', created_ms, sealed FROM idempotency_results WHERE key = 'c'");
        }
        QVERIFY(store.find("a:b", "c", kStateNow));
        QVERIFY(!store.find("a", "b:c", kStateNow));
        QVERIFY(!store.find("a:b", "other", kStateNow));
    }

    void noPlaintextInTheDatabaseFiles() {
        QTemporaryDir dir;
        const std::string secret = "ghk_PLAINTEXTrotationSECRETvalue0123456789abc";
        {
            IdempotencyStore store(workspaceOf(dir), testKey(1));
            store.remember("keys.rotate", "idem-visible-key", rotationResult(secret), kStateNow);
            QVERIFY(store.find("keys.rotate", "idem-visible-key", kStateNow));
            const QByteArray open = gh::test::workspaceBytes(dir);
            QVERIFY(open.contains("idem-visible-key")); // the scan does see the stored rows
            QVERIFY(!open.contains("PLAINTEXT"));
            QVERIFY(!open.contains("sha256-of-request-0001"));
            QVERIFY(!open.contains("key_0123456789abcdef"));
            store.prune(kStateNow + 48 * kHour);
        }
        const QByteArray closed = gh::test::workspaceBytes(dir);
        QVERIFY(!closed.contains("PLAINTEXT"));
    }
};

QTEST_GUILESS_MAIN(TestIdempotency)
#include "tst_idempotency.moc"
