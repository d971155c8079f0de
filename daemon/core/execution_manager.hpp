#pragma once
// Runs installed flows for the API and the triggers: a priority queue with not-before times,
// a bounded number of executions at once, each flow's concurrency policy (concurrency_policy.hpp),
// cancellation, retries, synchronous waits, result callbacks and live events. Every queued
// execution has a `pending` row from the moment it is submitted; the daemon's pid owns it, so
// a crashed daemon's runs become `interrupted`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/event_bus.hpp"
#include "core/flow_registry.hpp"
#include "core/stores.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

struct Submission;

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
    /// Called inside the transaction that records the new execution (pending, or skipped by
    /// the flow's concurrency policy), with its outcome; throwing rolls that record back and
    /// submit() rethrows. The scheduler writes its ledger slot here, so that the slot and its
    /// execution are committed together or not at all.
    std::function<void(store::Store&, const Submission&)> record;
};

/// What submit() did with a run.
struct Submission {
    std::string execution_id;
    /// The flow's concurrency policy refused it (forbid, at max_active): it was recorded as a
    /// `skipped` execution with `reason`, and nothing runs.
    bool skipped = false;
    std::string reason;
    /// With skipped: the flow's active executions that filled its limit, oldest first.
    std::vector<std::string> active;
    /// Executions cancelled to make room for it (policy replace).
    std::vector<std::string> replaced;
    /// It waits for a running execution of the same flow to end (policy queue, at max_active).
    bool waiting_for_slot = false;
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

    /// Queues a run (its `pending` row is committed) and applies the flow's concurrency policy.
    /// ApiError: 404 unknown flow, 409 flow disabled or broken, 422 bad inputs, 503 draining;
    /// anything `request.record` throws. A run the policy skips is not an error: see Submission.
    Submission submit(RunRequest request);

    /// Waits until the execution has ended or `timeout` passed; returns its record either way.
    /// 404 when unknown.
    store::ExecutionRecord wait(const std::string& execution_id, std::chrono::milliseconds timeout);

    /// Cancels a queued or running execution (running steps get TERM, then KILL after the grace).
    /// 404 unknown, 409 already finished.
    void cancel(const std::string& execution_id);

    /// A new execution of the same flow (current version) with the original's inputs merged
    /// with `input_overrides`; with `from_step`, the steps before it reuse the original's results.
    /// It goes through the flow's concurrency policy like any run.
    /// 404 unknown execution or flow, 422 unknown step, 409 original still running.
    Submission retry(const std::string& execution_id, const std::string& from_step, const json& input_overrides,
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
