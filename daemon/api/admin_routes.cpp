// Administration: history garbage collection, reloading the flows directory, stopping.
#include "api/route_groups.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

void gc(Services& s, Request& req, httplib::Response& res) {
    const json body = req.body({{"dry_run", JsonType::boolean}});
    const bool dry_run = body.value("dry_run", false);
    store::GcPolicy policy;
    policy.max_age_ms = s.config.retention_max_age.count();
    policy.max_executions = s.config.retention_max_executions;
    const auto r = s.stores.local().gc(policy, dry_run, util::now_ms());
    reply(res, 200,
          {{"executions", r.executions},
           {"step_runs", r.step_runs},
           {"logs", r.logs},
           {"bytes_before", r.bytes_before},
           {"bytes_after", r.bytes_after},
           {"dry_run", dry_run}});
}

void reload(Services& s, httplib::Response& res) {
    if (s.request_reload)
        s.request_reload();
    else
        s.flows.reload();
    int64_t flows = 0, invalid = 0;
    for (const auto& e : s.flows.list()) {
        ++flows;
        const std::string status = e.status();
        if (status == "invalid" || status == "broken") ++invalid;
    }
    reply(res, 200, {{"flows", flows}, {"invalid", invalid}});
}

}  // namespace

void add_admin_routes(Router& router, Services& s) {
    router.add({"POST", "/api/v1/gc", Scope::admin, [&s](Request& req, auto& res) { gc(s, req, res); }});
    router.add({"POST", "/api/v1/daemon/reload", Scope::admin, [&s](Request&, auto& res) { reload(s, res); }});
    router.add({"POST", "/api/v1/daemon/stop", Scope::admin, [&s](Request&, auto& res) {
                    if (s.request_stop) s.request_stop();
                    reply(res, 200, {{"stopping", true}});
                }});
}

}  // namespace flowctl::daemon
