#pragma once
// Provider credentials, sealed at rest in state.db (AES-256-GCM under the workspace master key;
// crypto/seal.h). A secret goes in once and never comes back out of this class except to the
// gateway's upstream calls: listings carry the id and a keyed fingerprint only.
#include "crypto/seal.h"
#include "store/database.h"
#include "store/request_record.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gh::store {

struct CredentialInfo {
    std::string id;
    std::string fingerprint; // "hmac-sha256:…", never the secret
    TimeMs createdMs = 0;
    TimeMs rotatedMs = 0;    // when the current secret was set
};

class CredentialVault {
public:
    CredentialVault(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);

    // Seals `secret` as credential `id` (new, or a rotation of an existing one: the id stays).
    CredentialInfo set(const std::string& id, const std::string& secret, TimeMs now);
    // The secret, for an upstream call. nullopt when there is none or it does not open (a master
    // key that is not the one it was sealed with).
    std::optional<std::string> secret(std::string_view id) const;
    std::vector<CredentialInfo> list() const;
    // Drops the opened secrets, so the next use reads the current sealed ones (after another
    // process rotated a credential).
    void forget();

private:
    crypto::MasterKey key_;
    mutable std::mutex mutex_;
    Database db_;
    mutable std::map<std::string, std::string, std::less<>> opened_; // decrypted once, kept in memory
};

} // namespace gh::store
