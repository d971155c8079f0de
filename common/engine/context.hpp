#pragma once
// The expression contexts of a run (inputs, steps, env, flow, execution, trigger, secrets),
// kept in one JSON object on the engine thread and updated as steps finish.
#include <map>
#include <optional>
#include <string>

#include "engine/engine.hpp"
#include "expr/expr.hpp"

namespace flowctl::engine {

struct FlowLocation {
    std::string path;  // absolute path of the flow file (empty when it has none)
    std::string dir;   // its directory (the current directory when it has none)
};
FlowLocation locate_flow(const flow::Flow& flow);

json base_contexts(const flow::Flow& flow, const FlowLocation& where, const json& inputs,
                   const std::string& execution_id, int64_t started_ms, const RunOptions& options);

json env_to_json(const std::map<std::string, std::string>& env);

/// Renders a template string to text (non-string results with expr::to_string).
/// Throws expr::EvalError.
std::string render_text(const std::string& text, const expr::EvalContext& ctx);

/// Renders each value of `vars` over `into` in key order, with contexts["env"] showing `into`
/// as it grows (the caller restores contexts["env"]). Throws expr::EvalError naming the variable.
void render_env(const std::map<std::string, std::string>& vars, std::map<std::string, std::string>& into,
                json& contexts, const expr::Status& status);

/// Shows a step's own env as contexts["env"] for its lifetime (by swapping, so no copies);
/// does nothing when the step has no env of its own.
class EnvScope {
public:
    EnvScope(json& contexts, std::optional<json>& step_env) : m_slot(contexts["env"]), m_other(step_env) {
        if (m_other) std::swap(m_slot, *m_other);
    }
    ~EnvScope() {
        if (m_other) std::swap(m_slot, *m_other);
    }
    EnvScope(const EnvScope&) = delete;
    EnvScope& operator=(const EnvScope&) = delete;

private:
    json& m_slot;
    std::optional<json>& m_other;
};

/// Sets contexts[key] for its lifetime (item, index, result), then removes it again.
class ScopedContext {
public:
    ScopedContext(json& contexts, const std::string& key, json value) : m_contexts(contexts), m_key(key) {
        m_contexts[m_key] = std::move(value);
    }
    ~ScopedContext() { m_contexts.erase(m_key); }
    ScopedContext(const ScopedContext&) = delete;
    ScopedContext& operator=(const ScopedContext&) = delete;

private:
    json& m_contexts;
    std::string m_key;
};

}  // namespace flowctl::engine
