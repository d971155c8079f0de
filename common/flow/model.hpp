#pragma once
// The flow model: plain structs built from a YAML file by parser.hpp.
// Strings keep their `${{ }}` templates; the engine evaluates them at run time.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/duration.hpp"
#include "util/json.hpp"

namespace flowctl::flow {

/// 1-based line and column in the source file (0 = unknown).
struct SourcePos {
    int line = 0;
    int col = 0;
};

struct InputSpec {
    std::string name;
    std::string type = "string";  // string | number | boolean | object | array
    json default_value;           // null when none
    bool has_default = false;
    bool required = false;
    std::string description;
    bool secret = false;  // redacted in history
    SourcePos pos;
};

enum class Backoff { fixed, exponential };

struct RetryPolicy {
    int attempts = 1;  // total attempts, the first included
    util::Millis delay{1000};
    Backoff backoff = Backoff::fixed;
    std::optional<util::Millis> max_delay;
};

/// A trigger as written; the daemon acts on it. kind: schedule | interval | at | watch |
/// webhook | manual. spec holds the kind's settings (for `interval: 15m` the string itself).
struct Trigger {
    std::string kind;
    json spec;
    SourcePos pos;
};

/// Defaults applied to every step that does not set the key itself.
struct StepDefaults {
    std::optional<RetryPolicy> retry;
    std::optional<util::Millis> timeout;
    std::optional<bool> continue_on_error;
    std::map<std::string, std::string> env;
    std::optional<std::string> cwd;
    std::optional<std::string> shell;
};

struct StepDef {
    std::string id;
    std::string name;  // display name; defaults to id
    std::string type;  // run, cmd, http, log, sleep, file, transform, flow
    /// The type's parameters, normalised to an object: the short form `run: make` becomes
    /// {"script": "make"}, and sibling keys such as `shell:` are merged in.
    json params = json::object();
    std::vector<std::string> needs;
    std::string if_condition;         // empty: success()
    json for_each;                    // null, a list, or a "${{ expr }}" string
    std::optional<int> max_parallel;  // for for_each items
    RetryPolicy retry;
    std::optional<util::Millis> timeout;
    bool continue_on_error = false;
    std::map<std::string, std::string> env;
    std::string cwd;                             // empty: the flow file's directory
    std::map<std::string, std::string> outputs;  // name -> template, evaluated after success
    SourcePos pos;                               // of the step's mapping
    std::map<std::string, SourcePos> key_pos;    // of each key in the step, for diagnostics
};

struct Flow {
    std::string name;
    std::string description;
    std::vector<std::string> tags;
    std::map<std::string, InputSpec> inputs;
    std::vector<std::string> input_order;  // as written
    std::map<std::string, std::string> env;
    StepDefaults defaults;
    std::optional<util::Millis> timeout;
    int max_parallel = 16;  // steps (and for_each items) running at once
    bool fail_fast = true;
    std::vector<Trigger> triggers;
    /// What a new run does when max_active executions of this flow are active (queued or
    /// running): allow (no limit) | forbid (skipped) | replace (the oldest is cancelled) |
    /// queue (waits). Setting max_active alone means queue; forbid/replace/queue default to 1.
    std::string concurrency = "allow";
    int max_active = 0;                          // 0: unlimited (allow)
    std::vector<StepDef> steps;                  // in file order
    std::map<std::string, std::string> outputs;  // flow outputs: name -> template
    std::string source_path;                     // as given
    std::string source_text;                     // the file's bytes (hashed into history)
    std::string hash;                            // sha256 of source_text

    const StepDef* find_step(const std::string& id) const;
};

}  // namespace flowctl::flow
