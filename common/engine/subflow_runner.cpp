#include "engine/subflow_runner.hpp"

#include <vector>

#include "engine/engine.hpp"
#include "flow/parser.hpp"
#include "store/store.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::engine {
namespace {

steps::SubflowResult failure(std::string error) {
    steps::SubflowResult r;
    r.status = "failed";
    r.error = std::move(error);
    return r;
}

}  // namespace

steps::SubflowResult run_subflow(const steps::SubflowRequest& request, const SubflowSettings& s) {
    if (s.depth + 1 > max_subflow_depth)
        return failure("sub-flows nested deeper than " + std::to_string(max_subflow_depth) +
                       " levels (a flow running itself?)");
    std::filesystem::path path = request.path;
    if (path.is_relative()) path = std::filesystem::path(s.flow_dir) / path;

    std::vector<util::Diagnostic> diags;
    auto child = flow::load_flow_file(path.string(), diags);
    if (!child) {
        std::string msg = "cannot load flow '" + path.string() + "'";
        int shown = 0;
        for (const auto& d : diags) {
            if (d.severity != util::Severity::error) continue;
            if (shown == 3) {
                msg += "; ...";
                break;
            }
            msg += (shown++ == 0 ? ": " : "; ") + util::format_diagnostic(d);
        }
        return failure(msg);
    }
    try {
        store::Store store(s.state_dir);
        RunOptions options;
        options.inputs = request.inputs.is_null() ? json::object() : request.inputs;
        options.trigger = "flow";
        options.trigger_data = {{"parent_execution", s.parent_id}, {"parent_step", s.step_id}};
        options.parent_id = s.parent_id;
        options.depth = s.depth + 1;
        if (s.base_env) options.base_env = *s.base_env;
        options.cancel = s.cancel.get();
        options.commit_interval = s.commit_interval;
        options.deadline = request.deadline;
        options.on_event = s.on_event;
        RunResult r = run_flow(*child, store, options);
        return {r.execution_id, r.status, r.error, r.outputs};
    } catch (const InputError& e) {
        return failure("sub-flow '" + path.string() + "': " + e.what());
    } catch (const std::exception& e) {
        return failure("sub-flow '" + path.string() + "': " + e.what());
    }
}

}  // namespace flowctl::engine
