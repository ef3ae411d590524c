#pragma once
// Events the data path raises that need slow work (database writes, the audit chain, webhooks):
// budget alerts and failed key authentications. The request path only queues or counts them;
// the scheduler thread takes them off and does the rest.
#include "budgets/ledger.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace gh::gateway {

class GatewayEvents {
public:
    void budgetAlert(budgets::Alert alert) {
        {
            std::lock_guard lock(mutex_);
            if (alerts_.size() < kMaxQueued) // a bounded queue: alerts are rare, a flood is a bug
                alerts_.push_back(std::move(alert));
        }
        wake_.notify_one();
    }
    void authenticationFailed() { failedAuthentications_.fetch_add(1, std::memory_order_relaxed); }

    std::vector<budgets::Alert> takeAlerts() {
        std::lock_guard lock(mutex_);
        return std::exchange(alerts_, {});
    }
    std::uint64_t takeFailedAuthentications() { return failedAuthentications_.exchange(0); }

    // Waits until an alert is queued, `stop` is set, or the timeout passes.
    template <class Duration> void waitFor(Duration timeout, const std::atomic<bool>& stop) {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, timeout, [&] { return !alerts_.empty() || stop.load(); });
    }
    void wakeAll() { wake_.notify_all(); }

private:
    static constexpr std::size_t kMaxQueued = 10'000;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<budgets::Alert> alerts_;
    std::atomic<std::uint64_t> failedAuthentications_{0};
};

} // namespace gh::gateway
