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
};

} // namespace

std::span<const Migration> stateMigrations() { return kStateSteps; }

} // namespace gh::store
