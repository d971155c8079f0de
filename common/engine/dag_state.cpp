#include "engine/dag_state.hpp"

namespace flowctl::engine {

Dag build_dag(const flow::Flow& flow) {
    Dag dag;
    const size_t n = flow.steps.size();
    dag.needs.resize(n);
    dag.dependents.resize(n);
    dag.errors.resize(n);
    for (size_t i = 0; i < n; ++i) dag.index.emplace(flow.steps[i].id, static_cast<int>(i));
    std::vector<size_t> seen_by(n, n);  // seen_by[j] == i: step i already needs j
    for (size_t i = 0; i < n; ++i) {
        for (const auto& need : flow.steps[i].needs) {
            auto it = dag.index.find(need);
            if (it == dag.index.end()) {
                if (dag.errors[i].empty()) dag.errors[i] = "needs unknown step '" + need + "'";
                continue;
            }
            int j = it->second;
            if (seen_by[j] == i || j == static_cast<int>(i)) continue;
            seen_by[j] = i;
            dag.needs[i].push_back(j);
            dag.dependents[j].push_back(static_cast<int>(i));
        }
    }
    return dag;
}

bool is_failure(const std::string& status) { return status == "failed" || status == "timed_out"; }
bool is_skip(const std::string& status) { return status == "skipped" || status == "cancelled"; }

}  // namespace flowctl::engine
