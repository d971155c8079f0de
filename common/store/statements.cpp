#include "store/statements.hpp"

#include <string>

namespace flowctl::store {

using detail::Stmt;

Store::Statements::Statements(sqlite3* db)
    : begin(db, "BEGIN IMMEDIATE", "begin"),
      commit(db, "COMMIT", "commit"),
      rollback(db, "ROLLBACK", "rollback"),
      insert_execution(
          db,
          "INSERT INTO executions (" FLOWCTL_EXECUTION_COLUMNS
          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
          "?20, ?21, ?22, ?23, ?24, ?25)",
          "insert_execution"),
      update_execution(db,
                       "UPDATE executions SET status = ?2, error = ?3, started_ms = ?4, finished_ms = ?5, "
                       "duration_ms = ?6, cpu_ms = ?7, max_rss_kb = ?8, outputs = ?9, version_id = ?10, "
                       "priority = ?11, scheduled_ms = ?12, retry_of = ?13, retry_from = ?14, callback_url = ?15 "
                       "WHERE id = ?1",
                       "update_execution"),
      upsert_step_run(db,
                      "INSERT INTO step_runs (" FLOWCTL_STEP_RUN_COLUMNS
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                      "ON CONFLICT (execution_id, step_id, item_index, attempt) DO UPDATE SET "
                      "status = excluded.status, started_ms = excluded.started_ms, "
                      "finished_ms = excluded.finished_ms, duration_ms = excluded.duration_ms, "
                      "exit_code = excluded.exit_code, output = excluded.output, outputs = excluded.outputs, "
                      "error = excluded.error, cpu_ms = excluded.cpu_ms, max_rss_kb = excluded.max_rss_kb",
                      "upsert_step_run"),
      insert_log(db,
                 "INSERT INTO logs (execution_id, step_id, item_index, ts_ms, level, stream, message) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                 "insert_log"),
      execution_by_id(db, "SELECT " FLOWCTL_EXECUTION_COLUMNS " FROM executions WHERE id = ?1", "get_execution"),
      // A range instead of LIKE: no escaping of % and _, and it uses the primary key index.
      executions_by_prefix(
          db, "SELECT " FLOWCTL_EXECUTION_COLUMNS " FROM executions WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
          "get_execution"),
      step_runs(db, "SELECT " FLOWCTL_STEP_RUN_COLUMNS " FROM step_runs WHERE execution_id = ?1 ORDER BY rowid",
                "step_runs"),
      logs(db, "SELECT " FLOWCTL_LOG_COLUMNS " FROM logs WHERE " FLOWCTL_LOG_FILTER " ORDER BY id", "logs"),
      children(db,
               "SELECT " FLOWCTL_EXECUTION_COLUMNS
               " FROM executions WHERE parent_id = ?1 AND parent_id <> '' ORDER BY started_ms, id",
               "children"),
      active_executions(db, "SELECT id, owner_pid, owner_start FROM executions WHERE status IN ('running', 'pending')",
                        "recover_interrupted"),
      interrupt_execution(db,
                          "UPDATE executions SET status = 'interrupted', error = ?4, finished_ms = ?5, "
                          "duration_ms = CASE WHEN started_ms > 0 THEN max(?5 - started_ms, 0) ELSE 0 END "
                          "WHERE id = ?1 AND status IN ('running', 'pending') AND owner_pid = ?2 AND owner_start = ?3",
                          "recover_interrupted"),
      interrupt_steps(db,
                      "UPDATE step_runs SET status = 'interrupted', finished_ms = ?2, "
                      "duration_ms = CASE WHEN started_ms > 0 THEN max(?2 - started_ms, 0) ELSE 0 END "
                      "WHERE execution_id = ?1 AND status IN ('running', 'pending')",
                      "recover_interrupted"),
      logs_page(db,
                "SELECT " FLOWCTL_LOG_COLUMNS " FROM logs WHERE " FLOWCTL_LOG_FILTER
                " AND id > ?4 ORDER BY id "
                "LIMIT ?5 OFFSET ?6",
                "logs"),
      logs_count(db, "SELECT count(*) FROM logs WHERE " FLOWCTL_LOG_FILTER " AND id > ?4", "logs"),
      pending_executions(
          db, "SELECT " FLOWCTL_EXECUTION_COLUMNS " FROM executions WHERE status = 'pending' ORDER BY created_ms, id",
          "pending_executions"),
      mark_started(db,
                   "UPDATE executions SET status = 'running', started_ms = ?2, owner_pid = ?3, owner_start = ?4 "
                   "WHERE id = ?1 AND status = 'pending'",
                   "mark_started"),
      newest_flow_version(db, "SELECT id, hash FROM flow_versions WHERE flow_name = ?1 ORDER BY id DESC LIMIT 1",
                          "record_flow_version"),
      insert_flow_version(db,
                          "INSERT INTO flow_versions (flow_name, hash, path, created_ms, content) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)",
                          "record_flow_version"),
      flow_version(db, "SELECT id, flow_name, hash, path, created_ms, content FROM flow_versions WHERE id = ?1",
                   "flow_version"),
      flow_versions(db,
                    "SELECT id, flow_name, hash, path, created_ms, '' FROM flow_versions WHERE flow_name = ?1 "
                    "ORDER BY id DESC LIMIT ?2",
                    "flow_versions"),
      set_flow_enabled(db,
                       "INSERT INTO flow_state (flow_name, enabled, updated_ms) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (flow_name) DO UPDATE SET enabled = excluded.enabled, "
                       "updated_ms = excluded.updated_ms",
                       "set_flow_enabled"),
      flow_enabled_states(db, "SELECT flow_name, enabled FROM flow_state", "flow_enabled_states"),
      // The row of the single max() gives the bare `id` column: the most recent execution.
      flow_stats(db,
                 "SELECT flow_name, count(*), sum(status = 'succeeded'), "
                 "sum(status IN ('failed', 'timed_out', 'interrupted')), sum(status = 'cancelled'), "
                 "avg(CASE WHEN " FLOWCTL_EXECUTION_FINISHED
                 " THEN duration_ms END), "
                 "max(" FLOWCTL_EXECUTION_TIME
                 "), id "
                 "FROM executions WHERE parent_id = '' GROUP BY flow_name",
                 "flow_stats"),
      execution_stats(db,
                      "SELECT status, count(*), sum(" FLOWCTL_EXECUTION_TIME " >= ?1), sum(" FLOWCTL_EXECUTION_TIME
                      " >= ?2), sum(" FLOWCTL_EXECUTION_TIME
                      " >= ?3), "
                      "sum(CASE WHEN " FLOWCTL_EXECUTION_FINISHED
                      " THEN duration_ms ELSE 0 END), "
                      "sum(" FLOWCTL_EXECUTION_FINISHED
                      ") "
                      "FROM executions WHERE parent_id = '' GROUP BY status",
                      "execution_stats"),
      insert_token(db, "INSERT INTO tokens (" FLOWCTL_TOKEN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   "insert_token"),
      list_tokens(db, "SELECT " FLOWCTL_TOKEN_COLUMNS " FROM tokens WHERE ?1 OR revoked_ms = 0 ORDER BY created_ms, id",
                  "list_tokens"),
      token_by_hash(db, "SELECT " FLOWCTL_TOKEN_COLUMNS " FROM tokens WHERE hash = ?1 AND revoked_ms = 0",
                    "find_token_by_hash"),
      revoke_token(db, "UPDATE tokens SET revoked_ms = ?2 WHERE revoked_ms = 0 AND (id = ?1 OR name = ?1)",
                   "revoke_token"),
      touch_token(db, "UPDATE tokens SET last_used_ms = ?2 WHERE id = ?1", "touch_token"),
      m_db(db) {}

namespace {

std::string filter_where(unsigned mask) {
    namespace S = detail;
    std::string where;
    auto add = [&](const char* cond) {
        where += where.empty() ? " WHERE " : " AND ";
        where += cond;
    };
    // Parameter numbers are fixed per filter so binding does not depend on the mask.
    if (mask & S::by_flow) add("flow_name = ?1");
    if (mask & S::by_status) add("status = ?2");
    if (mask & S::by_since) add("started_ms >= ?3");
    if (mask & S::by_until) add("started_ms < ?4");
    if (mask & S::top_level) add("parent_id = ''");
    if (mask & S::by_trigger) add("trigger = ?7");
    return where;
}

}  // namespace

Stmt& Store::Statements::list(unsigned mask) {
    auto it = m_list.find(mask);
    if (it == m_list.end()) {
        std::string sql = "SELECT " FLOWCTL_EXECUTION_COLUMNS " FROM executions" + filter_where(mask) +
                          " ORDER BY started_ms DESC, id DESC LIMIT ?5 OFFSET ?6";
        it = m_list.emplace(mask, Stmt(m_db, sql, "list_executions")).first;
    }
    return it->second;
}

Stmt& Store::Statements::count(unsigned mask) {
    auto it = m_count.find(mask);
    if (it == m_count.end()) {
        std::string sql = "SELECT count(*) FROM executions" + filter_where(mask);
        it = m_count.emplace(mask, Stmt(m_db, sql, "list_executions")).first;
    }
    return it->second;
}

ExecutionRecord read_execution(const Stmt& s) {
    ExecutionRecord e;
    e.id = s.col_text(0);
    e.flow_name = s.col_text(1);
    e.flow_path = s.col_text(2);
    e.def_hash = s.col_text(3);
    e.parent_id = s.col_text(4);
    e.trigger = s.col_text(5);
    e.trigger_data = s.col_json(6);
    e.inputs = s.col_json(7);
    e.status = s.col_text(8);
    e.error = s.col_text(9);
    e.created_ms = s.col_int(10);
    e.started_ms = s.col_int(11);
    e.finished_ms = s.col_int(12);
    e.duration_ms = s.col_int(13);
    e.cpu_ms = s.col_int(14);
    e.max_rss_kb = s.col_int(15);
    e.outputs = s.col_json(16);
    e.owner_pid = static_cast<int>(s.col_int(17));
    e.owner_start = s.col_int(18);
    e.version_id = s.col_int(19);
    e.priority = static_cast<int>(s.col_int(20));
    e.scheduled_ms = s.col_int(21);
    e.retry_of = s.col_text(22);
    e.retry_from = s.col_text(23);
    e.callback_url = s.col_text(24);
    return e;
}

StepRunRecord read_step_run(const Stmt& s) {
    StepRunRecord r;
    r.execution_id = s.col_text(0);
    r.step_id = s.col_text(1);
    r.item_index = static_cast<int>(s.col_int(2));
    r.attempt = static_cast<int>(s.col_int(3));
    r.status = s.col_text(4);
    r.started_ms = s.col_int(5);
    r.finished_ms = s.col_int(6);
    r.duration_ms = s.col_int(7);
    if (!s.col_is_null(8)) r.exit_code = static_cast<int>(s.col_int(8));
    r.output = s.col_json(9);
    r.outputs = s.col_json(10);
    r.error = s.col_text(11);
    r.cpu_ms = s.col_int(12);
    r.max_rss_kb = s.col_int(13);
    return r;
}

LogRecord read_log(const Stmt& s) {
    LogRecord l;
    l.id = s.col_int(0);
    l.execution_id = s.col_text(1);
    l.step_id = s.col_text(2);
    l.item_index = static_cast<int>(s.col_int(3));
    l.ts_ms = s.col_int(4);
    l.level = s.col_text(5);
    l.stream = s.col_text(6);
    l.message = s.col_text(7);
    return l;
}

TokenRecord read_token(const Stmt& s) {
    TokenRecord t;
    t.id = s.col_text(0);
    t.name = s.col_text(1);
    t.scope = s.col_text(2);
    t.hash = s.col_text(3);
    t.created_ms = s.col_int(4);
    t.last_used_ms = s.col_int(5);
    t.revoked_ms = s.col_int(6);
    return t;
}

detail::Stmt& Store::Statements::cached(const char* sql, const char* op) {
    auto it = m_cached.find(sql);
    if (it == m_cached.end()) it = m_cached.emplace(sql, detail::Stmt(m_db, sql, op)).first;
    return it->second;
}

}  // namespace flowctl::store
