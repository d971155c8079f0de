#pragma once
// Shared state of one load_flow call: the YAML tree, the diagnostics sink, the JSON budget,
// and typed readers that report wrong values with their position.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/model.hpp"
#include "flow/yaml_convert.hpp"
#include "flow/yaml_tree.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::flow::detail {

/// Where a step came from, for the passes that run after the model is built.
struct StepSource {
    NodeId node = 0;                  // the step's mapping
    std::vector<NodeId> needs_nodes;  // parallel to StepDef::needs
};

class Loader {
public:
    Loader(const YTree& tree, const std::string& path, std::vector<util::Diagnostic>& diags)
        : tree(tree), path(path), m_diags(diags), m_converter(tree) {}

    const YTree& tree;
    const std::string& path;
    Flow flow;
    std::vector<StepSource> step_sources;  // parallel to flow.steps

    // Filled by check_graph: step id -> index, and each step's resolved needs (indices).
    std::unordered_map<std::string, uint32_t> step_index;
    std::vector<std::vector<uint32_t>> deps;
    bool acyclic = true;

    void error(SourcePos pos, std::string message);
    void error(NodeId node, std::string message) { error(tree.pos(node), std::move(message)); }
    void warning(SourcePos pos, std::string message);
    void warning(NodeId node, std::string message) { warning(tree.pos(node), std::move(message)); }

    /// "unknown key 'neds' in step 'x' (did you mean 'needs'?)"; context may be empty.
    void unknown_key(NodeId key, const std::string& context, const std::vector<std::string>& candidates);

    /// The node as JSON (budgeted); reports and returns nullopt when the budget is exhausted.
    std::optional<json> to_json(NodeId node);

    // Typed readers: `what` names the key in messages ("'max_parallel'").
    /// A scalar's text as written (numbers and booleans too); null and containers are errors.
    std::optional<std::string> string_value(NodeId node, const std::string& what);
    std::optional<bool> bool_value(NodeId node, const std::string& what);
    std::optional<int64_t> int_value(NodeId node, const std::string& what, int64_t min);
    std::optional<util::Millis> duration_value(NodeId node, const std::string& what);
    /// A list of scalars (their text).
    std::optional<std::vector<std::string>> string_list(NodeId node, const std::string& what);
    /// A mapping of scalars (their text; null -> ""), for env.
    std::optional<std::map<std::string, std::string>> string_map(NodeId node, const std::string& what);
    bool expect_map(NodeId node, const std::string& what);

private:
    std::vector<util::Diagnostic>& m_diags;
    JsonConverter m_converter;
    bool m_budget_reported = false;
};

/// util::did_you_mean, plus one swap of adjacent letters ("stpes" -> "steps", "biuld" ->
/// "build"): the commonest typo, which costs two edits and is too far for short words there.
std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& candidates);

/// [A-Za-z_][A-Za-z0-9_-]*: step ids, input and output names.
bool is_identifier(std::string_view s);

/// "invalid duration '5 parsecs' (use e.g. 30s, 5m, 1h30m)"
std::string invalid_duration_message(const std::string& text);

/// "a, b, c" or "a, b or c" lists for messages.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

/// `retry: 3` (attempts) or `retry: {attempts, delay, backoff, max_delay}`.
std::optional<RetryPolicy> read_retry(Loader& loader, NodeId node);  // step_builder.cpp

/// `outputs:` of the flow or a step (owner: "" or " of step 'x'"): name -> template text.
std::map<std::string, std::string> read_outputs_map(Loader& loader, NodeId node,
                                                    const std::string& owner);  // flow_builder.cpp

// The passes, in the order load_flow runs them.
void build_flow(Loader& loader);                            // flow_builder.cpp
void build_steps(Loader& loader, NodeId steps_node);        // step_builder.cpp
void build_triggers(Loader& loader, NodeId triggers_node);  // triggers.cpp
void check_graph(Loader& loader);                           // graph.cpp
void check_expressions(Loader& loader);                     // expr_check.cpp

}  // namespace flowctl::flow::detail
