#include "api/adhoc_action.hpp"

#include "api/api_json.hpp"
#include "engine/engine.hpp"
#include "flow/parser.hpp"
#include "store/records_json.hpp"

namespace flowctl::daemon {

std::optional<flow::Flow> adhoc_flow(const std::string& type, const json& params,
                                     std::vector<util::Diagnostic>& diagnostics) {
    // JSON is valid YAML: the parameters go in as a flow mapping, through the same checks as a
    // step written in a file.
    const std::string text = "name: adhoc-" + type + "\nsteps:\n  - id: action\n    " + type + ": " +
                             params.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    std::vector<util::Diagnostic> found;
    auto parsed = flow::load_flow(text, "params", found);
    for (auto& d : found) {
        d.line = 0;
        d.col = 0;
        diagnostics.push_back(std::move(d));
    }
    return parsed;
}

json run_adhoc(Services& s, flow::Flow flow, const std::string& type, int64_t timeout_ms, const json& trigger_data) {
    flow.name = "adhoc:" + type;
    // Relative paths of the step resolve in the flows directory, as for an installed flow.
    flow.source_path = (s.config.flows_dir / ("adhoc-" + type + ".yaml")).string();
    if (timeout_ms > 0) flow.timeout = util::Millis(timeout_ms);

    engine::RunOptions options;
    options.trigger = "api";
    options.trigger_data = trigger_data;
    options.base_env = clean_step_environment();
    auto& store = s.stores.local();
    const auto result = engine::run_flow(flow, store, options);

    json out = {{"execution_id", result.execution_id},
                {"status", result.status},
                {"output", nullptr},
                {"outputs", json::object()},
                {"exit_code", nullptr},
                {"error", result.error.empty() ? json(nullptr) : json(result.error)},
                {"duration_ms", nullptr},
                {"logs", json::array()}};
    const store::StepRunRecord* last = nullptr;
    const auto runs = store.step_runs(result.execution_id);
    for (const auto& r : runs)
        if (!last || r.attempt >= last->attempt) last = &r;
    if (last) {
        const json step = store::to_json(*last);
        for (const char* key : {"output", "outputs", "exit_code", "duration_ms"}) out[key] = step[key];
        if (!last->error.empty()) out["error"] = last->error;
    }
    if (out["duration_ms"].is_null())
        if (auto e = store.get_execution(result.execution_id)) out["duration_ms"] = e->duration_ms;
    for (const auto& l : store.logs(result.execution_id)) out["logs"].push_back(store::to_json(l));
    return out;
}

}  // namespace flowctl::daemon
