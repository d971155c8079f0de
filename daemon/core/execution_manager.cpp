#include "core/execution_manager.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/callback_sender.hpp"
#include "core/concurrency_policy.hpp"
#include "core/execution_events.hpp"
#include "core/execution_records.hpp"
#include "core/run_queue.hpp"
#include "engine/engine.hpp"
#include "http/api_error.hpp"
#include "store/records_json.hpp"
#include "util/cancel.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

enum class Phase { queued, running, ending, ended };

/// One execution this daemon has queued or is running. Everything it runs is fixed at
/// submit time (the flow version included), so a reload while it waits changes nothing.
struct Execution {
    std::string id;
    std::shared_ptr<const flow::Flow> flow;
    RunRequest request;  // inputs resolved, not redacted
    int64_t version_id = 0;
    std::map<std::string, engine::ReusedStep> reuse;
    Phase phase = Phase::queued;
    uint64_t seq = 0;  // submission order: "oldest first" for the replace policy
    /// Someone asked for it to end (cancel, or replaced): it no longer counts as active for a
    /// new run's policy, though while it runs it still holds its flow's slot.
    bool stop_requested = false;
    std::string stop_reason;  // recorded as the error of a run cancelled while running (empty: the engine's)
    util::CancelToken cancel;
    std::condition_variable ended;  // with Impl::mutex
};

// A worker waiting for a not-before time wakes at least this often, in case the wall clock jumps.
constexpr int64_t max_sleep_ms = 1000;
// Callbacks of executions that ended during a drain get at least this long to be delivered.
constexpr std::chrono::seconds callback_shutdown_grace{2};

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

}  // namespace

struct ExecutionManager::Impl {
    Impl(const config::Config& config, FlowRegistry& flows, EventBus& events, Stores& stores,
         std::map<std::string, std::string> base_env)
        : config(config), flows(flows), events(events), stores(stores), base_env(std::move(base_env)) {
        owner_pid = static_cast<int>(::getpid());
        owner_start = store::Store::process_start_time(owner_pid);
    }

    config::Config config;
    FlowRegistry& flows;
    EventBus& events;
    Stores& stores;
    std::map<std::string, std::string> base_env;
    int owner_pid = 0;
    int64_t owner_start = 0;

    mutable std::mutex mutex;
    std::condition_variable work_cv;      // workers: the queue changed, or stop
    std::condition_variable finished_cv;  // drain: a running execution ended
    RunQueue queue;
    std::map<std::string, std::shared_ptr<Execution>> live;  // queued, running or ending
    size_t running = 0;
    std::map<std::string, int> running_by_flow;  // flows with executions running, for their limits
    uint64_t next_seq = 0;
    /// One admission at a time: a policy's look at the active executions and the new run's
    /// registration are one step, so two runs submitted together never both take the last slot.
    std::mutex admission_mutex;
    uint64_t finished_total = 0;
    bool started = false;
    bool draining = false;
    bool stopping = false;
    std::vector<std::thread> workers;
    std::mutex drain_mutex;  // one drain at a time (an explicit one, then the destructor's)
    CallbackSender callbacks;

    // --- submitting ---

    FlowEntry runnable_entry(const std::string& name) {
        auto entry = flows.get(name);
        if (!entry) throw not_found("no flow named '" + name + "'");
        if (!entry->flow) {
            std::string why = entry->errors.empty() ? "" : ": " + entry->errors.front().message;
            throw conflict("flow '" + name + "' has no valid version to run" + why);
        }
        if (!entry->enabled) throw conflict("flow '" + name + "' is disabled");
        return *entry;
    }

    /// Ids of the flow's queued and running executions not already being stopped, oldest first.
    std::vector<std::string> active_ids(const std::string& flow_name) const {
        std::vector<std::shared_ptr<Execution>> active;
        {
            std::lock_guard lock(mutex);
            for (const auto& [id, exec] : live)
                if (exec->request.flow == flow_name && !exec->stop_requested &&
                    (exec->phase == Phase::queued || exec->phase == Phase::running))
                    active.push_back(exec);
        }
        std::sort(active.begin(), active.end(), [](const auto& a, const auto& b) { return a->seq < b->seq; });
        std::vector<std::string> ids;
        for (const auto& exec : active) ids.push_back(exec->id);
        return ids;
    }

    /// The new execution's row and whatever the caller records with it, in one transaction.
    void insert_new(const store::ExecutionRecord& record, const RunRequest& request, const Submission& submission) {
        store::Store& store = stores.local();
        store.begin();
        try {
            store.insert_execution(record);
            if (request.record) request.record(store, submission);
            store.commit();
        } catch (...) {
            try {
                store.rollback();
            } catch (const std::exception& e) {
                spdlog::error("execution {}: rollback failed: {}", record.id, e.what());
            }
            throw;
        }
    }

    Submission enqueue(RunRequest request, const FlowEntry& entry, std::map<std::string, engine::ReusedStep> reuse) {
        if (!request.callback_url.empty() && !is_http_url(request.callback_url))
            throw invalid("callback_url must be an http:// or https:// URL");
        json inputs;
        try {
            inputs = engine::resolve_inputs(*entry.flow, request.inputs);
        } catch (const engine::InputError& e) {
            throw invalid(e.what());
        }
        if (!request.trigger_data.is_object()) request.trigger_data = json::object();

        std::lock_guard admission_lock(admission_mutex);
        const std::vector<std::string> active = active_ids(entry.name);
        const Admission admission = admit(*entry.flow, active);

        const int64_t now = util::now_ms();
        store::ExecutionRecord record;
        record.id = util::new_execution_id(now);
        record.flow_name = entry.name;
        record.flow_path = entry.path.string();
        record.def_hash = !entry.hash.empty() ? entry.hash : entry.flow->hash;
        record.trigger = request.trigger;
        record.trigger_data = request.trigger_data;
        record.inputs = redact_secret_inputs(*entry.flow, inputs);
        record.status = "pending";
        record.created_ms = now;
        record.owner_pid = owner_pid;
        record.owner_start = owner_start;
        record.version_id = entry.version_id;
        record.priority = request.priority;
        record.scheduled_ms = request.scheduled_ms;
        record.retry_of = request.retry_of;
        record.retry_from = request.retry_from;
        record.callback_url = request.callback_url;

        Submission submission;
        submission.execution_id = record.id;
        submission.skipped = admission.skip;
        submission.reason = admission.reason;
        submission.replaced = admission.replace;
        submission.waiting_for_slot = admission.waits;
        if (admission.skip) {
            submission.active = active;
            record.status = "skipped";
            record.error = admission.reason;
            record.finished_ms = now;
            record.duration_ms = 0;
        }
        insert_new(record, request, submission);

        if (admission.skip) {
            events.publish(
                execution_event_json("execution_finished", record.id, entry.name, "skipped", admission.reason, now));
            if (!request.callback_url.empty())
                callbacks.post(request.callback_url, json{{"execution", store::to_json(record)}}.dump());
            return submission;
        }

        auto exec = std::make_shared<Execution>();
        exec->id = record.id;
        exec->flow = entry.flow;
        exec->version_id = entry.version_id;
        exec->reuse = std::move(reuse);
        request.flow = entry.name;
        request.inputs = std::move(inputs);
        request.record = nullptr;  // done with; it may hold the caller's state
        exec->request = std::move(request);

        events.publish(execution_event_json("execution_queued", exec->id, entry.name, "pending", "", now));
        std::vector<std::shared_ptr<Execution>> replaced_unstarted;
        bool drained = false;
        {
            std::lock_guard lock(mutex);
            exec->seq = next_seq++;
            live[exec->id] = exec;
            if (draining) {
                drained = true;  // a drain began meanwhile: end it like the other queued ones
                exec->phase = Phase::ending;
            } else {
                // The replaced ones go before the new one is queued, so none of them starts now.
                for (const auto& id : admission.replace) {
                    auto it = live.find(id);
                    if (it != live.end() && request_stop(*it->second, "replaced by " + exec->id))
                        replaced_unstarted.push_back(it->second);
                }
                queue.push({exec->id, exec->request.priority, exec->request.scheduled_ms, entry.name});
                work_cv.notify_all();
            }
        }
        for (const auto& victim : replaced_unstarted) end_unstarted(victim, "replaced by " + exec->id);
        if (!drained) return submission;
        end_unstarted(exec, "daemon stopped before it started");
        throw unavailable("the daemon is shutting down");
    }

    /// Asks an execution to end (with `mutex` held). A running one is cancelled and ends on its
    /// worker; a queued one leaves the queue, and true says the caller must end_unstarted() it.
    bool request_stop(Execution& exec, const std::string& reason) {
        switch (exec.phase) {
            case Phase::running:
                if (!exec.stop_requested) exec.stop_reason = reason;
                exec.stop_requested = true;
                exec.cancel.cancel();
                return false;
            case Phase::queued:
                queue.remove(exec.id);
                exec.phase = Phase::ending;
                exec.stop_requested = true;
                return true;
            case Phase::ending:
            case Phase::ended:
                return false;
        }
        return false;
    }

    // --- ending ---

    /// Takes the execution out of the books, wakes its waiters and sends its callback.
    void finish(const std::shared_ptr<Execution>& exec, const std::optional<store::ExecutionRecord>& record) {
        {
            std::lock_guard lock(mutex);
            if (exec->phase == Phase::running) {
                --running;
                if (--running_by_flow[exec->request.flow] <= 0) running_by_flow.erase(exec->request.flow);
                work_cv.notify_all();  // a run waiting for this flow's slot may start
            }
            exec->phase = Phase::ended;
            live.erase(exec->id);
            ++finished_total;
            exec->ended.notify_all();
            finished_cv.notify_all();
        }
        const std::string& url = exec->request.callback_url;
        if (!url.empty() && record) callbacks.post(url, json{{"execution", store::to_json(*record)}}.dump());
    }

    /// A queued execution that will never run (cancelled, or the daemon stops).
    void end_unstarted(const std::shared_ptr<Execution>& exec, const std::string& reason) {
        std::optional<store::ExecutionRecord> record;
        try {
            record = close_unstarted(stores.local(), exec->id, "cancelled", reason);
        } catch (const std::exception& e) {
            spdlog::error("execution {}: could not record it cancelled: {}", exec->id, e.what());
        }
        events.publish(execution_event_json("execution_finished", exec->id, exec->request.flow, "cancelled", reason,
                                            util::now_ms()));
        finish(exec, record);
    }

    /// The engine threw (or returned without ending the row): record the run failed, through a
    /// fresh connection if the thread's own is the one in trouble.
    std::optional<store::ExecutionRecord> end_failed(const std::shared_ptr<Execution>& exec, const std::string& error) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                std::optional<store::ExecutionRecord> record;
                if (attempt == 0) {
                    record = close_failed(stores.local(), exec->id, error);
                } else {
                    store::Store fresh(stores.state_dir());
                    record = close_failed(fresh, exec->id, error);
                }
                events.publish(execution_event_json("execution_finished", exec->id, exec->request.flow, "failed", error,
                                                    util::now_ms()));
                return record;
            } catch (const std::exception& e) {
                spdlog::error("execution {}: could not record its failure: {}", exec->id, e.what());
            }
        }
        return std::nullopt;
    }

    // --- running ---

    void run(const std::shared_ptr<Execution>& exec) {
        const RunRequest& r = exec->request;
        engine::RunOptions options;
        options.execution_id = exec->id;
        options.row_exists = true;
        options.inputs = r.inputs;
        options.trigger = r.trigger;
        options.trigger_data = r.trigger_data;
        options.version_id = exec->version_id;
        options.retry_of = r.retry_of;
        options.retry_from = r.retry_from;
        options.reuse = exec->reuse;
        options.base_env = base_env;
        options.cancel = &exec->cancel;
        options.on_event = [this](const engine::Event& e) { events.publish(event_json(e)); };

        std::optional<store::ExecutionRecord> record;
        try {
            engine::run_flow(*exec->flow, stores.local(), options);
            record = stores.local().get_execution(exec->id);
            if (record && is_unfinished(record->status))
                record = end_failed(exec, "internal error: the run ended without recording its result");
            else if (record && record->status == "cancelled")
                record_stop_reason(exec, *record);
        } catch (const std::exception& e) {
            spdlog::error("execution {} of flow '{}' failed in the engine: {}", exec->id, r.flow, e.what());
            record = end_failed(exec, std::string("internal error: ") + e.what());
        }
        finish(exec, record);
    }

    /// A run cancelled to make room for another says so instead of the engine's "cancelled".
    void record_stop_reason(const std::shared_ptr<Execution>& exec, store::ExecutionRecord& record) {
        std::string reason;
        {
            std::lock_guard lock(mutex);
            reason = exec->stop_reason;
        }
        if (reason.empty()) return;
        record.error = reason;
        try {
            stores.local().update_execution(record);
        } catch (const std::exception& e) {
            spdlog::error("execution {}: could not record why it was cancelled: {}", exec->id, e.what());
        }
    }

    /// With `mutex` held: whether a queued run's flow has a running slot free.
    bool has_free_slot(const QueuedRun& q) const {
        const int limit = active_limit(*live.at(q.execution_id)->flow);
        if (limit == 0) return true;
        auto it = running_by_flow.find(q.flow);
        return it == running_by_flow.end() || it->second < limit;
    }

    void worker_loop() {
        std::unique_lock lock(mutex);
        for (;;) {
            if (stopping) return;
            const int64_t now = util::now_ms();
            if (auto next = queue.pop_ready(now, [this](const QueuedRun& q) { return has_free_slot(q); })) {
                auto exec = live.at(next->execution_id);
                exec->phase = Phase::running;
                ++running;
                ++running_by_flow[exec->request.flow];
                lock.unlock();
                run(exec);
                lock.lock();
                continue;
            }
            if (auto due = queue.next_due_after(now))
                work_cv.wait_for(lock, std::chrono::milliseconds(std::min(*due - now, max_sleep_ms)));
            else
                work_cv.wait(lock);
        }
    }

    // --- looking up ---

    /// The record by id or unique prefix; 404 when unknown or ambiguous.
    store::ExecutionRecord lookup(const std::string& id_or_prefix) {
        std::optional<store::ExecutionRecord> record;
        try {
            record = stores.local().get_execution(id_or_prefix);
        } catch (const store::StoreError& e) {
            throw not_found(e.what());
        }
        if (!record) throw not_found("no execution '" + id_or_prefix + "'");
        return *record;
    }

    std::shared_ptr<Execution> find_live(const std::string& id) const {
        std::lock_guard lock(mutex);
        auto it = live.find(id);
        return it == live.end() ? nullptr : it->second;
    }

    /// The in-memory execution for an id or prefix, and the stored record when it was looked up.
    std::pair<std::shared_ptr<Execution>, std::optional<store::ExecutionRecord>> resolve(const std::string& id) {
        if (auto exec = find_live(id)) return {exec, std::nullopt};
        store::ExecutionRecord record = lookup(id);
        return {find_live(record.id), record};
    }
};

ExecutionManager::ExecutionManager(const config::Config& config, FlowRegistry& flows, EventBus& events, Stores& stores,
                                   std::map<std::string, std::string> base_env)
    : m_impl(std::make_unique<Impl>(config, flows, events, stores, std::move(base_env))) {}

ExecutionManager::~ExecutionManager() { drain(std::chrono::milliseconds(0)); }

void ExecutionManager::start() {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->started || m_impl->draining) return;
    m_impl->started = true;
    const int count = std::max(1, m_impl->config.max_concurrent);
    for (int i = 0; i < count; ++i) m_impl->workers.emplace_back([impl = m_impl.get()] { impl->worker_loop(); });
}

Submission ExecutionManager::submit(RunRequest request) {
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->draining) throw unavailable("the daemon is shutting down");
    }
    FlowEntry entry = m_impl->runnable_entry(request.flow);
    return m_impl->enqueue(std::move(request), entry, {});
}

store::ExecutionRecord ExecutionManager::wait(const std::string& execution_id, std::chrono::milliseconds timeout) {
    auto [exec, record] = m_impl->resolve(execution_id);
    if (!exec) return *record;
    {
        std::unique_lock lock(m_impl->mutex);
        exec->ended.wait_for(lock, timeout, [&] { return exec->phase == Phase::ended; });
    }
    return m_impl->lookup(exec->id);
}

void ExecutionManager::cancel(const std::string& execution_id) {
    auto [exec, record] = m_impl->resolve(execution_id);
    if (!exec) {
        if (is_unfinished(record->status))
            throw conflict("execution " + record->id + " is " + record->status + " in another process");
        throw conflict("execution " + record->id + " already ended (" + record->status + ")",
                       json{{"status", record->status}});
    }
    {
        std::lock_guard lock(m_impl->mutex);
        if (exec->phase == Phase::ended) throw conflict("execution " + exec->id + " already ended");
        // Running: cancelled on its worker; ending: being cancelled already.
        if (!m_impl->request_stop(*exec, "")) return;
    }
    m_impl->end_unstarted(exec, "cancelled before it started");
}

Submission ExecutionManager::retry(const std::string& execution_id, const std::string& from_step,
                                   const json& input_overrides, const std::string& trigger) {
    if (!input_overrides.is_null() && !input_overrides.is_object())
        throw invalid("inputs must be an object of name: value");
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->draining) throw unavailable("the daemon is shutting down");
    }
    auto [exec, found] = m_impl->resolve(execution_id);
    if (exec) throw conflict("execution " + exec->id + " has not ended yet");
    const store::ExecutionRecord& original = *found;
    if (is_unfinished(original.status))
        throw conflict("execution " + original.id + " has not ended yet (" + original.status + ")");

    FlowEntry entry = m_impl->runnable_entry(original.flow_name);
    const flow::Flow& flow = *entry.flow;

    // Inputs the current version no longer declares are dropped: they would only make the
    // retry fail. Overrides are kept as given, so a misspelt one is still reported.
    json inputs = json::object();
    if (original.inputs.is_object())
        for (const auto& [name, value] : original.inputs.items())
            if (flow.inputs.count(name)) inputs[name] = value;
    const json overrides = input_overrides.is_object() ? input_overrides : json::object();
    for (const auto& [name, value] : overrides.items()) inputs[name] = value;

    std::vector<std::string> missing_secrets;
    for (const auto& [name, spec] : flow.inputs)
        if (spec.secret && !overrides.contains(name) && inputs.contains(name) && inputs[name] == "***")
            missing_secrets.push_back(name);
    if (!missing_secrets.empty())
        throw invalid(
            "secret inputs are not kept in the history and must be given again: " + quoted_list(missing_secrets),
            json{{"inputs", missing_secrets}});

    std::map<std::string, engine::ReusedStep> reuse;
    if (!from_step.empty()) {
        try {
            reuse = engine::reusable_steps(flow, m_impl->stores.local(), original.id, from_step);
        } catch (const std::invalid_argument& e) {
            throw invalid(e.what());
        }
    }

    RunRequest request;
    request.flow = entry.name;
    request.inputs = std::move(inputs);
    request.trigger = trigger;
    request.trigger_data = original.trigger_data;  // ${{ trigger.* }} as the original saw it
    request.priority = original.priority;
    request.retry_of = original.id;
    request.retry_from = from_step;
    return m_impl->enqueue(std::move(request), entry, std::move(reuse));
}

void ExecutionManager::drain(std::chrono::milliseconds grace) {
    Impl& m = *m_impl;
    std::lock_guard drain_lock(m.drain_mutex);
    const auto deadline = std::chrono::steady_clock::now() + grace;

    std::vector<std::shared_ptr<Execution>> unstarted;
    {
        std::lock_guard lock(m.mutex);
        m.draining = true;
        for (const auto& q : m.queue.take_all()) {
            auto exec = m.live.at(q.execution_id);
            exec->phase = Phase::ending;
            unstarted.push_back(exec);
        }
    }
    for (const auto& exec : unstarted) m.end_unstarted(exec, "daemon stopped before it started");

    std::vector<std::thread> workers;
    {
        std::unique_lock lock(m.mutex);
        if (!m.finished_cv.wait_until(lock, deadline, [&] { return m.running == 0; })) {
            spdlog::warn("cancelling {} execution(s) still running after the drain grace", m.running);
            for (auto& [id, exec] : m.live)
                if (exec->phase == Phase::running) exec->cancel.cancel();
            m.finished_cv.wait(lock, [&] { return m.running == 0; });
        }
        m.stopping = true;
        m.work_cv.notify_all();
        workers.swap(m.workers);
    }
    for (auto& t : workers) t.join();
    m.callbacks.shutdown(std::max(deadline, std::chrono::steady_clock::now() + callback_shutdown_grace));
}

size_t ExecutionManager::queued() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->queue.size();
}

size_t ExecutionManager::running() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->running;
}

uint64_t ExecutionManager::finished_total() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->finished_total;
}

}  // namespace flowctl::daemon
