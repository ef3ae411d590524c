#pragma once
// The gateway's background duties, on one thread of their own (never on the request path):
//   - rotation: credentials and gateway keys move ok -> due soon -> overdue; each change is an
//     alert (once per rotation cycle; overdue ones are reminded daily), an audit entry and a
//     webhook. Gateway keys with a schedule rotate themselves when due (the old secret keeps
//     working for the schedule's grace window; the new one waits sealed for pickup).
//   - budget alerts raised by the data path: recorded once per threshold and period, audited,
//     posted to the webhook.
//   - failed gateway-key authentications, counted on the data path, summarised into one audit
//     entry per interval (one entry per failure would let anyone flood the chain).
//   - expired idempotency records are pruned.
#include "audit/audit_log.h"
#include "gateway_events.h"
#include "gateway_state.h"
#include "store/alert_log.h"
#include "store/credential_vault.h"
#include "store/idempotency.h"
#include "store/key_store.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace gh::gateway {

class WebhookNotifier;

struct SchedulerServices {
    GatewayState& state;
    GatewayEvents& events;
    store::KeyStore& keys;
    store::CredentialVault& vault;
    store::AlertLog& alerts;
    store::IdempotencyStore& idempotency;
    audit::AuditLog& audit;
    WebhookNotifier* webhook = nullptr; // optional
};

class Scheduler {
public:
    Scheduler(SchedulerServices services, std::chrono::seconds interval);
    ~Scheduler();

    void start();
    void stop();

    // One pass of every duty at `now` (the thread calls it; tests may too).
    void tick(std::int64_t now);
    void handleBudgetAlerts(std::int64_t now);

private:
    void checkCredentials(std::int64_t now);
    void checkKeys(std::int64_t now);
    void summariseFailedAuthentications(std::int64_t now);
    // Records an alert once; when it is new: audit entry and webhook. False when already known.
    bool raise(const store::AlertRecord& alert, const std::string& action, const std::string& target, std::int64_t now);
    bool appendAudit(const std::string& action, const std::string& target, const std::string& detailJson,
                     std::int64_t now);

    SchedulerServices s_;
    std::chrono::seconds interval_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
};

} // namespace gh::gateway
