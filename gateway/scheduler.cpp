#include "scheduler.h"

#include "api/time.h"
#include "log.h"
#include "webhook.h"

#include <boost/json.hpp>

namespace gh::gateway {
namespace {

namespace json = boost::json;
constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t systemNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

Scheduler::Scheduler(SchedulerServices services, std::chrono::seconds interval)
    : s_(services), interval_(std::max(interval, std::chrono::seconds(1))) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
    thread_ = std::thread([this] {
        auto next = std::chrono::steady_clock::now();
        while (!stop_.load()) {
            const auto t = systemNow();
            handleBudgetAlerts(t);
            if (std::chrono::steady_clock::now() >= next) {
                tick(t);
                next = std::chrono::steady_clock::now() + interval_;
            }
            s_.events.waitFor(std::min<std::chrono::steady_clock::duration>(interval_, next - std::chrono::steady_clock::now()), stop_);
        }
    });
}

void Scheduler::stop() {
    if (stop_.exchange(true) && !thread_.joinable())
        return;
    s_.events.wakeAll();
    if (thread_.joinable())
        thread_.join();
    handleBudgetAlerts(systemNow()); // what the last requests raised is not lost
}

void Scheduler::tick(std::int64_t now) {
    // Each duty on its own: one failing (a locked database) must not stop the others.
    for (auto duty : {&Scheduler::checkCredentials, &Scheduler::checkKeys, &Scheduler::summariseFailedAuthentications}) {
        try {
            (this->*duty)(now);
        } catch (const std::exception& e) {
            log::error("scheduler duty failed; it runs again next interval", {{"error", e.what()}});
        }
    }
    try {
        s_.idempotency.prune(now);
    } catch (const std::exception& e) {
        log::error("idempotency prune failed", {{"error", e.what()}});
    }
}

bool Scheduler::appendAudit(const std::string& action, const std::string& target, const std::string& detailJson,
                            std::int64_t now) {
    try {
        s_.audit.append({"scheduler", "", action, target, "ok", detailJson, ""}, now);
        return true;
    } catch (const std::exception& e) {
        log::error("audit chain append failed", {{"action", action}, {"error", e.what()}});
        return false;
    }
}

bool Scheduler::raise(const store::AlertRecord& alert, const std::string& action, const std::string& target,
                      std::int64_t now) {
    if (!s_.alerts.record(alert))
        return false;
    appendAudit(action, target, alert.detailJson, now);
    log::warn("alert", {{"kind", alert.kind}, {"subject", alert.subject}, {"threshold", std::to_string(alert.threshold)}});
    if (s_.webhook) {
        json::object body{{"kind", alert.kind},
                          {"subject", alert.subject},
                          {"time", api::formatTime(alert.timeMs)},
                          {"threshold", alert.threshold}};
        if (alert.periodStartMs)
            body["period_start"] = api::formatTime(alert.periodStartMs);
        boost::system::error_code ec;
        body["detail"] = json::parse(alert.detailJson, ec);
        if (ec)
            body["detail"] = json::object();
        s_.webhook->post(alert.kind, json::serialize(body));
    }
    return true;
}

void Scheduler::handleBudgetAlerts(std::int64_t now) {
    for (const auto& a : s_.events.takeAlerts()) {
        store::AlertRecord alert;
        alert.timeMs = now;
        alert.kind = "budget.threshold";
        alert.subject = a.budgetId;
        alert.periodStartMs = a.periodStart;
        alert.threshold = a.threshold;
        alert.detailJson = json::serialize(json::object{{"budget", a.budgetId},
                                                        {"threshold_percent", a.threshold},
                                                        {"spent_micros", a.spent.micros},
                                                        {"limit_micros", a.limit.micros},
                                                        {"period_start", api::formatTime(a.periodStart)}});
        try {
            raise(alert, "budget.threshold", "budget:" + a.budgetId, now);
        } catch (const std::exception& e) {
            log::error("budget alert could not be recorded", {{"budget", a.budgetId}, {"error", e.what()}});
        }
    }
}

void Scheduler::checkCredentials(std::int64_t now) {
    for (const auto& c : s_.vault.list()) {
        if (c.revoked() || !c.schedule)
            continue;
        const auto state = c.state(now);
        const auto due = c.nextDueMs().value_or(0);
        json::object detail{{"credential", c.id},
                            {"state", std::string(store::toString(state))},
                            {"fingerprint", c.fingerprint},
                            {"next_due", api::formatTime(due)},
                            {"action", "a person must add a new secret: POST /admin/v1/credentials/" + c.id + "/rotate"}};
        store::AlertRecord alert{0, now, "", c.id, c.rotatedMs, 0, ""};
        if (state == store::RotationState::DueSoon) {
            alert.kind = "credential.due_soon";
        } else if (state == store::RotationState::Overdue) {
            alert.kind = "credential.overdue";
            // A reminder a day while it stays overdue: threshold counts the days.
            alert.threshold = int(std::max<std::int64_t>(0, (now - due - c.schedule->graceMs) / kDayMs));
        } else {
            continue;
        }
        alert.detailJson = json::serialize(detail);
        if (raise(alert, alert.kind == "credential.due_soon" ? "rotation.due_soon" : "rotation.overdue",
                  "credential:" + c.id, now))
            s_.vault.markNotified(c.id, state, now);
    }
}

void Scheduler::checkKeys(std::int64_t now) {
    // Scheduled keys rotate themselves when due: audited first, so an unrecorded rotation never happens.
    for (const auto& k : s_.keys.dueForRotation(now)) {
        const std::string detail = json::serialize(json::object{
            {"key", k.id},
            {"identity", k.identity},
            {"team", k.team},
            {"grace_seconds", k.rotation ? k.rotation->graceMs / 1000 : 0},
            {"pickup", "POST /admin/v1/keys/" + k.id + "/claim returns the new secret once"}});
        if (!appendAudit("key.rotated", "key:" + k.id, detail, now))
            continue;
        if (auto rotated = s_.keys.rotateScheduled(k.id, now)) {
            store::AlertRecord alert{0, now, "key.rotated", k.id, rotated->rotatedMs, 0, detail};
            if (s_.alerts.record(alert) && s_.webhook)
                s_.webhook->post("key.rotated", detail);
            log::info("gateway key rotated on schedule", {{"key_id", k.id}});
        }
    }
    // Keys nearing their rotation, or past it (one that could not rotate), are flagged like
    // credentials, once per rotation cycle.
    s_.keys.forEach([&](const store::KeyInfo& k) {
        if (k.revoked() || !k.rotation)
            return true;
        const auto state = k.rotationState(now);
        if (state != store::RotationState::DueSoon && state != store::RotationState::Overdue)
            return true;
        const bool overdue = state == store::RotationState::Overdue;
        store::AlertRecord alert{0, now, overdue ? "key.overdue" : "key.due_soon", k.id, k.rotatedMs, 0,
                                 json::serialize(json::object{{"key", k.id},
                                                              {"identity", k.identity},
                                                              {"state", std::string(store::toString(state))}})};
        raise(alert, overdue ? "rotation.overdue" : "rotation.due_soon", "key:" + k.id, now);
        return true;
    });
}

void Scheduler::summariseFailedAuthentications(std::int64_t now) {
    const auto failures = s_.events.takeFailedAuthentications();
    if (failures == 0)
        return;
    appendAudit("auth.failed", "data-path",
                json::serialize(json::object{{"failed_authentications", failures},
                                             {"interval_seconds", std::int64_t(interval_.count())}}),
                now);
}

} // namespace gh::gateway
