#include "store/key_store.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/schema.h"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace gh::store {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretLength = kKeySecretPrefix.size() + 43; // base64url of 32 bytes, unpadded
constexpr std::size_t kDisplayPrefixLength = 8;
constexpr std::size_t kIdBytes = 8;

constexpr const char* kKeyColumns =
    "id, display_prefix, identity, team, repositories, created_ms, expires_ms, revoked_ms, "
    "rotation_period_ms, rotation_grace_ms, rotation_reminder_ms, rotated_ms, previous_valid_until_ms, "
    "pending_sealed IS NOT NULL";

std::string digestKey(const crypto::Sha256Digest& d) { return std::string(d.begin(), d.end()); }

std::span<const std::uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool wellFormed(std::string_view secret) {
    if (secret.size() != kSecretLength || !secret.starts_with(kKeySecretPrefix))
        return false;
    for (const char c : secret.substr(kKeySecretPrefix.size()))
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string newSecret() {
    auto secretBytes = crypto::randomBytes(kSecretBytes);
    std::string secret = std::string(kKeySecretPrefix) + crypto::base64url(secretBytes);
    crypto::wipe(secretBytes);
    return secret;
}

// Binds a sealed pending secret to its key: a blob copied onto another key's row does not open.
std::string pendingAssociatedData(std::string_view id) { return "gatehouse pending key:" + std::string(id); }

std::string repositoriesJson(const std::vector<std::string>& patterns) {
    boost::json::array a;
    for (const auto& p : patterns)
        a.emplace_back(boost::json::string_view(p));
    return boost::json::serialize(a);
}

std::vector<std::string> parseRepositories(std::string_view json) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    const auto value = boost::json::parse(json, ec);
    if (!ec && value.is_array())
        for (const auto& p : value.get_array())
            if (p.is_string())
                out.emplace_back(p.get_string());
    return out;
}

void checkSchedule(const std::optional<RotationSchedule>& schedule) {
    if (schedule && !valid(*schedule))
        throw std::invalid_argument("a rotation schedule needs a positive period and a grace and reminder of 0 or more");
}

KeyInfo readKey(const Statement& st) {
    KeyInfo k;
    k.id = st.text(0);
    k.displayPrefix = st.text(1);
    k.identity = st.text(2);
    k.team = st.text(3);
    k.repositories = parseRepositories(st.textView(4));
    k.createdMs = st.int64(5);
    k.expiresMs = st.optionalInt64(6);
    k.revokedMs = st.optionalInt64(7);
    if (const auto period = st.optionalInt64(8))
        k.rotation = RotationSchedule{*period, st.optionalInt64(9).value_or(0), st.optionalInt64(10).value_or(0)};
    k.rotatedMs = st.int64(11);
    k.previousValidUntilMs = st.optionalInt64(12);
    k.pendingSecret = st.int64(13) != 0;
    return k;
}

// Binds a schedule as three columns starting at `first` (all NULL without one).
void bindSchedule(Statement& st, int first, const std::optional<RotationSchedule>& schedule) {
    if (schedule) {
        st.bind(first, schedule->periodMs);
        st.bind(first + 1, schedule->graceMs);
        st.bind(first + 2, schedule->reminderMs);
    } else {
        st.bind(first, nullptr);
        st.bind(first + 1, nullptr);
        st.bind(first + 2, nullptr);
    }
}

TimeMs saturatingAdd(TimeMs a, std::int64_t b) {
    if (b > 0 && a > std::numeric_limits<TimeMs>::max() - b)
        return std::numeric_limits<TimeMs>::max();
    return a + b;
}

} // namespace

const char* toString(AuthFailure f) {
    switch (f) {
    case AuthFailure::Malformed: return "malformed";
    case AuthFailure::Unknown: return "unknown";
    case AuthFailure::Revoked: return "revoked";
    case AuthFailure::Expired: return "expired";
    case AuthFailure::Rotated: return "rotated";
    }
    return "unknown";
}

KeyStore::KeyStore(const std::filesystem::path& workspace) : db_(openStateDb(workspace)) {}

KeyStore::KeyStore(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey)
    : masterKey_(masterKey), db_(openStateDb(workspace)) {}

KeyStore::~KeyStore() {
    if (masterKey_)
        crypto::wipe(*masterKey_);
}

const crypto::MasterKey& KeyStore::masterKey() const {
    if (!masterKey_)
        throw std::logic_error("KeyStore was opened without the master key; scheduled rotation needs it");
    return *masterKey_;
}

IssuedKey KeyStore::issue(const KeyRequest& request, TimeMs now) {
    checkSchedule(request.rotation);
    IssuedKey issued;
    issued.secret = newSecret();
    const auto digest = crypto::sha256(issued.secret);

    KeyInfo& k = issued.info;
    k.id = "key_" + crypto::toHex(crypto::randomBytes(kIdBytes));
    k.displayPrefix = issued.secret.substr(kKeySecretPrefix.size(), kDisplayPrefixLength);
    k.identity = request.identity;
    k.team = request.team;
    k.repositories = request.repositories;
    k.createdMs = now;
    k.expiresMs = request.expiresMs;
    k.rotation = request.rotation;
    k.rotatedMs = now;

    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare(
        "INSERT INTO gateway_keys (secret_sha256, id, display_prefix, identity, team, repositories, created_ms, "
        "expires_ms, revoked_ms, rotation_period_ms, rotation_grace_ms, rotation_reminder_ms, rotated_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?11, ?7)");
    st.bindAll(std::span<const std::uint8_t>(digest), k.id, k.displayPrefix, k.identity, k.team,
               repositoriesJson(k.repositories), k.createdMs, k.expiresMs);
    bindSchedule(st, 9, k.rotation);
    st.run(); // autocommit: one statement, one transaction
    return issued;
}

Authentication KeyStore::authenticate(std::string_view secret, TimeMs now) const {
    Authentication result;
    if (!wellFormed(secret)) {
        result.failure = AuthFailure::Malformed;
        return result;
    }
    // The map compares digests, not secrets: timing a lookup tells an attacker about the
    // SHA-256 of their own guesses, which says nothing about any stored secret.
    const std::string digest = digestKey(crypto::sha256(secret));
    std::optional<Cached> entry;
    {
        std::shared_lock lock(cacheMutex_);
        if (auto it = cache_.find(digest); it != cache_.end())
            entry = it->second;
    }
    if (!entry) {
        std::lock_guard lock(dbMutex_);
        auto st = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM gateway_keys WHERE secret_sha256 = ?1");
        st.bind(1, bytesOf(digest));
        if (st.step()) {
            entry = Cached{std::make_shared<const KeyInfo>(readKey(st)), std::nullopt};
        } else {
            // Not a current secret: perhaps one the key had before a rotation.
            auto retired = db_.prepare("SELECT key_id, valid_until_ms FROM gateway_key_retired_secrets "
                                       "WHERE secret_sha256 = ?1");
            retired.bind(1, bytesOf(digest));
            std::optional<KeyInfo> key;
            if (retired.step())
                key = load(retired.textView(0));
            if (!key) {
                result.failure = AuthFailure::Unknown;
                return result;
            }
            entry = Cached{std::make_shared<const KeyInfo>(std::move(*key)), retired.int64(1)};
        }
        std::unique_lock cacheLock(cacheMutex_);
        cache_[digest] = *entry;
    }
    result.key = entry->key;
    result.previousSecret = entry->validUntil.has_value();
    if (result.key->revoked())
        result.failure = AuthFailure::Revoked;
    else if (result.key->expired(now))
        result.failure = AuthFailure::Expired;
    else if (entry->validUntil && now >= *entry->validUntil)
        result.failure = AuthFailure::Rotated;
    return result;
}

void KeyStore::dropCached(std::string_view id) {
    std::unique_lock cacheLock(cacheMutex_);
    std::erase_if(cache_, [&](const auto& item) { return item.second.key->id == id; });
}

std::optional<KeyInfo> KeyStore::load(std::string_view id) const {
    auto st = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM gateway_keys WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readKey(st);
}

bool KeyStore::revoke(std::string_view id, TimeMs now) {
    std::lock_guard lock(dbMutex_);
    if (!load(id))
        return false;
    auto st = db_.prepare("UPDATE gateway_keys SET revoked_ms = ?2, pending_sealed = NULL "
                          "WHERE id = ?1 AND revoked_ms IS NULL");
    st.bindAll(id, now);
    st.run();
    // The next authenticate() reads the revoked row back from the database, for every secret
    // the key had (current and in grace).
    dropCached(id);
    return true;
}

std::optional<KeyInfo> KeyStore::find(std::string_view id) const {
    std::lock_guard lock(dbMutex_);
    return load(id);
}

std::vector<KeyInfo> KeyStore::list(std::string_view afterId, std::size_t limit) const {
    std::lock_guard lock(dbMutex_);
    auto st =
        db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM gateway_keys WHERE id > ?1 ORDER BY id LIMIT ?2");
    st.bindAll(afterId, std::int64_t(limit));
    std::vector<KeyInfo> out;
    while (st.step())
        out.push_back(readKey(st));
    return out;
}

std::optional<std::string> KeyStore::rotateLocked(std::string_view id, std::int64_t graceMs, TimeMs now,
                                                  bool sealPending) {
    Transaction tx(db_);
    auto current = db_.prepare("SELECT secret_sha256, revoked_ms FROM gateway_keys WHERE id = ?1");
    current.bind(1, id);
    if (!current.step() || !current.isNull(1))
        return std::nullopt;
    const auto oldDigest = current.blob(0);
    current = Statement();

    std::string secret = newSecret();
    const auto digest = crypto::sha256(secret);
    const TimeMs validUntil = saturatingAdd(now, std::max<std::int64_t>(graceMs, 0));
    std::vector<std::uint8_t> sealed;
    if (sealPending)
        sealed = crypto::seal(masterKey(), secret, pendingAssociatedData(id));

    // Only the immediately previous secret gets grace: any window still open ends now.
    auto cut = db_.prepare("UPDATE gateway_key_retired_secrets SET valid_until_ms = ?2 "
                           "WHERE key_id = ?1 AND valid_until_ms > ?2");
    cut.bindAll(id, now);
    cut.run();
    auto retire = db_.prepare("INSERT INTO gateway_key_retired_secrets (secret_sha256, key_id, retired_ms, valid_until_ms) "
                              "VALUES (?1, ?2, ?3, ?4)");
    retire.bindAll(std::span<const std::uint8_t>(oldDigest), id, now, validUntil);
    retire.run();
    auto update = db_.prepare("UPDATE gateway_keys SET secret_sha256 = ?2, display_prefix = ?3, rotated_ms = ?4, "
                              "previous_valid_until_ms = ?5, pending_sealed = ?6 WHERE id = ?1");
    update.bindAll(id, std::span<const std::uint8_t>(digest),
                   secret.substr(kKeySecretPrefix.size(), kDisplayPrefixLength), now, validUntil);
    if (sealPending)
        update.bind(6, std::span<const std::uint8_t>(sealed));
    else
        update.bind(6, nullptr);
    update.run();
    tx.commit();
    dropCached(id);
    return secret;
}

std::optional<RotatedKey> KeyStore::rotate(std::string_view id, std::int64_t graceMs, TimeMs now) {
    std::lock_guard lock(dbMutex_);
    auto secret = rotateLocked(id, graceMs, now, false);
    if (!secret)
        return std::nullopt;
    return RotatedKey{*load(id), std::move(*secret)};
}

bool KeyStore::setSchedule(std::string_view id, std::optional<RotationSchedule> schedule) {
    checkSchedule(schedule);
    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare("UPDATE gateway_keys SET rotation_period_ms = ?2, rotation_grace_ms = ?3, "
                          "rotation_reminder_ms = ?4 WHERE id = ?1");
    st.bind(1, id);
    bindSchedule(st, 2, schedule);
    st.run();
    if (db_.changes() == 0)
        return false;
    dropCached(id);
    return true;
}

bool KeyStore::setExpiry(std::string_view id, std::optional<TimeMs> expiresMs) {
    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare("UPDATE gateway_keys SET expires_ms = ?2 WHERE id = ?1");
    st.bindAll(id, expiresMs);
    st.run();
    if (db_.changes() == 0)
        return false;
    dropCached(id);
    return true;
}

std::vector<KeyInfo> KeyStore::dueForRotation(TimeMs now) const {
    std::lock_guard lock(dbMutex_);
    // Written as rotated_ms <= now - period so that a huge period cannot overflow.
    auto st = db_.prepare(std::string("SELECT ") + kKeyColumns +
                          " FROM gateway_keys WHERE rotation_period_ms IS NOT NULL AND revoked_ms IS NULL"
                          " AND rotated_ms <= ?1 - rotation_period_ms ORDER BY id");
    st.bind(1, now);
    std::vector<KeyInfo> out;
    while (st.step())
        out.push_back(readKey(st));
    return out;
}

std::optional<KeyInfo> KeyStore::rotateScheduled(std::string_view id, TimeMs now) {
    masterKey(); // throws without one, before anything changes
    std::lock_guard lock(dbMutex_);
    const auto key = load(id);
    if (!key || key->revoked() || !key->rotation || key->rotatedMs > now - key->rotation->periodMs)
        return std::nullopt;
    auto secret = rotateLocked(id, key->rotation->graceMs, now, true);
    if (!secret)
        return std::nullopt;
    crypto::wipe(std::span(reinterpret_cast<std::uint8_t*>(secret->data()), secret->size()));
    return load(id);
}

std::optional<std::string> KeyStore::claimPendingSecret(std::string_view id) {
    const crypto::MasterKey& mk = masterKey();
    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare("SELECT pending_sealed, secret_sha256 FROM gateway_keys WHERE id = ?1 AND pending_sealed IS NOT NULL");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    auto secret = crypto::open(mk, st.blob(0), pendingAssociatedData(id));
    if (!secret)
        return std::nullopt; // another master key: left for the process that has the right one
    const auto current = st.blob(1);
    st = Statement();
    const auto digest = crypto::sha256(*secret);
    const bool isCurrent = crypto::constantTimeEqual(digest, current);
    auto clear = db_.prepare("UPDATE gateway_keys SET pending_sealed = NULL WHERE id = ?1");
    clear.bind(1, id);
    clear.run();
    dropCached(id);
    if (!isCurrent) { // a stale blob (restored from a backup?): worthless, and now gone
        crypto::wipe(std::span(reinterpret_cast<std::uint8_t*>(secret->data()), secret->size()));
        return std::nullopt;
    }
    return secret;
}

} // namespace gh::store
