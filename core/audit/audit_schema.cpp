// The schema of audit.db. Its own file, not state.db: the audit chain outlives configuration
// restores (restoring state.db from a backup must not roll the audit chain back with it), and the
// security role can copy it off for offline verification without the sealed credentials.
#include "audit/audit_log.h"

namespace gh::audit {
namespace {

// Append new steps at the end; never edit a step that has shipped.

constexpr store::Migration kAuditSteps[] = {
    {1, "audit chain", R"sql(
CREATE TABLE audit_entries (
    seq        INTEGER PRIMARY KEY,  -- 1, 2, 3, ... without gaps
    time_ms    INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL,        -- compact JSON object, secrets redacted
    source     TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,        -- hash of seq - 1; 32 zero bytes for seq 1
    hash       BLOB NOT NULL,        -- SHA-256(prev_hash || encoding of the fields): audit_log.h
    seal       BLOB NOT NULL         -- HMAC-SHA256(checkpoint key, entry, seq, hash)
);
CREATE INDEX audit_entries_time ON audit_entries(time_ms);
CREATE INDEX audit_entries_actor ON audit_entries(actor, seq);
CREATE INDEX audit_entries_action ON audit_entries(action, seq);
CREATE INDEX audit_entries_target ON audit_entries(target, seq);

-- The signed head: the newest entry, replaced by every append in the same transaction.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    seq      INTEGER NOT NULL,
    hash     BLOB NOT NULL,
    time_ms  INTEGER NOT NULL,
    mac      BLOB NOT NULL           -- HMAC-SHA256(checkpoint key, head, seq, hash, time)
);

-- key_check: HMAC-SHA256(checkpoint key, key check), to tell a wrong master.key from forgery.
CREATE TABLE audit_meta (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);
)sql"},
};

} // namespace

std::span<const store::Migration> auditMigrations() { return kAuditSteps; }

} // namespace gh::audit
