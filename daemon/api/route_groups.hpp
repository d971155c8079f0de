#pragma once
// The routes of each resource; register_routes (routes.cpp) adds them all.
#include "api/routes.hpp"

namespace flowctl::daemon {

void add_system_routes(Router& router, Services& services);      // health, stats, metrics, openapi
void add_flows_routes(Router& router, Services& services);       // flows, validate, versions
void add_executions_routes(Router& router, Services& services);  // runs, history, cancel, retry, logs
void add_events_routes(Router& router, Services& services);      // the live event stream
void add_actions_routes(Router& router, Services& services);     // the step type catalog
void add_tokens_routes(Router& router, Services& services);      // API tokens
void add_admin_routes(Router& router, Services& services);       // gc, reload, stop
void add_webhook_routes(Router& router, Services& services);     // /hooks/{id} and their stats
void add_triggers_routes(Router& router, Services& services);    // triggers, schedule ledger, ad hoc schedules

}  // namespace flowctl::daemon
