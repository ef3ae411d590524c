#pragma once
// What every request handler shares: the running policy (swapped atomically), keys, budgets,
// the request log and the provider credentials.
#include "budgets/ledger.h"
#include "config.h"
#include "gateway_events.h"
#include "policy/evaluator.h"
#include "store/key_store.h"
#include "store/request_log.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

namespace gh::gateway {

class Metrics;

// An immutable snapshot of the policy in force. Requests hold it for their whole life, so a
// policy change never affects a request already being served.
struct PolicyRuntime {
    std::shared_ptr<const policy::Evaluator> evaluator;
    std::int64_t version = 0;
    const policy::Document& document() const { return evaluator->document(); }
};

// Provider secrets by credential id. Implementations keep them sealed at rest.
class CredentialSource {
public:
    virtual ~CredentialSource() = default;
    virtual std::optional<std::string> secret(std::string_view credentialId) const = 0;
    // Why there is no secret, for the caller's error message: "was revoked", "has no secret set".
    virtual std::string whyMissing(std::string_view) const { return "has no secret set"; }
};

struct GatewayState {
    Config config;
    std::atomic<std::shared_ptr<const PolicyRuntime>> policy;
    store::KeyStore* keys = nullptr;
    store::RequestLog* log = nullptr;
    const CredentialSource* credentials = nullptr;
    budgets::Ledger ledger;
    Metrics* metrics = nullptr;              // Prometheus counters (metrics.h); optional in tests
    GatewayEvents* events = nullptr;         // budget alerts, failed authentications; optional

    std::shared_ptr<const PolicyRuntime> currentPolicy() const { return policy.load(std::memory_order_acquire); }
};

} // namespace gh::gateway
