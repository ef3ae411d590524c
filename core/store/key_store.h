#pragma once
// Gateway keys: the credentials agents use to call the gateway, kept in state.db.
//
// A secret is "ghk_" + base64url(32 random bytes). It is returned once, by issue(), and never
// stored or logged: the database keeps its SHA-256 (see crypto/hash.h for why a fast hash is
// right for random secrets) and, for display, the first 8 characters after "ghk_" (48 of its
// 256 bits, which is what lets a person tell their keys apart, not guess one).
//
// authenticate() runs on every request, so it is served from memory: a cache keyed by the
// secret's hash, filled from the hash index on a miss. Only this KeyStore may change keys while
// it serves (the gateway owns state.db; every change goes through its admin API, Principle 1):
// revoke() updates the row and drops the cached entry under one lock, so a revoked key is
// refused from the moment revoke() returns. Unknown secrets are not cached; each costs one
// indexed lookup.
#include "store/database.h"
#include "store/request_record.h"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gh::store {

inline constexpr std::string_view kKeySecretPrefix = "ghk_";

struct KeyInfo {
    std::string id;                        // "key_" + 16 hex digits; stable for the key's life
    std::string displayPrefix;             // first 8 characters after "ghk_"
    std::string identity;
    std::string team;
    std::vector<std::string> repositories; // patterns the key may be used for; empty = any
    TimeMs createdMs = 0;
    std::optional<TimeMs> expiresMs;       // nullopt: never expires
    std::optional<TimeMs> revokedMs;       // nullopt: not revoked

    bool revoked() const { return revokedMs.has_value(); }
    bool expired(TimeMs now) const { return expiresMs && now >= *expiresMs; }
    bool operator==(const KeyInfo&) const = default;
};

struct KeyRequest {
    std::string identity;
    std::string team;
    std::vector<std::string> repositories;
    std::optional<TimeMs> expiresMs;
};

struct IssuedKey {
    KeyInfo info;
    std::string secret; // show it to the caller once; it cannot be recovered
};

enum class AuthFailure {
    Malformed, // not shaped like a gateway key at all
    Unknown,   // well-formed, but no such key
    Revoked,
    Expired
};
// "revoked", ...: for logs and the caller's error message (never includes the secret).
const char* toString(AuthFailure);

struct Authentication {
    std::shared_ptr<const KeyInfo> key; // set whenever the key exists, even if refused
    std::optional<AuthFailure> failure; // nullopt: accepted
    bool ok() const { return !failure; }
    explicit operator bool() const { return ok(); }
};

class KeyStore {
public:
    // Opens (creating and migrating) <workspace>/state.db. Throws DbError.
    explicit KeyStore(const std::filesystem::path& workspace);
    ~KeyStore();
    KeyStore(const KeyStore&) = delete;
    KeyStore& operator=(const KeyStore&) = delete;

    IssuedKey issue(const KeyRequest& request, TimeMs now);
    // Safe from any thread; reads the disk only for a key not yet seen.
    Authentication authenticate(std::string_view secret, TimeMs now) const;
    // Revokes the key; false when there is no such id. Revoking twice keeps the first time.
    bool revoke(std::string_view id, TimeMs now);

    std::optional<KeyInfo> find(std::string_view id) const;
    // Keys ordered by id, after `afterId` (keyset paging; "" = from the start).
    std::vector<KeyInfo> list(std::string_view afterId = {}, std::size_t limit = 1000) const;

private:
    // A connection is used by one thread at a time; dbMutex_ also orders "read the row, cache
    // it" against "revoke the row, drop it from the cache".
    mutable std::mutex dbMutex_;
    Database db_;
    mutable std::shared_mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::shared_ptr<const KeyInfo>> cache_; // by raw SHA-256
};

} // namespace gh::store
