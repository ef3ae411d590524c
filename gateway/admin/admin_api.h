#pragma once
// The admin API (docs/admin-api.md): routing, authentication, the role check, the audit
// entries, and the handlers of every resource. Transport-free: AdminServer hands it parsed
// requests and sends back what it returns, so tests can drive it without sockets.
#include "admin/admin_call.h"
#include "audit/audit_log.h"
#include "crypto/seal.h"
#include "gateway_state.h"
#include "metrics.h"
#include "policy_service.h"
#include "store/admin_token_store.h"
#include "store/alert_log.h"
#include "store/credential_vault.h"
#include "store/database.h"
#include "store/idempotency.h"
#include "store/key_store.h"
#include "workspace.h"

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace gh::gateway {

// A read-only connection to requests.db for lists and reports, one caller at a time.
struct RequestsReader {
    std::mutex mutex;
    store::Database db;
};

struct AdminServices {
    GatewayState& state;
    Workspace workspace;
    const crypto::MasterKey& masterKey;
    store::AdminTokenStore& tokens;
    store::KeyStore& keys;
    store::CredentialVault& vault;
    store::IdempotencyStore& idempotency;
    store::AlertLog& alerts;
    audit::AuditLog& audit;
    PolicyService& policy;
    Metrics& metrics;
    RequestsReader& requests;
    std::string version;
    std::int64_t startedMs = 0;
    std::string dataListen, adminListen;
    std::function<int()> inFlight;
};

// What a role may do. Each route names the one permission it needs.
enum class Permission {
    None,          // /health
    Read,          // every role
    ChangePolicy,  // policy-editor, admin
    ManageSecrets, // security, admin: credentials, gateway keys, schedules
    ReadAudit,     // security, admin
    ManageTokens   // admin
};
bool allows(api::Role role, Permission permission);

class AdminApi {
public:
    explicit AdminApi(AdminServices& services);

    AdminResponse handle(const AdminRequest& request, const std::string& remoteAddress);
    // The JSON error answer for a request refused before it reached handle().
    static AdminResponse refusal(http::status status, const std::string& message);

private:
    using Handler = Reply (AdminApi::*)(Call&);
    struct Route {
        http::verb method;
        std::vector<std::string> segments; // "{}" matches one path segment
        Permission permission;
        Handler handler;
    };
    Reply dispatch(const AdminRequest& request, const std::string& remoteAddress);
    Caller authenticate(const AdminRequest& request, const std::string& remoteAddress);

    // Appends to the audit chain; when it cannot, the change must not happen: throws
    // ApiError 503 audit_unavailable.
    void audit(const Caller& caller, std::string action, std::string target, api::json::object detail,
               std::string outcome = "ok");
    // Security events (failed authentication, denied access) are recorded best-effort: a full
    // disk must not turn every refused call into a 503.
    void auditSecurityEvent(const Caller& caller, std::string action, std::string target, api::json::object detail);
    std::int64_t now() const;

    // admin_api.cpp
    Reply health(Call&);
    Reply whoami(Call&);
    Reply status(Call&);
    Reply metrics(Call&);
    Reply listTokens(Call&);
    Reply createToken(Call&);
    Reply revokeToken(Call&);
    // policy_routes.cpp
    Reply getPolicy(Call&);
    Reply listPolicyVersions(Call&);
    Reply getPolicyVersion(Call&);
    Reply validatePolicy(Call&);
    Reply simulatePolicy(Call&);
    Reply replayPolicy(Call&);
    Reply diffPolicy(Call&);
    Reply applyPolicy(Call&);
    Reply rollbackPolicy(Call&);
    Reply changePolicy(Call&, const std::string& yaml, const std::string& comment, const std::string& source,
                       std::optional<std::int64_t> rolledBackFrom);
    // secret_routes.cpp
    Reply listCredentials(Call&);
    Reply getCredential(Call&);
    Reply addCredential(Call&);
    Reply rotateCredential(Call&);
    Reply scheduleCredential(Call&);
    Reply revokeCredential(Call&);
    Reply listKeys(Call&);
    Reply getKey(Call&);
    Reply issueKey(Call&);
    Reply rotateKey(Call&);
    Reply revokeKey(Call&);
    Reply scheduleKey(Call&);
    Reply claimKey(Call&);
    // report_routes.cpp
    Reply listEndpoints(Call&);
    Reply listTeams(Call&);
    Reply listIdentities(Call&);
    Reply listBudgets(Call&);
    Reply listRequests(Call&);
    Reply getRequest(Call&);
    Reply listSessions(Call&);
    Reply spendReport(Call&);
    Reply flowReport(Call&);
    Reply denialsReport(Call&);
    Reply listAlerts(Call&);
    Reply listAudit(Call&);
    Reply verifyAudit(Call&);

    AdminServices& s_;
    std::vector<Route> routes_;
    // Changes of credentials and gateway keys are "check, audit, change" (and for rotations
    // "look up the idempotency key, rotate, remember the answer"): two calls at once must not
    // both pass the check, so they take turns. Admin changes are rare; one lock is plenty.
    std::mutex secretsMutex_;
    // Failed authentications per client address in the current minute. Past the limit they are
    // summarised in one audit entry, so a flood of bad tokens cannot turn the audit chain into
    // a disk-sync storm. (Tokens are 256 random bits: there is nothing to slow a guesser down
    // for, and refusing valid tokens from a busy address would lock admins out.)
    struct FailureWindow {
        std::int64_t minute = 0;
        int count = 0;
    };
    static constexpr int kFailuresPerMinute = 10;
    std::mutex failuresMutex_;
    std::map<std::string, FailureWindow> failures_;
    // Counts a failure; returns how many this address had in the current minute.
    int countFailure(const std::string& source, std::int64_t nowMs);
};

} // namespace gh::gateway
