#pragma once
// Every applied route policy, in state.db. Versions are 1, 2, 3, ... without gaps; the newest
// is the policy in force. Nothing is updated or deleted: a rollback is a new version whose yaml
// is an older one's (source "rollback", rolledBackFrom = that version).
//
// apply() is a compare-and-swap (the admin API's If-Match): it appends version expected + 1 only
// while the newest version is still `expected`, checked and written in one IMMEDIATE transaction,
// so two writers (threads, or processes with their own connections) applying from the same
// version cannot both win.
#include "store/database.h"
#include "store/request_record.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gh::store {

struct PolicyVersion {
    std::int64_t version = 0;
    std::string yaml;
    std::string sha256Hex; // of yaml; computed by apply()
    std::string author;
    std::string role;
    std::string comment;
    std::string source;    // "init", "file", "api", "rollback"
    std::optional<std::int64_t> rolledBackFrom;
    TimeMs createdMs = 0;
    bool operator==(const PolicyVersion&) const = default;
};

struct ApplyResult {
    bool applied = false;
    std::int64_t currentVersion = 0;      // the newest version after the call (the new one when applied)
    std::optional<PolicyVersion> version; // the stored version when applied
};

class PolicyVersionStore {
public:
    // Opens (creating and migrating) <workspace>/state.db. Throws DbError.
    explicit PolicyVersionStore(const std::filesystem::path& workspace);

    std::optional<PolicyVersion> current() const;
    std::optional<PolicyVersion> get(std::int64_t version) const;
    // Newest first, versions below `beforeVersion` (nullopt: from the newest); yaml left empty.
    std::vector<PolicyVersion> list(std::optional<std::int64_t> beforeVersion, std::size_t limit) const;
    // When the newest version is `expectedVersion` (0 = none yet), appends version expected + 1
    // from the draft's yaml, author, role, comment, source and rolledBackFrom (its version,
    // sha256Hex and createdMs are ignored: set here, createdMs = now). Otherwise changes nothing
    // and returns applied = false with the newest version. A rolledBackFrom that names no stored
    // version throws DbError (foreign key).
    ApplyResult apply(std::int64_t expectedVersion, const PolicyVersion& draft, TimeMs now);

private:
    mutable std::mutex mutex_;
    Database db_;
};

} // namespace gh::store
