#include "store/schema.h"

namespace gh::store {
namespace {

// Append new steps at the end; never edit a step that has shipped.

constexpr Migration kStateSteps[] = {
    {1, "gateway keys", R"sql(
CREATE TABLE gateway_keys (
    id            TEXT PRIMARY KEY,            -- 'key_' + random hex, stable for the key's life
    secret_sha256 BLOB NOT NULL UNIQUE,        -- the secret itself is never stored
    display_prefix TEXT NOT NULL,              -- first characters after 'ghk_', to recognise a key
    identity      TEXT NOT NULL,
    team          TEXT NOT NULL,
    repositories  TEXT NOT NULL DEFAULT '[]',  -- JSON array of patterns; [] = any repository
    created_ms    INTEGER NOT NULL,
    expires_ms    INTEGER,                     -- NULL: never expires
    revoked_ms    INTEGER                      -- NULL: not revoked
);
CREATE INDEX gateway_keys_identity ON gateway_keys(identity);
)sql"},
    {2, "sealed provider credentials", R"sql(
CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,  -- the id the policy names; stable across rotations
    sealed      BLOB NOT NULL,     -- AES-256-GCM under the workspace master key (crypto/seal.h)
    fingerprint TEXT NOT NULL,     -- keyed, non-reversible; what people compare
    created_ms  INTEGER NOT NULL,
    rotated_ms  INTEGER NOT NULL
);
)sql"},
    {3, "gateway key rotation", R"sql(
-- Rotation changes a key's secret, never its id (teams, budgets and request records name the id).
-- A schedule is three durations; no period means no schedule.
ALTER TABLE gateway_keys ADD COLUMN rotation_period_ms   INTEGER;  -- NULL: no scheduled rotation
ALTER TABLE gateway_keys ADD COLUMN rotation_grace_ms    INTEGER;  -- how long the previous secret keeps working
ALTER TABLE gateway_keys ADD COLUMN rotation_reminder_ms INTEGER;  -- how long before it is due to say so
-- When the current secret was set; keys issued before this step count from their creation.
ALTER TABLE gateway_keys ADD COLUMN rotated_ms INTEGER NOT NULL DEFAULT 0;
UPDATE gateway_keys SET rotated_ms = created_ms;
-- When the secret replaced by the last rotation stops authenticating (NULL: never rotated).
ALTER TABLE gateway_keys ADD COLUMN previous_valid_until_ms INTEGER;
-- A secret made by a scheduled rotation, waiting for its one-time pickup: sealed under the
-- workspace master key (never plaintext), deleted when picked up or when rotated by hand.
ALTER TABLE gateway_keys ADD COLUMN pending_sealed BLOB;

-- Every secret a key has had, as SHA-256 only. The one replaced last keeps authenticating until
-- valid_until_ms (the grace window, so agents can switch over); older ones are cut at once by the
-- next rotation. Kept afterwards so a stale secret is refused as "rotated", not "unknown".
CREATE TABLE gateway_key_retired_secrets (
    secret_sha256  BLOB PRIMARY KEY,
    key_id         TEXT NOT NULL REFERENCES gateway_keys(id),
    retired_ms     INTEGER NOT NULL,
    valid_until_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX gateway_key_retired_secrets_key ON gateway_key_retired_secrets(key_id);
)sql"},
    {4, "admin tokens", R"sql(
-- Bearer tokens of the admin API, each with one role (api/roles.h). Like gateway keys, only the
-- SHA-256 of the secret is stored: the secret is 32 random bytes, shown once when issued.
CREATE TABLE admin_tokens (
    id             TEXT PRIMARY KEY,       -- 'tok_' + random hex, stable for the token's life
    secret_sha256  BLOB NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,          -- first characters after 'gha_', to recognise a token
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,          -- 'viewer', 'policy-editor', 'security', 'admin'
    created_by     TEXT NOT NULL,
    created_ms     INTEGER NOT NULL,
    expires_ms     INTEGER,                -- NULL: never expires
    revoked_ms     INTEGER,                -- NULL: not revoked
    last_used_ms   INTEGER                 -- updated at most once a minute (it is a write)
);
)sql"},
    {5, "credential lifecycle", R"sql(
-- Rotation schedules, revocation and the scheduler's memory for provider credentials.
ALTER TABLE credentials ADD COLUMN rotation_period_ms   INTEGER;  -- NULL: no schedule
ALTER TABLE credentials ADD COLUMN rotation_grace_ms    INTEGER;
ALTER TABLE credentials ADD COLUMN rotation_reminder_ms INTEGER;
-- Revoking empties `sealed` (the column is NOT NULL, so an empty blob) and sets this; setting a
-- new secret clears it again.
ALTER TABLE credentials ADD COLUMN revoked_ms INTEGER;
-- The last rotation state the scheduler announced (''  = none since the secret was set), so a
-- state change or a reminder is announced once, across restarts.
ALTER TABLE credentials ADD COLUMN last_notified_state TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN last_notified_ms INTEGER NOT NULL DEFAULT 0;

-- One row each time a secret was set (the first time included): when, which fingerprint, who.
-- Fingerprints only; a secret is never kept here, sealed or not.
CREATE TABLE credential_rotations (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id TEXT NOT NULL REFERENCES credentials(id),
    rotated_ms    INTEGER NOT NULL,
    fingerprint   TEXT NOT NULL,
    actor         TEXT NOT NULL
);
CREATE INDEX credential_rotations_by_id ON credential_rotations(credential_id, seq);
-- Credentials set before this step: their current secret is the first entry we know of.
INSERT INTO credential_rotations (credential_id, rotated_ms, fingerprint, actor)
    SELECT id, rotated_ms, fingerprint, 'unrecorded' FROM credentials ORDER BY id;
)sql"},
    {6, "policy versions", R"sql(
-- Every applied route policy, never updated or deleted: the newest row is the policy in force.
-- Versions are 1, 2, 3, ... without gaps; apply is a compare-and-swap on the newest version
-- (If-Match), done in one IMMEDIATE transaction, and the primary key makes a lost race fail
-- loudly rather than fork the history.
CREATE TABLE policy_versions (
    version           INTEGER PRIMARY KEY,
    yaml              TEXT NOT NULL,
    sha256_hex        TEXT NOT NULL,       -- of yaml, for If-Match/ETag and quick comparison
    author            TEXT NOT NULL,
    role              TEXT NOT NULL,
    comment           TEXT NOT NULL,
    source            TEXT NOT NULL,       -- 'init', 'file', 'api', 'rollback'
    rolled_back_from  INTEGER REFERENCES policy_versions(version),
    created_ms        INTEGER NOT NULL
);
)sql"},
    {7, "idempotency keys", R"sql(
-- Results of admin operations that must not run twice (a rotation makes a new secret each time),
-- by the client's Idempotency-Key, for 24 hours. The result holds a secret, so it is sealed under
-- the workspace master key, bound to (scope, key); the request's hash is inside the seal too.
CREATE TABLE idempotency_results (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    sealed     BLOB NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_results_created ON idempotency_results(created_ms);
)sql"},
    {8, "alert log", R"sql(
-- Budget threshold alerts and rotation events. The unique constraint is what makes each fire
-- once, across restarts and racing schedulers: a second insert of the same event does nothing.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- keyset paging, newest first
    time_ms         INTEGER NOT NULL,
    kind            TEXT NOT NULL,      -- 'budget.threshold', 'credential.due_soon', 'key.rotated', ...
    subject         TEXT NOT NULL,      -- budget, credential or key id
    period_start_ms INTEGER NOT NULL,   -- budget period, or the rotation the event is about
    threshold       INTEGER NOT NULL,   -- percent for budgets, 0 otherwise
    detail_json     TEXT NOT NULL,
    UNIQUE (kind, subject, period_start_ms, threshold)
);
)sql"},
};

} // namespace

std::span<const Migration> stateMigrations() { return kStateSteps; }

} // namespace gh::store
