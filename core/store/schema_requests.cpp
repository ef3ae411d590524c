#include "store/schema.h"

namespace gh::store {
namespace {

// Append new steps at the end; never edit a step that has shipped.

// Text columns hold names as written in policy files ("confidential", "azure-openai"); NULL or
// '' where a request never got that far (a denied request has no provider). The indexes by
// dimension end in time_ms (and implicitly seq, the rowid), so "the newest rows of team X" is a
// range scan that pages by (time_ms, seq) keys, never by offset. Each index costs about 1 us per
// inserted row (bench/store); request ids that grow with time (UUIDv7-like) keep
// requests_request_id an append at its right edge.
constexpr Migration kRequestsSteps[] = {
    {1, "request records, hourly rollups, budget spend", R"sql(
CREATE TABLE requests (
    seq                 INTEGER PRIMARY KEY,   -- insertion order; with time_ms, the paging key
    time_ms             INTEGER NOT NULL,      -- arrival, UTC milliseconds since the epoch
    request_id          TEXT NOT NULL,
    session_id          TEXT NOT NULL,
    identity            TEXT NOT NULL,
    team                TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    agent               TEXT NOT NULL,
    repository          TEXT NOT NULL,
    branch              TEXT NOT NULL,
    sensitivity         TEXT,
    task                TEXT NOT NULL,
    requested_model     TEXT NOT NULL,
    served_model        TEXT NOT NULL,
    provider            TEXT,
    endpoint_id         TEXT NOT NULL,
    endpoint_class      TEXT,
    policy_version      INTEGER NOT NULL,
    rule_id             TEXT NOT NULL,
    decision            TEXT NOT NULL,
    fallback            INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    cost_micros         INTEGER NOT NULL,
    latency_ms          INTEGER NOT NULL,
    first_token_ms      INTEGER,
    http_status         INTEGER NOT NULL,
    outcome             TEXT NOT NULL,
    bytes_sent          INTEGER NOT NULL,
    bytes_received      INTEGER NOT NULL,
    tools_enabled       INTEGER NOT NULL,
    charges             TEXT                   -- JSON [[budget_id, period_start_ms, micros], ...]
);
CREATE INDEX requests_time       ON requests(time_ms);
CREATE INDEX requests_request_id ON requests(request_id);
CREATE INDEX requests_team       ON requests(team, time_ms);
CREATE INDEX requests_identity   ON requests(identity, time_ms);
CREATE INDEX requests_repository ON requests(repository, time_ms);
CREATE INDEX requests_status     ON requests(outcome, time_ms);

-- Kept at write time by RequestLog, one row per hour and combination of the dimensions the
-- dashboards group by; '' where a dimension does not apply.
CREATE TABLE hourly_rollups (
    hour_ms             INTEGER NOT NULL,      -- start of the UTC hour
    team                TEXT NOT NULL,
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,         -- served model
    task                TEXT NOT NULL,
    sensitivity         TEXT NOT NULL,
    endpoint_class      TEXT NOT NULL,
    requests            INTEGER NOT NULL,
    denials             INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    cost_micros         INTEGER NOT NULL,
    bytes_out           INTEGER NOT NULL,
    PRIMARY KEY (hour_ms, team, provider, model, task, sensitivity, endpoint_class)
) WITHOUT ROWID;

-- What each budget period has spent, summed from the charges of the recorded requests. The
-- gateway restores its ledger from here at start-up.
CREATE TABLE budget_spend (
    budget_id       TEXT NOT NULL,
    period_start_ms INTEGER NOT NULL,
    spent_micros    INTEGER NOT NULL,
    PRIMARY KEY (budget_id, period_start_ms)
) WITHOUT ROWID;
)sql"},
    {2, "sessions aggregate", R"sql(
-- One row per agent session (requests with a non-empty session_id), kept by RequestLog in the
-- transaction that records the session's requests: the sessions screen reads it, never the raw
-- rows. identity .. branch are those of the session's first request (earliest time_ms, then
-- lowest seq); last_model is the served model (the requested one when nothing was served) of its
-- latest request. denials and errors count as hourly_rollups does.
CREATE TABLE sessions (
    session_id          TEXT PRIMARY KEY,
    identity            TEXT NOT NULL,
    team                TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    agent               TEXT NOT NULL,
    repository          TEXT NOT NULL,
    branch              TEXT NOT NULL,
    first_ms            INTEGER NOT NULL,
    last_ms             INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    denials             INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cost_micros         INTEGER NOT NULL,
    last_model          TEXT NOT NULL
) WITHOUT ROWID;
-- "Most recently active first" pages by (last_ms, session_id) keys: the indexes end in last_ms
-- and, implicitly (WITHOUT ROWID), in session_id.
CREATE INDEX sessions_recent     ON sessions(last_ms);
CREATE INDEX sessions_team       ON sessions(team, last_ms);
CREATE INDEX sessions_identity   ON sessions(identity, last_ms);
CREATE INDEX sessions_repository ON sessions(repository, last_ms);

-- The requests of one session (the drill-down from the sessions screen).
CREATE INDEX requests_session ON requests(session_id, time_ms);

-- Backfill from the rows recorded before this step (one scan, once).
INSERT INTO sessions (session_id, identity, team, key_id, agent, repository, branch, first_ms, last_ms, requests,
                      denials, errors, input_tokens, output_tokens, cached_input_tokens, cost_micros, last_model)
SELECT session_id,
       max(CASE WHEN first_rank = 1 THEN identity END),
       max(CASE WHEN first_rank = 1 THEN team END),
       max(CASE WHEN first_rank = 1 THEN key_id END),
       max(CASE WHEN first_rank = 1 THEN agent END),
       max(CASE WHEN first_rank = 1 THEN repository END),
       max(CASE WHEN first_rank = 1 THEN branch END),
       min(time_ms), max(time_ms), count(*),
       sum(decision IN ('denied', 'blocked')),
       sum(decision = 'error' OR outcome IN ('upstream_error', 'invalid')),
       sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), sum(cost_micros),
       max(CASE WHEN last_rank = 1 THEN (CASE WHEN served_model <> '' THEN served_model ELSE requested_model END) END)
FROM (SELECT *,
             row_number() OVER (PARTITION BY session_id ORDER BY time_ms, seq) AS first_rank,
             row_number() OVER (PARTITION BY session_id ORDER BY time_ms DESC, seq DESC) AS last_rank
      FROM requests WHERE session_id <> '')
GROUP BY session_id;
)sql"},
};

} // namespace

std::span<const Migration> requestsMigrations() { return kRequestsSteps; }

} // namespace gh::store
