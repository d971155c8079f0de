#pragma once
// The DAG executor: the one code path for `flowctl run` and for the daemon.
#include <chrono>
#include <functional>
#include <stdexcept>
#include <map>
#include <optional>
#include <string>

#include "flow/model.hpp"
#include "store/store.hpp"
#include "util/cancel.hpp"
#include "util/json.hpp"

namespace flowctl::engine {

/// What happened, for live views. Delivered on the engine's thread, in order.
struct Event {
    enum class Kind { execution_started, step_started, step_log, step_retrying, step_finished, execution_finished };
    Kind kind;
    std::string execution_id;
    std::string flow_name;  // of the execution (sub-flows report their own)
    std::string parent_id;  // set for sub-flow executions
    std::string step_id;
    int item_index = -1;
    int attempt = 1;
    std::string status;   // the new status (step_finished / execution_finished)
    std::string message;  // log line or error
    int64_t ts_ms = 0;
    int64_t duration_ms = 0;
};

/// The result of a step in an earlier execution, reused by a retry.
struct ReusedStep {
    std::string status;  // succeeded | skipped
    json output;         // what ${{ steps.ID.output }} was
    json outputs = json::object();
    std::string from_execution;
};

struct RunOptions {
    json inputs = json::object();  // given by the caller; checked and defaulted here
    std::string trigger = "manual";
    json trigger_data = json::object();  // ${{ trigger.* }}
    std::string parent_id;               // for sub-flows
    int depth = 0;                       // sub-flow nesting; refused past a limit
    /// The environment steps start from (the daemon passes a clean one; the CLI its own).
    std::map<std::string, std::string> base_env;
    const util::CancelToken* cancel = nullptr;  // e.g. set by SIGINT
    std::function<void(const Event&)> on_event;
    /// An outer deadline (the calling step's timeout, for a sub-flow): when it passes the run
    /// ends timed_out, as with the flow's own `timeout`.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    /// Uncommitted history writes are flushed at least this often while a flow runs.
    std::chrono::milliseconds commit_interval{200};

    // For the daemon:
    /// The execution's id, chosen by the caller (the API answers with it before the run starts);
    /// empty: a new one.
    std::string execution_id;
    /// The caller already inserted a `pending` row with `execution_id` (a queued run): it is
    /// marked started (store.mark_started) instead of inserted.
    bool row_exists = false;
    int64_t version_id = 0;  // recorded on the execution
    std::string retry_of;    // recorded on the execution
    std::string retry_from;
    /// Steps not run but taken from an earlier execution (retry from a step): each is recorded
    /// as a step run with that execution's status and outputs, and a log line naming it.
    std::map<std::string, ReusedStep> reuse;
};

struct RunResult {
    std::string execution_id;
    std::string status;  // succeeded | failed | cancelled | timed_out
    std::string error;
    json outputs = json::object();
};

/// Input problems (missing required input, wrong type): thrown before anything is recorded.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Runs the flow to the end and records it. The execution row is committed before any
/// step starts, and the final state before this returns.
RunResult run_flow(const flow::Flow& flow, store::Store& store, const RunOptions& options);

/// For a retry of `original` from step `from_step` (empty: none reused): every step that is
/// neither `from_step` nor downstream of it, and that succeeded or was skipped in `original`,
/// keyed by step id. Throws std::invalid_argument when `from_step` is not a step of the flow.
std::map<std::string, ReusedStep> reusable_steps(const flow::Flow& flow, store::Store& store,
                                                 const std::string& original, const std::string& from_step);

/// Checks given inputs against the flow's declarations, applies defaults and converts
/// strings from `-i key=value` to the declared type. Throws InputError.
json resolve_inputs(const flow::Flow& flow, const json& given);

}  // namespace flowctl::engine
