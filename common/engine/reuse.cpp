// What a retry from a step may take from the original execution instead of running again.
#include <algorithm>
#include <deque>
#include <stdexcept>
#include <vector>

#include "engine/dag_state.hpp"
#include "engine/engine.hpp"

namespace flowctl::engine {
namespace {

/// The final attempt of each step (item -1) and of each for_each item, as recorded.
struct FinalAttempts {
    std::map<std::string, store::StepRunRecord> step;
    std::map<std::string, std::map<int, store::StepRunRecord>> items;
};

FinalAttempts final_attempts(std::vector<store::StepRunRecord> runs) {
    FinalAttempts out;
    for (auto& r : runs) {
        auto& slot = r.item_index < 0 ? out.step[r.step_id] : out.items[r.step_id][r.item_index];
        if (slot.step_id.empty() || r.attempt >= slot.attempt) slot = std::move(r);
    }
    return out;
}

/// Every step that needs `from`, directly or not, and `from` itself.
std::vector<bool> downstream_of(const Dag& dag, int from) {
    std::vector<bool> seen(dag.needs.size(), false);
    std::deque<int> todo{from};
    seen[from] = true;
    while (!todo.empty()) {
        int s = todo.front();
        todo.pop_front();
        for (int d : dag.dependents[s])
            if (!seen[d]) {
                seen[d] = true;
                todo.push_back(d);
            }
    }
    return seen;
}

bool reusable_status(const std::string& status) { return status == "succeeded" || status == "skipped"; }

/// A for_each step whose items ran has no row of its own unless some items never started:
/// its result is that of its items, aggregated as the engine did ([output...], [outputs...]).
std::optional<ReusedStep> from_items(const std::map<int, store::StepRunRecord>& items) {
    ReusedStep r;
    r.status = "succeeded";
    r.output = json::array();
    r.outputs = json::array();
    int expected = 0;
    for (const auto& [index, run] : items) {
        if (index != expected++ || run.status != "succeeded") return std::nullopt;
        r.output.push_back(run.output);
        r.outputs.push_back(run.outputs);
    }
    return r;
}

}  // namespace

std::map<std::string, ReusedStep> reusable_steps(const flow::Flow& flow, store::Store& store,
                                                 const std::string& original, const std::string& from_step) {
    std::map<std::string, ReusedStep> out;
    if (from_step.empty()) return out;
    const Dag dag = build_dag(flow);
    auto it = dag.index.find(from_step);
    if (it == dag.index.end()) throw std::invalid_argument("no step '" + from_step + "' in flow '" + flow.name + "'");
    const std::vector<bool> rerun = downstream_of(dag, it->second);
    const FinalAttempts runs = final_attempts(store.step_runs(original));

    for (size_t i = 0; i < flow.steps.size(); ++i) {
        if (rerun[i]) continue;
        const std::string& id = flow.steps[i].id;
        std::optional<ReusedStep> reused;
        if (auto row = runs.step.find(id); row != runs.step.end()) {
            if (reusable_status(row->second.status))
                reused = ReusedStep{row->second.status, row->second.output, row->second.outputs, original};
        } else if (auto items = runs.items.find(id); items != runs.items.end() && !flow.steps[i].for_each.is_null()) {
            reused = from_items(items->second);
            if (reused) reused->from_execution = original;
        }
        if (reused) out.emplace(id, std::move(*reused));
    }
    return out;
}

}  // namespace flowctl::engine
