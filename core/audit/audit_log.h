#pragma once
// The tamper-evident audit chain: every admin change and every security event, appended to
// <workspace>/audit.db (its own SQLite file) and verifiable offline.
//
// Scheme (v1)
//   hash_n  = SHA-256(hash_{n-1} || encode(seq, time, actor, role, action, target, outcome, detail,
//             source)), hash_0 = 32 zero bytes. encode() is a domain tag followed by the integers
//             as 8-byte big-endian and every string as an 8-byte big-endian length and its bytes, so
//             no two different entries encode alike ("ab"+"c" never equals "a"+"bc").
//   K       = HMAC-SHA256(master key, "gatehouse audit checkpoint v1"): a key for this purpose only;
//             the master key itself never signs anything here.
//   seal_n  = HMAC-SHA256(K, "entry" || seq || hash_n), stored on every entry: each entry is its own
//             checkpoint, so verify names the exact first entry that was rewritten even when the
//             attacker recomputed every hash after it (periodic checkpoints would only narrow it
//             down to a window).
//   head    = HMAC-SHA256(K, "head" || seq || hash || time) of the newest entry, replaced in the
//             same transaction as every append: deleting the newest entries is "truncated".
//   key check = HMAC-SHA256(K, "key check"), written once: tells "wrong master.key" apart from
//             "every signature was forged".
//
// What this detects: anyone who can write audit.db but does not hold the master key cannot alter,
// remove, insert, duplicate or reorder entries, nor cut entries off the end, without verify naming
// the first (lowest seq) entry affected. Recomputing the hashes does not help: the seals and the
// head need K. append() refuses to write after a tail that does not match the signed head, so a
// truncation is not papered over by the next entry.
//
// What it cannot detect, and why:
//   - Replacing audit.db wholesale with an older copy of itself (a backup, a snapshot), or deleting
//     it (a new, empty log is created): an older copy is a chain that was valid at the time,
//     with its own valid head (so is deleting the newest entries together with putting back a head
//     row saved earlier). Nothing inside the file can prove that it is the newest one; that
//     takes an anchor kept elsewhere (the head seq and hash exported to another system, which
//     `verify` reports so it can be compared).
//   - Someone who holds the master key (or K) can rewrite anything: the master key is the root of
//     trust for the audit chain just as it is for sealed credentials. A new master key makes the
//     existing chain unverifiable (verify reports problem "key").
//   - Entries that were never appended: a caller that skips append() is not caught here. Callers
//     refuse the change when append() throws, so a change is never made without its entry.
//
// Secrets: the caller removes secrets from detailJson before appending. As defence in depth,
// append() replaces with "[redacted]" every string value found under a key named like a secret
// (secret, token, password, passwd, api_key/apikey, authorization, private_key; case-insensitive,
// '-' and '_' ignored; keys ending in "id", "ids" or "fingerprint" are kept: those name a secret,
// they do not hold it), and every string value anywhere that holds a whole Gatehouse secret
// ("ghk_…", "gha_…") or starts with "Bearer ". That net catches obvious mistakes, not a provider
// key under an innocent name: the caller is still responsible.
#include "crypto/seal.h"
#include "store/database.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gh::audit {

using TimeMs = std::int64_t;

inline constexpr const char* kAuditDbFile = "audit.db";

struct NewEntry {
    std::string actor;      // admin token id + name e.g. "tok_ab12… (alice)", or "scheduler", "gateway"
    std::string role;       // "admin", "security", ... or "" for system/unauthenticated
    std::string action;     // e.g. "policy.apply", "credential.rotate", "auth.failed", "access.denied"
    std::string target;     // e.g. "policy", "credential:openai-prod", "key:key_0123..."
    std::string outcome;    // "ok", "refused", "failed"
    std::string detailJson; // a JSON object text (before/after etc.); the caller removes secrets. "" = {}
    std::string source;     // client address, "" when none
};

struct Entry {
    std::int64_t seq = 0; // 1, 2, 3, ... without gaps
    TimeMs timeMs = 0;
    std::string actor, role, action, target, outcome;
    std::string detailJson; // as stored: compact JSON object text, secrets redacted
    std::string source;
    std::string prevHashHex, hashHex; // 64 lowercase hex digits each
};

struct AuditFilter {
    std::optional<TimeMs> fromMs; // inclusive
    std::optional<TimeMs> toMs;   // exclusive
    std::string actor;            // exact; "" = any
    std::string action;           // exact, or a prefix ending in '.' ("credential."); "" = any
    std::string target;           // exact; "" = any
};

// Newest first. nextBeforeSeq is the beforeSeq of the next (older) page; nullopt on the last page.
struct AuditPage {
    std::vector<Entry> entries;
    std::optional<std::int64_t> nextBeforeSeq;
};

struct VerifyReport {
    bool ok = false;
    std::int64_t entries = 0; // entries verified intact (all of them when ok; those before the first bad one otherwise)
    std::int64_t checkpoints = 0; // signatures verified: one seal per intact entry, plus the head checkpoint
    std::optional<std::int64_t> firstBadSeq;
    // "" (ok), "altered", "removed", "inserted", "reordered", "truncated",
    // "checkpoint" (the head checkpoint is forged, altered or missing),
    // "key" (master.key is not the key this log was written with),
    // "unreadable" (no audit.db, not an audit database, or SQLite cannot read it)
    std::string problem;
    std::string message; // one sentence a person can act on
    // The signed head when there is one (seq 0 and "" for an empty log): what to compare with a
    // copy kept elsewhere to detect a rollback of the whole file.
    std::int64_t headSeq = 0;
    std::string headHashHex;
};

class AuditError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The schema of audit.db (store::migrate conventions: steps numbered 1, 2, 3, ...).
std::span<const store::Migration> auditMigrations();

class AuditLog {
public:
    // Opens audit.db in `workspace`, creating the directory, the file and its schema when needed.
    // Throws AuditError when it cannot (the gateway must not run without its audit chain).
    AuditLog(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Appends one entry and commits it (synchronous=FULL: on disk before this returns). Thread-safe,
    // and safe against other processes appending to the same file. Throws AuditError when the entry
    // is not recorded: detailJson is not a JSON object, the file stays locked by another
    // connection for longer than kBusyTimeoutMs, the disk fails, or the file no longer ends where its
    // signed head says (appending would overwrite the evidence of a truncation; the message says to
    // run `gatehoused audit verify` and move audit.db aside). The caller then refuses the change the
    // entry describes.
    Entry append(const NewEntry& entry, TimeMs now);

    // Keyset paging, newest first: entries with seq < beforeSeq (all when nullopt) matching the
    // filter; limit is clamped to 1..1000. Throws AuditError when the file cannot be read.
    AuditPage list(const AuditFilter& filter, std::optional<std::int64_t> beforeSeq, std::size_t limit) const;

    // Verifies the whole chain on its own read-only connection (appends are not blocked).
    VerifyReport verify() const;

    const std::filesystem::path& path() const { return path_; }

    static constexpr int kBusyTimeoutMs = 2000;

private:
    std::filesystem::path workspace_;
    std::filesystem::path path_;
    crypto::MasterKey checkpointKey_{}; // K, derived from the master key; never the master key
    mutable std::mutex mutex_;
    mutable store::Database db_;
};

// Offline verification: opens <workspace>/audit.db read-only and never changes it. Never throws
// for a damaged or missing file: that is a report with problem "unreadable".
VerifyReport verifyAuditFile(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);

// The scrubbing append() applies, for callers and tests: returns the compact JSON object text with
// secret-looking values replaced by "[redacted]"; "" becomes "{}". Throws AuditError when `json`
// is not a JSON object.
std::string scrubDetail(std::string_view json);

} // namespace gh::audit
