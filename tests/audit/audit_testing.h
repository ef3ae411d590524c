#pragma once
// Helpers for the audit suites: a workspace with a log, and the tools of an attacker who can write
// audit.db with raw SQL and knows the (public) hashing scheme, but not the master key.
#include "audit/audit_log.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/seal.h"
#include "store/database.h"
#include "support/testdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gh::test {

inline constexpr audit::TimeMs kAuditNow = 1'767'225'600'000;

inline std::filesystem::path workspaceOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

inline audit::NewEntry sampleEntry(int i) {
    static const char* const actions[] = {"policy.apply", "credential.rotate", "auth.failed", "access.denied",
                                          "key.issue", "credential.add", "token.create"};
    audit::NewEntry e;
    e.actor = i % 3 == 0 ? "scheduler" : "tok_ab12 (alice)";
    e.role = i % 3 == 0 ? "" : "admin";
    e.action = actions[i % 7];
    e.target = "credential:openai-" + std::to_string(i % 5);
    e.outcome = i % 4 == 0 ? "refused" : "ok";
    e.detailJson = "{\"n\":" + std::to_string(i) + ",\"before\":{\"fingerprint\":\"hmac-sha256:00\"}}";
    e.source = i % 2 ? "10.0.0." + std::to_string(i % 250) : "";
    return e;
}

// Appends `n` sample entries, one second apart.
inline void fill(audit::AuditLog& log, int n, int first = 1) {
    for (int i = first; i < first + n; ++i)
        log.append(sampleEntry(i), kAuditNow + i * 1000);
}

// A raw, writable connection to the workspace's audit.db: the attacker's tool.
inline store::Database rawAuditDb(const QTemporaryDir& dir) {
    return store::Database::open(workspaceOf(dir) / audit::kAuditDbFile);
}

// ---- the documented hashing scheme, re-implemented from the header comment -------------------

inline void putU64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int i = 7; i >= 0; --i)
        out.push_back(std::uint8_t(v >> (8 * i)));
}

inline void putStr(std::vector<std::uint8_t>& out, const std::string& s) {
    putU64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

struct RawRow {
    std::int64_t seq = 0, timeMs = 0;
    std::string actor, role, action, target, outcome, detail, source;
    std::vector<std::uint8_t> prev, hash, seal;
};

inline std::vector<std::uint8_t> attackerHash(const std::vector<std::uint8_t>& prev, const RawRow& r) {
    std::vector<std::uint8_t> in(prev);
    putStr(in, "gatehouse audit entry v1");
    putU64(in, std::uint64_t(r.seq));
    putU64(in, std::uint64_t(r.timeMs));
    for (const std::string* s : {&r.actor, &r.role, &r.action, &r.target, &r.outcome, &r.detail, &r.source})
        putStr(in, *s);
    const auto digest = crypto::sha256(std::span<const std::uint8_t>(in));
    return {digest.begin(), digest.end()};
}

inline std::vector<RawRow> readRows(const store::Database& db) {
    std::vector<RawRow> rows;
    auto st = db.prepare("SELECT seq, time_ms, actor, role, action, target, outcome, detail, source, prev_hash, hash, "
                         "seal FROM audit_entries ORDER BY seq");
    while (st.step())
        rows.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                        st.text(7), st.text(8), st.blob(9), st.blob(10), st.blob(11)});
    return rows;
}

inline void writeRow(store::Database& db, const RawRow& r) {
    auto st = db.prepare("INSERT OR REPLACE INTO audit_entries (seq, time_ms, actor, role, action, target, outcome, "
                         "detail, source, prev_hash, hash, seal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                         "?12)");
    st.bindAll(r.seq, r.timeMs, r.actor, r.role, r.action, r.target, r.outcome, r.detail, r.source,
               std::span<const std::uint8_t>(r.prev), std::span<const std::uint8_t>(r.hash),
               std::span<const std::uint8_t>(r.seal));
    st.run();
}

// Recomputes prev_hash and hash of every row from `from` on, as an attacker without the key can
// (the seals stay as they were: they need the key).
inline void recomputeHashesFrom(store::Database& db, std::int64_t from) {
    std::vector<std::uint8_t> prev(32, 0);
    for (RawRow r : readRows(db)) {
        if (r.seq >= from) {
            r.prev = prev;
            r.hash = attackerHash(prev, r);
            writeRow(db, r);
        }
        prev = r.hash;
    }
}

} // namespace gh::test
