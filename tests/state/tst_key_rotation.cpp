#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/seal.h"
#include "state/state_testing.h"
#include "store/key_store.h"
#include "store/schema.h"

#include <QTest>

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace gh::store;
using gh::test::kStateNow;
using gh::test::workspaceOf;

namespace {

constexpr TimeMs kDay = 86'400'000;

KeyRequest request(const char* identity) {
    KeyRequest r;
    r.identity = identity;
    r.team = "payments";
    return r;
}

gh::crypto::MasterKey testKey(std::uint8_t fill) {
    gh::crypto::MasterKey k;
    k.fill(fill);
    return k;
}

} // namespace

class TestKeyRotation : public QObject {
    Q_OBJECT
private slots:
    void rotationKeepsTheIdAndGivesGrace() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey issued = keys.issue(request("alice"), kStateNow);
        QCOMPARE(issued.info.rotatedMs, kStateNow);
        QVERIFY(!issued.info.previousValidUntilMs);
        QVERIFY(keys.authenticate(issued.secret, kStateNow).ok()); // cached before the rotation

        const auto rotated = keys.rotate(issued.info.id, 1000, kStateNow + 100);
        QVERIFY(rotated);
        QCOMPARE(rotated->info.id, issued.info.id);
        QVERIFY(rotated->secret != issued.secret);
        QVERIFY(rotated->secret.starts_with("ghk_"));
        QCOMPARE(rotated->info.displayPrefix, rotated->secret.substr(4, 8));
        QCOMPARE(rotated->info.rotatedMs, kStateNow + 100);
        QCOMPARE(rotated->info.createdMs, kStateNow);
        QCOMPARE(rotated->info.previousValidUntilMs, std::optional<TimeMs>(kStateNow + 1100));
        QCOMPARE(*keys.find(issued.info.id), rotated->info);

        const auto fresh = keys.authenticate(rotated->secret, kStateNow + 200);
        QVERIFY(fresh.ok());
        QVERIFY(!fresh.previousSecret);
        QCOMPARE(fresh.key->id, issued.info.id);

        const auto old = keys.authenticate(issued.secret, kStateNow + 1099);
        QVERIFY(old.ok());
        QVERIFY(old.previousSecret);
        QCOMPARE(old.key->id, issued.info.id);
        const auto after = keys.authenticate(issued.secret, kStateNow + 1100);
        QCOMPARE(after.failure, std::optional(AuthFailure::Rotated));
        QCOMPARE(std::string(toString(AuthFailure::Rotated)), std::string("rotated"));
        QVERIFY(keys.authenticate(rotated->secret, kStateNow + 1100).ok());

        // The same after a restart (nothing cached).
        KeyStore restarted(workspaceOf(dir));
        QVERIFY(restarted.authenticate(issued.secret, kStateNow + 1099).ok());
        QCOMPARE(restarted.authenticate(issued.secret, kStateNow + 1100).failure, std::optional(AuthFailure::Rotated));
        QVERIFY(restarted.authenticate(rotated->secret, kStateNow + 1100).ok());
    }

    void zeroGraceRefusesTheOldSecretAtOnce() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey issued = keys.issue(request("bob"), kStateNow);
        const auto rotated = keys.rotate(issued.info.id, 0, kStateNow);
        QVERIFY(rotated);
        QCOMPARE(keys.authenticate(issued.secret, kStateNow).failure, std::optional(AuthFailure::Rotated));
        QVERIFY(keys.authenticate(rotated->secret, kStateNow).ok());
    }

    void secondRotationCutsTheFirstGrace() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey first = keys.issue(request("carol"), kStateNow);
        QVERIFY(keys.authenticate(first.secret, kStateNow).ok());
        const auto second = keys.rotate(first.info.id, kDay, kStateNow + 10);
        QVERIFY(keys.authenticate(first.secret, kStateNow + 20).ok()); // in grace, and cached so
        const auto third = keys.rotate(first.info.id, kDay, kStateNow + 30);
        QVERIFY(second && third);
        QCOMPARE(third->info.id, first.info.id);
        // Only the immediately previous secret keeps its grace.
        QCOMPARE(keys.authenticate(first.secret, kStateNow + 30).failure, std::optional(AuthFailure::Rotated));
        QVERIFY(keys.authenticate(second->secret, kStateNow + 30).ok());
        QVERIFY(keys.authenticate(second->secret, kStateNow + 30 + kDay - 1).ok());
        QCOMPARE(keys.authenticate(second->secret, kStateNow + 30 + kDay).failure, std::optional(AuthFailure::Rotated));
        QVERIFY(keys.authenticate(third->secret, kStateNow + 30 + kDay).ok());
        QCOMPARE(keys.find(first.info.id)->previousValidUntilMs, std::optional<TimeMs>(kStateNow + 30 + kDay));

        KeyStore restarted(workspaceOf(dir));
        QCOMPARE(restarted.authenticate(first.secret, kStateNow + 31).failure, std::optional(AuthFailure::Rotated));
        QVERIFY(restarted.authenticate(second->secret, kStateNow + 31).ok());
    }

    void revocationKillsBothSecrets() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey issued = keys.issue(request("dave"), kStateNow);
        const auto rotated = keys.rotate(issued.info.id, kDay, kStateNow);
        QVERIFY(keys.authenticate(issued.secret, kStateNow + 1).ok());
        QVERIFY(keys.authenticate(rotated->secret, kStateNow + 1).ok());
        QVERIFY(keys.revoke(issued.info.id, kStateNow + 2));
        QCOMPARE(keys.authenticate(issued.secret, kStateNow + 3).failure, std::optional(AuthFailure::Revoked));
        QCOMPARE(keys.authenticate(rotated->secret, kStateNow + 3).failure, std::optional(AuthFailure::Revoked));
        QVERIFY(!keys.rotate(issued.info.id, kDay, kStateNow + 4)); // revoked keys are not rotated
        QVERIFY(!keys.rotate("key_0000000000000000", kDay, kStateNow));
    }

    void expiryAppliesToThePreviousSecretToo() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        const IssuedKey issued = keys.issue(request("erin"), kStateNow);
        const auto rotated = keys.rotate(issued.info.id, kDay, kStateNow);
        QVERIFY(keys.authenticate(issued.secret, kStateNow).ok());
        QVERIFY(keys.setExpiry(issued.info.id, kStateNow + 100));
        QCOMPARE(keys.authenticate(issued.secret, kStateNow + 100).failure, std::optional(AuthFailure::Expired));
        QCOMPARE(keys.authenticate(rotated->secret, kStateNow + 100).failure, std::optional(AuthFailure::Expired));
        QVERIFY(keys.setExpiry(issued.info.id, std::nullopt));
        QVERIFY(keys.authenticate(rotated->secret, kStateNow + 100).ok());
        QVERIFY(!keys.setExpiry("key_missing", kStateNow));
    }

    void schedulesAreStoredAndValidated() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        KeyRequest req = request("frank");
        req.rotation = RotationSchedule{90 * kDay, 7 * kDay, 14 * kDay};
        const IssuedKey issued = keys.issue(req, kStateNow);
        QCOMPARE(keys.find(issued.info.id)->rotation, req.rotation);
        QCOMPARE(*keys.authenticate(issued.secret, kStateNow).key, issued.info);
        QCOMPARE(issued.info.nextRotationDue(), std::optional<TimeMs>(kStateNow + 90 * kDay));
        QCOMPARE_STATE(issued.info.rotationState(kStateNow + 76 * kDay), RotationState::DueSoon);

        QVERIFY(keys.setSchedule(issued.info.id, RotationSchedule{30 * kDay, 0, 0}));
        // A cached entry sees the change.
        QCOMPARE(keys.authenticate(issued.secret, kStateNow).key->rotation,
                 std::optional(RotationSchedule{30 * kDay, 0, 0}));
        QVERIFY(keys.setSchedule(issued.info.id, std::nullopt));
        QVERIFY(!keys.find(issued.info.id)->rotation);
        QVERIFY(!keys.setSchedule("key_missing", RotationSchedule{kDay, 0, 0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, keys.setSchedule(issued.info.id, RotationSchedule{0, 0, 0}));
        KeyRequest bad = request("g");
        bad.rotation = RotationSchedule{kDay, -1, 0};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, keys.issue(bad, kStateNow));
    }

    void scheduledRotationKeepsTheSecretForOnePickup() {
        QTemporaryDir dir;
        const auto master = testKey(7);
        KeyStore keys(workspaceOf(dir), master);
        KeyRequest req = request("svc-ci");
        req.rotation = RotationSchedule{30 * kDay, kDay, 3 * kDay};
        const IssuedKey scheduled = keys.issue(req, kStateNow);
        const IssuedKey manual = keys.issue(request("svc-manual"), kStateNow);
        KeyRequest revokedReq = request("svc-gone");
        revokedReq.rotation = req.rotation;
        const IssuedKey revoked = keys.issue(revokedReq, kStateNow);
        keys.revoke(revoked.info.id, kStateNow);

        QVERIFY(keys.dueForRotation(kStateNow + 30 * kDay - 1).empty());
        const auto due = keys.dueForRotation(kStateNow + 30 * kDay);
        QCOMPARE(due.size(), std::size_t(1));
        QCOMPARE(due[0].id, scheduled.info.id);

        QVERIFY(!keys.rotateScheduled(scheduled.info.id, kStateNow + 30 * kDay - 1)); // not due yet
        QVERIFY(!keys.rotateScheduled(manual.info.id, kStateNow + 30 * kDay));        // no schedule
        QVERIFY(!keys.rotateScheduled(revoked.info.id, kStateNow + 30 * kDay));
        QVERIFY(!keys.claimPendingSecret(scheduled.info.id));

        const TimeMs at = kStateNow + 30 * kDay;
        const auto rotated = keys.rotateScheduled(scheduled.info.id, at);
        QVERIFY(rotated);
        QCOMPARE(rotated->id, scheduled.info.id);
        QVERIFY(rotated->pendingSecret);
        QCOMPARE(rotated->rotatedMs, at);
        QCOMPARE(rotated->previousValidUntilMs, std::optional<TimeMs>(at + kDay)); // the schedule's grace
        QVERIFY(keys.dueForRotation(at).empty());
        QVERIFY(!keys.rotateScheduled(scheduled.info.id, at)); // done: not due any more

        // The old secret is in grace; the new one is waiting, sealed.
        QVERIFY(keys.authenticate(scheduled.secret, at + kDay - 1).ok());
        QCOMPARE(keys.authenticate(scheduled.secret, at + kDay).failure, std::optional(AuthFailure::Rotated));

        // Another store without the right master key cannot open it (and leaves it there).
        {
            KeyStore wrongKey(workspaceOf(dir), testKey(8));
            QVERIFY(!wrongKey.claimPendingSecret(scheduled.info.id));
            KeyStore noKey(workspaceOf(dir));
            QVERIFY_THROWS_EXCEPTION(std::logic_error, noKey.claimPendingSecret(scheduled.info.id));
            QVERIFY_THROWS_EXCEPTION(std::logic_error, noKey.rotateScheduled(scheduled.info.id, at + 60 * kDay));
        }

        const auto secret = keys.claimPendingSecret(scheduled.info.id);
        QVERIFY(secret);
        QVERIFY(secret->starts_with("ghk_"));
        QCOMPARE(keys.find(scheduled.info.id)->displayPrefix, secret->substr(4, 8));
        QVERIFY(!keys.find(scheduled.info.id)->pendingSecret);
        QVERIFY(!keys.claimPendingSecret(scheduled.info.id)); // once
        const auto auth = keys.authenticate(*secret, at + 1);
        QVERIFY(auth.ok());
        QVERIFY(!auth.key->pendingSecret);

        KeyStore restarted(workspaceOf(dir), master);
        QVERIFY(!restarted.claimPendingSecret(scheduled.info.id));
        QVERIFY(restarted.authenticate(*secret, at + 2).ok());
    }

    void manualRotationDropsAPendingSecret() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir), testKey(1));
        KeyRequest req = request("svc");
        req.rotation = RotationSchedule{kDay, 0, 0};
        const IssuedKey issued = keys.issue(req, kStateNow);
        QVERIFY(keys.rotateScheduled(issued.info.id, kStateNow + kDay));
        QVERIFY(keys.find(issued.info.id)->pendingSecret);
        const auto manual = keys.rotate(issued.info.id, 0, kStateNow + kDay + 1);
        QVERIFY(manual);
        QVERIFY(!manual->info.pendingSecret);
        QVERIFY(!keys.claimPendingSecret(issued.info.id));
        QVERIFY(keys.authenticate(manual->secret, kStateNow + kDay + 2).ok());
        // Revoking drops one too.
        QVERIFY(keys.rotateScheduled(issued.info.id, kStateNow + 3 * kDay));
        QVERIFY(keys.revoke(issued.info.id, kStateNow + 3 * kDay));
        QVERIFY(!keys.claimPendingSecret(issued.info.id));
    }

    void noSecretReachesTheDatabaseFiles() {
        QTemporaryDir dir;
        std::vector<std::string> secrets;
        std::string pending;
        {
            KeyStore keys(workspaceOf(dir), testKey(3));
            KeyRequest req = request("hank@example.com");
            req.rotation = RotationSchedule{kDay, kDay, 0};
            const auto issued = keys.issue(req, kStateNow);
            secrets.push_back(issued.secret);
            secrets.push_back(keys.rotate(issued.info.id, kDay, kStateNow + 1)->secret);
            QVERIFY(keys.rotateScheduled(issued.info.id, kStateNow + 2 * kDay));
            pending = keys.claimPendingSecret(issued.info.id).value();
            secrets.push_back(pending);
            for (const auto& s : secrets)
                keys.authenticate(s, kStateNow + 2 * kDay);
            const QByteArray open = gh::test::workspaceBytes(dir);
            QVERIFY(gh::test::containsBytes(open, std::string("hank@example.com")));
            for (const auto& s : secrets) {
                QVERIFY(!gh::test::containsBytes(open, s.substr(4)));
                QVERIFY(!gh::test::containsBytes(open, gh::crypto::fromBase64url(s.substr(4)).value()));
            }
        }
        const QByteArray closed = gh::test::workspaceBytes(dir);
        for (const auto& s : secrets)
            QVERIFY(!gh::test::containsBytes(closed, s.substr(4)));
    }

    void keysIssuedBeforeRotationExistedCountFromTheirCreation() {
        QTemporaryDir dir;
        const std::string secret = "ghk_" + std::string(43, 'Q');
        {
            // A workspace at schema version 2, with one key (as an older gatehoused wrote it).
            auto db = Database::open(workspaceOf(dir) / kStateDbFile);
            migrate(db, stateMigrations().first(2));
            const auto digest = gh::crypto::sha256(secret);
            auto st = db.prepare("INSERT INTO gateway_keys (id, secret_sha256, display_prefix, identity, team, created_ms) "
                                 "VALUES ('key_00000000000000aa', ?1, 'QQQQQQQQ', 'old', 'web', 1234)");
            st.bind(1, std::span<const std::uint8_t>(digest));
            st.run();
        }
        KeyStore keys(workspaceOf(dir));
        const auto auth = keys.authenticate(secret, kStateNow);
        QVERIFY(auth.ok());
        QCOMPARE(auth.key->rotatedMs, TimeMs(1234));
        QVERIFY(!auth.key->rotation);
        QVERIFY(!auth.key->pendingSecret);
        QVERIFY(!auth.key->previousValidUntilMs);
        const auto rotated = keys.rotate("key_00000000000000aa", 0, kStateNow);
        QVERIFY(rotated);
        QCOMPARE(keys.authenticate(secret, kStateNow).failure, std::optional(AuthFailure::Rotated));
    }

    void authenticatesWhileRotating() {
        QTemporaryDir dir;
        KeyStore keys(workspaceOf(dir));
        std::vector<IssuedKey> stable;
        for (int i = 0; i < 4; ++i)
            stable.push_back(keys.issue(request("svc"), kStateNow));
        const IssuedKey churn = keys.issue(request("churn"), kStateNow);
        std::atomic<bool> done{false};
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; !done.load() || i < 1000; ++i)
                    if (!keys.authenticate(stable[std::size_t((i + t) % 4)].secret, kStateNow).ok())
                        wrong.fetch_add(1);
            });
        std::string current = churn.secret;
        for (int i = 0; i < 50; ++i) {
            const auto r = keys.rotate(churn.info.id, 0, kStateNow + i);
            QVERIFY(r);
            QCOMPARE(keys.authenticate(current, kStateNow + i).failure, std::optional(AuthFailure::Rotated));
            QVERIFY(keys.authenticate(r->secret, kStateNow + i).ok());
            current = r->secret;
        }
        done = true;
        for (auto& th : threads)
            th.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKeyRotation)
#include "tst_key_rotation.moc"
