// Opening the database, transactions and writes.
#include "store/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "store/schema.hpp"
#include "store/statements.hpp"
#include "util/paths.hpp"

namespace flowctl::store {

using detail::exec;

namespace {

constexpr int k_busy_timeout_ms = 10'000;

// Creates the file ourselves so it is 0600 from the start (SQLite would use 0644 minus
// umask); its -wal and -shm files copy the database file's mode.
void create_private_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw StoreError("cannot open history database " + path.string() + ": " + std::strerror(errno));
    ::close(fd);
}

// Switching to WAL takes an exclusive lock and does not always wait on the busy handler,
// so a process opening a fresh database while another one does retries for a while.
void enable_wal(sqlite3* db) {
    for (int waited_ms = 0;; waited_ms += 20) {
        bool retry = false;
        try {
            detail::Stmt s(db, "PRAGMA journal_mode = WAL", "enable WAL");
            auto u = s.use();
            if (s.step() && s.col_text(0) == "wal") return;
            // The old mode comes back when the switch could not be made right now.
            retry = true;
        } catch (const StoreError&) {
            int code = sqlite3_errcode(db);
            if (code != SQLITE_BUSY && code != SQLITE_LOCKED) throw;
            retry = true;
        }
        if (retry && waited_ms >= k_busy_timeout_ms)
            throw StoreError("history database: cannot switch to WAL journal mode: database is locked");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

Store::Store(const std::filesystem::path& state_dir, bool durable_full)
    : m_path(state_dir / "history.db"), m_durable_full(durable_full) {
    try {
        util::ensure_private_dir(state_dir);
    } catch (const std::exception& e) {
        throw StoreError(e.what());
    }
    create_private_file(m_path);
    int rc = sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    try {
        if (rc != SQLITE_OK) detail::throw_sqlite(m_db, "open " + m_path.string());
        detail::check(m_db, sqlite3_busy_timeout(m_db, k_busy_timeout_ms), "set busy timeout");
        // Only a database without pages can choose its vacuum mode (switching to WAL writes the
        // first page); gc() then gives freed pages back without rewriting the whole file. On an
        // existing file the header's mode wins.
        std::error_code size_error;
        if (std::filesystem::file_size(m_path, size_error) == 0 && !size_error)
            exec(m_db, "PRAGMA auto_vacuum = INCREMENTAL", "set incremental vacuum");
        enable_wal(m_db);
        exec(m_db, durable_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "set synchronous");
        // flowctl is one short process per run: a checkpoint at every close would double the
        // cost of a run. SQLite checkpoints as the WAL grows instead (see keep_wal_short()).
        detail::check(m_db, sqlite3_db_config(m_db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr),
                      "disable checkpoint on close");
        exec(m_db, "PRAGMA foreign_keys = ON", "enable foreign keys");
        detail::migrate(m_db);
        m_stmts = std::make_unique<Statements>(m_db);
    } catch (...) {
        m_stmts.reset();
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw;
    }
}

Store::~Store() {
    m_stmts.reset();  // statements must be finalized before the connection closes
    // An open transaction is rolled back by closing.
    sqlite3_close_v2(m_db);
}

void Store::keep_wal_short() { exec(m_db, "PRAGMA wal_autocheckpoint = 64", "set the checkpoint interval"); }

void Store::no_auto_checkpoint() { exec(m_db, "PRAGMA wal_autocheckpoint = 0", "turn off automatic checkpoints"); }

int Store::checkpoint() {
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return -1;
    detail::check(m_db, rc, "checkpoint");
    return log - copied;
}

void Store::begin() {
    auto u = m_stmts->begin.use();
    m_stmts->begin.run();
}

void Store::commit() {
    auto u = m_stmts->commit.use();
    m_stmts->commit.run();
}

void Store::rollback() {
    if (!in_transaction()) return;  // SQLite may already have rolled back after an error
    auto u = m_stmts->rollback.use();
    m_stmts->rollback.run();
}

bool Store::in_transaction() const { return m_db && !sqlite3_get_autocommit(m_db); }

void Store::insert_execution(const ExecutionRecord& e, bool sync) {
    const bool relax = !sync && m_durable_full && !in_transaction();
    if (relax) exec(m_db, "PRAGMA synchronous = NORMAL", "set synchronous");
    struct Restore {
        sqlite3* db;
        bool active;
        ~Restore() {
            if (active) sqlite3_exec(db, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
        }
    } restore{m_db, relax};
    auto& s = m_stmts->insert_execution;
    auto u = s.use();
    s.bind(1, e.id);
    s.bind(2, e.flow_name);
    s.bind(3, e.flow_path);
    s.bind(4, e.def_hash);
    s.bind(5, e.parent_id);
    s.bind(6, e.trigger);
    s.bind_json(7, e.trigger_data);
    s.bind_json(8, e.inputs);
    s.bind(9, e.status);
    s.bind(10, e.error);
    s.bind(11, e.created_ms);
    s.bind(12, e.started_ms);
    s.bind(13, e.finished_ms);
    s.bind(14, e.duration_ms);
    s.bind(15, e.cpu_ms);
    s.bind(16, e.max_rss_kb);
    s.bind_json(17, e.outputs);
    s.bind(18, e.owner_pid);
    s.bind(19, e.owner_start);
    s.bind(20, e.version_id);
    s.bind(21, e.priority);
    s.bind(22, e.scheduled_ms);
    s.bind(23, e.retry_of);
    s.bind(24, e.retry_from);
    s.bind(25, e.callback_url);
    s.run();
}

void Store::update_execution(const ExecutionRecord& e) {
    auto& s = m_stmts->update_execution;
    auto u = s.use();
    s.bind(1, e.id);
    s.bind(2, e.status);
    s.bind(3, e.error);
    s.bind(4, e.started_ms);
    s.bind(5, e.finished_ms);
    s.bind(6, e.duration_ms);
    s.bind(7, e.cpu_ms);
    s.bind(8, e.max_rss_kb);
    s.bind_json(9, e.outputs);
    s.bind(10, e.version_id);
    s.bind(11, e.priority);
    s.bind(12, e.scheduled_ms);
    s.bind(13, e.retry_of);
    s.bind(14, e.retry_from);
    s.bind(15, e.callback_url);
    s.run();
    if (sqlite3_changes(m_db) == 0)
        throw StoreError("history database: update_execution: no execution with id '" + e.id + "'");
}

void Store::mark_started(std::string_view id, int64_t started_ms, int owner_pid, int64_t owner_start) {
    auto& s = m_stmts->mark_started;
    auto u = s.use();
    s.bind(1, id);
    s.bind(2, started_ms);
    s.bind(3, owner_pid);
    s.bind(4, owner_start);
    s.run();
    if (sqlite3_changes(m_db) == 0)
        throw StoreError("history database: mark_started: no pending execution with id '" + std::string(id) + "'");
}

void Store::upsert_step_run(const StepRunRecord& r) {
    auto& s = m_stmts->upsert_step_run;
    auto u = s.use();
    s.bind(1, r.execution_id);
    s.bind(2, r.step_id);
    s.bind(3, r.item_index);
    s.bind(4, r.attempt);
    s.bind(5, r.status);
    s.bind(6, r.started_ms);
    s.bind(7, r.finished_ms);
    s.bind(8, r.duration_ms);
    if (r.exit_code)
        s.bind(9, *r.exit_code);
    else
        s.bind_null(9);
    s.bind_json(10, r.output);
    s.bind_json(11, r.outputs);
    s.bind(12, r.error);
    s.bind(13, r.cpu_ms);
    s.bind(14, r.max_rss_kb);
    s.run();
}

void Store::insert_log(const LogRecord& l) {
    auto& s = m_stmts->insert_log;
    auto u = s.use();
    s.bind(1, l.execution_id);
    s.bind(2, l.step_id);
    s.bind(3, l.item_index);
    s.bind(4, l.ts_ms);
    s.bind(5, l.level);
    s.bind(6, l.stream);
    s.bind(7, l.message);
    s.run();
}

}  // namespace flowctl::store
