#include "core/trigger_inputs.hpp"

#include <filesystem>

#include "expr/expr.hpp"
#include "http/api_error.hpp"

namespace flowctl::daemon {

json render_trigger_inputs(const json& inputs, const json& trigger_data, const std::string& kind,
                           const std::string& flow_name, const std::string& flow_path) {
    if (!inputs.is_object() || inputs.empty()) return json::object();
    json trigger = trigger_data.is_object() ? trigger_data : json::object();
    trigger["kind"] = kind;
    const std::filesystem::path path(flow_path);
    const json contexts = {
        {"trigger", std::move(trigger)},
        {"flow", {{"name", flow_name}, {"path", flow_path}, {"dir", path.empty() ? "" : path.parent_path().string()}}}};
    expr::EvalContext ctx;
    ctx.contexts = &contexts;
    try {
        return expr::render_value(inputs, ctx);
    } catch (const std::exception& e) {
        throw invalid(std::string("trigger inputs: ") + e.what());
    }
}

}  // namespace flowctl::daemon
