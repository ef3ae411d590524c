#include "store/credential_vault.h"

#include "crypto/hash.h"
#include "store/schema.h"

#include <stdexcept>

namespace gh::store {
namespace {

// Binds a sealed blob to its row: a blob copied onto another credential does not open.
std::string associatedData(std::string_view id) { return "gatehouse credential:" + std::string(id); }

constexpr const char* kColumns = "id, fingerprint, created_ms, rotated_ms, rotation_period_ms, rotation_grace_ms, "
                                 "rotation_reminder_ms, revoked_ms, last_notified_state, last_notified_ms";

CredentialInfo readInfo(const Statement& st) {
    CredentialInfo info;
    info.id = st.text(0);
    info.fingerprint = st.text(1);
    info.createdMs = st.int64(2);
    info.rotatedMs = st.int64(3);
    if (const auto period = st.optionalInt64(4))
        info.schedule = RotationSchedule{*period, st.optionalInt64(5).value_or(0), st.optionalInt64(6).value_or(0)};
    info.revokedMs = st.optionalInt64(7);
    info.lastNotifiedState = st.text(8);
    info.lastNotifiedMs = st.int64(9);
    return info;
}

void wipeString(std::string& s) {
    crypto::wipe(std::span(reinterpret_cast<std::uint8_t*>(s.data()), s.size()));
}

} // namespace

CredentialVault::CredentialVault(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey)
    : key_(masterKey), db_(openStateDb(workspace)) {
    // Deleted and overwritten content is zeroed in the file rather than left in free pages: a
    // revoked credential's sealed secret does not linger (it is ciphertext, but it need not be there).
    db_.exec("PRAGMA secure_delete = ON");
}

CredentialVault::~CredentialVault() {
    crypto::wipe(key_);
    for (auto& [id, plain] : opened_)
        wipeString(plain);
}

CredentialInfo CredentialVault::set(const std::string& id, const std::string& secret, TimeMs now) {
    return set(id, secret, now, std::string());
}

CredentialInfo CredentialVault::set(const std::string& id, const std::string& secret, TimeMs now,
                                    const std::string& actor) {
    const auto sealed = crypto::seal(key_, secret, associatedData(id));
    const std::string fingerprint = crypto::fingerprint(key_, secret);
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    // A new secret: active again if it was revoked, and a new notification cycle.
    auto upsert = db_.prepare(
        "INSERT INTO credentials (id, sealed, fingerprint, created_ms, rotated_ms) VALUES (?1, ?2, ?3, ?4, ?4) "
        "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, fingerprint = excluded.fingerprint, "
        "rotated_ms = excluded.rotated_ms, revoked_ms = NULL, last_notified_state = '', last_notified_ms = 0");
    upsert.bindAll(id, std::span<const std::uint8_t>(sealed), fingerprint, now);
    upsert.run();
    auto history = db_.prepare(
        "INSERT INTO credential_rotations (credential_id, rotated_ms, fingerprint, actor) VALUES (?1, ?2, ?3, ?4)");
    history.bindAll(id, now, fingerprint, actor);
    history.run();
    auto read = db_.prepare(std::string("SELECT ") + kColumns + " FROM credentials WHERE id = ?1");
    read.bind(1, id);
    read.step();
    CredentialInfo info = readInfo(read);
    read = Statement();
    tx.commit();
    if (auto it = opened_.find(id); it != opened_.end()) {
        wipeString(it->second);
        opened_.erase(it);
    }
    return info;
}

std::optional<std::string> CredentialVault::secret(std::string_view id) const {
    std::lock_guard lock(mutex_);
    if (auto it = opened_.find(id); it != opened_.end())
        return it->second;
    auto query = db_.prepare("SELECT sealed FROM credentials WHERE id = ?1 AND revoked_ms IS NULL");
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
    for (auto& [id, plain] : opened_)
        wipeString(plain);
    opened_.clear();
}

std::vector<CredentialInfo> CredentialVault::list() const {
    std::lock_guard lock(mutex_);
    std::vector<CredentialInfo> out;
    auto query = db_.prepare(std::string("SELECT ") + kColumns + " FROM credentials ORDER BY id");
    while (query.step())
        out.push_back(readInfo(query));
    return out;
}

std::optional<CredentialInfo> CredentialVault::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto query = db_.prepare(std::string("SELECT ") + kColumns + " FROM credentials WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        return std::nullopt;
    return readInfo(query);
}

bool CredentialVault::setSchedule(std::string_view id, std::optional<RotationSchedule> schedule) {
    if (schedule && !valid(*schedule))
        throw std::invalid_argument("a rotation schedule needs a positive period and a grace and reminder of 0 or more");
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE credentials SET rotation_period_ms = ?2, rotation_grace_ms = ?3, "
                          "rotation_reminder_ms = ?4 WHERE id = ?1");
    st.bind(1, id);
    if (schedule)
        st.bind(2, schedule->periodMs).bind(3, schedule->graceMs).bind(4, schedule->reminderMs);
    else
        st.bind(2, nullptr).bind(3, nullptr).bind(4, nullptr);
    st.run();
    return db_.changes() > 0;
}

bool CredentialVault::revoke(std::string_view id, TimeMs now) {
    std::lock_guard lock(mutex_);
    // The sealed blob is replaced by an empty one (with secure_delete, its bytes are zeroed in
    // the file); the id, fingerprint and history stay for the record.
    auto st = db_.prepare("UPDATE credentials SET sealed = X'', revoked_ms = coalesce(revoked_ms, ?2) WHERE id = ?1");
    st.bindAll(id, now);
    st.run();
    const bool found = db_.changes() > 0;
    if (auto it = opened_.find(id); it != opened_.end()) {
        wipeString(it->second);
        opened_.erase(it);
    }
    return found;
}

std::vector<CredentialRotation> CredentialVault::history(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT rotated_ms, fingerprint, actor FROM credential_rotations "
                          "WHERE credential_id = ?1 ORDER BY seq DESC");
    st.bind(1, id);
    std::vector<CredentialRotation> out;
    while (st.step())
        out.push_back({st.int64(0), st.text(1), st.text(2)});
    return out;
}

void CredentialVault::markNotified(std::string_view id, RotationState state, TimeMs now) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE credentials SET last_notified_state = ?2, last_notified_ms = ?3 WHERE id = ?1");
    st.bindAll(id, toString(state), now);
    st.run();
}

} // namespace gh::store
