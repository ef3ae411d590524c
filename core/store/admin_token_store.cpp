#include "store/admin_token_store.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/schema.h"

namespace gh::store {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretLength = kAdminSecretPrefix.size() + 43; // base64url of 32 bytes, unpadded
constexpr std::size_t kDisplayPrefixLength = 8;
constexpr std::size_t kIdBytes = 8;
constexpr TimeMs kLastUsedResolutionMs = 60'000;

constexpr const char* kColumns =
    "id, name, role, display_prefix, created_by, created_ms, expires_ms, revoked_ms, last_used_ms";

bool wellFormed(std::string_view secret) {
    if (secret.size() != kSecretLength || !secret.starts_with(kAdminSecretPrefix))
        return false;
    for (const char c : secret.substr(kAdminSecretPrefix.size()))
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

AdminTokenInfo readToken(const Statement& st) {
    AdminTokenInfo t;
    t.id = st.text(0);
    t.name = st.text(1);
    t.role = api::parseRole(st.textView(2)).value_or(api::Role::Viewer); // least privilege
    t.displayPrefix = st.text(3);
    t.createdBy = st.text(4);
    t.createdMs = st.int64(5);
    t.expiresMs = st.optionalInt64(6);
    t.revokedMs = st.optionalInt64(7);
    t.lastUsedMs = st.optionalInt64(8);
    return t;
}

} // namespace

AdminTokenStore::AdminTokenStore(const std::filesystem::path& workspace) : db_(openStateDb(workspace)) {}

IssuedAdminToken AdminTokenStore::issue(const std::string& name, api::Role role, std::optional<TimeMs> expiresMs,
                                        const std::string& createdBy, TimeMs now) {
    auto secretBytes = crypto::randomBytes(kSecretBytes);
    IssuedAdminToken issued;
    issued.secret = std::string(kAdminSecretPrefix) + crypto::base64url(secretBytes);
    crypto::wipe(secretBytes);
    const auto digest = crypto::sha256(issued.secret);

    AdminTokenInfo& t = issued.info;
    t.id = "tok_" + crypto::toHex(crypto::randomBytes(kIdBytes));
    t.name = name;
    t.role = role;
    t.displayPrefix = issued.secret.substr(kAdminSecretPrefix.size(), kDisplayPrefixLength);
    t.createdBy = createdBy;
    t.createdMs = now;
    t.expiresMs = expiresMs;

    std::lock_guard lock(mutex_);
    auto st = db_.prepare("INSERT INTO admin_tokens (secret_sha256, id, name, role, display_prefix, created_by, "
                          "created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bindAll(std::span<const std::uint8_t>(digest), t.id, t.name, api::toString(t.role), t.displayPrefix,
               t.createdBy, t.createdMs, t.expiresMs);
    st.run();
    return issued;
}

AdminAuthentication AdminTokenStore::authenticate(std::string_view secret, TimeMs now) {
    AdminAuthentication result;
    if (!wellFormed(secret)) {
        result.failure = AuthFailure::Malformed;
        return result;
    }
    const auto digest = crypto::sha256(secret);
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kColumns + ", secret_sha256 FROM admin_tokens WHERE secret_sha256 = ?1");
    st.bind(1, std::span<const std::uint8_t>(digest));
    if (!st.step() || !crypto::constantTimeEqual(st.blob(9), digest)) {
        result.failure = AuthFailure::Unknown;
        return result;
    }
    AdminTokenInfo token = readToken(st);
    st = Statement();
    if (token.revoked())
        result.failure = AuthFailure::Revoked;
    else if (token.expired(now))
        result.failure = AuthFailure::Expired;
    else if (!token.lastUsedMs || now - *token.lastUsedMs >= kLastUsedResolutionMs) {
        auto touch = db_.prepare("UPDATE admin_tokens SET last_used_ms = ?2 WHERE id = ?1");
        touch.bindAll(token.id, now);
        try {
            touch.run();
            token.lastUsedMs = now;
        } catch (const DbError&) {
            // Bookkeeping only (the database is busy or read-only): the caller is still who they are.
        }
    }
    result.token = std::move(token);
    return result;
}

bool AdminTokenStore::revoke(std::string_view id, TimeMs now) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE admin_tokens SET revoked_ms = coalesce(revoked_ms, ?2) WHERE id = ?1");
    st.bindAll(id, now);
    st.run();
    return db_.changes() > 0;
}

std::optional<AdminTokenInfo> AdminTokenStore::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM admin_tokens WHERE id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readToken(st);
}

std::vector<AdminTokenInfo> AdminTokenStore::list(std::string_view afterId, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM admin_tokens WHERE id > ?1 ORDER BY id LIMIT ?2");
    st.bindAll(afterId, std::int64_t(limit));
    std::vector<AdminTokenInfo> out;
    while (st.step())
        out.push_back(readToken(st));
    return out;
}

} // namespace gh::store
