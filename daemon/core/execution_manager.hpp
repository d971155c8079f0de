#pragma once
// Runs installed flows for the API (and, later, triggers): a priority queue with not-before
// times, a bounded number of executions at once, cancellation, retries, synchronous waits,
// result callbacks and live events. Every queued execution has a `pending` row from the moment
// it is submitted; the daemon's pid owns it, so a crashed daemon's runs become `interrupted`.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/event_bus.hpp"
#include "core/flow_registry.hpp"
#include "core/stores.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

struct RunRequest {
    std::string flow;  // installed flow name
    json inputs = json::object();
    std::string trigger = "api";  // api | manual (flowctl) | schedule | watch | webhook | retry
    json trigger_data = json::object();
    int priority = 0;          // higher first
    int64_t scheduled_ms = 0;  // not before (epoch ms); 0: now
    std::string callback_url;  // POSTed {"execution": <execution JSON>} when it ends
    std::string retry_of;      // set by retry()
    std::string retry_from;
};

class ExecutionManager {
public:
    /// `base_env`: the clean environment steps start from (see flowd(8)).
    ExecutionManager(const config::Config& config, FlowRegistry& flows, EventBus& events, Stores& stores,
                     std::map<std::string, std::string> base_env);
    ~ExecutionManager();  // drain(0)

    /// Starts the worker threads. (Executions queued by a daemon that died are made
    /// `interrupted` by store.recover_interrupted() before this, like running ones.)
    void start();

    /// Queues a run and returns its execution id (its `pending` row is committed).
    /// ApiError: 404 unknown flow, 409 flow disabled or broken, 422 bad inputs, 503 draining.
    std::string submit(RunRequest request);

    /// Waits until the execution has ended or `timeout` passed; returns its record either way.
    /// 404 when unknown.
    store::ExecutionRecord wait(const std::string& execution_id, std::chrono::milliseconds timeout);

    /// Cancels a queued or running execution (running steps get TERM, then KILL after the grace).
    /// 404 unknown, 409 already finished.
    void cancel(const std::string& execution_id);

    /// A new execution of the same flow (current version) with the original's inputs merged
    /// with `input_overrides`; with `from_step`, the steps before it reuse the original's results.
    /// 404 unknown execution or flow, 422 unknown step, 409 original still running.
    std::string retry(const std::string& execution_id, const std::string& from_step, const json& input_overrides,
                      const std::string& trigger = "retry");

    /// Stops taking new runs (submit answers 503), lets running ones finish up to `grace`,
    /// then cancels the rest and records them; queued ones are recorded as cancelled
    /// ("daemon stopped before it started"). Nothing is left pending or running.
    void drain(std::chrono::milliseconds grace);

    size_t queued() const;
    size_t running() const;
    uint64_t finished_total() const;  // since start, for /metrics

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// The clean environment steps start from: PATH (the daemon's, else a standard one), HOME,
/// USER, LOGNAME, SHELL, LANG, LC_*, TZ, TMPDIR, XDG_RUNTIME_DIR; nothing else is inherited
/// (no TMOUT, no stray shell settings).
std::map<std::string, std::string> clean_step_environment();

}  // namespace flowctl::daemon
