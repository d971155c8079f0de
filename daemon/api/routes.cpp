#include "api/routes.hpp"

#include "api/route_groups.hpp"

namespace flowctl::daemon {

void register_routes(Router& router, Services& services) {
    add_system_routes(router, services);
    add_flows_routes(router, services);
    add_executions_routes(router, services);
    add_events_routes(router, services);
    add_actions_routes(router, services);
    add_tokens_routes(router, services);
    add_admin_routes(router, services);
    add_webhook_routes(router, services);
    add_triggers_routes(router, services);
}

}  // namespace flowctl::daemon
