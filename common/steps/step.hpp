#pragma once
// The one interface every step type implements, and the registry that lists them.
// A step type sees only its resolved parameters and a context: it knows nothing of the
// flow, the DAG or the history (the engine does).
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/cancel.hpp"
#include "util/json.hpp"

namespace flowctl::steps {

enum class LogLevel { debug, info, warn, error };
std::string_view to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);

/// One parameter of a step type. `type` is a JSON Schema type name ("string", "number",
/// "integer", "boolean", "object", "array"), or "duration" (a string like "5s" or a number of
/// seconds), or several joined by '|' ("string|array").
struct ParamSpec {
    std::string name;
    std::string type;
    bool required = false;
    std::string description;
    std::vector<std::string> enum_values;  // allowed values, when restricted
    json default_value;                    // null when none
};

struct StepSchema {
    std::string type;     // the key that selects it: "run", "http", ...
    std::string summary;  // one line for `flowctl actions`
    /// The parameter set by the short form `TYPE: VALUE` (e.g. `run: make` sets `script`).
    /// The long form `TYPE: {param: value, ...}` sets any parameter.
    std::string primary;
    std::vector<ParamSpec> params;
    /// Parameters that may also be written beside the type key, GitHub Actions style
    /// (`run: make` with `shell: bash` next to it).
    std::vector<std::string> sibling_params;
    std::vector<ParamSpec> outputs;  // what lands in steps.<id>.outputs
    std::string example;             // a YAML snippet
};

/// The schema as a JSON Schema object (for `flowctl actions TYPE -o json` and `flowctl schema`).
json to_json_schema(const StepSchema& schema);

/// Running another flow from a `flow:` step; the engine provides it.
struct SubflowRequest {
    std::string path;  // resolved against the parent flow's directory
    json inputs = json::object();
    /// The calling step's deadline: the sub-flow ends timed_out when it passes.
    std::optional<std::chrono::steady_clock::time_point> deadline;
};
struct SubflowResult {
    std::string execution_id;
    std::string status;  // "succeeded", "failed", ...
    std::string error;
    json outputs = json::object();
};

struct StepContext {
    json params = json::object();            // templates already evaluated
    std::map<std::string, std::string> env;  // the complete environment for child processes
    std::string cwd;                         // absolute; where processes and relative paths start
    std::string flow_dir;                    // the directory of the flow file
    std::optional<std::chrono::steady_clock::time_point> deadline;  // step timeout
    const util::CancelToken* cancel = nullptr;                      // never null when the engine calls run()
    size_t output_cap = 1 << 20;                                    // bytes kept of stdout / stderr / bodies
    /// Log sink: stream is "stdout", "stderr" or "step" (messages of the step type itself).
    std::function<void(LogLevel, std::string_view stream, std::string_view line)> log;
    std::function<SubflowResult(const SubflowRequest&)> run_subflow;
};

enum class Outcome { succeeded, failed, timed_out, cancelled };
std::string_view to_string(Outcome outcome);

struct StepResult {
    Outcome outcome = Outcome::succeeded;
    std::string error;              // why it failed, for people
    std::optional<int> exit_code;   // process steps
    json output;                    // steps.<id>.output
    json outputs = json::object();  // steps.<id>.outputs
    long long cpu_ms = 0;           // user + system time of child processes
    long long max_rss_kb = 0;       // largest resident set of a child process
};

class StepType {
public:
    virtual ~StepType() = default;
    virtual const StepSchema& schema() const = 0;
    virtual StepResult run(StepContext& ctx) const = 0;
    /// True for types that finish at once without blocking (log): the engine runs them on its
    /// own thread instead of handing them to a worker.
    virtual bool runs_inline() const { return false; }
};

/// nullptr when no step type has that name.
const StepType* find_step_type(std::string_view type);
/// Every step type, in a fixed order (run, cmd, http, log, sleep, file, transform, flow).
const std::vector<const StepType*>& all_step_types();

}  // namespace flowctl::steps
