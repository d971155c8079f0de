// History retention: removing old executions with everything recorded under them.
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "store/statements.hpp"

namespace flowctl::store {

namespace {

// ?1 max age (0: none), ?2 cutoff time, ?3 executions kept (0: no limit). Top-level
// executions rank newest first, running ones included; finished ones past a limit go, with
// their sub-flows at any depth.
constexpr const char* k_select_doomed =
    "INSERT INTO temp.gc_doomed (id) "
    "WITH RECURSIVE ranked AS ("
    "  SELECT id, status, " FLOWCTL_EXECUTION_TIME
    " AS t, "
    "         row_number() OVER (ORDER BY " FLOWCTL_EXECUTION_TIME
    " DESC, id DESC) AS rank "
    "  FROM executions WHERE parent_id = ''), "
    "doomed(id) AS ("
    "  SELECT id FROM ranked WHERE status NOT IN ('pending', 'running') "
    "    AND ((?1 > 0 AND t < ?2) OR (?3 > 0 AND rank > ?3)) "
    "  UNION "
    "  SELECT e.id FROM executions e JOIN doomed d ON e.parent_id = d.id "
    "  WHERE e.status NOT IN ('pending', 'running')) "
    "SELECT id FROM doomed";

int64_t file_size_or_zero(const std::filesystem::path& p) {
    std::error_code ec;
    auto size = std::filesystem::file_size(p, ec);
    return ec ? 0 : static_cast<int64_t>(size);
}

int64_t disk_bytes(const std::filesystem::path& db) {
    return file_size_or_zero(db) + file_size_or_zero(db.string() + "-wal");
}

int64_t count(sqlite3* db, const char* sql) { return detail::query_int(db, sql, "gc"); }

// Deleting and vacuuming go in batches of their own transactions so that other connections'
// writes (a daemon's running executions) get the lock in between, instead of waiting for
// seconds behind one big transaction.
constexpr int64_t k_batch_executions = 1000;
constexpr int64_t k_batch_pages = 2048;
constexpr auto k_pause_between_batches = std::chrono::milliseconds(2);

constexpr int64_t k_webhook_delivery_ttl_ms = 24 * 3600 * 1000;
constexpr int k_webhook_requests_kept = 1000;

// Gives freed pages back to the file system. A database created before incremental vacuum
// was the default is converted by one full VACUUM, once enough is free to be worth it.
void reclaim_space(sqlite3* db) {
    constexpr int64_t k_incremental = 2;
    if (count(db, "PRAGMA auto_vacuum") == k_incremental) {
        const std::string step = "PRAGMA incremental_vacuum(" + std::to_string(k_batch_pages) + ")";
        for (int64_t free_pages = count(db, "PRAGMA freelist_count"); free_pages > 0; free_pages -= k_batch_pages) {
            detail::exec(db, step.c_str(), "gc: incremental vacuum");
            std::this_thread::sleep_for(k_pause_between_batches);
        }
    } else {
        int64_t free_pages = count(db, "PRAGMA freelist_count");
        int64_t pages = count(db, "PRAGMA page_count");
        if (free_pages > 0 && free_pages * 4 >= pages) {
            detail::exec(db, "PRAGMA auto_vacuum = INCREMENTAL", "gc: vacuum");
            detail::exec(db, "VACUUM", "gc: vacuum");
        }
    }
    // Copies the WAL back and truncates it, which also shrinks the database file. Busy
    // (a reader that will not let go) is fine: the next checkpoint finishes the job.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

// One batch: the doomed executions whose temp rowid is in [?1, ?2].
void delete_batch(Store& store, sqlite3* db, int64_t first, int64_t last) {
    static constexpr const char* k_deletes[] = {
        "DELETE FROM logs WHERE execution_id IN (SELECT id FROM temp.gc_doomed WHERE rowid BETWEEN ?1 AND ?2)",
        "DELETE FROM step_runs WHERE execution_id IN (SELECT id FROM temp.gc_doomed WHERE rowid BETWEEN ?1 AND ?2)",
        "DELETE FROM executions WHERE id IN (SELECT id FROM temp.gc_doomed WHERE rowid BETWEEN ?1 AND ?2)",
    };
    store.begin();
    try {
        for (const char* sql : k_deletes) {
            detail::Stmt s(db, sql, "gc");
            auto u = s.use();
            s.bind(1, first);
            s.bind(2, last);
            s.run();
        }
        store.commit();
    } catch (...) {
        store.rollback();
        throw;
    }
}

}  // namespace

void Store::prune_slots(int64_t older_than_ms) {
    // A trigger's newest slot is kept whatever its age: it is where the scheduler resumes, so
    // without it a restart would catch up slots that already ran.
    static const char* const k_prune =
        "DELETE FROM trigger_slots WHERE id IN (SELECT id FROM ("
        "  SELECT id, scheduled_ms, row_number() OVER (PARTITION BY flow_name, trigger_key "
        "                                              ORDER BY scheduled_ms DESC) AS n FROM trigger_slots)"
        " WHERE n > ?1 OR (n > 1 AND scheduled_ms < ?2))";
    auto& s = m_stmts->cached(k_prune, "prune schedule ledger");
    auto u = s.use();
    s.bind(1, k_slots_kept);
    s.bind(2, older_than_ms);
    s.run();
}

GcResult Store::gc(const GcPolicy& policy, bool dry_run, int64_t now_ms) {
    if (in_transaction()) throw StoreError("history database: gc cannot run inside a transaction");
    GcResult result;
    result.bytes_before = disk_bytes(m_path);
    // Webhook bookkeeping has fixed bounds, whatever the history policy: a delivery id is only
    // deduplicated for a day, and a hook's stats cover its latest requests.
    if (!dry_run) prune_webhooks(now_ms - k_webhook_delivery_ttl_ms, k_webhook_requests_kept);
    if (!dry_run) prune_slots(policy.max_age_ms > 0 ? now_ms - policy.max_age_ms : 0);
    if (policy.max_age_ms <= 0 && policy.max_executions <= 0) {
        result.bytes_after = result.bytes_before;
        return result;
    }
    detail::exec(m_db, "CREATE TEMP TABLE IF NOT EXISTS gc_doomed (id TEXT PRIMARY KEY)", "gc");
    // Finished executions stay finished, so the set chosen here can be deleted in later
    // transactions. Choosing only reads: no write lock.
    detail::exec(m_db, "BEGIN", "gc");
    try {
        detail::exec(m_db, "DELETE FROM temp.gc_doomed", "gc");
        {
            detail::Stmt s(m_db, k_select_doomed, "gc");
            auto u = s.use();
            s.bind(1, policy.max_age_ms);
            s.bind(2, now_ms - policy.max_age_ms);
            s.bind(3, policy.max_executions);
            s.run();
        }
        result.executions = count(m_db, "SELECT count(*) FROM temp.gc_doomed");
        result.step_runs =
            count(m_db, "SELECT count(*) FROM step_runs WHERE execution_id IN (SELECT id FROM temp.gc_doomed)");
        result.logs = count(m_db, "SELECT count(*) FROM logs WHERE execution_id IN (SELECT id FROM temp.gc_doomed)");
        commit();
    } catch (...) {
        rollback();
        throw;
    }
    if (!dry_run) {
        const int64_t last = count(m_db, "SELECT coalesce(max(rowid), 0) FROM temp.gc_doomed");
        for (int64_t first = 1; first <= last; first += k_batch_executions) {
            delete_batch(*this, m_db, first, first + k_batch_executions - 1);
            std::this_thread::sleep_for(k_pause_between_batches);
        }
    }
    detail::exec(m_db, "DELETE FROM temp.gc_doomed", "gc");
    if (!dry_run && result.executions > 0) reclaim_space(m_db);
    result.bytes_after = dry_run ? result.bytes_before : disk_bytes(m_path);
    return result;
}

}  // namespace flowctl::store
