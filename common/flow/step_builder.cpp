// One step's mapping -> StepDef: its id, type, common keys, and the defaults it inherits.
#include <unordered_map>
#include <unordered_set>

#include "flow/loader.hpp"
#include "flow/params.hpp"
#include "flow/parser.hpp"
#include "steps/step.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::flow::detail {

namespace {

const std::vector<std::string>& type_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto* type : steps::all_step_types()) out.push_back(type->schema().type);
        return out;
    }();
    return names;
}

const std::vector<std::string>& retry_keys() {
    static const std::vector<std::string> keys = {"attempts", "delay", "backoff", "max_delay"};
    return keys;
}

bool is_common_key(const std::string& key) {
    const auto& keys = step_common_keys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

/// `needs: a` or `needs: [a, b]`; duplicates dropped.
void read_needs(Loader& loader, NodeId node, StepDef& step, StepSource& source) {
    const YTree& t = loader.tree;
    std::vector<NodeId> items;
    std::unordered_set<std::string> seen;
    if (t.is_scalar(node))
        items.push_back(node);
    else if (t.is_seq(node))
        items = t[node].children;
    else if (!t.is_null(node))
        loader.error(node, "'needs' must be a step id or a list of step ids, got " + t.describe(node));
    for (NodeId item : items) {
        if (!t.is_scalar(item)) {
            loader.error(item, "each item of 'needs' must be a step id, got " + t.describe(item));
            continue;
        }
        const std::string& id = t[item].value;
        if (!seen.insert(id).second) continue;
        step.needs.push_back(id);
        source.needs_nodes.push_back(item);
    }
}

void read_if(Loader& loader, NodeId node, StepDef& step) {
    const YTree& t = loader.tree;
    if (t.is_null(node)) return;
    if (!t.is_scalar(node)) {
        loader.error(node, "'if' must be a condition or true/false, got " + t.describe(node));
        return;
    }
    json v = scalar_to_json(t[node]);
    step.if_condition = v.is_boolean() ? (v.get<bool>() ? "true" : "false") : t[node].value;
}

void read_for_each(Loader& loader, NodeId node, StepDef& step) {
    const YTree& t = loader.tree;
    if (t.is_seq(node)) {
        if (auto v = loader.to_json(node)) step.for_each = std::move(*v);
    } else if (t.is_scalar(node) && t[node].value.find("${{") != std::string::npos) {
        step.for_each = t[node].value;
    } else {
        loader.error(node, "'for_each' must be a list or a ${{ }} expression, got " + t.describe(node));
    }
}

std::string label_of(const StepDef& step, size_t index) {
    return step.id.empty() ? "step #" + std::to_string(index + 1) : "step '" + step.id + "'";
}

/// Fills the keys the step did not set from the flow's `defaults:`.
void apply_defaults(const StepDefaults& d, StepDef& step, const std::unordered_map<std::string, NodeId>& set,
                    const steps::StepSchema* schema) {
    if (!set.count("retry") && d.retry) step.retry = *d.retry;
    if (!set.count("timeout") && d.timeout) step.timeout = d.timeout;
    if (!set.count("continue_on_error") && d.continue_on_error) step.continue_on_error = *d.continue_on_error;
    if (!set.count("cwd") && d.cwd) step.cwd = *d.cwd;
    for (const auto& [name, value] : d.env) step.env.emplace(name, value);  // the step's own win
    if (d.shell && schema && !step.params.contains("shell")) {
        for (const auto& p : schema->params)
            if (p.name == "shell") step.params["shell"] = *d.shell;
    }
}

}  // namespace

std::optional<RetryPolicy> read_retry(Loader& loader, NodeId node) {
    const YTree& t = loader.tree;
    RetryPolicy policy;
    if (t.is_scalar(node)) {
        auto attempts = loader.int_value(node, "'retry' (the number of attempts)", 1);
        if (!attempts) return std::nullopt;
        policy.attempts = static_cast<int>(*attempts);
        return policy;
    }
    if (!t.is_map(node)) {
        loader.error(node,
                     "'retry' must be a number of attempts or a mapping {attempts, delay, backoff, max_delay}, got " +
                         t.describe(node));
        return std::nullopt;
    }
    bool ok = true;
    bool has_attempts = false;
    for (size_t i = 0; i < t.pair_count(node); ++i) {
        const std::string& key = t.key_text(node, i);
        NodeId value = t.value_at(node, i);
        std::string what = "'retry." + key + "'";
        if (key == "attempts") {
            has_attempts = true;
            if (auto n = loader.int_value(value, what, 1))
                policy.attempts = static_cast<int>(*n);
            else
                ok = false;
        } else if (key == "delay") {
            if (auto d = loader.duration_value(value, what))
                policy.delay = *d;
            else
                ok = false;
        } else if (key == "max_delay") {
            if (auto d = loader.duration_value(value, what))
                policy.max_delay = *d;
            else
                ok = false;
        } else if (key == "backoff") {
            auto text = t.is_scalar(value) ? t[value].value : std::string();
            if (text == "fixed")
                policy.backoff = Backoff::fixed;
            else if (text == "exponential")
                policy.backoff = Backoff::exponential;
            else {
                loader.error(value, "'retry.backoff' must be fixed or exponential, got " + t.describe(value));
                ok = false;
            }
        } else {
            loader.unknown_key(t.key_at(node, i), "retry", retry_keys());
            ok = false;
        }
    }
    if (!has_attempts) {
        loader.error(node, "'retry' needs 'attempts' (the total number of attempts, e.g. attempts: 3)");
        ok = false;
    }
    if (!ok) return std::nullopt;
    return policy;
}

void build_steps(Loader& loader, NodeId steps_node) {
    const YTree& t = loader.tree;
    const auto& items = t[steps_node].children;
    std::unordered_map<std::string, size_t> first_line;  // id -> line of its first definition
    for (size_t index = 0; index < items.size(); ++index) {
        NodeId node = items[index];
        if (!t.is_map(node)) {
            loader.error(node,
                         "each step must be a mapping with an 'id' and a type such as run, got " + t.describe(node));
            continue;
        }
        StepDef step;
        StepSource source;
        source.node = node;
        step.pos = t.pos(node);

        // Sort the keys: the type key, common keys, and the rest (sibling params or mistakes).
        std::optional<NodeId> type_key, type_value;
        std::unordered_map<std::string, NodeId> common;
        std::vector<size_t> others;
        for (size_t i = 0; i < t.pair_count(node); ++i) {
            const std::string& key = t.key_text(node, i);
            step.key_pos[key] = t.pos(t.key_at(node, i));
            if (steps::find_step_type(key) != nullptr) {
                if (type_key) {
                    // Reported below, once the label (id) is known.
                    others.push_back(i);
                    continue;
                }
                type_key = t.key_at(node, i);
                type_value = t.value_at(node, i);
                step.type = key;
            } else if (is_common_key(key)) {
                common[key] = t.value_at(node, i);
            } else {
                others.push_back(i);
            }
        }

        // The id comes first: every later message names the step by it.
        bool id_ok = false;
        if (auto it = common.find("id"); it != common.end()) {
            NodeId id_node = it->second;
            if (!t.is_scalar(id_node) || !is_identifier(t[id_node].value)) {
                loader.error(id_node, "invalid step id " + t.describe(id_node) +
                                          ": use letters, digits, '_' and '-', starting with a letter or '_'");
            } else {
                step.id = t[id_node].value;
                id_ok = true;
            }
        } else {
            loader.error(node, "step #" + std::to_string(index + 1) + " has no 'id'");
        }
        const std::string label = label_of(step, index);

        const steps::StepSchema* schema = nullptr;
        if (!type_key) {
            loader.error(node, label + " has no type: add one of " + join(type_names()));
        } else {
            schema = &steps::find_step_type(step.type)->schema();
        }

        // Keys beside the type: sibling parameters, a second type, or unknown keys.
        std::vector<std::pair<NodeId, NodeId>> siblings;
        for (size_t i : others) {
            const std::string& key = t.key_text(node, i);
            NodeId key_node = t.key_at(node, i);
            if (steps::find_step_type(key) != nullptr) {
                loader.error(key_node, label + " has two types, '" + step.type + "' and '" + key + "': keep one");
                continue;
            }
            if (schema) {
                const auto& sib = schema->sibling_params;
                if (std::find(sib.begin(), sib.end(), key) != sib.end()) {
                    siblings.emplace_back(key_node, t.value_at(node, i));
                    continue;
                }
                bool is_param = std::any_of(schema->params.begin(), schema->params.end(),
                                            [&](const steps::ParamSpec& p) { return p.name == key; });
                if (is_param) {
                    loader.error(key_node, "'" + key + "' is a parameter of " + step.type + ": write it under '" +
                                               step.type + ":' (" + step.type + ": {" + key + ": ...})");
                    continue;
                }
            }
            std::vector<std::string> candidates = step_common_keys();
            candidates.insert(candidates.end(), type_names().begin(), type_names().end());
            if (schema)
                candidates.insert(candidates.end(), schema->sibling_params.begin(), schema->sibling_params.end());
            loader.unknown_key(key_node, label, candidates);
        }
        if (schema) normalise_params(loader, step, *schema, *type_key, *type_value, siblings, label);

        for (const auto& [key, value] : common) {
            std::string what = "'" + key + "'";
            if (key == "id") continue;
            if (key == "name")
                step.name = loader.string_value(value, what).value_or("");
            else if (key == "needs")
                read_needs(loader, value, step, source);
            else if (key == "if")
                read_if(loader, value, step);
            else if (key == "for_each")
                read_for_each(loader, value, step);
            else if (key == "max_parallel") {
                if (auto n = loader.int_value(value, what, 1)) step.max_parallel = static_cast<int>(*n);
            } else if (key == "retry") {
                if (auto r = read_retry(loader, value)) step.retry = *r;
            } else if (key == "timeout")
                step.timeout = loader.duration_value(value, what);
            else if (key == "continue_on_error")
                step.continue_on_error = loader.bool_value(value, what).value_or(false);
            else if (key == "env")
                step.env = loader.string_map(value, "'env' of " + label).value_or(std::map<std::string, std::string>{});
            else if (key == "cwd")
                step.cwd = loader.string_value(value, what).value_or("");
            else if (key == "outputs")
                step.outputs = read_outputs_map(loader, value, " of " + label);
        }
        if (step.name.empty()) step.name = step.id;
        apply_defaults(loader.flow.defaults, step, common, schema);

        if (!id_ok) continue;
        auto [it, inserted] = first_line.emplace(step.id, static_cast<size_t>(step.pos.line));
        if (!inserted) {
            loader.error(common["id"], "duplicate step id '" + step.id + "' (first defined at line " +
                                           std::to_string(it->second) + ")");
            continue;
        }
        loader.flow.steps.push_back(std::move(step));
        loader.step_sources.push_back(std::move(source));
    }
}

}  // namespace flowctl::flow::detail
