#pragma once
// History in SQLite. All SQL of the project lives in this module.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

struct sqlite3;

namespace flowctl::store {

/// Execution statuses: pending, running, succeeded, failed, cancelled, timed_out, interrupted.
/// Step statuses: pending, running, succeeded, failed, skipped, cancelled, timed_out, interrupted.
struct ExecutionRecord {
    std::string id;
    std::string flow_name;
    std::string flow_path;
    std::string def_hash;
    std::string parent_id;  // empty unless run by a `flow:` step
    std::string trigger = "manual";
    json trigger_data = json::object();
    json inputs = json::object();  // secret inputs already redacted
    std::string status = "pending";
    std::string error;
    int64_t created_ms = 0;
    int64_t started_ms = 0;
    int64_t finished_ms = 0;  // 0 while running
    int64_t duration_ms = 0;
    int64_t cpu_ms = 0;      // children's user+system time
    int64_t max_rss_kb = 0;  // largest child
    json outputs = json::object();
    int owner_pid = 0;        // the process running it
    int64_t owner_start = 0;  // that process's start time (clock ticks since boot, /proc/PID/stat)
};

/// One attempt of one step (of one for_each item). (execution_id, step_id, item_index,
/// attempt) is unique: upsert_step_run() inserts it or updates it in place.
struct StepRunRecord {
    std::string execution_id;
    std::string step_id;
    int item_index = -1;  // for_each item, -1 when not a for_each step
    int attempt = 1;
    std::string status = "running";
    int64_t started_ms = 0;
    int64_t finished_ms = 0;
    int64_t duration_ms = 0;
    std::optional<int> exit_code;
    json output;  // null when none
    json outputs = json::object();
    std::string error;
    int64_t cpu_ms = 0;
    int64_t max_rss_kb = 0;
};

struct LogRecord {
    int64_t id = 0;
    std::string execution_id;
    std::string step_id;  // empty for flow-level lines
    int item_index = -1;
    int64_t ts_ms = 0;
    std::string level = "info";   // debug | info | warn | error
    std::string stream = "step";  // stdout | stderr | step | engine
    std::string message;
};

struct HistoryFilter {
    std::optional<std::string> flow;  // flow name
    std::optional<std::string> status;
    std::optional<int64_t> since_ms;  // started at or after
    std::optional<int64_t> until_ms;  // started before
    bool top_level_only = false;      // hide sub-flow executions
    int limit = 20;
    int offset = 0;
};

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One connection to the history database. Not thread-safe: one thread uses it at a time
/// (the engine funnels writes through its own thread).
class Store {
public:
    /// Opens (creating if needed) DIR/history.db: WAL, synchronous=NORMAL (or FULL if
    /// `durable_full`), busy_timeout, foreign keys; runs migrations by PRAGMA user_version.
    explicit Store(const std::filesystem::path& state_dir, bool durable_full = false);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::filesystem::path& db_path() const { return m_path; }

    /// For short-lived processes: checkpoint whenever the WAL passes 64 pages instead of 1000.
    /// The first connection to open the database reads the whole WAL back in, so a short WAL
    /// keeps the next `flowctl` start cheap; a long-lived process does better with fewer
    /// checkpoints.
    void keep_wal_short();

    /// Marks every `running`/`pending` execution whose owner process is gone (pid not alive,
    /// or alive with another start time) as `interrupted`, with its running steps.
    /// Returns how many executions changed.
    int recover_interrupted();

    // Writes. Group them with begin()/commit(); without, each statement commits alone.
    void begin();
    void commit();
    void rollback();
    bool in_transaction() const;

    /// With `sync` false the insert is committed without an fsync even under synchronous=FULL:
    /// it survives a crash of this process (enough to be found `interrupted`), and the next
    /// synced commit makes it durable along with everything before it.
    void insert_execution(const ExecutionRecord& e, bool sync = true);
    /// Updates status, error, times, usage and outputs of an existing execution.
    void update_execution(const ExecutionRecord& e);
    void upsert_step_run(const StepRunRecord& s);
    void insert_log(const LogRecord& l);

    // Reads.
    std::vector<ExecutionRecord> list_executions(const HistoryFilter& f, int64_t* total = nullptr);
    /// By full id or a unique prefix; throws StoreError when the prefix is ambiguous.
    std::optional<ExecutionRecord> get_execution(std::string_view id_or_prefix);
    std::vector<StepRunRecord> step_runs(std::string_view execution_id);
    /// Logs in time order; step filter (empty: all) and minimum level (empty: all).
    std::vector<LogRecord> logs(std::string_view execution_id, std::string_view step = {},
                                std::string_view min_level = {});
    /// Sub-flow executions started by this one.
    std::vector<ExecutionRecord> children(std::string_view execution_id);

    /// Process identity used for liveness: (pid, start time) of the calling process.
    static int64_t process_start_time(int pid);

private:
    struct Statements;
    std::filesystem::path m_path;
    bool m_durable_full = false;
    sqlite3* m_db = nullptr;
    std::unique_ptr<Statements> m_stmts;
};

}  // namespace flowctl::store
