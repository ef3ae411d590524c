#include "store/credential_vault.h"

#include "store/schema.h"

namespace gh::store {
namespace {
// Binds a sealed blob to its row: a blob copied onto another credential does not open.
std::string associatedData(std::string_view id) { return "gatehouse credential:" + std::string(id); }
} // namespace

CredentialVault::CredentialVault(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey)
    : key_(masterKey), db_(openStateDb(workspace)) {}

CredentialInfo CredentialVault::set(const std::string& id, const std::string& secret, TimeMs now) {
    const auto sealed = crypto::seal(key_, secret, associatedData(id));
    CredentialInfo info{id, crypto::fingerprint(key_, secret), now, now};
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    auto existing = db_.prepare("SELECT created_ms FROM credentials WHERE id = ?1");
    existing.bindAll(id);
    if (existing.step())
        info.createdMs = existing.int64(0);
    auto upsert = db_.prepare(
        "INSERT INTO credentials (id, sealed, fingerprint, created_ms, rotated_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, fingerprint = excluded.fingerprint, "
        "rotated_ms = excluded.rotated_ms");
    upsert.bindAll(id, std::span<const std::uint8_t>(sealed), info.fingerprint, info.createdMs, info.rotatedMs);
    upsert.run();
    tx.commit();
    opened_.erase(id);
    return info;
}

std::optional<std::string> CredentialVault::secret(std::string_view id) const {
    std::lock_guard lock(mutex_);
    if (auto it = opened_.find(id); it != opened_.end())
        return it->second;
    auto query = db_.prepare("SELECT sealed FROM credentials WHERE id = ?1");
    query.bindAll(id);
    if (!query.step())
        return std::nullopt;
    auto plain = crypto::open(key_, query.blob(0), associatedData(id));
    if (plain)
        opened_.emplace(std::string(id), *plain);
    return plain;
}

void CredentialVault::forget() {
    std::lock_guard lock(mutex_);
    opened_.clear();
}

std::vector<CredentialInfo> CredentialVault::list() const {
    std::lock_guard lock(mutex_);
    std::vector<CredentialInfo> out;
    auto query = db_.prepare("SELECT id, fingerprint, created_ms, rotated_ms FROM credentials ORDER BY id");
    while (query.step())
        out.push_back({query.text(0), query.text(1), query.int64(2), query.int64(3)});
    return out;
}

} // namespace gh::store
