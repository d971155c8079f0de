#pragma once
// Internal to the store module: every prepared statement of a Store, prepared once.
#include <map>

#include "store/sqlite_stmt.hpp"
#include "store/store.hpp"

namespace flowctl::store {

// Column lists shared by the statements and the row readers below (same order).
#define FLOWCTL_EXECUTION_COLUMNS                                                                             \
    "id, flow_name, flow_path, def_hash, parent_id, trigger, trigger_data, inputs, status, error, "           \
    "created_ms, started_ms, finished_ms, duration_ms, cpu_ms, max_rss_kb, outputs, owner_pid, owner_start, " \
    "version_id, priority, scheduled_ms, retry_of, retry_from, callback_url"
#define FLOWCTL_STEP_RUN_COLUMNS                                                                 \
    "execution_id, step_id, item_index, attempt, status, started_ms, finished_ms, duration_ms, " \
    "exit_code, output, outputs, error, cpu_ms, max_rss_kb"
#define FLOWCTL_LOG_COLUMNS "id, execution_id, step_id, item_index, ts_ms, level, stream, message"
/// When an execution happened for ordering and retention: its start, or its creation while queued.
#define FLOWCTL_EXECUTION_TIME "max(started_ms, created_ms)"
#define FLOWCTL_EXECUTION_FINISHED "(finished_ms > 0 AND status NOT IN ('pending', 'running'))"
/// Log conditions: ?1 execution, ?2 step ('' for all), ?3 minimum level rank.
#define FLOWCTL_LOG_FILTER                                                                       \
    "execution_id = ?1 AND (?2 = '' OR step_id = ?2) AND "                                       \
    "(CASE level WHEN 'debug' THEN 0 WHEN 'info' THEN 1 WHEN 'warn' THEN 2 WHEN 'error' THEN 3 " \
    "ELSE 1 END) >= ?3"
#define FLOWCTL_TOKEN_COLUMNS "id, name, scope, hash, created_ms, last_used_ms, revoked_ms"

namespace detail {
/// Bits of a list_executions() filter mask: which filters are present.
enum ListFilter : unsigned { by_flow = 1, by_status = 2, by_since = 4, by_until = 8, top_level = 16, by_trigger = 32 };
}  // namespace detail

struct Store::Statements {
    explicit Statements(sqlite3* db);

    detail::Stmt begin, commit, rollback;
    detail::Stmt insert_execution, update_execution, upsert_step_run, insert_log;
    detail::Stmt execution_by_id, executions_by_prefix, step_runs, logs, children;
    detail::Stmt active_executions, interrupt_execution, interrupt_steps;
    // Schema v2.
    detail::Stmt logs_page, logs_count, pending_executions, mark_started;
    detail::Stmt newest_flow_version, insert_flow_version, flow_version, flow_versions;
    detail::Stmt set_flow_enabled, flow_enabled_states;
    detail::Stmt flow_stats, execution_stats;
    detail::Stmt insert_token, list_tokens, token_by_hash, revoke_token, touch_token;

    /// list_executions() statements, one per combination of filters present (a bit each),
    /// prepared on first use so every query keeps a plain WHERE clause the planner can index.
    detail::Stmt& list(unsigned filter_mask);
    detail::Stmt& count(unsigned filter_mask);

    /// A statement of the later schema parts (ledger, schedules, webhooks), prepared on first
    /// use and kept by its text's address: pass a string literal.
    detail::Stmt& cached(const char* sql, const char* op);

private:
    sqlite3* m_db;
    std::map<unsigned, detail::Stmt> m_list, m_count;
    std::map<const char*, detail::Stmt> m_cached;
};

ExecutionRecord read_execution(const detail::Stmt& s);
StepRunRecord read_step_run(const detail::Stmt& s);
LogRecord read_log(const detail::Stmt& s);
TokenRecord read_token(const detail::Stmt& s);

}  // namespace flowctl::store
