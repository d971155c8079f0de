// /api/v1/actions: the step types, their JSON Schemas, and checking or running one ad hoc.
#include "api/adhoc_action.hpp"
#include "api/route_groups.hpp"
#include "core/diagnostics_json.hpp"
#include "http/api_error.hpp"
#include "steps/step.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::daemon {

namespace {

constexpr int64_t default_timeout_ms = 60000;
constexpr int64_t max_timeout_ms = 3600000;  // the request thread waits for the step

json action_json(const steps::StepSchema& schema) {
    json outputs = json::array();
    for (const auto& o : schema.outputs)
        outputs.push_back({{"name", o.name}, {"type", o.type}, {"description", o.description}});
    return {{"type", schema.type},
            {"description", schema.summary},
            {"params", steps::to_json_schema(schema)},
            {"outputs", outputs},
            {"example", schema.example}};
}

const steps::StepType& require_type(const std::string& type) {
    if (const auto* t = steps::find_step_type(type)) return *t;
    std::vector<std::string> names;
    for (const auto* t : steps::all_step_types()) names.push_back(t->schema().type);
    auto hint = util::did_you_mean(type, names);
    throw not_found("no action '" + type + "'" + (hint ? " (did you mean '" + *hint + "'?)" : ""));
}

void test_action(Request& req, httplib::Response& res) {
    const std::string& type = require_type(req.path_params.at("type")).schema().type;
    const json body = req.body({{"params", JsonType::object}}, {"params"});
    std::vector<util::Diagnostic> diagnostics;
    adhoc_flow(type, body["params"], diagnostics);
    reply(res, 200, {{"valid", !util::has_errors(diagnostics)}, {"diagnostics", diagnostics_json(diagnostics)}});
}

void execute_action(Services& s, Request& req, httplib::Response& res) {
    const std::string& type = require_type(req.path_params.at("type")).schema().type;
    const json body = req.body({{"params", JsonType::object}, {"timeout_ms", JsonType::integer}}, {"params"});
    const int64_t timeout_ms = body.value("timeout_ms", default_timeout_ms);
    if (timeout_ms < 1 || timeout_ms > max_timeout_ms)
        throw invalid("timeout_ms must be between 1 and " + std::to_string(max_timeout_ms), {{"field", "timeout_ms"}});
    std::vector<util::Diagnostic> diagnostics;
    auto flow = adhoc_flow(type, body["params"], diagnostics);
    if (!flow) throw invalid("invalid parameters for " + type, {{"diagnostics", diagnostics_json(diagnostics)}});
    json trigger_data = {{"request_id", req.request_id}};
    if (!req.token_id.empty()) trigger_data["token_id"] = req.token_id;
    reply(res, 200, run_adhoc(s, std::move(*flow), type, timeout_ms, trigger_data));
}

}  // namespace

void add_actions_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/actions", Scope::read, [](Request&, auto& res) {
                    json actions = json::array();
                    for (const auto* t : steps::all_step_types()) actions.push_back(action_json(t->schema()));
                    reply(res, 200, {{"actions", actions}});
                }});
    router.add({"GET", "/api/v1/actions/{type}", Scope::read, [](Request& req, auto& res) {
                    reply(res, 200, action_json(require_type(req.path_params.at("type")).schema()));
                }});
    router.add(
        {"POST", "/api/v1/actions/{type}/test", Scope::read, [](Request& req, auto& res) { test_action(req, res); }});
    router.add({"POST", "/api/v1/actions/{type}/execute", Scope::execute,
                [&s](Request& req, auto& res) { execute_action(s, req, res); }});
}

}  // namespace flowctl::daemon
