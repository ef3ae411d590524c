#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "store/key_store.h"
#include "store/schema.h"
#include "support/testdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <limits>
#include <set>
#include <thread>

using namespace gh::store;

namespace {

constexpr TimeMs kNow = 1'767'225'600'000;

std::filesystem::path workspaceOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

KeyRequest request(const char* identity, const char* team) {
    KeyRequest r;
    r.identity = identity;
    r.team = team;
    return r;
}

// The raw bytes of every file of the workspace (state.db and its -wal and -shm).
QByteArray allBytes(const QTemporaryDir& dir) {
    QByteArray all;
    for (const QString& name : QDir(dir.path()).entryList(QDir::Files)) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

} // namespace

class TestKeyStore : public QObject {
    Q_OBJECT
private slots:
    void issuesKeysThatAuthenticate() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        KeyRequest req = request("alice@example.com", "payments");
        req.repositories = {"acme/payments-*", "acme/ledger"};
        req.expiresMs = kNow + 86'400'000;
        const IssuedKey issued = keys.issue(req, kNow);

        QVERIFY(issued.secret.starts_with("ghk_"));
        QCOMPARE(issued.secret.size(), std::size_t(4 + 43));
        QCOMPARE(gh::crypto::fromBase64url(issued.secret.substr(4)).value().size(), std::size_t(32));
        QVERIFY(issued.info.id.starts_with("key_"));
        QCOMPARE(issued.info.id.size(), std::size_t(4 + 16));
        QCOMPARE(issued.info.displayPrefix, issued.secret.substr(4, 8));

        const Authentication auth = keys.authenticate(issued.secret, kNow);
        QVERIFY(auth.ok());
        QVERIFY(auth.key);
        QCOMPARE(*auth.key, issued.info);
        QCOMPARE(auth.key->identity, std::string("alice@example.com"));
        QCOMPARE(auth.key->team, std::string("payments"));
        QCOMPARE(auth.key->repositories, (std::vector<std::string>{"acme/payments-*", "acme/ledger"}));
        QVERIFY(keys.authenticate(issued.secret, kNow).ok()); // from the cache this time

        // A second store on the same workspace (a restart) reads it from the database.
        KeyStore restarted(workspaceOf(dir));
        const Authentication again = restarted.authenticate(issued.secret, kNow);
        QVERIFY(again.ok());
        QCOMPARE(*again.key, issued.info);
    }

    void refusesUnknownAndMalformedSecrets() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey issued = keys.issue(request("bob", "web"), kNow);
        std::string other = issued.secret;
        other.back() = other.back() == 'A' ? 'B' : 'A';
        QCOMPARE(keys.authenticate(other, kNow).failure, std::optional(AuthFailure::Unknown));
        QVERIFY(!keys.authenticate(other, kNow).key);
        for (const std::string& bad : {std::string(), std::string("ghk_"), issued.secret.substr(4),
                                      "ghx_" + issued.secret.substr(4), issued.secret + "A",
                                      issued.secret.substr(0, 46) + "="})
            QCOMPARE(keys.authenticate(bad, kNow).failure, std::optional(AuthFailure::Malformed));
        QCOMPARE(std::string(toString(AuthFailure::Unknown)), std::string("unknown"));
    }

    void revokedKeysAreRefusedAtOnceAndAfterRestart() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey a = keys.issue(request("carol", "data"), kNow);
        const IssuedKey b = keys.issue(request("dave", "data"), kNow);
        QVERIFY(keys.authenticate(a.secret, kNow).ok()); // now cached
        QVERIFY(keys.revoke(a.info.id, kNow + 5));
        const Authentication refused = keys.authenticate(a.secret, kNow + 10);
        QCOMPARE(refused.failure, std::optional(AuthFailure::Revoked));
        QCOMPARE(refused.key->id, a.info.id);
        QCOMPARE(refused.key->revokedMs, std::optional<TimeMs>(kNow + 5));
        QVERIFY(keys.authenticate(b.secret, kNow).ok());
        QVERIFY(keys.revoke(a.info.id, kNow + 99)); // again: keeps the first time
        QCOMPARE(keys.find(a.info.id)->revokedMs, std::optional<TimeMs>(kNow + 5));
        QVERIFY(!keys.revoke("key_0000000000000000", kNow));

        KeyStore restarted(workspaceOf(dir));
        QCOMPARE(restarted.authenticate(a.secret, kNow).failure, std::optional(AuthFailure::Revoked));
        QVERIFY(restarted.authenticate(b.secret, kNow).ok());
    }

    void expiredKeysAreRefused() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        KeyRequest req = request("erin", "web");
        req.expiresMs = kNow + 1000;
        const IssuedKey issued = keys.issue(req, kNow);
        QVERIFY(keys.authenticate(issued.secret, kNow + 999).ok());
        QCOMPARE(keys.authenticate(issued.secret, kNow + 1000).failure, std::optional(AuthFailure::Expired));
        QCOMPARE(keys.authenticate(issued.secret, kNow + 10'000'000).failure, std::optional(AuthFailure::Expired));
        const IssuedKey neverExpires = keys.issue(request("erin", "web"), kNow);
        QVERIFY(keys.authenticate(neverExpires.secret, std::numeric_limits<TimeMs>::max()).ok());
    }

    void listsKeysByKeysetPages() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        std::set<std::string> ids;
        for (int i = 0; i < 25; ++i)
            ids.insert(keys.issue(request("svc", "ci"), kNow).info.id);
        std::vector<std::string> listed;
        std::string after;
        for (;;) {
            const auto page = keys.list(after, 10);
            for (const auto& k : page)
                listed.push_back(k.id);
            if (page.size() < 10)
                break;
            after = page.back().id;
        }
        QCOMPARE(listed, std::vector<std::string>(ids.begin(), ids.end()));
        QVERIFY(!keys.find("key_missing"));
    }

    void noSecretReachesTheDatabaseFiles() {
        QTemporaryDir dir;
        std::vector<IssuedKey> issued;
        {
            KeyStore keys(workspaceOf(dir));
            for (int i = 0; i < 20; ++i)
                issued.push_back(keys.issue(request("frank@example.com", "payments"), kNow));
            keys.revoke(issued[0].info.id, kNow);
            for (const auto& k : issued)
                keys.authenticate(k.secret, kNow);

            // While open: the data is (at least partly) in state.db-wal.
            const QByteArray open = allBytes(dir);
            QVERIFY(open.contains("frank@example.com")); // the search does see the stored data
            for (const auto& k : issued) {
                const auto digest = gh::crypto::sha256(k.secret);
                QVERIFY(open.contains(QByteArray(reinterpret_cast<const char*>(digest.data()), int(digest.size()))));
                QVERIFY(!open.contains(QByteArray::fromStdString(k.secret)));
                QVERIFY(!open.contains(QByteArray::fromStdString(k.secret.substr(4))));
                const auto raw = gh::crypto::fromBase64url(k.secret.substr(4)).value();
                QVERIFY(!open.contains(QByteArray(reinterpret_cast<const char*>(raw.data()), int(raw.size()))));
            }
        }
        // Closed: everything checkpointed into state.db.
        const QByteArray closed = allBytes(dir);
        QVERIFY(closed.contains("frank@example.com"));
        for (const auto& k : issued) {
            QVERIFY(!closed.contains(QByteArray::fromStdString(k.secret.substr(4))));
            const auto raw = gh::crypto::fromBase64url(k.secret.substr(4)).value();
            QVERIFY(!closed.contains(QByteArray(reinterpret_cast<const char*>(raw.data()), int(raw.size()))));
        }
    }

    void authenticatesFromManyThreadsWhileRevoking() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        std::vector<IssuedKey> issued;
        for (int i = 0; i < 8; ++i)
            issued.push_back(keys.issue(request("svc", "ci"), kNow));
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 20'000; ++i) {
                    const auto& k = issued[std::size_t((i + t) % 4)]; // the first four are never revoked
                    if (!keys.authenticate(k.secret, kNow).ok())
                        wrong.fetch_add(1);
                }
            });
        for (std::size_t i = 4; i < issued.size(); ++i) {
            QVERIFY(keys.authenticate(issued[i].secret, kNow).ok());
            QVERIFY(keys.revoke(issued[i].info.id, kNow));
            QCOMPARE(keys.authenticate(issued[i].secret, kNow).failure, std::optional(AuthFailure::Revoked));
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKeyStore)
#include "tst_key_store.moc"
