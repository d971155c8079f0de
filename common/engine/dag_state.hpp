#pragma once
// The step graph as indices, and the per-step state the scheduler keeps (O(V+E) overall:
// each step counts its unfinished needs; a finishing step decrements its dependents).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.hpp"
#include "flow/model.hpp"
#include "util/cancel.hpp"
#include "steps/step.hpp"

namespace flowctl::engine {

struct Dag {
    std::unordered_map<std::string, int> index;
    std::vector<std::vector<int>> needs;
    std::vector<std::vector<int>> dependents;
    std::vector<std::string> errors;  // per step: a problem found while building (unknown need)
};

Dag build_dag(const flow::Flow& flow);

/// Terminal statuses that make dependents ready.
bool is_failure(const std::string& status);  // failed, timed_out
bool is_skip(const std::string& status);     // skipped, cancelled

struct StepState {
    enum class Phase { waiting, queued, running, done };
    Phase phase = Phase::waiting;
    int pending_needs = 0;
    bool ancestor_failed = false;   // transitively: failed/timed_out without continue_on_error
    bool ancestor_skipped = false;  // transitively: skipped/cancelled
    bool continue_on_error = false;

    bool is_foreach = false;
    json items = json::array();  // rendered for_each value
    size_t next_item = 0;        // the next item to start
    int active_units = 0;        // started and not done
    int max_units = 1;           // at once, for for_each items
    bool stop_units = false;     // start no more items (fail-fast, cancellation)
    bool in_queue = false;
    std::vector<int> units;  // unit ids in item order (-1: never started)

    /// While it runs: its environment (shared with the flow's when it adds nothing) and, when
    /// it differs from the flow's, the same as JSON for ${{ env.* }} in its templates.
    std::shared_ptr<const std::map<std::string, std::string>> env;
    std::optional<json> env_json;
    const ReusedStep* reused = nullptr;  // taken from an earlier execution instead of run
    std::string status;
    std::string error;
    int64_t started_ms = 0;
    int64_t finished_ms = 0;
};

/// One attempt series of a step or of one for_each item.
struct Unit {
    int step = -1;
    int item = -1;
    std::shared_ptr<util::CancelToken> cancel;  // while running
    std::string cancel_reason;                  // why the engine cancelled it: cancelled | timed_out
    int attempt = 0;
    int max_attempts = 1;  // of its retry policy
    bool running = false;  // counted against max_parallel
    bool done = false;
    std::string status;  // of the last attempt, as recorded
    std::string error;
    steps::StepResult result;       // of the last attempt
    json outputs = json::object();  // result.outputs plus the step's `outputs:` map
    int64_t started_ms = 0;
    int64_t finished_ms = 0;
};

}  // namespace flowctl::engine
