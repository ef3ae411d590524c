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
//
// Rotation replaces a key's secret and keeps its id. The secret it replaces keeps authenticating
// for a grace window (so agents can switch over without an outage) and is refused as "rotated"
// afterwards. Only the immediately previous secret gets grace: rotating again while a grace
// window is open ends that window at once, so at most two secrets of a key work at any time.
// Revoking a key refuses every secret it ever had. Every change of a key (rotate, revoke,
// schedule, expiry, pickup) drops all its cached entries under the same lock as the write.
//
// Scheduled rotation is done by the gateway itself (rotateScheduled): nobody is there to be shown
// the new secret, so it is kept sealed under the workspace master key until its owner picks it up
// once (claimPendingSecret). A rotation by hand (rotate) returns the secret directly and drops any
// pending one.
#include "crypto/seal.h"
#include "store/database.h"
#include "store/request_record.h"
#include "store/rotation.h"

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
    std::optional<RotationSchedule> rotation;   // nullopt: not rotated on a schedule
    TimeMs rotatedMs = 0;                        // when the current secret was made (createdMs at first)
    std::optional<TimeMs> previousValidUntilMs;  // when the secret replaced last stops working; nullopt: never rotated
    bool pendingSecret = false;                  // a scheduled rotation's secret waits for pickup

    bool revoked() const { return revokedMs.has_value(); }
    bool expired(TimeMs now) const { return expiresMs && now >= *expiresMs; }
    RotationState rotationState(TimeMs now) const { return store::rotationState(rotation, rotatedMs, revokedMs, now); }
    std::optional<TimeMs> nextRotationDue() const { return nextDue(rotation, rotatedMs); }
    bool operator==(const KeyInfo&) const = default;
};

struct KeyRequest {
    std::string identity;
    std::string team;
    std::vector<std::string> repositories;
    std::optional<TimeMs> expiresMs;
    std::optional<RotationSchedule> rotation; // must be valid() when set
};

struct IssuedKey {
    KeyInfo info;
    std::string secret; // show it to the caller once; it cannot be recovered
};

struct RotatedKey {
    KeyInfo info;       // same id, new displayPrefix and rotatedMs
    std::string secret; // the new secret: show it once
};

enum class AuthFailure {
    Malformed, // not shaped like a gateway key at all
    Unknown,   // well-formed, but no such key
    Revoked,
    Expired,
    Rotated    // a secret the key had before a rotation, past its grace window
};
// "revoked", ...: for logs and the caller's error message (never includes the secret).
const char* toString(AuthFailure);

struct Authentication {
    std::shared_ptr<const KeyInfo> key; // set whenever the key exists, even if refused
    std::optional<AuthFailure> failure; // nullopt: accepted
    bool previousSecret = false;        // the secret is the one replaced by the last rotation (in grace, or Rotated)
    bool ok() const { return !failure; }
    explicit operator bool() const { return ok(); }
};

class KeyStore {
public:
    // Opens (creating and migrating) <workspace>/state.db. Throws DbError.
    // Without a master key, the sealed operations (rotateScheduled, claimPendingSecret) throw
    // std::logic_error; everything else works.
    explicit KeyStore(const std::filesystem::path& workspace);
    KeyStore(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);
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
    // Every key after `afterId` in id order, a page at a time; `f` returns false to stop.
    template <class F> void forEach(F&& f, std::string afterId = {}) const {
        for (;;) {
            const auto batch = list(afterId, 500);
            for (const auto& k : batch)
                if (!f(k))
                    return;
            if (batch.size() < 500)
                return;
            afterId = batch.back().id;
        }
    }

    // A new secret for the key, same id. The replaced secret keeps authenticating until
    // now + graceMs (graceMs <= 0: refused at once), then is refused as Rotated; a secret replaced
    // earlier stops at once. Drops a pending secret. nullopt for an unknown or revoked id.
    std::optional<RotatedKey> rotate(std::string_view id, std::int64_t graceMs, TimeMs now);
    // false when there is no such id. The schedule must be valid() (std::invalid_argument).
    bool setSchedule(std::string_view id, std::optional<RotationSchedule> schedule);
    bool setExpiry(std::string_view id, std::optional<TimeMs> expiresMs);

    // Keys with a schedule, not revoked, whose rotation is due (rotatedMs + periodMs <= now),
    // ordered by id.
    std::vector<KeyInfo> dueForRotation(TimeMs now) const;
    // Rotates a key whose scheduled rotation is due at `now`, with the schedule's grace, keeping the
    // new secret sealed for claimPendingSecret (replacing one not yet picked up). nullopt when the
    // id is unknown, revoked, unscheduled or not due (e.g. rotated by hand since dueForRotation).
    // Needs the master key.
    std::optional<KeyInfo> rotateScheduled(std::string_view id, TimeMs now);
    // The secret a scheduled rotation made, once: the sealed copy is deleted as it is returned.
    // nullopt when there is none (or it does not open under this master key, or it is no longer
    // the key's current secret). Needs the master key.
    std::optional<std::string> claimPendingSecret(std::string_view id);

private:
    struct Cached {
        std::shared_ptr<const KeyInfo> key;
        std::optional<TimeMs> validUntil; // set for a retired secret: refused from then on
    };
    // Under dbMutex_: the row, or nullopt.
    std::optional<KeyInfo> load(std::string_view id) const;
    // Under dbMutex_: drops every cached secret of the key.
    void dropCached(std::string_view id);
    // Under dbMutex_: the rotation itself, in one transaction. Returns the new secret (sealed as
    // the pending one when sealPending), nullopt for an unknown or revoked id.
    std::optional<std::string> rotateLocked(std::string_view id, std::int64_t graceMs, TimeMs now, bool sealPending);
    const crypto::MasterKey& masterKey() const;

    std::optional<crypto::MasterKey> masterKey_;

    // A connection is used by one thread at a time; dbMutex_ also orders "read the row, cache
    // it" against "revoke the row, drop it from the cache".
    mutable std::mutex dbMutex_;
    Database db_;
    mutable std::shared_mutex cacheMutex_;
    mutable std::unordered_map<std::string, Cached> cache_; // by raw SHA-256
};

} // namespace gh::store
