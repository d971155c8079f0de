// /api/v1/triggers and /api/v1/schedules: every trigger with its next and last firing, the
// schedule ledger of a flow, and ad hoc schedules of installed flows.
#include "api/route_groups.hpp"
#include "api/trigger_views.hpp"
#include "cron/cron.hpp"
#include "http/api_error.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

TriggerManager& manager(Services& s) {
    if (!s.triggers) throw ApiError(503, "unavailable", "triggers are not running");
    return *s.triggers;
}

void list_triggers(Services& s, Request& req, httplib::Response& res) {
    const std::string flow = req.query("flow").value_or("");
    if (!flow.empty() && !s.flows.get(flow)) throw not_found("no flow named '" + flow + "'");
    json out = json::array();
    for (const auto& v : manager(s).triggers(flow)) out.push_back(trigger_view_json(v));
    reply(res, 200, {{"triggers", out}, {"total", out.size()}});
}

/// The ledger and the next firings of each trigger of one flow: `flowctl triggers explain`.
void explain_triggers(Services& s, Request& req, httplib::Response& res) {
    const std::string& flow = req.path_params.at("name");
    if (!s.flows.get(flow)) throw not_found("no flow named '" + flow + "'");
    const int last = static_cast<int>(req.query_int("last", 10, 1, 1000));
    const int next = static_cast<int>(req.query_int("next", 5, 0, 100));
    auto& tm = manager(s);
    auto& store = s.stores.local();
    std::map<std::string, Scheduler::TriggerStatus> armed;
    for (auto& st : tm.scheduler().status())
        if (st.trigger.flow == flow) armed[st.trigger.key] = st;
    const int64_t now = util::now_ms();

    json out = json::array();
    for (const auto& v : tm.triggers(flow)) {
        json item = trigger_view_json(v);
        json slots = json::array();
        if (v.key.rfind("watch:", 0) != 0 && v.key.rfind("webhook:", 0) != 0 && v.key != "manual")
            for (const auto& slot : store.slots(flow, v.key, last)) slots.push_back(slot_json(slot, store));
        item["slots"] = slots;
        json upcoming = json::array();
        if (auto it = armed.find(v.key); it != armed.end()) {
            const auto& st = it->second;
            if (st.next_ms) upcoming = next_firings_json(st.trigger, *st.next_ms - 1, st.armed_ms, next);
            item["armed_at"] = util::format_rfc3339(st.armed_ms);
            item["catchup"] = catchup_name(st.trigger.catchup);
            if (st.trigger.cron) item["meaning"] = cron::describe(st.trigger.cron->spec);
        } else if (v.kind == "schedule" || v.kind == "at") {
            if (auto t = make_time_trigger(flow, v.kind, v.spec)) upcoming = next_firings_json(*t, now, now, next);
        }
        item["next"] = upcoming;
        out.push_back(std::move(item));
    }
    reply(res, 200, {{"flow", flow}, {"triggers", out}, {"now", util::format_rfc3339(now)}});
}

/// The flat schedule body: the spec fields at the top level with inputs/description/enabled.
json schedule_body(const Request& req) {
    return req.body({{"cron", JsonType::string},
                     {"timezone", JsonType::string},
                     {"jitter", JsonType::any},
                     {"catchup", JsonType::string},
                     {"catchup_window", JsonType::any},
                     {"max_catchup", JsonType::integer},
                     {"dst_gap", JsonType::string},
                     {"dst_repeat", JsonType::string},
                     {"every", JsonType::any},
                     {"at", JsonType::string},
                     {"inputs", JsonType::object},
                     {"description", JsonType::string},
                     {"enabled", JsonType::boolean},
                     {"flow", JsonType::string}});
}

json spec_part(const json& body) {
    json spec = json::object();
    for (const auto& [k, v] : body.items())
        if (k != "inputs" && k != "description" && k != "enabled" && k != "flow") spec[k] = v;
    return spec;
}

void create_schedule(Services& s, Request& req, httplib::Response& res) {
    const json body = schedule_body(req);
    const std::string flow = req.path_params.count("name") ? req.path_params.at("name") : body.value("flow", "");
    if (flow.empty()) throw invalid("flow is required", {{"field", "flow"}});
    auto r = manager(s).create_schedule(flow, spec_part(body), body.value("inputs", json::object()),
                                        body.value("description", std::string()), body.value("enabled", true));
    reply(res, 201, {{"schedule", schedule_json(r, manager(s), s.stores.local())}});
}

void update_schedule(Services& s, Request& req, httplib::Response& res) {
    const json body = schedule_body(req);
    const std::string& id = req.path_params.at("id");
    json changes = json::object();
    json spec = spec_part(body);
    if (!spec.empty()) {
        // Timing fields replace the old timing as a whole; other spec fields are merged.
        auto current = manager(s).schedule(id);
        if (!current) throw not_found("no schedule '" + id + "'");
        json merged = current->spec;
        if (spec.contains("cron") || spec.contains("every") || spec.contains("at")) {
            merged.erase("cron");
            merged.erase("every");
            merged.erase("at");
        }
        for (const auto& [k, v] : spec.items()) merged[k] = v;
        changes["spec"] = merged;
    }
    for (const char* key : {"inputs", "description", "enabled", "flow"})
        if (body.contains(key)) changes[key] = body[key];
    auto r = manager(s).update_schedule(id, changes);
    reply(res, 200, {{"schedule", schedule_json(r, manager(s), s.stores.local())}});
}

void set_schedule_enabled(Services& s, Request& req, httplib::Response& res, bool enabled) {
    auto r = manager(s).update_schedule(req.path_params.at("id"), {{"enabled", enabled}});
    reply(res, 200, {{"schedule", schedule_json(r, manager(s), s.stores.local())}});
}

}  // namespace

void add_triggers_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/triggers", Scope::read, [&s](Request& req, auto& res) { list_triggers(s, req, res); }});
    router.add({"GET", "/api/v1/flows/{name}/triggers", Scope::read,
                [&s](Request& req, auto& res) { explain_triggers(s, req, res); }});

    router.add({"GET", "/api/v1/schedules", Scope::read, [&s](Request& req, auto& res) {
                    const std::string flow = req.query("flow").value_or("");
                    auto& store = s.stores.local();
                    json out = json::array();
                    for (const auto& r : manager(s).schedules(flow)) out.push_back(schedule_json(r, manager(s), store));
                    reply(res, 200, {{"schedules", out}, {"total", out.size()}});
                }});
    router.add(
        {"POST", "/api/v1/schedules", Scope::execute, [&s](Request& req, auto& res) { create_schedule(s, req, res); }});
    router.add({"POST", "/api/v1/flows/{name}/schedules", Scope::execute,
                [&s](Request& req, auto& res) { create_schedule(s, req, res); }});
    router.add({"GET", "/api/v1/schedules/{id}", Scope::read, [&s](Request& req, auto& res) {
                    auto r = manager(s).schedule(req.path_params.at("id"));
                    if (!r) throw not_found("no schedule '" + req.path_params.at("id") + "'");
                    reply(res, 200, {{"schedule", schedule_json(*r, manager(s), s.stores.local())}});
                }});
    router.add({"PATCH", "/api/v1/schedules/{id}", Scope::execute,
                [&s](Request& req, auto& res) { update_schedule(s, req, res); }});
    router.add({"PUT", "/api/v1/schedules/{id}", Scope::execute,
                [&s](Request& req, auto& res) { update_schedule(s, req, res); }});
    router.add({"POST", "/api/v1/schedules/{id}/enable", Scope::execute,
                [&s](Request& req, auto& res) { set_schedule_enabled(s, req, res, true); }});
    router.add({"POST", "/api/v1/schedules/{id}/disable", Scope::execute,
                [&s](Request& req, auto& res) { set_schedule_enabled(s, req, res, false); }});
    router.add({"DELETE", "/api/v1/schedules/{id}", Scope::execute, [&s](Request& req, auto& res) {
                    manager(s).delete_schedule(req.path_params.at("id"));
                    reply(res, 200, {{"deleted", req.path_params.at("id")}});
                }});
}

}  // namespace flowctl::daemon
