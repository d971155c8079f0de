#pragma once
// A whole daemon for API tests, in a temp dir: real Store, FlowRegistry, EventBus and
// ExecutionManager behind the real routes and the real Server (Unix socket + 127.0.0.1:0).
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>

#include "api/routes.hpp"
#include "config/config.hpp"
#include "core/event_bus.hpp"
#include "core/execution_manager.hpp"
#include "core/flow_registry.hpp"
#include "core/stores.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/temp_dir.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::daemon::test {

class ApiTestDaemon {
public:
    /// Flows written into the flows directory before it is loaded: file name -> YAML.
    explicit ApiTestDaemon(const std::map<std::string, std::string>& flows = {}) {
        config.state_dir = dir.path() / "state";
        config.flows_dir = dir.path() / "flows";
        config.socket_path = dir.path() / "run" / "flowd.sock";
        config.max_concurrent = 4;
        config.kill_grace = std::chrono::milliseconds(500);
        for (const auto& [file, yaml] : flows) dir.write("flows/" + file, yaml);
        stores = std::make_unique<Stores>(config.state_dir);
        registry = std::make_unique<FlowRegistry>(config.flows_dir, *stores);
        registry->load_all();
        events = std::make_unique<EventBus>();
        executions = std::make_unique<ExecutionManager>(config, *registry, *events, *stores, clean_step_environment());
        // reload: none given, so the route rescans the registry itself.
        services = std::make_unique<Services>(Services{config, *stores, *registry, *executions, *events, nullptr,
                                                       [this] { ++stop_requests; }, nullptr,
                                                       std::chrono::steady_clock::now()});
        register_routes(router, *services);
    }

    ~ApiTestDaemon() {
        if (server) server->stop();
        executions->drain(std::chrono::milliseconds(0));
        events->close_all();
    }

    /// Starts the executions and the server, and creates an admin token for the client.
    void start() {
        executions->start();
        ServerOptions options;
        options.socket_path = config.socket_path;
        options.listen = "127.0.0.1:0";
        options.threads = 16;
        server = std::make_unique<Server>(
            router,
            [this](const std::string& hash) {
                auto token = lookup_store().find_token_by_hash(hash);
                if (token) lookup_store().touch_token(token->id, util::now_ms());
                return token;
            },
            options);
        services->server_metrics = &server->metrics();
        server->start();
        admin_secret = add_token("test-admin", "admin");
    }

    /// Inserts a token directly in the store; returns its secret.
    std::string add_token(const std::string& name, const std::string& scope) {
        const std::string secret = "flw_secret_" + name;
        store::TokenRecord t;
        t.id = "tok_" + name;
        t.name = name;
        t.scope = scope;
        t.hash = util::sha256_hex(secret);
        t.created_ms = util::now_ms();
        stores->local().insert_token(t);
        return secret;
    }

    std::unique_ptr<httplib::Client> client(const std::string& secret) const {
        auto c = std::make_unique<httplib::Client>("127.0.0.1", server->tcp_port());
        c->set_read_timeout(30, 0);
        if (!secret.empty()) c->set_default_headers({{"Authorization", "Bearer " + secret}});
        return c;
    }

    flowctl::test::TempDir dir;
    config::Config config;
    std::unique_ptr<Stores> stores;
    std::unique_ptr<FlowRegistry> registry;
    std::unique_ptr<EventBus> events;
    std::unique_ptr<ExecutionManager> executions;
    std::unique_ptr<Services> services;
    Router router;
    std::unique_ptr<Server> server;
    std::string admin_secret;
    std::atomic<int> stop_requests{0};

private:
    // Token lookups run on server threads: Stores gives each its own connection.
    store::Store& lookup_store() { return stores->local(); }
};

}  // namespace flowctl::daemon::test
