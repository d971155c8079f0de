// /api/v1/flows, /api/v1/validate: the installed flows, their versions and state.
#include <algorithm>
#include <cctype>
#include <limits>

#include "api/flow_views.hpp"
#include "api/route_groups.hpp"
#include "core/diagnostics_json.hpp"
#include "flow/parser.hpp"
#include "http/api_error.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains_ci(std::string_view haystack, const std::string& needle_lower) {
    return lower(haystack).find(needle_lower) != std::string::npos;
}

bool matches_search(const FlowEntry& e, const std::string& needle) {
    if (contains_ci(e.name, needle)) return true;
    if (!e.flow) return false;
    if (contains_ci(e.flow->description, needle)) return true;
    return std::any_of(e.flow->tags.begin(), e.flow->tags.end(),
                       [&](const std::string& t) { return contains_ci(t, needle); });
}

bool has_tag(const FlowEntry& e, const std::string& tag) {
    if (!e.flow) return false;
    const std::string want = lower(tag);
    return std::any_of(e.flow->tags.begin(), e.flow->tags.end(),
                       [&](const std::string& t) { return lower(t) == want; });
}

int64_t last_run_ms(const std::map<std::string, store::FlowStats>& stats, const std::string& name) {
    const auto* s = stats_of(stats, name);
    return s && s->last ? s->last->created_ms : 0;
}

int64_t runs_total(const std::map<std::string, store::FlowStats>& stats, const std::string& name) {
    const auto* s = stats_of(stats, name);
    return s ? s->total : 0;
}

/// name | -name | last_run | -last_run (ascending: never run first) | runs (most first).
void sort_flows(std::vector<FlowEntry>& flows, const std::string& sort,
                const std::map<std::string, store::FlowStats>& stats) {
    auto by_name = [](const FlowEntry& a, const FlowEntry& b) { return a.name < b.name; };
    if (sort == "name") return std::sort(flows.begin(), flows.end(), by_name);
    if (sort == "-name")
        return std::sort(flows.begin(), flows.end(), [](const auto& a, const auto& b) { return a.name > b.name; });
    std::vector<std::pair<int64_t, FlowEntry*>> keyed;
    const bool runs = sort == "runs";
    for (auto& f : flows) keyed.emplace_back(runs ? runs_total(stats, f.name) : last_run_ms(stats, f.name), &f);
    const bool descending = sort != "last_run";
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return descending ? a.first > b.first : a.first < b.first;
        return a.second->name < b.second->name;
    });
    std::vector<FlowEntry> sorted;
    for (auto& [_, f] : keyed) sorted.push_back(std::move(*f));
    flows = std::move(sorted);
}

void list_flows(Services& s, Request& req, httplib::Response& res) {
    const auto tag = req.query("tag");
    const auto status = req.query("status");
    const auto search = req.query("search");
    const std::string sort = req.query("sort").value_or("name");
    if (status && *status != "ok" && *status != "invalid" && *status != "broken" && *status != "disabled")
        throw bad_request("status must be ok, invalid, broken or disabled, got '" + *status + "'");
    if (sort != "name" && sort != "-name" && sort != "last_run" && sort != "-last_run" && sort != "runs")
        throw bad_request("sort must be name, -name, last_run, -last_run or runs, got '" + sort + "'");
    const int64_t limit = req.query_int("limit", 50, 1, 1000);
    const int64_t offset = req.query_int("offset", 0, 0, std::numeric_limits<int32_t>::max());

    const auto stats = s.stores.local().flow_stats();
    std::vector<FlowEntry> flows;
    const std::string needle = search ? lower(*search) : "";
    for (auto& e : s.flows.list()) {
        if (tag && !has_tag(e, *tag)) continue;
        if (status && e.status() != *status) continue;
        if (search && !matches_search(e, needle)) continue;
        flows.push_back(std::move(e));
    }
    sort_flows(flows, sort, stats);

    const int64_t now = util::now_ms();
    json page = json::array();
    for (size_t i = static_cast<size_t>(offset); i < flows.size() && page.size() < static_cast<size_t>(limit); ++i)
        page.push_back(flow_summary_json(flows[i], stats_of(stats, flows[i].name), now));
    reply(res, 200, {{"flows", page}, {"total", flows.size()}, {"limit", limit}, {"offset", offset}});
}

json detail_of(Services& s, const FlowEntry& entry) {
    const auto stats = s.stores.local().flow_stats();
    return flow_detail_json(entry, stats_of(stats, entry.name), util::now_ms());
}

json summary_of(Services& s, const FlowEntry& entry) {
    const auto stats = s.stores.local().flow_stats();
    return flow_summary_json(entry, stats_of(stats, entry.name), util::now_ms());
}

void reply_applied(Services& s, httplib::Response& res, const ApplyResult& applied) {
    reply(res, applied.created ? 201 : 200,
          {{"flow", detail_of(s, applied.entry)}, {"created", applied.created}, {"changed", applied.changed}});
}

std::string display_name(const json& body) {
    std::string name = body.value("filename", "");
    return name.empty() ? "<request>" : name;
}

void apply_flow(Services& s, Request& req, httplib::Response& res) {
    const json body = req.body({{"content", JsonType::string}, {"filename", JsonType::string}}, {"content"});
    reply_applied(s, res, s.flows.apply(body["content"].get<std::string>(), display_name(body)));
}

void put_flow(Services& s, Request& req, httplib::Response& res) {
    const std::string& name = req.path_params.at("name");
    const json body = req.body({{"content", JsonType::string}}, {"content"});
    const std::string content = body["content"].get<std::string>();
    // A valid file naming another flow would silently install that one instead.
    std::vector<util::Diagnostic> diagnostics;
    if (auto parsed = flow::load_flow(content, "<request>", diagnostics); parsed && parsed->name != name)
        throw invalid("the content's name is '" + parsed->name + "', not '" + name + "'",
                      {{"expected", name}, {"got", parsed->name}});
    reply_applied(s, res, s.flows.apply(content, "<request>"));
}

void validate_flow(Request& req, httplib::Response& res) {
    const json body = req.body({{"content", JsonType::string}, {"filename", JsonType::string}}, {"content"});
    std::vector<util::Diagnostic> diagnostics;
    flow::load_flow(body["content"].get<std::string>(), display_name(body), diagnostics);
    reply(res, 200, {{"valid", !util::has_errors(diagnostics)}, {"diagnostics", diagnostics_json(diagnostics)}});
}

void set_enabled(Services& s, Request& req, httplib::Response& res, bool enabled) {
    const std::string& name = req.path_params.at("name");
    require_flow(s.flows, name);
    if (!s.flows.set_enabled(name, enabled)) throw not_found("no flow named '" + name + "'");
    reply(res, 200, summary_of(s, require_flow(s.flows, name)));
}

void list_versions(Services& s, Request& req, httplib::Response& res) {
    const std::string& name = req.path_params.at("name");
    auto versions = s.stores.local().flow_versions(name);
    // A removed flow's history stays readable.
    if (versions.empty()) require_flow(s.flows, name);
    json out = json::array();
    for (const auto& v : versions)
        out.push_back(
            {{"id", v.id}, {"hash", v.hash}, {"path", v.path}, {"created_at", util::format_rfc3339(v.created_ms)}});
    reply(res, 200, {{"versions", out}});
}

}  // namespace

void add_flows_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/flows", Scope::read, [&s](Request& req, auto& res) { list_flows(s, req, res); }});
    router.add({"POST", "/api/v1/flows", Scope::admin, [&s](Request& req, auto& res) { apply_flow(s, req, res); }});
    router.add({"POST", "/api/v1/validate", Scope::read, [](Request& req, auto& res) { validate_flow(req, res); }});
    router.add({"GET", "/api/v1/flows/{name}", Scope::read, [&s](Request& req, auto& res) {
                    reply(res, 200, detail_of(s, require_flow(s.flows, req.path_params.at("name"))));
                }});
    router.add({"PUT", "/api/v1/flows/{name}", Scope::admin, [&s](Request& req, auto& res) { put_flow(s, req, res); }});
    router.add({"DELETE", "/api/v1/flows/{name}", Scope::admin, [&s](Request& req, auto& res) {
                    const std::string& name = req.path_params.at("name");
                    require_flow(s.flows, name);
                    if (!s.flows.remove(name)) throw not_found("no flow named '" + name + "'");
                    reply(res, 200, {{"deleted", name}});
                }});
    router.add({"POST", "/api/v1/flows/{name}/enable", Scope::execute,
                [&s](Request& req, auto& res) { set_enabled(s, req, res, true); }});
    router.add({"POST", "/api/v1/flows/{name}/disable", Scope::execute,
                [&s](Request& req, auto& res) { set_enabled(s, req, res, false); }});
    router.add({"GET", "/api/v1/flows/{name}/versions", Scope::read,
                [&s](Request& req, auto& res) { list_versions(s, req, res); }});
}

}  // namespace flowctl::daemon
