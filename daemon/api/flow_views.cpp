#include "api/flow_views.hpp"

#include "api/api_json.hpp"
#include "store/records_json.hpp"
#include "core/diagnostics_json.hpp"
#include "core/time_trigger.hpp"
#include "http/api_error.hpp"
#include "util/spellcheck.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

/// The next firing of a schedule or `at` trigger read from the flow file alone (intervals are
/// anchored when the daemon arms them: see /api/v1/triggers).
json next_fire(const flow::Trigger& t, int64_t now_ms) {
    if (t.kind != "schedule" && t.kind != "at") return nullptr;
    auto timed = make_time_trigger("", t.kind, t.spec);
    if (!timed) return nullptr;
    auto next = timed->next_after(now_ms, now_ms);
    return next ? json(util::format_rfc3339(*next)) : json(nullptr);
}

}  // namespace

json triggers_json(const flow::Flow& flow, int64_t now_ms) {
    json out = json::array();
    for (const auto& t : flow.triggers) {
        out.push_back({{"type", t.kind}, {"spec", t.spec}, {"next_fire_at", next_fire(t, now_ms)}});
    }
    return out;
}

json flow_stats_json(const store::FlowStats* stats) {
    if (!stats)
        return {{"runs_total", 0}, {"succeeded", 0},       {"failed", 0},
                {"cancelled", 0},  {"avg_duration_ms", 0}, {"last_run", nullptr}};
    return {{"runs_total", stats->total},
            {"succeeded", stats->succeeded},
            {"failed", stats->failed},
            {"cancelled", stats->cancelled},
            {"avg_duration_ms", stats->avg_duration_ms},
            {"last_run", stats->last ? store::to_json(*stats->last) : json(nullptr)}};
}

json flow_summary_json(const FlowEntry& entry, const store::FlowStats* stats, int64_t now_ms) {
    const flow::Flow* f = entry.flow.get();
    return {
        {"name", entry.name},
        {"description", f ? f->description : ""},
        {"tags", f ? json(f->tags) : json::array()},
        {"path", entry.path.string()},
        {"status", entry.status()},
        {"enabled", entry.enabled},
        {"version_id", entry.version_id > 0 ? json(entry.version_id) : json(nullptr)},
        {"hash", entry.hash.empty() ? json(nullptr) : json(entry.hash)},
        {"steps", f ? f->steps.size() : 0},
        {"triggers", f ? triggers_json(*f, now_ms) : json::array()},
        {"errors", diagnostics_json(entry.errors)},
        {"warnings", diagnostics_json(entry.warnings)},
        {"loaded_at", time_or_null(entry.loaded_ms)},
        {"modified_at", time_or_null(entry.modified_ms)},
        {"stats", flow_stats_json(stats)},
    };
}

json flow_detail_json(const FlowEntry& entry, const store::FlowStats* stats, int64_t now_ms) {
    json out = flow_summary_json(entry, stats, now_ms);
    const flow::Flow* f = entry.flow.get();
    json inputs = json::object();
    json steps = json::array();
    json outputs = json::array();
    if (f) {
        for (const auto& [name, in] : f->inputs)
            inputs[name] = {{"type", in.type},
                            {"required", in.required},
                            {"default", in.has_default ? in.default_value : json(nullptr)},
                            {"description", in.description},
                            {"secret", in.secret}};
        for (const auto& s : f->steps) steps.push_back({{"id", s.id}, {"type", s.type}, {"needs", s.needs}});
        for (const auto& [name, _] : f->outputs) outputs.push_back(name);
    }
    out["definition"] = f ? json(f->source_text) : json(nullptr);
    out["inputs"] = std::move(inputs);
    out["steps_detail"] = std::move(steps);
    out["outputs"] = std::move(outputs);
    return out;
}

FlowEntry require_flow(const FlowRegistry& flows, const std::string& name) {
    if (auto entry = flows.get(name)) return *entry;
    std::vector<std::string> names;
    for (const auto& e : flows.list()) names.push_back(e.name);
    auto hint = util::did_you_mean(name, names);
    throw not_found("no flow named '" + name + "'" + (hint ? " (did you mean '" + *hint + "'?)" : ""));
}

const store::FlowStats* stats_of(const std::map<std::string, store::FlowStats>& all, const std::string& name) {
    auto it = all.find(name);
    return it == all.end() ? nullptr : &it->second;
}

}  // namespace flowctl::daemon
