#pragma once
// Admin API bearer tokens, kept in state.db.
//
// A secret is "gha_" + base64url(32 random bytes), shown once by issue(). As with gateway keys
// (store/key_store.h, crypto/hash.h) only its SHA-256 is stored, plus the first 8 characters after
// "gha_" for display. authenticate() finds the row by the hash's index and then compares the
// stored and computed hashes in constant time: what a lookup's timing can reveal is about the
// hash of the caller's own guess, never about a stored secret.
//
// Admin calls are few, so authenticate() reads the database every time (no cache): a token
// revoked by any process is refused at once. It records lastUsedMs, but writes it at most once a
// minute per token.
#include "api/roles.h"
#include "store/database.h"
#include "store/key_store.h"
#include "store/request_record.h"

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::store {

inline constexpr std::string_view kAdminSecretPrefix = "gha_"; // "gha_" + base64url(32 random bytes)

struct AdminTokenInfo {
    std::string id;            // "tok_" + 16 hex digits
    std::string name;
    api::Role role = api::Role::Viewer; // a role this build does not know is read as viewer
    std::string displayPrefix; // 8 characters after "gha_"
    std::string createdBy;
    TimeMs createdMs = 0;
    std::optional<TimeMs> expiresMs, revokedMs, lastUsedMs;

    bool revoked() const { return revokedMs.has_value(); }
    bool expired(TimeMs now) const { return expiresMs && now >= *expiresMs; }
    bool operator==(const AdminTokenInfo&) const = default;
};

struct IssuedAdminToken {
    AdminTokenInfo info;
    std::string secret; // show it once; it cannot be recovered
};

struct AdminAuthentication {
    std::optional<AdminTokenInfo> token; // set whenever the token exists, even if refused
    std::optional<AuthFailure> failure;  // Malformed, Unknown, Revoked or Expired; nullopt: accepted
    bool ok() const { return !failure; }
};

class AdminTokenStore {
public:
    // Opens (creating and migrating) <workspace>/state.db. Throws DbError.
    explicit AdminTokenStore(const std::filesystem::path& workspace);

    IssuedAdminToken issue(const std::string& name, api::Role role, std::optional<TimeMs> expiresMs,
                           const std::string& createdBy, TimeMs now);
    // Safe from any thread.
    AdminAuthentication authenticate(std::string_view secret, TimeMs now);
    // false when there is no such id. Revoking twice keeps the first time.
    bool revoke(std::string_view id, TimeMs now);
    std::optional<AdminTokenInfo> find(std::string_view id) const;
    // Tokens ordered by id, after `afterId` (keyset paging; "" = from the start).
    std::vector<AdminTokenInfo> list(std::string_view afterId = {}, std::size_t limit = 1000) const;

private:
    mutable std::mutex mutex_;
    Database db_;
};

} // namespace gh::store
