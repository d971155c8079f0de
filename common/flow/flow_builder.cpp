// The top level of a flow file: everything but the steps' and triggers' insides.
#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "flow/loader.hpp"
#include "flow/parser.hpp"

namespace flowctl::flow::detail {

namespace {

const std::vector<std::string>& input_types() {
    static const std::vector<std::string> types = {"string", "number", "boolean", "object", "array"};
    return types;
}

const std::vector<std::string>& input_keys() {
    static const std::vector<std::string> keys = {"type", "default", "required", "description", "secret"};
    return keys;
}

const std::vector<std::string>& defaults_keys() {
    static const std::vector<std::string> keys = {"retry", "timeout", "continue_on_error", "env", "cwd", "shell"};
    return keys;
}

std::string type_of(const json& v) {
    if (v.is_boolean()) return "boolean";
    if (v.is_number()) return "number";
    if (v.is_array()) return "array";
    if (v.is_object()) return "object";
    return "string";
}

/// A default must have the input's type; a scalar written for a string input is its text.
void check_default(Loader& loader, InputSpec& input, NodeId node) {
    if (input.default_value.is_null()) return;
    if (input.type == "string") {
        if (loader.tree.is_scalar(node)) input.default_value = loader.tree[node].value;
    }
    if (type_of(input.default_value) != input.type)
        loader.error(node, "the default of input '" + input.name + "' must be " +
                               (input.type == "array" ? "an " : "a ") + input.type + ", got " +
                               loader.tree.describe(node));
}

void read_input_long(Loader& loader, InputSpec& input, NodeId map) {
    const YTree& t = loader.tree;
    std::optional<NodeId> default_node;
    for (size_t i = 0; i < t.pair_count(map); ++i) {
        const std::string& key = t.key_text(map, i);
        NodeId value = t.value_at(map, i);
        std::string what = "'" + key + "' of input '" + input.name + "'";
        if (key == "type") {
            auto type = loader.string_value(value, what);
            if (!type) continue;
            if (std::find(input_types().begin(), input_types().end(), *type) == input_types().end()) {
                std::string message = "unknown input type '" + *type + "': use " + join(input_types());
                if (auto guess = suggest(*type, input_types())) message += " (did you mean '" + *guess + "'?)";
                loader.error(value, message);
                continue;
            }
            input.type = *type;
        } else if (key == "default") {
            default_node = value;
            if (auto v = loader.to_json(value)) {
                input.default_value = *v;
                input.has_default = !v->is_null();
            }
        } else if (key == "required") {
            input.required = loader.bool_value(value, what).value_or(false);
        } else if (key == "description") {
            input.description = loader.string_value(value, what).value_or("");
        } else if (key == "secret") {
            input.secret = loader.bool_value(value, what).value_or(false);
        } else {
            loader.unknown_key(t.key_at(map, i), "input '" + input.name + "'", input_keys());
        }
    }
    if (default_node) check_default(loader, input, *default_node);
    if (input.required && input.has_default)
        loader.warning(input.pos, "input '" + input.name + "' is required but has a default, which is never used");
}

void read_inputs(Loader& loader, NodeId node) {
    const YTree& t = loader.tree;
    if (!loader.expect_map(node, "'inputs'")) return;
    for (size_t i = 0; i < t.pair_count(node); ++i) {
        const std::string& name = t.key_text(node, i);
        NodeId value = t.value_at(node, i);
        if (!is_identifier(name)) {
            loader.error(t.key_at(node, i), "invalid input name '" + name +
                                                "': use letters, digits, '_' and '-', starting with a letter or '_'");
            continue;
        }
        InputSpec input;
        input.name = name;
        input.pos = t.pos(t.key_at(node, i));
        if (t.is_map(value)) {
            read_input_long(loader, input, value);
        } else if (!t.is_null(value)) {
            // Shorthand `name: VALUE`: a default whose type is the value's.
            if (auto v = loader.to_json(value)) {
                input.default_value = *v;
                input.has_default = !v->is_null();
                input.type = type_of(*v);
            }
        }
        loader.flow.input_order.push_back(name);
        loader.flow.inputs[name] = std::move(input);
    }
}

void read_defaults(Loader& loader, NodeId node) {
    const YTree& t = loader.tree;
    if (!loader.expect_map(node, "'defaults'")) return;
    StepDefaults& d = loader.flow.defaults;
    for (size_t i = 0; i < t.pair_count(node); ++i) {
        const std::string& key = t.key_text(node, i);
        NodeId value = t.value_at(node, i);
        std::string what = "'defaults." + key + "'";
        if (key == "retry")
            d.retry = read_retry(loader, value);
        else if (key == "timeout")
            d.timeout = loader.duration_value(value, what);
        else if (key == "continue_on_error")
            d.continue_on_error = loader.bool_value(value, what);
        else if (key == "env")
            d.env = loader.string_map(value, what).value_or(std::map<std::string, std::string>{});
        else if (key == "cwd")
            d.cwd = loader.string_value(value, what);
        else if (key == "shell")
            d.shell = loader.string_value(value, what);
        else
            loader.unknown_key(t.key_at(node, i), "defaults", defaults_keys());
    }
}

/// `outputs:` of the flow or of a step: name -> template text.
std::map<std::string, std::string> read_outputs(Loader& loader, NodeId node, const std::string& owner) {
    const YTree& t = loader.tree;
    std::map<std::string, std::string> out;
    if (!loader.expect_map(node, "'outputs'" + owner)) return out;
    for (size_t i = 0; i < t.pair_count(node); ++i) {
        const std::string& name = t.key_text(node, i);
        NodeId value = t.value_at(node, i);
        if (!is_identifier(name)) {
            loader.error(t.key_at(node, i), "invalid output name '" + name +
                                                "': use letters, digits, '_' and '-', starting with a letter or '_'");
            continue;
        }
        if (auto text = loader.string_value(value, "output '" + name + "'")) out[name] = *text;
    }
    return out;
}

const std::vector<std::string>& concurrency_policies() {
    static const std::vector<std::string> policies = {"allow", "forbid", "replace", "queue"};
    return policies;
}

/// `concurrency:` and `max_active:` together: each implies a default for the other (max_active
/// alone queues; a limiting policy alone allows one), and `allow` has no limit to set.
void read_concurrency(Loader& loader, std::optional<NodeId> policy_node, std::optional<NodeId> limit_node) {
    Flow& flow = loader.flow;
    std::optional<std::string> policy;
    if (policy_node) {
        policy = loader.string_value(*policy_node, "'concurrency'");
        if (policy && std::find(concurrency_policies().begin(), concurrency_policies().end(), *policy) ==
                          concurrency_policies().end()) {
            std::string message = "unknown concurrency policy '" + *policy + "': use " + join(concurrency_policies());
            if (auto guess = suggest(*policy, concurrency_policies())) message += " (did you mean '" + *guess + "'?)";
            loader.error(*policy_node, message);
            policy.reset();
        }
    }
    std::optional<int64_t> limit;
    if (limit_node) limit = loader.int_value(*limit_node, "'max_active'", 1);

    if (policy == "allow" && limit) {
        loader.error(*limit_node,
                     "'max_active' cannot be used with 'concurrency: allow': allow has no limit; use "
                     "queue/forbid/replace");
        return;
    }
    if (policy) flow.concurrency = *policy;
    if (limit) {
        flow.max_active = static_cast<int>(*limit);
        if (!policy_node) flow.concurrency = "queue";
    }
    if (flow.concurrency != "allow" && flow.max_active == 0) flow.max_active = 1;
}

}  // namespace

std::map<std::string, std::string> read_outputs_map(Loader& loader, NodeId node, const std::string& owner) {
    return read_outputs(loader, node, owner);
}

void build_flow(Loader& loader) {
    const YTree& t = loader.tree;
    Flow& flow = loader.flow;
    NodeId root = t.root;
    std::unordered_map<std::string, NodeId> keys;
    for (size_t i = 0; i < t.pair_count(root); ++i) {
        const std::string& key = t.key_text(root, i);
        if (std::find(flow_keys().begin(), flow_keys().end(), key) == flow_keys().end()) {
            loader.unknown_key(t.key_at(root, i), "", flow_keys());
            continue;
        }
        keys[key] = t.value_at(root, i);
    }
    auto get = [&](const char* key) -> std::optional<NodeId> {
        auto it = keys.find(key);
        if (it == keys.end()) return std::nullopt;
        return it->second;
    };

    flow.name = std::filesystem::path(loader.path).stem().string();
    if (auto n = get("name")) flow.name = loader.string_value(*n, "'name'").value_or(flow.name);
    if (auto n = get("description")) flow.description = loader.string_value(*n, "'description'").value_or("");
    if (auto n = get("tags")) flow.tags = loader.string_list(*n, "'tags'").value_or(std::vector<std::string>{});
    if (auto n = get("inputs")) read_inputs(loader, *n);
    if (auto n = get("env")) flow.env = loader.string_map(*n, "'env'").value_or(std::map<std::string, std::string>{});
    if (auto n = get("defaults")) read_defaults(loader, *n);
    if (auto n = get("timeout")) flow.timeout = loader.duration_value(*n, "'timeout'");
    if (auto n = get("max_parallel"))
        flow.max_parallel = static_cast<int>(loader.int_value(*n, "'max_parallel'", 1).value_or(flow.max_parallel));
    if (auto n = get("fail_fast")) flow.fail_fast = loader.bool_value(*n, "'fail_fast'").value_or(true);
    read_concurrency(loader, get("concurrency"), get("max_active"));
    if (auto n = get("outputs")) flow.outputs = read_outputs(loader, *n, "");

    if (auto n = get("steps")) {
        if (!t.is_seq(*n))
            loader.error(*n, "'steps' must be a list of steps, got " + t.describe(*n));
        else if (t[*n].children.empty())
            loader.error(*n, "'steps' is empty: a flow needs at least one step");
        else
            build_steps(loader, *n);
    } else {
        loader.error(t.pos(root), "missing 'steps': a flow needs a list of steps");
    }
    if (auto n = get("triggers")) build_triggers(loader, *n);
}

}  // namespace flowctl::flow::detail
