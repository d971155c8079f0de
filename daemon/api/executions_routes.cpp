// /api/v1/flows/{name}/executions and /api/v1/executions: running flows and their history.
#include <algorithm>
#include <limits>

#include "api/api_json.hpp"
#include "store/records_json.hpp"
#include "api/execution_views.hpp"
#include "api/route_groups.hpp"
#include "http/api_error.hpp"
#include "steps/step.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

constexpr int64_t default_wait_ms = 60000;
constexpr int64_t max_wait_ms = 3600000;  // a waiting request holds a server thread

int64_t int_field(const json& body, const char* name, int64_t fallback, int64_t min, int64_t max) {
    if (!body.contains(name)) return fallback;
    const int64_t v = body[name].get<int64_t>();
    if (v < min || v > max)
        throw invalid(std::string(name) + " must be between " + std::to_string(min) + " and " + std::to_string(max),
                      {{"field", name}});
    return v;
}

RunRequest run_request(const std::string& flow, const json& body, const Request& req) {
    RunRequest r;
    r.flow = flow;
    r.inputs = body.value("inputs", json::object());
    r.trigger = body.value("trigger", "api");
    if (r.trigger != "api" && r.trigger != "manual")
        throw invalid("trigger must be \"api\" or \"manual\", got \"" + r.trigger + "\"", {{"field", "trigger"}});
    r.trigger_data = {{"request_id", req.request_id}};
    if (!req.token_id.empty()) r.trigger_data["token_id"] = req.token_id;
    r.priority = static_cast<int>(
        int_field(body, "priority", 0, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    if (body.contains("scheduled_at")) {
        auto when = util::parse_time(body["scheduled_at"].get<std::string>(), util::now_ms());
        if (!when) throw invalid("scheduled_at must be an RFC 3339 time", {{"field", "scheduled_at"}});
        r.scheduled_ms = *when;
    }
    r.callback_url = body.value("callback_url", "");
    if (!r.callback_url.empty() && r.callback_url.rfind("http://", 0) != 0 && r.callback_url.rfind("https://", 0) != 0)
        throw invalid("callback_url must be an http:// or https:// URL", {{"field", "callback_url"}});
    return r;
}

/// A run the flow's concurrency policy skipped: 409, with the skipped record's id and the
/// executions that filled the flow's limit.
void refuse_skipped(const Submission& submission) {
    if (!submission.skipped) return;
    throw ApiError(409, "concurrency_limit", submission.reason,
                   {{"execution_id", submission.execution_id}, {"active", submission.active}});
}

void submit(Services& s, Request& req, httplib::Response& res) {
    const json body = req.body({{"inputs", JsonType::object},
                                {"wait", JsonType::boolean},
                                {"timeout_ms", JsonType::integer},
                                {"priority", JsonType::integer},
                                {"scheduled_at", JsonType::string},
                                {"callback_url", JsonType::string},
                                {"trigger", JsonType::string}});
    const bool wait = body.value("wait", false);
    const int64_t timeout_ms = int_field(body, "timeout_ms", default_wait_ms, 0, max_wait_ms);
    const Submission submission = s.executions.submit(run_request(req.path_params.at("name"), body, req));
    refuse_skipped(submission);
    const std::string& id = submission.execution_id;
    if (!wait) return reply(res, 202, {{"execution", store::to_json(find_execution(s.stores.local(), id))}});
    const auto record = s.executions.wait(id, std::chrono::milliseconds(timeout_ms));
    reply(res, is_final_status(record.status) ? 200 : 202, {{"execution", store::to_json(record)}});
}

void list_executions(Services& s, Request& req, httplib::Response& res) {
    store::HistoryFilter f;
    f.flow = req.query("flow");
    f.status = req.query("status");
    if (f.status && !is_execution_status(*f.status)) throw bad_request("unknown status '" + *f.status + "'");
    f.trigger = req.query("trigger");
    f.since_ms = req.query_time("since");
    f.until_ms = req.query_time("until");
    f.top_level_only = req.query_bool("top_level", true);
    f.limit = static_cast<int>(req.query_int("limit", 20, 1, 1000));
    f.offset = static_cast<int>(req.query_int("offset", 0, 0, std::numeric_limits<int32_t>::max()));
    int64_t total = 0;
    json out = json::array();
    for (const auto& e : s.stores.local().list_executions(f, &total)) out.push_back(store::to_json(e));
    reply(res, 200, {{"executions", out}, {"total", total}, {"limit", f.limit}, {"offset", f.offset}});
}

void cancel(Services& s, Request& req, httplib::Response& res) {
    const auto e = find_execution(s.stores.local(), req.path_params.at("id"));
    s.executions.cancel(e.id);
    // Running steps get TERM, then KILL after the grace: answer with the end state when it comes soon.
    const auto settle =
        std::min<std::chrono::milliseconds>(s.config.kill_grace + std::chrono::seconds(1), std::chrono::seconds(10));
    reply(res, 200, {{"execution", store::to_json(s.executions.wait(e.id, settle))}});
}

void retry(Services& s, Request& req, httplib::Response& res) {
    const json body = req.body({{"from_step", JsonType::string}, {"inputs", JsonType::object}});
    const auto e = find_execution(s.stores.local(), req.path_params.at("id"));
    const Submission submission =
        s.executions.retry(e.id, body.value("from_step", ""), body.value("inputs", json::object()), "retry");
    refuse_skipped(submission);
    reply(res, 202, {{"execution", store::to_json(find_execution(s.stores.local(), submission.execution_id))}});
}

void logs(Services& s, Request& req, httplib::Response& res) {
    auto& store = s.stores.local();
    store::LogFilter f;
    f.execution_id = find_execution(store, req.path_params.at("id")).id;
    f.step = req.query("step").value_or("");
    f.min_level = req.query("level").value_or("");
    if (!f.min_level.empty() && !steps::parse_log_level(f.min_level))
        throw bad_request("level must be debug, info, warn or error, got '" + f.min_level + "'");
    f.after_id = req.query_int("after", 0, 0, std::numeric_limits<int64_t>::max());
    f.limit = static_cast<int>(req.query_int("limit", 1000, 1, 10000));
    f.offset = static_cast<int>(req.query_int("offset", 0, 0, std::numeric_limits<int32_t>::max()));
    int64_t total = 0;
    json out = json::array();
    for (const auto& l : store.logs(f, &total)) out.push_back(store::to_json(l));
    reply(res, 200, {{"logs", out}, {"total", total}});
}

}  // namespace

void add_executions_routes(Router& router, Services& s) {
    router.add({"POST", "/api/v1/flows/{name}/executions", Scope::execute,
                [&s](Request& req, auto& res) { submit(s, req, res); }});
    router.add(
        {"GET", "/api/v1/executions", Scope::read, [&s](Request& req, auto& res) { list_executions(s, req, res); }});
    router.add({"GET", "/api/v1/executions/{id}", Scope::read, [&s](Request& req, auto& res) {
                    auto& store = s.stores.local();
                    reply(res, 200, execution_detail_json(s, store, find_execution(store, req.path_params.at("id"))));
                }});
    router.add({"POST", "/api/v1/executions/{id}/cancel", Scope::execute,
                [&s](Request& req, auto& res) { cancel(s, req, res); }});
    router.add({"POST", "/api/v1/executions/{id}/retry", Scope::execute,
                [&s](Request& req, auto& res) { retry(s, req, res); }});
    router.add(
        {"GET", "/api/v1/executions/{id}/logs", Scope::read, [&s](Request& req, auto& res) { logs(s, req, res); }});
}

}  // namespace flowctl::daemon
