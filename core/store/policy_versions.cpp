#include "store/policy_versions.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "store/schema.h"

namespace gh::store {
namespace {

constexpr const char* kMetaColumns =
    "version, sha256_hex, author, role, comment, source, rolled_back_from, created_ms";

PolicyVersion readVersion(const Statement& st, bool withYaml) {
    PolicyVersion v;
    v.version = st.int64(0);
    v.sha256Hex = st.text(1);
    v.author = st.text(2);
    v.role = st.text(3);
    v.comment = st.text(4);
    v.source = st.text(5);
    v.rolledBackFrom = st.optionalInt64(6);
    v.createdMs = st.int64(7);
    if (withYaml)
        v.yaml = st.text(8);
    return v;
}

} // namespace

PolicyVersionStore::PolicyVersionStore(const std::filesystem::path& workspace) : db_(openStateDb(workspace)) {}

std::optional<PolicyVersion> PolicyVersionStore::current() const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kMetaColumns + ", yaml FROM policy_versions ORDER BY version DESC LIMIT 1");
    if (!st.step())
        return std::nullopt;
    return readVersion(st, true);
}

std::optional<PolicyVersion> PolicyVersionStore::get(std::int64_t version) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kMetaColumns + ", yaml FROM policy_versions WHERE version = ?1");
    st.bind(1, version);
    if (!st.step())
        return std::nullopt;
    return readVersion(st, true);
}

std::vector<PolicyVersion> PolicyVersionStore::list(std::optional<std::int64_t> beforeVersion, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(std::string("SELECT ") + kMetaColumns +
                          " FROM policy_versions WHERE ?1 IS NULL OR version < ?1 ORDER BY version DESC LIMIT ?2");
    st.bindAll(beforeVersion, std::int64_t(limit));
    std::vector<PolicyVersion> out;
    while (st.step())
        out.push_back(readVersion(st, false));
    return out;
}

ApplyResult PolicyVersionStore::apply(std::int64_t expectedVersion, const PolicyVersion& draft, TimeMs now) {
    PolicyVersion v = draft;
    v.version = expectedVersion + 1;
    v.sha256Hex = crypto::toHex(crypto::sha256(draft.yaml));
    v.createdMs = now;

    std::lock_guard lock(mutex_);
    // IMMEDIATE: the write lock is taken before the newest version is read, so no other
    // connection can append between the check and the insert.
    Transaction tx(db_, Transaction::Mode::Immediate);
    auto newest = db_.prepare("SELECT coalesce(max(version), 0) FROM policy_versions");
    newest.step();
    const std::int64_t current = newest.int64(0);
    newest = Statement();
    ApplyResult result;
    result.currentVersion = current;
    if (current != expectedVersion)
        return result; // the transaction rolls back; nothing was written

    auto insert = db_.prepare("INSERT INTO policy_versions (version, yaml, sha256_hex, author, role, comment, source, "
                              "rolled_back_from, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    insert.bindAll(v.version, v.yaml, v.sha256Hex, v.author, v.role, v.comment, v.source, v.rolledBackFrom,
                   v.createdMs);
    insert.run();
    tx.commit();
    result.applied = true;
    result.currentVersion = v.version;
    result.version = std::move(v);
    return result;
}

} // namespace gh::store
