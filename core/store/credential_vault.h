#pragma once
// Provider credentials, sealed at rest in state.db (AES-256-GCM under the workspace master key;
// crypto/seal.h). A secret goes in once and never comes back out of this class except to the
// gateway's upstream calls: listings carry the id and a keyed fingerprint only.
//
// Lifecycle: set() stores a new secret under a stable id (the first time, or a rotation) and
// records it in the credential's history (time, fingerprint, actor: never the secret). A
// schedule says when the next rotation is due (store/rotation.h). revoke() destroys the sealed
// secret (the row keeps its id, fingerprint and history); a later set() makes it active again.
// The scheduler announces each state once: markNotified() remembers what it last announced, and
// set() forgets it (a new secret starts a new cycle).
#include "crypto/seal.h"
#include "store/database.h"
#include "store/request_record.h"
#include "store/rotation.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::store {

struct CredentialInfo {
    std::string id;
    std::string fingerprint; // "hmac-sha256:…", never the secret (of the last secret set, when revoked)
    TimeMs createdMs = 0;
    TimeMs rotatedMs = 0;    // when the current secret was set
    std::optional<RotationSchedule> schedule;
    std::optional<TimeMs> revokedMs;
    std::string lastNotifiedState; // toString(RotationState) the scheduler last announced; "" = none
    TimeMs lastNotifiedMs = 0;

    bool revoked() const { return revokedMs.has_value(); }
    RotationState state(TimeMs now) const { return rotationState(schedule, rotatedMs, revokedMs, now); }
    std::optional<TimeMs> nextDueMs() const { return nextDue(schedule, rotatedMs); }
    bool operator==(const CredentialInfo&) const = default;
};

struct CredentialRotation {
    TimeMs rotatedMs = 0;
    std::string fingerprint;
    std::string actor; // who set it ("" when not known; "unrecorded" for secrets set before history)
    bool operator==(const CredentialRotation&) const = default;
};

class CredentialVault {
public:
    CredentialVault(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);
    ~CredentialVault();
    CredentialVault(const CredentialVault&) = delete;
    CredentialVault& operator=(const CredentialVault&) = delete;

    // Seals `secret` as credential `id` (new, or a rotation of an existing one: the id stays; a
    // revoked one becomes active again) and records it in the history under `actor`.
    CredentialInfo set(const std::string& id, const std::string& secret, TimeMs now, const std::string& actor);
    CredentialInfo set(const std::string& id, const std::string& secret, TimeMs now);
    // The secret, for an upstream call. nullopt when there is none, it was revoked, or it does not
    // open (a master key that is not the one it was sealed with).
    std::optional<std::string> secret(std::string_view id) const;
    std::vector<CredentialInfo> list() const; // by id, revoked ones included
    std::optional<CredentialInfo> find(std::string_view id) const;
    // Drops the opened secrets, so the next use reads the current sealed ones (after another
    // process rotated a credential).
    void forget();

    // false when there is no such id. The schedule must be valid() (std::invalid_argument).
    bool setSchedule(std::string_view id, std::optional<RotationSchedule> schedule);
    // Destroys the sealed secret; false when there is no such id. Revoking twice keeps the first time.
    bool revoke(std::string_view id, TimeMs now);
    // Every secret set for the credential, newest first (empty for an unknown id).
    std::vector<CredentialRotation> history(std::string_view id) const;
    // The scheduler announced `state` for the credential at `now`.
    void markNotified(std::string_view id, RotationState state, TimeMs now);

private:
    crypto::MasterKey key_;
    mutable std::mutex mutex_;
    Database db_;
    mutable std::map<std::string, std::string, std::less<>> opened_; // decrypted once, kept in memory
};

} // namespace gh::store
