#include "engine/context.hpp"

#include <filesystem>

#include "util/time.hpp"

namespace flowctl::engine {

FlowLocation locate_flow(const flow::Flow& flow) {
    namespace fs = std::filesystem;
    std::error_code ec;
    FlowLocation where;
    if (flow.source_path.empty() || flow.source_path == "-") {
        where.dir = fs::current_path(ec).string();
        return where;
    }
    fs::path p = fs::absolute(flow.source_path, ec).lexically_normal();
    where.path = p.string();
    where.dir = p.parent_path().string();
    return where;
}

json env_to_json(const std::map<std::string, std::string>& env) {
    json out = json::object();
    for (const auto& [k, v] : env) out[k] = v;
    return out;
}

json base_contexts(const flow::Flow& flow, const FlowLocation& where, const json& inputs,
                   const std::string& execution_id, int64_t started_ms, const RunOptions& options) {
    json c = json::object();
    c["inputs"] = inputs;
    c["steps"] = json::object();
    c["env"] = env_to_json(options.base_env);
    c["flow"] = {{"name", flow.name},
                 {"path", where.path},
                 {"dir", where.dir},
                 {"hash", flow.hash},
                 {"description", flow.description},
                 {"tags", flow.tags}};
    c["execution"] = {
        {"id", execution_id}, {"started_at", util::format_rfc3339(started_ms)}, {"trigger", options.trigger}};
    json trigger = options.trigger_data.is_object() ? options.trigger_data : json::object();
    trigger["kind"] = options.trigger;
    c["trigger"] = std::move(trigger);
    c["secrets"] = json::object();
    return c;
}

std::string render_text(const std::string& text, const expr::EvalContext& ctx) {
    if (!expr::has_template(text)) return text;
    json v = expr::render_value(json(text), ctx);
    return v.is_string() ? v.get<std::string>() : expr::to_string(v);
}

void render_env(const std::map<std::string, std::string>& vars, std::map<std::string, std::string>& into,
                json& contexts, const expr::Status& status) {
    for (const auto& [name, value] : vars) {
        if (!expr::has_template(value)) {
            into[name] = value;
            continue;
        }
        contexts["env"] = env_to_json(into);
        expr::EvalContext ctx{&contexts, status};
        try {
            into[name] = render_text(value, ctx);
        } catch (const std::exception& e) {
            throw expr::EvalError("env." + name + ": " + e.what());
        }
    }
}

}  // namespace flowctl::engine
