#include "api/execution_views.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "api/api_json.hpp"
#include "flow/parser.hpp"
#include "store/records_json.hpp"

namespace flowctl::daemon {

namespace {

std::optional<size_t> defined_step_count(const Services& s, store::Store& store, const store::ExecutionRecord& e) {
    if (auto entry = s.flows.get(e.flow_name); entry && entry->flow && entry->hash == e.def_hash)
        return entry->flow->steps.size();
    if (e.version_id <= 0) return std::nullopt;
    auto version = store.flow_version(e.version_id);
    if (!version) return std::nullopt;
    std::vector<util::Diagnostic> diagnostics;
    auto parsed = flow::load_flow(version->content, version->path, diagnostics);
    return parsed ? std::optional<size_t>(parsed->steps.size()) : std::nullopt;
}

}  // namespace

json progress_json(const Services& s, store::Store& store, const store::ExecutionRecord& e,
                   const std::vector<store::StepRunRecord>& runs) {
    // The latest attempt of each (step, item) decides that run's state.
    std::map<std::pair<std::string, int>, const store::StepRunRecord*> latest;
    for (const auto& r : runs) {
        auto& slot = latest[{r.step_id, r.item_index}];
        if (!slot || r.attempt >= slot->attempt) slot = &r;
    }
    std::set<std::string> seen, running;
    for (const auto& [key, r] : latest) {
        seen.insert(key.first);
        if (!is_final_status(r->status)) running.insert(key.first);
    }
    const size_t completed = seen.size() - running.size();
    const size_t total = std::max(defined_step_count(s, store, e).value_or(seen.size()), completed);
    const int percent =
        total == 0 ? (is_final_status(e.status) ? 100 : 0)
                   : static_cast<int>(std::floor(100.0 * static_cast<double>(completed) / static_cast<double>(total)));
    return {{"completed", completed},
            {"total", total},
            {"percent", percent},
            {"running", json(std::vector<std::string>(running.begin(), running.end()))}};
}

json execution_detail_json(const Services& s, store::Store& store, const store::ExecutionRecord& e) {
    json out = store::to_json(e);
    const auto runs = store.step_runs(e.id);
    json steps = json::array();
    for (const auto& r : runs) steps.push_back(store::to_json(r));
    json children = json::array();
    for (const auto& c : store.children(e.id)) children.push_back(c.id);
    out["steps"] = std::move(steps);
    out["children"] = std::move(children);
    out["progress"] = progress_json(s, store, e, runs);
    return out;
}

}  // namespace flowctl::daemon
