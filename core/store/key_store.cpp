#include "store/key_store.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/schema.h"

#include <boost/json.hpp>

namespace gh::store {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretLength = kKeySecretPrefix.size() + 43; // base64url of 32 bytes, unpadded
constexpr std::size_t kDisplayPrefixLength = 8;
constexpr std::size_t kIdBytes = 8;

constexpr const char* kKeyColumns =
    "id, display_prefix, identity, team, repositories, created_ms, expires_ms, revoked_ms";

std::string digestKey(const crypto::Sha256Digest& d) { return std::string(d.begin(), d.end()); }

bool wellFormed(std::string_view secret) {
    if (secret.size() != kSecretLength || !secret.starts_with(kKeySecretPrefix))
        return false;
    for (const char c : secret.substr(kKeySecretPrefix.size()))
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

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
    return k;
}

} // namespace

const char* toString(AuthFailure f) {
    switch (f) {
    case AuthFailure::Malformed: return "malformed";
    case AuthFailure::Unknown: return "unknown";
    case AuthFailure::Revoked: return "revoked";
    case AuthFailure::Expired: return "expired";
    }
    return "unknown";
}

KeyStore::KeyStore(const std::filesystem::path& workspace) : db_(openStateDb(workspace)) {}

KeyStore::~KeyStore() = default;

IssuedKey KeyStore::issue(const KeyRequest& request, TimeMs now) {
    auto secretBytes = crypto::randomBytes(kSecretBytes);
    IssuedKey issued;
    issued.secret = std::string(kKeySecretPrefix) + crypto::base64url(secretBytes);
    crypto::wipe(secretBytes);
    const auto digest = crypto::sha256(issued.secret);

    KeyInfo& k = issued.info;
    k.id = "key_" + crypto::toHex(crypto::randomBytes(kIdBytes));
    k.displayPrefix = issued.secret.substr(kKeySecretPrefix.size(), kDisplayPrefixLength);
    k.identity = request.identity;
    k.team = request.team;
    k.repositories = request.repositories;
    k.createdMs = now;
    k.expiresMs = request.expiresMs;

    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare(std::string("INSERT INTO gateway_keys (secret_sha256, ") + kKeyColumns +
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)");
    st.bindAll(std::span<const std::uint8_t>(digest), k.id, k.displayPrefix, k.identity, k.team,
               repositoriesJson(k.repositories), k.createdMs, k.expiresMs);
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
    {
        std::shared_lock lock(cacheMutex_);
        if (auto it = cache_.find(digest); it != cache_.end())
            result.key = it->second;
    }
    if (!result.key) {
        std::lock_guard lock(dbMutex_);
        auto st = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM gateway_keys WHERE secret_sha256 = ?1");
        st.bind(1, std::span(reinterpret_cast<const std::uint8_t*>(digest.data()), digest.size()));
        if (!st.step()) {
            result.failure = AuthFailure::Unknown;
            return result;
        }
        result.key = std::make_shared<const KeyInfo>(readKey(st));
        std::unique_lock cacheLock(cacheMutex_);
        cache_[digest] = result.key;
    }
    if (result.key->revoked())
        result.failure = AuthFailure::Revoked;
    else if (result.key->expired(now))
        result.failure = AuthFailure::Expired;
    return result;
}

bool KeyStore::revoke(std::string_view id, TimeMs now) {
    std::lock_guard lock(dbMutex_);
    auto find = db_.prepare("SELECT secret_sha256 FROM gateway_keys WHERE id = ?1");
    find.bind(1, id);
    if (!find.step())
        return false;
    const auto digest = find.blob(0);
    find = Statement();
    auto st = db_.prepare("UPDATE gateway_keys SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms IS NULL");
    st.bindAll(id, now);
    st.run();
    // The next authenticate() reads the revoked row back from the database.
    std::unique_lock cacheLock(cacheMutex_);
    cache_.erase(std::string(digest.begin(), digest.end()));
    return true;
}

std::optional<KeyInfo> KeyStore::find(std::string_view id) const {
    std::lock_guard lock(dbMutex_);
    auto st = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM gateway_keys WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readKey(st);
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

} // namespace gh::store
