#include "app/daemon.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/routes.hpp"
#include "app/flow_events.hpp"
#include "app/gc_timer.hpp"
#include "app/lock_file.hpp"
#include "app/logging.hpp"
#include "app/signals.hpp"
#include "core/event_bus.hpp"
#include "core/execution_manager.hpp"
#include "core/flow_registry.hpp"
#include "core/stores.hpp"
#include "core/trigger_manager.hpp"
#include "http/server.hpp"
#include "proc/process.hpp"
#include "util/duration.hpp"
#include "util/paths.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

// A token's last use is recorded at most this often: a busy client must not turn every
// request into a database write.
constexpr int64_t kTokenTouchIntervalMs = 60'000;

TokenLookup store_token_lookup(Stores& stores) {
    return [&stores](const std::string& hash) -> std::optional<store::TokenRecord> {
        auto& store = stores.local();
        auto token = store.find_token_by_hash(hash);
        if (!token) return std::nullopt;
        auto now = util::now_ms();
        if (now - token->last_used_ms >= kTokenTouchIntervalMs) {
            try {
                store.touch_token(token->id, now);
            } catch (const std::exception& e) {
                spdlog::debug("could not record the use of token {}: {}", token->id, e.what());
            }
        }
        return token;
    };
}

void log_flow_summary(const FlowRegistry& flows) {
    size_t total = 0, invalid = 0;
    for (const auto& entry : flows.list()) {
        ++total;
        if (!entry.errors.empty()) {
            ++invalid;
            log_flow_change(entry, FlowChange::invalid);
        }
    }
    spdlog::info("{} flows in {} ({} invalid)", total, flows.dir().string(), invalid);
}

}  // namespace

struct Daemon::Parts {
    std::unique_ptr<InstanceLock> lock;
    std::unique_ptr<Stores> stores;
    std::unique_ptr<EventBus> events;
    std::unique_ptr<FlowRegistry> flows;
    std::unique_ptr<ExecutionManager> executions;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<TriggerManager> triggers;
    Router router;
    std::unique_ptr<Services> services;
    std::unique_ptr<Server> server;
    std::unique_ptr<GcTimer> gc;
    bool running = false;
};

Daemon::Daemon(config::Config config) : m_config(std::move(config)), m_parts(std::make_unique<Parts>()) {}

Daemon::~Daemon() {
    if (m_parts->running) shutdown("exit");
}

void Daemon::start() {
    auto& p = *m_parts;
    const auto& c = m_config;
    util::ensure_private_dir(c.state_dir);
    p.lock = std::make_unique<InstanceLock>(c.state_dir / "flowd.lock");
    install_daemon_logger(log_settings(c));
    spdlog::info("flowd {} starting (pid {}, state {}, config {})", FLOWCTL_VERSION, ::getpid(), c.state_dir.string(),
                 c.config_file.empty() ? "none" : c.config_file.string());

    proc::set_default_kill_grace(c.kill_grace);
    proc::start_orphan_reaper();

    p.stores = std::make_unique<Stores>(c.state_dir);
    if (int recovered = p.stores->local().recover_interrupted(); recovered > 0) {
        spdlog::warn("{} executions of a previous run were left unfinished: marked interrupted", recovered);
    } else {
        spdlog::debug("no unfinished executions to recover");
    }

    p.events = std::make_unique<EventBus>();
    p.flows = std::make_unique<FlowRegistry>(c.flows_dir, *p.stores);
    p.flows->load_all();
    log_flow_summary(*p.flows);
    p.flows->on_change([events = p.events.get()](const FlowEntry& entry, FlowChange change) {
        log_flow_change(entry, change);
        if (auto event = flow_event_json(entry, change)) events->publish(std::move(*event));
    });
    p.flows->start_watching();

    p.executions = std::make_unique<ExecutionManager>(c, *p.flows, *p.events, *p.stores, clean_step_environment());
    p.executions->start();

    // Triggers follow the flows directory from here on; missed schedule slots are caught up.
    p.clock = make_system_clock();
    p.triggers = std::make_unique<TriggerManager>(*p.flows, *p.executions, *p.stores, *p.clock);
    p.flows->on_change([triggers = p.triggers.get()](const FlowEntry& entry, FlowChange change) {
        triggers->flow_changed(entry, change);
    });
    p.triggers->start();

    // A stop from the API goes through the same path as SIGTERM (the main thread handles it);
    // a reload is done at once so that the reply can report the result.
    p.services =
        std::make_unique<Services>(Services{c, *p.stores, *p.flows, *p.executions, *p.events, nullptr,
                                            [] { ::kill(::getpid(), SIGTERM); }, [this] { reload("API request"); }});
    p.services->triggers = p.triggers.get();
    register_routes(p.router, *p.services);

    ServerOptions options;
    options.socket_path = c.socket_path;
    options.listen = c.listen;
    options.max_body_bytes = c.max_body_bytes;
    options.webhook_max_body_bytes = c.webhook_max_body_bytes;
    p.server = std::make_unique<Server>(p.router, store_token_lookup(*p.stores), options);
    p.services->server_metrics = &p.server->metrics();
    p.server->start();
    p.running = true;

    p.gc = std::make_unique<GcTimer>(c, *p.stores);

    if (c.listen.empty()) {
        spdlog::info("flowd ready on {}", c.socket_path.string());
    } else {
        spdlog::info("flowd ready on {} and {} (TCP port {})", c.socket_path.string(), c.listen, p.server->tcp_port());
    }
}

void Daemon::reload(const char* why) {
    auto& p = *m_parts;
    if (!p.flows) return;
    spdlog::info("reloading {} ({})", p.flows->dir().string(), why);
    p.flows->reload();
    log_flow_summary(*p.flows);
}

void Daemon::shutdown(const char* why) {
    auto& p = *m_parts;
    if (!p.running) return;
    p.running = false;
    spdlog::info("stopping ({}): {} running, {} queued; drain grace {}", why, p.executions->running(),
                 p.executions->queued(), util::format_duration(m_config.drain_grace));
    p.server->stop();
    p.triggers->stop();
    p.gc.reset();
    p.executions->drain(m_config.drain_grace);
    p.events->close_all();
    p.flows->stop_watching();
    p.server.reset();  // waits for the requests still being answered (event streams end on close_all)
    spdlog::info("flowd stopped");
    spdlog::default_logger()->flush();
}

int Daemon::run() {
    start();
    for (;;) {
        int sig = wait_for_daemon_signal();
        if (sig == SIGHUP) {
            try {
                reload("SIGHUP");
            } catch (const std::exception& e) {
                spdlog::error("reload failed: {}", e.what());
            }
            continue;
        }
        shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
        return 0;
    }
}

int Daemon::tcp_port() const { return m_parts->server ? m_parts->server->tcp_port() : 0; }

}  // namespace flowctl::daemon
