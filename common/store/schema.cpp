// Durability.
//
// The history database runs in WAL mode with synchronous=NORMAL. A commit appends to the
// write-ahead log; the log is fsync'ed at checkpoints, not at every commit. So:
//  - a crash (or SIGKILL) of a flowctl process loses at most the transaction it was in the
//    middle of; every committed transaction is in the WAL and the file stays consistent;
//  - a power loss or OS crash may lose the last few committed transactions, but never
//    corrupts the file (the WAL's checksummed frames are replayed up to the last valid one).
// durable_full switches to synchronous=FULL (an fsync per commit) for those who need every
// committed transaction to survive a power loss, at the cost of slower writes.
//
// Migrations.
//
// PRAGMA user_version is the schema version. Each step below runs in its own IMMEDIATE
// transaction that re-reads the version first, so concurrent first opens from several
// processes apply each step exactly once. Steps are append-only: never edit a released one,
// add a new one (later features, e.g. flow versions, tokens, schedules, get their own).
#include "store/schema.hpp"

#include <string>

#include "store/sqlite_stmt.hpp"

namespace flowctl::store::detail {

namespace {

struct Migration {
    int version;
    const char* sql;
};

constexpr Migration k_migrations[] = {
    {1, R"sql(
CREATE TABLE executions (
    id            TEXT PRIMARY KEY,
    flow_name     TEXT NOT NULL,
    flow_path     TEXT NOT NULL DEFAULT '',
    def_hash      TEXT NOT NULL DEFAULT '',
    parent_id     TEXT NOT NULL DEFAULT '',
    trigger       TEXT NOT NULL DEFAULT 'manual',
    trigger_data  TEXT,
    inputs        TEXT,
    status        TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL DEFAULT 0,
    started_ms    INTEGER NOT NULL DEFAULT 0,
    finished_ms   INTEGER NOT NULL DEFAULT 0,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    cpu_ms        INTEGER NOT NULL DEFAULT 0,
    max_rss_kb    INTEGER NOT NULL DEFAULT 0,
    outputs       TEXT,
    owner_pid     INTEGER NOT NULL DEFAULT 0,
    owner_start   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_status ON executions(status);
CREATE INDEX executions_flow_started ON executions(flow_name, started_ms);
CREATE INDEX executions_started ON executions(started_ms);
CREATE INDEX executions_parent ON executions(parent_id);

CREATE TABLE step_runs (
    execution_id  TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    step_id       TEXT NOT NULL,
    item_index    INTEGER NOT NULL DEFAULT -1,
    attempt       INTEGER NOT NULL DEFAULT 1,
    status        TEXT NOT NULL,
    started_ms    INTEGER NOT NULL DEFAULT 0,
    finished_ms   INTEGER NOT NULL DEFAULT 0,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    exit_code     INTEGER,
    output        TEXT,
    outputs       TEXT,
    error         TEXT NOT NULL DEFAULT '',
    cpu_ms        INTEGER NOT NULL DEFAULT 0,
    max_rss_kb    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (execution_id, step_id, item_index, attempt)
);

CREATE TABLE logs (
    id            INTEGER PRIMARY KEY,
    execution_id  TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    step_id       TEXT NOT NULL DEFAULT '',
    item_index    INTEGER NOT NULL DEFAULT -1,
    ts_ms         INTEGER NOT NULL,
    level         TEXT NOT NULL DEFAULT 'info',
    stream        TEXT NOT NULL DEFAULT 'step',
    message       TEXT NOT NULL
);
CREATE INDEX logs_execution ON logs(execution_id, id);
)sql"},
    // The daemon: queued and scheduled runs, retries, callbacks, flow versions, enabled
    // states and API tokens.
    {2, R"sql(
ALTER TABLE executions ADD COLUMN version_id   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN priority     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN scheduled_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN retry_of     TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN retry_from   TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
CREATE INDEX executions_trigger_started ON executions(trigger, started_ms);

CREATE TABLE flow_versions (
    id            INTEGER PRIMARY KEY,
    flow_name     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    path          TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL DEFAULT 0,
    content       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX flow_versions_name ON flow_versions(flow_name, id);

CREATE TABLE flow_state (
    flow_name     TEXT PRIMARY KEY,
    enabled       INTEGER NOT NULL DEFAULT 1,
    updated_ms    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    created_ms    INTEGER NOT NULL DEFAULT 0,
    last_used_ms  INTEGER NOT NULL DEFAULT 0,
    revoked_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked_ms = 0;
)sql"},
    {3, R"sql(
CREATE TABLE trigger_slots (
    id            INTEGER PRIMARY KEY,
    flow_name     TEXT NOT NULL,
    trigger_key   TEXT NOT NULL,
    scheduled_ms  INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    execution_id  TEXT NOT NULL DEFAULT '',
    recorded_ms   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (flow_name, trigger_key, scheduled_ms)
);

CREATE TABLE trigger_state (
    flow_name     TEXT NOT NULL,
    trigger_key   TEXT NOT NULL,
    armed_ms      INTEGER NOT NULL,
    PRIMARY KEY (flow_name, trigger_key)
);

CREATE TABLE schedules (
    id            TEXT PRIMARY KEY,
    flow_name     TEXT NOT NULL,
    spec          TEXT NOT NULL,
    inputs        TEXT NOT NULL DEFAULT '{}',
    description   TEXT NOT NULL DEFAULT '',
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_ms    INTEGER NOT NULL DEFAULT 0,
    updated_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX schedules_flow ON schedules(flow_name);

CREATE TABLE webhook_deliveries (
    hook_id       TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    execution_id  TEXT NOT NULL,
    received_ms   INTEGER NOT NULL,
    PRIMARY KEY (hook_id, delivery_id)
);

CREATE TABLE webhook_requests (
    id            INTEGER PRIMARY KEY,
    hook_id       TEXT NOT NULL,
    received_ms   INTEGER NOT NULL,
    status        INTEGER NOT NULL,
    remote_addr   TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    delivery_id   TEXT NOT NULL DEFAULT '',
    execution_id  TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_requests_hook ON webhook_requests(hook_id, id);
)sql"},
};

int user_version(sqlite3* db) { return static_cast<int>(query_int(db, "PRAGMA user_version", "read schema version")); }

void refuse_if_newer(sqlite3* db, int found) {
    int known = latest_schema_version();
    const char* file = sqlite3_db_filename(db, "main");
    if (found > known)
        throw StoreError(std::string("history database ") + (file ? file : "") +
                         " was written by a newer flowctl (schema " + std::to_string(found) + ", this build knows " +
                         std::to_string(known) + "); upgrade flowctl to read it");
}

}  // namespace

int latest_schema_version() { return k_migrations[std::size(k_migrations) - 1].version; }

void migrate(sqlite3* db) {
    int current = user_version(db);
    refuse_if_newer(db, current);
    for (const auto& m : k_migrations) {
        if (m.version <= current) continue;
        exec(db, "BEGIN IMMEDIATE", "begin migration");
        try {
            // Another process may have migrated between our read and our lock.
            current = user_version(db);
            refuse_if_newer(db, current);
            if (m.version > current) {
                std::string op = "migrate to schema " + std::to_string(m.version);
                exec(db, m.sql, op);
                exec(db, ("PRAGMA user_version = " + std::to_string(m.version)).c_str(), op);
                current = m.version;
            }
            exec(db, "COMMIT", "commit migration");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

}  // namespace flowctl::store::detail
