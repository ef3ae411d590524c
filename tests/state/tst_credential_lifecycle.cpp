#include "crypto/seal.h"
#include "state/state_testing.h"
#include "store/credential_vault.h"
#include "store/database.h"
#include "store/schema.h"

#include <QTest>

#include <stdexcept>

using namespace gh::store;
using gh::test::kStateNow;
using gh::test::workspaceOf;

namespace {

constexpr TimeMs kDay = 86'400'000;

gh::crypto::MasterKey testKey() {
    gh::crypto::MasterKey k;
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = std::uint8_t(i * 7 + 1);
    return k;
}

} // namespace

class TestCredentialLifecycle : public QObject {
    Q_OBJECT
private slots:
    void setRecordsHistoryAndKeepsTheId() {
        QTemporaryDir dir;
        CredentialVault vault(workspaceOf(dir), testKey());
        const auto first = vault.set("azure-eu-key", "sk-first-secret-value-0001", kStateNow, "tok_alice");
        QCOMPARE(first.createdMs, kStateNow);
        QCOMPARE(first.rotatedMs, kStateNow);
        QVERIFY(!first.schedule);
        QVERIFY(!first.revoked());
        const auto second = vault.set("azure-eu-key", "sk-second-secret-value-0002", kStateNow + kDay, "tok_bob");
        QCOMPARE(second.id, std::string("azure-eu-key"));
        QCOMPARE(second.createdMs, kStateNow);
        QCOMPARE(second.rotatedMs, kStateNow + kDay);
        QVERIFY(second.fingerprint != first.fingerprint);
        vault.set("other", "sk-other-value-0003", kStateNow); // the old overload: actor unknown

        const auto history = vault.history("azure-eu-key");
        QCOMPARE(history.size(), std::size_t(2));
        QCOMPARE(history[0], (CredentialRotation{kStateNow + kDay, second.fingerprint, "tok_bob"}));
        QCOMPARE(history[1], (CredentialRotation{kStateNow, first.fingerprint, "tok_alice"}));
        QCOMPARE(vault.history("other").size(), std::size_t(1));
        QCOMPARE(vault.history("other")[0].actor, std::string());
        QVERIFY(vault.history("missing").empty());

        QCOMPARE(*vault.find("azure-eu-key"), second);
        QVERIFY(!vault.find("missing"));
        QCOMPARE(vault.list().size(), std::size_t(2));
        QCOMPARE(vault.secret("azure-eu-key"), std::optional<std::string>("sk-second-secret-value-0002"));
    }

    void schedulesGiveTheState() {
        QTemporaryDir dir;
        CredentialVault vault(workspaceOf(dir), testKey());
        vault.set("anthropic", "sk-ant-secret-0004", kStateNow, "admin");
        QCOMPARE_STATE(vault.find("anthropic")->state(kStateNow + 1000 * kDay), RotationState::Ok);
        const RotationSchedule schedule{90 * kDay, 7 * kDay, 14 * kDay};
        QVERIFY(vault.setSchedule("anthropic", schedule));
        QVERIFY(!vault.setSchedule("missing", schedule));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, vault.setSchedule("anthropic", RotationSchedule{0, 0, 0}));
        const auto info = *vault.find("anthropic");
        QCOMPARE(info.schedule, std::optional(schedule));
        QCOMPARE(info.nextDueMs(), std::optional<TimeMs>(kStateNow + 90 * kDay));
        QCOMPARE_STATE(info.state(kStateNow + 75 * kDay), RotationState::Ok);
        QCOMPARE_STATE(info.state(kStateNow + 76 * kDay), RotationState::DueSoon);
        QCOMPARE_STATE(info.state(kStateNow + 97 * kDay), RotationState::Overdue);

        // The scheduler's memory, cleared by a new secret.
        vault.markNotified("anthropic", RotationState::DueSoon, kStateNow + 76 * kDay);
        QCOMPARE(vault.find("anthropic")->lastNotifiedState, std::string("due_soon"));
        QCOMPARE(vault.find("anthropic")->lastNotifiedMs, kStateNow + 76 * kDay);
        {
            CredentialVault restarted(workspaceOf(dir), testKey());
            QCOMPARE(restarted.find("anthropic")->lastNotifiedState, std::string("due_soon"));
        }
        const auto rotated = vault.set("anthropic", "sk-ant-secret-0005", kStateNow + 80 * kDay, "admin");
        QCOMPARE(rotated.lastNotifiedState, std::string());
        QCOMPARE(rotated.lastNotifiedMs, TimeMs(0));
        QCOMPARE(rotated.schedule, std::optional(schedule)); // the schedule stays
        QCOMPARE_STATE(rotated.state(kStateNow + 81 * kDay), RotationState::Ok);
        QVERIFY(vault.setSchedule("anthropic", std::nullopt));
        QVERIFY(!vault.find("anthropic")->schedule);
    }

    void revokeDestroysTheSecretUntilSetAgain() {
        QTemporaryDir dir;
        CredentialVault vault(workspaceOf(dir), testKey());
        vault.set("openai", "sk-openai-secret-0006", kStateNow, "admin");
        QVERIFY(vault.secret("openai")); // opened and kept in memory
        QVERIFY(vault.revoke("openai", kStateNow + 10));
        QVERIFY(!vault.secret("openai"));
        QVERIFY(vault.revoke("openai", kStateNow + 20)); // keeps the first time
        const auto info = *vault.find("openai");
        QCOMPARE(info.revokedMs, std::optional<TimeMs>(kStateNow + 10));
        QCOMPARE_STATE(info.state(kStateNow + 30), RotationState::Revoked);
        QVERIFY(!vault.revoke("missing", kStateNow));
        {
            CredentialVault other(workspaceOf(dir), testKey());
            QVERIFY(!other.secret("openai"));
        }
        // The sealed blob is gone from the row, not just hidden.
        {
            auto db = openStateDb(workspaceOf(dir));
            auto st = db.prepare("SELECT length(sealed) FROM credentials WHERE id = 'openai'");
            QVERIFY(st.step());
            QCOMPARE(st.int64(0), std::int64_t(0));
        }

        const auto again = vault.set("openai", "sk-openai-secret-0007", kStateNow + 100, "admin");
        QVERIFY(!again.revoked());
        QCOMPARE(vault.secret("openai"), std::optional<std::string>("sk-openai-secret-0007"));
        QCOMPARE(vault.history("openai").size(), std::size_t(2));
    }

    void noPlaintextSecretInTheDatabaseFiles() {
        QTemporaryDir dir;
        const std::vector<std::string> secrets = {"sk-live-PLAINTEXT-aaaa-1111", "sk-live-PLAINTEXT-bbbb-2222",
                                                  "sk-live-PLAINTEXT-cccc-3333"};
        {
            CredentialVault vault(workspaceOf(dir), testKey());
            vault.set("endpoint-credential-a", secrets[0], kStateNow, "tok_alice");
            vault.set("endpoint-credential-a", secrets[1], kStateNow + 1, "tok_alice");
            vault.set("endpoint-credential-b", secrets[2], kStateNow, "tok_alice");
            vault.setSchedule("endpoint-credential-a", RotationSchedule{kDay, 0, 0});
            vault.revoke("endpoint-credential-b", kStateNow + 2);
            QCOMPARE(vault.secret("endpoint-credential-a"), std::optional(secrets[1]));
            QVERIFY(!vault.secret("endpoint-credential-b"));
            const QByteArray open = gh::test::workspaceBytes(dir);
            QVERIFY(gh::test::containsBytes(open, std::string("endpoint-credential-a"))); // the scan sees data
            QVERIFY(gh::test::containsBytes(open, std::string("tok_alice")));
            for (const auto& s : secrets)
                QVERIFY(!gh::test::containsBytes(open, s));
            QVERIFY(!open.contains("PLAINTEXT"));
        }
        const QByteArray closed = gh::test::workspaceBytes(dir);
        QVERIFY(!closed.contains("PLAINTEXT"));
    }

    void historyIsBackfilledForCredentialsSetBeforeIt() {
        QTemporaryDir dir;
        const auto path = workspaceOf(dir) / kStateDbFile;
        {
            // A workspace at schema version 2 (before credential history), with one credential.
            auto db = Database::open(path);
            migrate(db, stateMigrations().first(2));
            const auto sealed = gh::crypto::seal(testKey(), "sk-old-0008", "gatehouse credential:legacy");
            auto st = db.prepare("INSERT INTO credentials (id, sealed, fingerprint, created_ms, rotated_ms) "
                                 "VALUES ('legacy', ?1, 'sha256:feed', 5, 6)");
            st.bind(1, std::span<const std::uint8_t>(sealed));
            st.run();
        }
        CredentialVault vault(workspaceOf(dir), testKey());
        QCOMPARE(vault.history("legacy"), (std::vector<CredentialRotation>{{6, "sha256:feed", "unrecorded"}}));
        QCOMPARE(vault.secret("legacy"), std::optional<std::string>("sk-old-0008"));
        const auto info = *vault.find("legacy");
        QCOMPARE(info.lastNotifiedState, std::string());
        QVERIFY(!info.schedule);
        QVERIFY(!info.revoked());
    }
};

QTEST_GUILESS_MAIN(TestCredentialLifecycle)
#include "tst_credential_lifecycle.moc"
