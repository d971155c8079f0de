// Expressions: every `${{ }}` in steps, env, outputs, defaults and triggers' inputs must
// parse, and every context it names must exist where it is evaluated.
#include <unordered_set>

#include "expr/expr.hpp"
#include "flow/graph.hpp"
#include "flow/loader.hpp"

namespace flowctl::flow::detail {

namespace {

const std::vector<std::string>& context_names() {
    static const std::vector<std::string> names = {"inputs",  "steps",   "env",  "flow",  "execution",
                                                   "trigger", "secrets", "item", "index", "result"};
    return names;
}

/// Where an expression is evaluated, which decides the names it may use.
struct Scope {
    int step = -1;              // index into flow.steps; -1 at flow level
    bool any_step = false;      // the flow's outputs: evaluated after every step
    bool steps_allowed = true;  // false where nothing has run yet (flow env, defaults, triggers)
    bool inputs_allowed = true;
    bool item_allowed = false;    // inside a for_each step
    std::string item_hint;        // why item is not available here, when the step has for_each
    bool result_allowed = false;  // a step's outputs
    std::string where;            // for messages: "the flow's env"
};

class ExprChecker {
public:
    explicit ExprChecker(Loader& loader) : m_loader(loader), m_tree(loader.tree), m_reach(loader.deps, loader.acyclic) {
        for (const auto& step : loader.flow.steps) m_step_ids.push_back(step.id);
    }

    /// Checks every string with `${{` under node (aliases visited once per call).
    void walk(NodeId node, const Scope& scope) {
        std::unordered_set<NodeId> seen;
        std::vector<std::pair<NodeId, int>> stack{{node, 0}};
        while (!stack.empty()) {
            auto [id, depth] = stack.back();
            stack.pop_back();
            if (!seen.insert(id).second) continue;
            const YNode& n = m_tree[id];
            if (n.kind == NodeKind::scalar) {
                if (expr::has_template(n.value)) check_template(id, scope);
                continue;
            }
            if (depth > max_nesting) continue;
            if (n.kind == NodeKind::mapping) {
                for (size_t i = 0; i < m_tree.pair_count(id); ++i) stack.push_back({m_tree.value_at(id, i), depth + 1});
            } else {
                for (NodeId child : n.children) stack.push_back({child, depth + 1});
            }
        }
    }

    void check_template(NodeId node, const Scope& scope) {
        const std::string& text = m_tree[node].value;
        expr::ParseError error;
        auto parsed = expr::parse_template(text, &error);
        if (!parsed) {
            m_loader.error(m_tree.pos_in_scalar(node, error.offset), "invalid expression: " + error.message);
            return;
        }
        for (const auto& part : parsed->parts) {
            if (!part.expr) continue;
            size_t base = part.offset + 3;  // after "${{"
            if (text.compare(base, part.expr->source.size(), part.expr->source) != 0) {
                size_t found = text.find(part.expr->source, part.offset);
                base = found == std::string::npos ? part.offset : found;
            }
            check_references(node, base, *part.expr, scope);
        }
    }

    /// `if:` may be written with or without `${{ }}`; returns the parsed expressions.
    std::vector<expr::Expr> check_condition(NodeId node, const Scope& scope) {
        const std::string& text = m_tree[node].value;
        std::vector<expr::Expr> out;
        if (expr::has_template(text)) {
            expr::ParseError error;
            auto parsed = expr::parse_template(text, &error);
            if (!parsed) {
                m_loader.error(m_tree.pos_in_scalar(node, error.offset), "invalid expression: " + error.message);
                return out;
            }
            if (!parsed->single_expression()) {
                m_loader.error(node,
                               "a condition must be one expression: write the whole 'if' inside ${{ }} or without it");
                return out;
            }
            check_template(node, scope);
            for (auto& part : parsed->parts)
                if (part.expr) out.push_back(*part.expr);
            return out;
        }
        expr::ParseError error;
        auto parsed = expr::parse(text, &error);
        if (!parsed) {
            m_loader.error(m_tree.pos_in_scalar(node, error.offset), "invalid condition: " + error.message);
            return out;
        }
        check_references(node, 0, *parsed, scope);
        out.push_back(*parsed);
        return out;
    }

private:
    void check_references(NodeId node, size_t base, const expr::Expr& e, const Scope& scope) {
        for (const auto& ref : expr::references(e)) {
            if (ref.path.empty()) continue;
            SourcePos pos = m_tree.pos_in_scalar(node, base + ref.offset);
            if (auto problem = reference_problem(ref.path, scope)) m_loader.error(pos, *problem);
        }
    }

    std::optional<std::string> reference_problem(const std::vector<std::string>& path, const Scope& scope) {
        const std::string& root = path[0];
        const auto& names = context_names();
        if (std::find(names.begin(), names.end(), root) == names.end()) {
            std::string message = "unknown name '" + root + "' in expression";
            if (auto guess = suggest(root, names)) return message + " (did you mean '" + *guess + "'?)";
            return message + ": use " + join(names);
        }
        if (root == "inputs" && path.size() > 1) {
            if (!scope.inputs_allowed) return "inputs." + path[1] + " cannot be used in " + scope.where;
            if (!m_loader.flow.inputs.count(path[1])) {
                std::string message = "inputs." + path[1] + " is not a declared input";
                if (auto guess = suggest(path[1], m_loader.flow.input_order))
                    message += " (did you mean '" + *guess + "'?)";
                return message;
            }
        }
        if (root == "steps" && path.size() > 1) return step_problem(path[1], scope);
        if ((root == "item" || root == "index") && !scope.item_allowed)
            return scope.item_hint.empty() ? "'" + root + "' is only available in a step with for_each"
                                           : "'" + root + "' " + scope.item_hint;
        if (root == "result" && !scope.result_allowed) return "'result' is only available in a step's outputs";
        return std::nullopt;
    }

    std::optional<std::string> step_problem(const std::string& id, const Scope& scope) {
        if (!scope.steps_allowed)
            return "steps." + id + " cannot be used in " + scope.where + ": no step has run when it is evaluated";
        auto it = m_loader.step_index.find(id);
        if (it == m_loader.step_index.end()) {
            std::string message = "steps." + id + " is not a step";
            if (auto guess = suggest(id, m_step_ids)) message += " (did you mean '" + *guess + "'?)";
            return message;
        }
        if (scope.any_step || scope.step < 0) return std::nullopt;
        const std::string& self = m_loader.flow.steps[static_cast<size_t>(scope.step)].id;
        if (id == self)
            return "step '" + self + "' cannot use its own steps." + self +
                   (scope.result_allowed ? ": use 'result' in outputs" : ": it has not run yet");
        if (!m_reach.depends_on(static_cast<uint32_t>(scope.step), it->second))
            return "step '" + self + "' uses steps." + id + " but does not depend on it: add '" + id + "' to needs";
        return std::nullopt;
    }

    Loader& m_loader;
    const YTree& m_tree;
    Reachability m_reach;
    std::vector<std::string> m_step_ids;
};

void check_step(Loader& loader, ExprChecker& checker, size_t index) {
    const YTree& t = loader.tree;
    const StepDef& step = loader.flow.steps[index];
    NodeId node = loader.step_sources[index].node;
    Scope scope;
    scope.step = static_cast<int>(index);
    scope.item_allowed = !step.for_each.is_null();
    for (size_t i = 0; i < t.pair_count(node); ++i) {
        const std::string& key = t.key_text(node, i);
        NodeId value = t.value_at(node, i);
        if (key == "id" || key == "needs") continue;
        if (key == "if") {
            if (!t.is_scalar(value)) continue;
            Scope condition = scope;
            condition.item_allowed = false;
            condition.item_hint = "cannot be used in 'if': it is decided once for the whole for_each step";
            for (const auto& e : checker.check_condition(value, condition)) {
                if (!step.needs.empty()) continue;
                for (const auto& f : expr::functions_called(e)) {
                    if (f == "failure" || f == "always" || f == "cancelled") {
                        loader.warning(
                            value, "step '" + step.id + "' uses " + f +
                                       "() in 'if' but has no needs: it runs at the start, before anything can fail");
                        break;
                    }
                }
            }
        } else if (key == "for_each") {
            Scope outer = scope;
            outer.item_allowed = false;
            outer.item_hint = "cannot be used in for_each itself";
            checker.walk(value, outer);
        } else if (key == "outputs") {
            Scope outputs = scope;
            outputs.result_allowed = true;
            checker.walk(value, outputs);
        } else {
            checker.walk(value, scope);
        }
    }
}

}  // namespace

void check_expressions(Loader& loader) {
    const YTree& t = loader.tree;
    ExprChecker checker(loader);
    for (size_t i = 0; i < loader.flow.steps.size(); ++i) check_step(loader, checker, i);

    NodeId root = t.root;
    Scope flow_start;
    flow_start.steps_allowed = false;
    if (auto env = t.find(root, "env")) {
        flow_start.where = "the flow's env";
        checker.walk(*env, flow_start);
    }
    if (auto defaults = t.find(root, "defaults")) {
        flow_start.where = "defaults";
        checker.walk(*defaults, flow_start);
    }
    if (auto outputs = t.find(root, "outputs")) {
        Scope end;
        end.any_step = true;
        checker.walk(*outputs, end);
    }
    if (auto triggers = t.find(root, "triggers"); triggers && t.is_seq(*triggers)) {
        Scope trigger;
        trigger.steps_allowed = false;
        trigger.inputs_allowed = false;
        trigger.where = "a trigger's inputs";
        for (NodeId item : t[*triggers].children) {
            if (!t.is_map(item) || t.pair_count(item) != 1) continue;
            auto inputs = t.find(t.value_at(item, 0), "inputs");
            if (inputs) checker.walk(*inputs, trigger);
        }
    }
}

}  // namespace flowctl::flow::detail
