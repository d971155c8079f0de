#pragma once
// History in SQLite. All SQL of the project lives in this module.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

struct sqlite3;

namespace flowctl::store {

/// Execution statuses: pending, running, succeeded, failed, cancelled, timed_out, interrupted,
/// skipped (not started: the flow's concurrency policy refused it; `error` says why).
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
    // Schema v2 (daemon runs):
    int64_t version_id = 0;    // flow_versions row of the definition it ran; 0 for `flowctl run FILE`
    int priority = 0;          // higher runs first among queued executions
    int64_t scheduled_ms = 0;  // when it may start (queued until then); 0: as soon as possible
    std::string retry_of;      // the execution this one retries
    std::string retry_from;    // the step it was retried from (empty: whole flow)
    std::string callback_url;  // POSTed with the result when it ends
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
    std::optional<int64_t> since_ms;     // started at or after
    std::optional<int64_t> until_ms;     // started before
    bool top_level_only = false;         // hide sub-flow executions
    std::optional<std::string> trigger;  // manual | api | schedule | ...
    int limit = 20;
    int offset = 0;
};

/// Log query for the API: pagination and an id cursor for following.
struct LogFilter {
    std::string execution_id;
    std::string step;       // empty: all steps
    std::string min_level;  // empty: all levels
    int64_t after_id = 0;   // only lines with a larger id (for follow-up polls)
    int limit = -1;         // -1: all
    int offset = 0;
};

/// One recorded version of a flow definition (the daemon records each distinct content).
struct FlowVersionRecord {
    int64_t id = 0;
    std::string flow_name;
    std::string hash;  // sha256 of the content
    std::string path;
    int64_t created_ms = 0;
    std::string content;  // empty in listings
};

/// Per-flow aggregates of top-level executions.
struct FlowStats {
    int64_t total = 0;
    int64_t succeeded = 0;
    int64_t failed = 0;  // failed + timed_out + interrupted
    int64_t cancelled = 0;
    double avg_duration_ms = 0;           // of finished executions
    std::optional<ExecutionRecord> last;  // the most recent one
};

/// Whole-history aggregates for /api/v1/stats. "today"/"week"/"month" start at local midnight
/// (week: Monday) of the day containing `now_ms`.
struct ExecutionStats {
    std::map<std::string, int64_t> by_status;
    int64_t today = 0;
    int64_t this_week = 0;
    int64_t this_month = 0;
    int64_t total = 0;
    double success_rate = 0;     // succeeded / finished, 0..1 (0 when none finished)
    double avg_duration_ms = 0;  // of finished executions
};

/// An API token: only a hash of the secret is kept.
struct TokenRecord {
    std::string id;     // short public id, e.g. "tok_3f2a9c"
    std::string name;   // unique among tokens that are not revoked
    std::string scope;  // read | execute | admin
    std::string hash;   // sha256 hex of the secret
    int64_t created_ms = 0;
    int64_t last_used_ms = 0;
    int64_t revoked_ms = 0;  // 0: active
};

/// Schema v3: one due slot of a time trigger in the schedule ledger. (flow_name, trigger_key,
/// scheduled_ms) is unique: a slot is written once, before its run starts, and never again.
struct SlotRecord {
    int64_t id = 0;
    std::string flow_name;
    std::string trigger_key;   // identifies the trigger within the flow (see daemon/core/trigger_key)
    int64_t scheduled_ms = 0;  // the slot, epoch ms (UTC)
    /// started (an execution was created: execution_id) | skipped (concurrency policy) |
    /// skipped_catchup (missed, not run by the catch-up policy) | missed (daemon down or asleep,
    /// outside the catch-up window, or catch-up none)
    std::string outcome;
    std::string reason;
    std::string execution_id;
    int64_t recorded_ms = 0;
};

/// Schema v3: an ad hoc schedule of an installed flow, made through the API or CLI.
struct ScheduleRecord {
    std::string id;  // "sch_" + hex
    std::string flow_name;
    json spec = json::object();  // {cron, timezone, ...} | {every} | {at}: a trigger's settings
    json inputs = json::object();
    std::string description;
    bool enabled = true;
    int64_t created_ms = 0;
    int64_t updated_ms = 0;
};

/// Schema v3: one request to a webhook, kept for its stats (recent ones only, see gc).
struct WebhookRequestRecord {
    int64_t id = 0;
    std::string hook_id;
    int64_t received_ms = 0;
    int status = 0;  // the HTTP status answered
    std::string remote_addr;
    std::string user_agent;
    std::string delivery_id;
    std::string execution_id;  // empty when none was started
    std::string error;
};

/// Aggregates of one webhook's recorded requests (those gc has kept).
struct WebhookStats {
    int64_t total = 0;
    int64_t accepted = 0;   // a run was created for it or an earlier one answered (execution_id set)
    int64_t rejected = 0;   // no run: refused before one was created
    int64_t succeeded = 0;  // distinct executions started by its requests, by their status
    int64_t failed = 0;     // failed + timed_out + interrupted
    std::optional<WebhookRequestRecord> last;
};

/// History retention. Running and pending executions are never removed; sub-flow executions
/// go with their top-level execution.
struct GcPolicy {
    int64_t max_age_ms = 0;      // 0: no age limit
    int64_t max_executions = 0;  // top-level executions kept, newest first; 0: no limit
};
struct GcResult {
    int64_t executions = 0;  // removed (or that would be, with dry_run), sub-flows included
    int64_t step_runs = 0;
    int64_t logs = 0;
    int64_t bytes_before = 0;  // database file size
    int64_t bytes_after = 0;
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
    /// For a long-lived process that checkpoints on a thread of its own (checkpoint()): commits
    /// on this connection never run a checkpoint, whose fsyncs can take a busy disk hundreds
    /// of milliseconds (a scheduler must not fire that late).
    void no_auto_checkpoint();
    /// Copies the WAL back into the database without blocking readers or writers (PASSIVE);
    /// returns the number of WAL frames still not copied, or -1 when the database was busy.
    int checkpoint();

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

    // Schema v2: daemon state.
    /// Logs with pagination; `total` gets the count matching the filter without limit/offset.
    std::vector<LogRecord> logs(const LogFilter& f, int64_t* total = nullptr);
    /// Executions in `pending` state, oldest first (queued runs to adopt after a restart).
    std::vector<ExecutionRecord> pending_executions();
    /// A queued (pending) execution starts: status running, started time, new owner.
    void mark_started(std::string_view id, int64_t started_ms, int owner_pid, int64_t owner_start);

    /// Records `content` as a version of `flow_name` unless the newest version already has this
    /// hash; returns the id of the (new or existing) version.
    int64_t record_flow_version(const std::string& flow_name, const std::string& hash, const std::string& path,
                                const std::string& content, int64_t now_ms);
    std::optional<FlowVersionRecord> flow_version(int64_t id);  // with content
    /// Newest first, without content.
    std::vector<FlowVersionRecord> flow_versions(std::string_view flow_name, int limit = 50);

    /// Enabled/disabled per flow name; a flow never set is enabled.
    void set_flow_enabled(const std::string& flow_name, bool enabled);
    std::map<std::string, bool> flow_enabled_states();

    std::map<std::string, FlowStats> flow_stats();
    ExecutionStats execution_stats(int64_t now_ms);

    void insert_token(const TokenRecord& t);
    std::vector<TokenRecord> list_tokens(bool include_revoked = false);
    std::optional<TokenRecord> find_token_by_hash(std::string_view hash);  // active tokens only
    /// By id or name; returns false when no active token matches.
    bool revoke_token(std::string_view id_or_name, int64_t now_ms);
    void touch_token(std::string_view id, int64_t now_ms);

    // Schema v3: the schedule ledger.
    /// Writes a slot; false (nothing written) when this (flow, trigger, scheduled time) is already
    /// recorded. Inside a caller's transaction it takes part in it.
    bool insert_slot(const SlotRecord& slot);
    /// The latest recorded slot's time of a trigger, if any.
    std::optional<int64_t> last_slot_ms(std::string_view flow_name, std::string_view trigger_key);
    /// Newest first; an empty trigger_key means every trigger of the flow.
    std::vector<SlotRecord> slots(std::string_view flow_name, std::string_view trigger_key, int limit);
    /// When the trigger was first armed: recorded now (now_ms) unless already known, so that a
    /// restart never catches up slots from before the trigger existed.
    int64_t arm_trigger(std::string_view flow_name, std::string_view trigger_key, int64_t now_ms);
    /// Keeps the newest k_slots_kept slots of each trigger, and of those only the ones at or
    /// after older_than_ms (0: no age limit) besides the newest one. Run by gc().
    void prune_slots(int64_t older_than_ms);
    static constexpr int k_slots_kept = 1000;

    // Schema v3: ad hoc schedules.
    void insert_schedule(const ScheduleRecord& s);
    /// Replaces flow_name, spec, inputs, description, enabled and updated_ms; false when unknown.
    bool update_schedule(const ScheduleRecord& s);
    bool delete_schedule(std::string_view id);
    std::optional<ScheduleRecord> get_schedule(std::string_view id);
    std::vector<ScheduleRecord> list_schedules(std::string_view flow_name = {});  // empty: all

    // Schema v3: webhooks.
    /// The execution an earlier delivery with this id started, if it came at or after since_ms.
    std::optional<std::string> find_delivery(std::string_view hook_id, std::string_view delivery_id, int64_t since_ms);
    /// Records a delivery (replacing an older record of the same id).
    void record_delivery(std::string_view hook_id, std::string_view delivery_id, std::string_view execution_id,
                         int64_t received_ms);
    void insert_webhook_request(const WebhookRequestRecord& r);
    /// Newest first.
    std::vector<WebhookRequestRecord> webhook_requests(std::string_view hook_id, int limit);
    /// Aggregates of the recorded requests, by hook id (only hooks with requests).
    std::map<std::string, WebhookStats> webhook_stats();
    /// Forgets deliveries received before `deliveries_before_ms` and all but the newest
    /// `keep_requests` requests of each hook. Returns the rows removed.
    int64_t prune_webhooks(int64_t deliveries_before_ms, int keep_requests);

    /// Applies the policy (or only counts with dry_run). Not inside a caller's transaction.
    GcResult gc(const GcPolicy& policy, bool dry_run, int64_t now_ms);

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
