#pragma once
// Every route of /api/v1 (daemon/API.md), registered on a Router.
#include <chrono>
#include <functional>

#include "config/config.hpp"
#include "core/event_bus.hpp"
#include "core/execution_manager.hpp"
#include "core/flow_registry.hpp"
#include "core/stores.hpp"
#include "core/trigger_manager.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace flowctl::daemon {

/// What the handlers work with; owned by the daemon, alive as long as the server.
struct Services {
    const config::Config& config;
    Stores& stores;
    FlowRegistry& flows;
    ExecutionManager& executions;
    EventBus& events;
    const ServerMetrics* server_metrics = nullptr;  // set once the server exists
    std::function<void()> request_stop;             // POST /daemon/stop: drain and exit
    std::function<void()> request_reload;           // POST /daemon/reload
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    TriggerManager* triggers = nullptr;  // set once the daemon has armed the triggers
};

void register_routes(Router& router, Services& services);

/// The OpenAPI 3 document served at /api/v1/openapi.json (daemon/api/openapi.json, compiled in).
extern const std::string_view openapi_json;

}  // namespace flowctl::daemon
