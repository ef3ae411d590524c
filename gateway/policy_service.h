#pragma once
// The one way the running policy changes: from the admin API (apply, rollback), from the policy
// file at start-up, and from SIGHUP after the file was edited. Each change is validated,
// stored as a new version (author, time, comment), written back to the policy file (so a
// restart keeps it) and swapped in atomically: requests in flight keep the snapshot they
// started with, new ones see the new version, and none is dropped.
#include "gateway_state.h"
#include "policy/diagnostic.h"
#include "policy/validator.h"
#include "store/policy_versions.h"

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gh::gateway {

struct PolicyCheck {
    std::shared_ptr<const policy::Evaluator> evaluator; // null when the text is not a valid policy
    std::vector<policy::Diagnostic> diagnostics;
};

struct PolicyChange {
    std::string yaml;
    std::string author; // "tok_… (alice)", "policy.yaml", ...
    std::string role;
    std::string comment;
    std::string source; // api | rollback | file | init
    std::optional<std::int64_t> rolledBackFrom;
};

struct PolicyChangeResult {
    enum class Status { Applied, Stale, Invalid } status = Status::Invalid;
    std::int64_t currentVersion = 0;               // after the call
    std::optional<store::PolicyVersion> version;   // the new version, when applied
    std::vector<policy::Diagnostic> diagnostics;   // when invalid (warnings also when applied)
};

class PolicyService {
public:
    PolicyService(GatewayState& state, store::PolicyVersionStore& versions, std::filesystem::path policyFile,
                  policy::ValidationOptions options);

    // Validates and compiles policy text (nothing changes).
    PolicyCheck check(std::string_view yaml) const;

    // At start-up: the policy file is the policy in force. When it differs from the newest
    // stored version (first start, or edited while the gateway was down) it is stored as a new
    // version. False (with the validator's messages in `err`) when the file is not valid.
    bool start(std::ostream& err, std::int64_t nowMs);

    // Applies `change` when the running version is still `expectedVersion`. `beforeCommit` runs
    // after every check passed and before anything changes (the audit entry: when it throws,
    // nothing changes and the exception propagates).
    PolicyChangeResult apply(std::int64_t expectedVersion, const PolicyChange& change, std::int64_t nowMs,
                             const std::function<void(const store::PolicyVersion& running, std::int64_t next)>& beforeCommit);

    // SIGHUP: re-reads the policy file; a valid, changed file becomes a new version (source
    // "file"). Messages (invalid file, unchanged) go to `messages`. True when a version was applied.
    bool reloadFile(std::ostream& messages, std::int64_t nowMs,
                    const std::function<void(const store::PolicyVersion& running, std::int64_t next)>& beforeCommit);

    std::int64_t runningVersion() const;
    const std::filesystem::path& file() const { return file_; }
    store::PolicyVersionStore& versions() { return versions_; }

private:
    void install(const std::shared_ptr<const policy::Evaluator>& evaluator, std::int64_t version);
    void writeFile(const std::string& yaml) const;

    GatewayState& state_;
    store::PolicyVersionStore& versions_;
    std::filesystem::path file_;
    policy::ValidationOptions options_;
    std::mutex mutex_; // one change at a time: check the version, store, write, swap
};

} // namespace gh::gateway
