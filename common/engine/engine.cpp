#include "engine/engine.hpp"

#include "engine/executor.hpp"

namespace flowctl::engine {

RunResult run_flow(const flow::Flow& flow, store::Store& store, const RunOptions& options) {
    json inputs = resolve_inputs(flow, options.inputs);  // InputError: nothing recorded
    Executor executor(flow, store, options, std::move(inputs));
    return executor.run();
}

}  // namespace flowctl::engine
