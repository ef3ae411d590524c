#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "state/state_testing.h"
#include "store/admin_token_store.h"

#include <QTest>

#include <atomic>
#include <set>
#include <thread>

using namespace gh::store;
using gh::api::Role;
using gh::test::kStateNow;
using gh::test::workspaceOf;

class TestAdminTokens : public QObject {
    Q_OBJECT
private slots:
    void issuesTokensThatAuthenticate() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        const IssuedAdminToken issued = tokens.issue("console laptop", Role::Security, std::nullopt, "tok_bootstrap", kStateNow);
        QVERIFY(issued.secret.starts_with("gha_"));
        QCOMPARE(issued.secret.size(), std::size_t(4 + 43));
        QCOMPARE(gh::crypto::fromBase64url(issued.secret.substr(4)).value().size(), std::size_t(32));
        QVERIFY(issued.info.id.starts_with("tok_"));
        QCOMPARE(issued.info.id.size(), std::size_t(4 + 16));
        QCOMPARE(issued.info.displayPrefix, issued.secret.substr(4, 8));
        QCOMPARE(issued.info.name, std::string("console laptop"));
        QCOMPARE(issued.info.createdBy, std::string("tok_bootstrap"));
        QVERIFY(issued.info.role == Role::Security);

        const AdminAuthentication auth = tokens.authenticate(issued.secret, kStateNow + 5);
        QVERIFY(auth.ok());
        QVERIFY(auth.token);
        QCOMPARE(auth.token->id, issued.info.id);
        QVERIFY(auth.token->role == Role::Security);
        QCOMPARE(auth.token->lastUsedMs, std::optional<TimeMs>(kStateNow + 5));
        QCOMPARE(*tokens.find(issued.info.id), *auth.token);

        // A restart reads it back.
        AdminTokenStore restarted(workspaceOf(dir));
        QVERIFY(restarted.authenticate(issued.secret, kStateNow + 10).ok());
    }

    void lastUsedIsWrittenAtMostOnceAMinute() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        const auto issued = tokens.issue("ci", Role::Viewer, std::nullopt, "admin", kStateNow);
        QVERIFY(!issued.info.lastUsedMs);
        QVERIFY(tokens.authenticate(issued.secret, kStateNow).ok());
        QCOMPARE(tokens.find(issued.info.id)->lastUsedMs, std::optional<TimeMs>(kStateNow));
        QVERIFY(tokens.authenticate(issued.secret, kStateNow + 59'999).ok());
        QCOMPARE(tokens.find(issued.info.id)->lastUsedMs, std::optional<TimeMs>(kStateNow));
        QVERIFY(tokens.authenticate(issued.secret, kStateNow + 60'000).ok());
        QCOMPARE(tokens.find(issued.info.id)->lastUsedMs, std::optional<TimeMs>(kStateNow + 60'000));
    }

    void refusesWrongAndMalformedSecrets() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        const auto issued = tokens.issue("ops", Role::Admin, std::nullopt, "admin", kStateNow);
        std::string wrong = issued.secret;
        wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
        const auto unknown = tokens.authenticate(wrong, kStateNow);
        QCOMPARE(unknown.failure, std::optional(AuthFailure::Unknown));
        QVERIFY(!unknown.token);
        QVERIFY(!unknown.ok());
        for (const std::string& bad : {std::string(), std::string("gha_"), issued.secret.substr(4),
                                      "ghk_" + issued.secret.substr(4), issued.secret + "A",
                                      issued.secret.substr(0, 46) + "=", issued.secret.substr(0, 46) + "+"})
            QCOMPARE(tokens.authenticate(bad, kStateNow).failure, std::optional(AuthFailure::Malformed));
        // Well-formed, but never issued.
        QCOMPARE(tokens.authenticate("gha_" + std::string(43, 'A'), kStateNow).failure, std::optional(AuthFailure::Unknown));
    }

    void revokedTokensAreRefused() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        const auto a = tokens.issue("a", Role::PolicyEditor, std::nullopt, "admin", kStateNow);
        const auto b = tokens.issue("b", Role::PolicyEditor, std::nullopt, "admin", kStateNow);
        QVERIFY(tokens.authenticate(a.secret, kStateNow).ok());
        QVERIFY(tokens.revoke(a.info.id, kStateNow + 5));
        const auto refused = tokens.authenticate(a.secret, kStateNow + 6);
        QCOMPARE(refused.failure, std::optional(AuthFailure::Revoked));
        QCOMPARE(refused.token->id, a.info.id);
        QVERIFY(tokens.revoke(a.info.id, kStateNow + 99)); // again: keeps the first time
        QCOMPARE(tokens.find(a.info.id)->revokedMs, std::optional<TimeMs>(kStateNow + 5));
        QVERIFY(!tokens.revoke("tok_0000000000000000", kStateNow));
        QVERIFY(tokens.authenticate(b.secret, kStateNow).ok());

        // Revoked through another store (another process): refused at once, there is no cache.
        AdminTokenStore other(workspaceOf(dir));
        QVERIFY(other.revoke(b.info.id, kStateNow + 7));
        QCOMPARE(tokens.authenticate(b.secret, kStateNow + 8).failure, std::optional(AuthFailure::Revoked));
    }

    void expiredTokensAreRefused() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        const auto t = tokens.issue("temp", Role::Viewer, kStateNow + 1000, "admin", kStateNow);
        QVERIFY(tokens.authenticate(t.secret, kStateNow + 999).ok());
        const auto expired = tokens.authenticate(t.secret, kStateNow + 1000);
        QCOMPARE(expired.failure, std::optional(AuthFailure::Expired));
        QVERIFY(expired.token->expired(kStateNow + 1000));
        // An expired token's refusal does not count as a use.
        QCOMPARE(tokens.find(t.info.id)->lastUsedMs, std::optional<TimeMs>(kStateNow + 999));
    }

    void listsByKeysetPages() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        std::set<std::string> ids;
        for (int i = 0; i < 7; ++i)
            ids.insert(tokens.issue("t" + std::to_string(i), Role::Viewer, std::nullopt, "admin", kStateNow).info.id);
        std::vector<std::string> listed;
        std::string after;
        for (;;) {
            const auto page = tokens.list(after, 3);
            for (const auto& t : page)
                listed.push_back(t.id);
            if (page.size() < 3)
                break;
            after = page.back().id;
        }
        QCOMPARE(listed, std::vector<std::string>(ids.begin(), ids.end()));
        QVERIFY(!tokens.find("tok_missing"));
    }

    void secretsNeverReachTheDatabaseFiles() {
        QTemporaryDir dir;
        std::vector<IssuedAdminToken> issued;
        {
            AdminTokenStore tokens(workspaceOf(dir));
            for (int i = 0; i < 5; ++i)
                issued.push_back(tokens.issue("named-token-" + std::to_string(i), Role::Admin, std::nullopt, "admin", kStateNow));
            for (const auto& t : issued)
                QVERIFY(tokens.authenticate(t.secret, kStateNow).ok());
            const QByteArray open = gh::test::workspaceBytes(dir);
            QVERIFY(gh::test::containsBytes(open, std::string("named-token-3")));
            for (const auto& t : issued) {
                QVERIFY(gh::test::containsBytes(open, gh::crypto::sha256(t.secret)));
                QVERIFY(!gh::test::containsBytes(open, t.secret.substr(4)));
                QVERIFY(!gh::test::containsBytes(open, gh::crypto::fromBase64url(t.secret.substr(4)).value()));
            }
        }
        const QByteArray closed = gh::test::workspaceBytes(dir);
        for (const auto& t : issued)
            QVERIFY(!gh::test::containsBytes(closed, t.secret.substr(4)));
    }

    void authenticatesFromManyThreads() {
        QTemporaryDir dir;
        AdminTokenStore tokens(workspaceOf(dir));
        std::vector<IssuedAdminToken> issued;
        for (int i = 0; i < 4; ++i)
            issued.push_back(tokens.issue("t", Role::Viewer, std::nullopt, "admin", kStateNow));
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 500; ++i)
                    if (!tokens.authenticate(issued[std::size_t((i + t) % 4)].secret, kStateNow + i * 1000).ok())
                        wrong.fetch_add(1);
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAdminTokens)
#include "tst_admin_tokens.moc"
