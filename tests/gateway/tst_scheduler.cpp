// The scheduler's duties, driven with explicit times: credential and gateway-key rotation states
// raise each alert once (audited), scheduled keys rotate themselves with a pickup secret, budget
// alerts from the data path are recorded once per threshold and period, failed data-path
// authentications are summarised.
#include "audit/audit_log.h"
#include "crypto/seal.h"
#include "gateway_events.h"
#include "gateway_state.h"
#include "scheduler.h"
#include "store/alert_log.h"
#include "store/credential_vault.h"
#include "store/idempotency.h"
#include "store/key_store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace gh;
using namespace gh::gateway;

namespace {
constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kT0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z
} // namespace

class TestScheduler : public QObject {
    Q_OBJECT

    struct Fixture {
        QTemporaryDir dir;
        std::filesystem::path ws = dir.path().toStdString();
        crypto::MasterKey key = crypto::generateMasterKey();
        store::KeyStore keys{ws, key};
        store::CredentialVault vault{ws, key};
        store::AlertLog alerts{ws};
        store::IdempotencyStore idempotency{ws, key};
        audit::AuditLog audit{ws, key};
        GatewayState state;
        GatewayEvents events;
        Scheduler scheduler{SchedulerServices{state, events, keys, vault, alerts, idempotency, audit, nullptr},
                            std::chrono::seconds(60)};

        std::vector<store::AlertRecord> alertsOf(std::string_view kind) { return alerts.list(std::nullopt, 100, kind); }
        int auditCount(const std::string& action) {
            audit::AuditFilter f;
            f.action = action;
            return int(audit.list(f, std::nullopt, 1000).entries.size());
        }
    };

private slots:
    void credentialDueSoonThenOverdueOnceEach() {
        Fixture f;
        f.vault.set("openai", "sk-test-secret", kT0, "alice");
        f.vault.setSchedule("openai", store::RotationSchedule{90 * kDay, 7 * kDay, 14 * kDay});

        f.scheduler.tick(kT0 + 10 * kDay); // ok
        QVERIFY(f.alertsOf("credential.").empty());

        f.scheduler.tick(kT0 + 80 * kDay); // within the reminder lead: due soon
        f.scheduler.tick(kT0 + 81 * kDay); // again: nothing new
        QCOMPARE(f.alertsOf("credential.due_soon").size(), std::size_t(1));
        QCOMPARE(f.auditCount("rotation.due_soon"), 1);
        QCOMPARE(f.vault.find("openai")->lastNotifiedState, std::string("due_soon"));

        f.scheduler.tick(kT0 + 98 * kDay); // past due + grace: overdue
        f.scheduler.tick(kT0 + 98 * kDay + 3'600'000);
        QCOMPARE(f.alertsOf("credential.overdue").size(), std::size_t(1));
        f.scheduler.tick(kT0 + 99 * kDay + 3'600'000); // a day later: a reminder
        QCOMPARE(f.alertsOf("credential.overdue").size(), std::size_t(2));
        QCOMPARE(f.auditCount("rotation.overdue"), 2);

        // A person rotates it: a new cycle; nothing fires until it is due again.
        f.vault.set("openai", "sk-test-secret-2", kT0 + 100 * kDay, "bob");
        f.scheduler.tick(kT0 + 101 * kDay);
        QCOMPARE(f.alertsOf("credential.").size(), std::size_t(3));
        // No alert or audit entry carries the secret.
        for (const auto& a : f.alertsOf(""))
            QVERIFY(a.detailJson.find("sk-test-secret") == std::string::npos);
        QVERIFY(f.audit.verify().ok);
    }

    void revokedAndUnscheduledCredentialsStayQuiet() {
        Fixture f;
        f.vault.set("plain", "s1", kT0);
        f.vault.set("gone", "s2", kT0);
        f.vault.setSchedule("gone", store::RotationSchedule{10 * kDay, 0, 5 * kDay});
        f.vault.revoke("gone", kT0 + kDay);
        f.scheduler.tick(kT0 + 400 * kDay);
        QVERIFY(f.alertsOf("").empty());
    }

    void scheduledKeyRotatesItselfOnce() {
        Fixture f;
        store::KeyRequest request;
        request.identity = "ci-bot";
        request.team = "platform";
        request.rotation = store::RotationSchedule{30 * kDay, 2 * kDay, 3 * kDay};
        const auto issued = f.keys.issue(request, kT0);

        f.scheduler.tick(kT0 + 28 * kDay); // within the reminder lead
        QCOMPARE(f.alertsOf("key.due_soon").size(), std::size_t(1));
        QVERIFY(f.keys.authenticate(issued.secret, kT0 + 28 * kDay).ok());

        f.scheduler.tick(kT0 + 30 * kDay + 1000); // due: rotates, the old secret in grace
        f.scheduler.tick(kT0 + 30 * kDay + 2000); // not again
        QCOMPARE(f.alertsOf("key.rotated").size(), std::size_t(1));
        QCOMPARE(f.auditCount("key.rotated"), 1);
        const auto info = f.keys.find(issued.info.id);
        QVERIFY(info->pendingSecret);
        QCOMPARE(info->id, issued.info.id); // the id never changes
        QVERIFY(f.keys.authenticate(issued.secret, kT0 + 31 * kDay).ok());  // grace
        QVERIFY(!f.keys.authenticate(issued.secret, kT0 + 33 * kDay).ok()); // grace over

        const auto fresh = f.keys.claimPendingSecret(issued.info.id);
        QVERIFY(fresh.has_value());
        QVERIFY(*fresh != issued.secret);
        QVERIFY(f.keys.authenticate(*fresh, kT0 + 33 * kDay).ok());
        QVERIFY(!f.keys.claimPendingSecret(issued.info.id)); // once
        QVERIFY(f.audit.verify().ok);
    }

    void budgetAlertsOncePerThresholdAndPeriod() {
        Fixture f;
        budgets::Alert alert{"payments-monthly", kT0, 80, Money::fromDollars(81), Money::fromDollars(100)};
        f.events.budgetAlert(alert);
        f.events.budgetAlert(alert); // two requests saw the same crossing
        f.scheduler.handleBudgetAlerts(kT0 + 1000);
        QCOMPARE(f.alertsOf("budget.threshold").size(), std::size_t(1));
        QCOMPARE(f.auditCount("budget.threshold"), 1);

        f.events.budgetAlert(alert); // after a restart the ledger could raise it again
        f.scheduler.handleBudgetAlerts(kT0 + 2000);
        QCOMPARE(f.alertsOf("budget.threshold").size(), std::size_t(1));

        alert.threshold = 95;
        f.events.budgetAlert(alert);
        alert.threshold = 80;
        alert.periodStart = kT0 + 31 * kDay; // next month
        f.events.budgetAlert(alert);
        f.scheduler.handleBudgetAlerts(kT0 + 3000);
        QCOMPARE(f.alertsOf("budget.threshold").size(), std::size_t(3));
    }

    void failedAuthenticationsAreSummarised() {
        Fixture f;
        for (int i = 0; i < 500; ++i)
            f.events.authenticationFailed();
        f.scheduler.tick(kT0);
        audit::AuditFilter filter;
        filter.action = "auth.failed";
        const auto page = f.audit.list(filter, std::nullopt, 10);
        QCOMPARE(page.entries.size(), std::size_t(1)); // one entry, not 500
        QVERIFY(page.entries[0].detailJson.find("500") != std::string::npos);
        f.scheduler.tick(kT0 + 60'000);
        QCOMPARE(f.audit.list(filter, std::nullopt, 10).entries.size(), std::size_t(1)); // none since: no entry
    }

    void threadStartsAndStops() {
        Fixture f;
        f.scheduler.start();
        f.events.budgetAlert({"b", kT0, 50, Money::fromDollars(50), Money::fromDollars(100)});
        QTRY_COMPARE_WITH_TIMEOUT(f.alertsOf("budget.threshold").size(), std::size_t(1), 5000);
        f.scheduler.stop();
    }
};

QTEST_APPLESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
