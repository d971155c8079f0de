#include "engine/executor.hpp"

#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "util/duration.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::engine {
namespace {

// How often the wait wakes up to look at the caller's cancel token.
constexpr std::chrono::milliseconds cancel_poll{50};

json redact_inputs(const flow::Flow& flow, const json& inputs) {
    json out = inputs;
    for (const auto& [name, spec] : flow.inputs)
        if (spec.secret && out.contains(name) && !out[name].is_null()) out[name] = "***";
    return out;
}

/// (pid, start time) identify the process that owns an execution; the start time is read
/// once per process rather than once per run.
int64_t own_start_time(int pid) {
    static std::mutex mutex;  // sub-flows start runs from worker threads
    std::lock_guard lock(mutex);
    static int cached_pid = 0;
    static int64_t cached_start = 0;
    if (cached_pid != pid) {
        cached_start = store::Store::process_start_time(pid);
        cached_pid = pid;
    }
    return cached_start;
}

}  // namespace

Executor::Executor(const flow::Flow& flow, store::Store& store, const RunOptions& options, json inputs)
    : m_flow(flow),
      m_store(store),
      m_options(options),
      m_inputs(std::move(inputs)),
      m_history(store, options.commit_interval),
      m_pool(static_cast<size_t>(std::max(1, flow.max_parallel))) {
    m_max_parallel = std::max(1, flow.max_parallel);
}

RunResult Executor::run() {
    start_execution();  // StoreError here: nothing ran
    try {
        main_loop();
    } catch (const store::StoreError&) {
        abort_workers();
        throw;
    } catch (const std::exception& e) {
        abort_workers();
        m_flow_failed = true;
        m_internal_error = true;
        if (m_error.empty()) m_error = std::string("internal error: ") + e.what();
    }
    m_pool.shutdown();
    close_unfinished_steps();
    return finish();
}

void Executor::start_execution() {
    m_start = Clock::now();
    const int64_t now = util::now_ms();
    m_where = locate_flow(m_flow);

    m_record.id = m_options.execution_id.empty() ? util::new_execution_id(now) : m_options.execution_id;
    m_record.flow_name = m_flow.name;
    m_record.flow_path = m_where.path.empty() ? m_flow.source_path : m_where.path;
    m_record.def_hash = m_flow.hash.empty() ? util::sha256_hex(m_flow.source_text) : m_flow.hash;
    m_record.parent_id = m_options.parent_id;
    m_record.trigger = m_options.trigger;
    m_record.trigger_data = m_options.trigger_data.is_object() ? m_options.trigger_data : json::object();
    m_record.inputs = redact_inputs(m_flow, m_inputs);
    m_record.status = "running";
    m_record.created_ms = now;
    m_record.started_ms = now;
    m_record.owner_pid = static_cast<int>(::getpid());
    m_record.owner_start = own_start_time(m_record.owner_pid);
    m_record.version_id = m_options.version_id;
    m_record.retry_of = m_options.retry_of;
    m_record.retry_from = m_options.retry_from;
    if (m_flow.timeout) m_flow_deadline = m_start + *m_flow.timeout;
    if (m_options.deadline)
        m_flow_deadline = m_flow_deadline ? std::min(*m_flow_deadline, *m_options.deadline) : *m_options.deadline;

    if (m_options.row_exists) {
        adopt_pending_row();
    } else {
        // Committed on its own before any step starts; not fsync'ed, as it only has to outlive
        // this process (the final commit is synced under synchronous=FULL).
        m_store.insert_execution(m_record, false);
    }

    m_ctx = base_contexts(m_flow, m_where, m_inputs, m_record.id, now, m_options);
    emit(Event::Kind::execution_started, "", -1, 1, "running", "", now);

    auto flow_env = std::make_shared<std::map<std::string, std::string>>(m_options.base_env);
    try {
        render_env(m_flow.env, *flow_env, m_ctx, {});
    } catch (const std::exception& e) {
        m_setup_error = e.what();
    }
    m_flow_env_json = env_to_json(*flow_env);
    m_flow_env = std::move(flow_env);
    m_ctx["env"] = m_flow_env_json;

    m_dag = build_dag(m_flow);
    m_steps.resize(m_flow.steps.size());
    for (size_t i = 0; i < m_flow.steps.size(); ++i) {
        const auto& def = m_flow.steps[i];
        auto& st = m_steps[i];
        st.pending_needs = static_cast<int>(m_dag.needs[i].size());
        st.continue_on_error = def.continue_on_error || (!def.key_pos.count("continue_on_error") &&
                                                         m_flow.defaults.continue_on_error.value_or(false));
        if (st.pending_needs == 0) m_ready.push_back(static_cast<int>(i));
    }
}

/// A queued execution: its row (with the queue's fields: priority, schedule, callback, version)
/// is already there, and the final update must keep those fields.
void Executor::adopt_pending_row() {
    m_store.mark_started(m_record.id, m_record.started_ms, m_record.owner_pid, m_record.owner_start);
    auto row = m_store.get_execution(m_record.id);
    if (!row) throw store::StoreError("history database: execution '" + m_record.id + "' disappeared");
    m_record.created_ms = row->created_ms;
    m_record.priority = row->priority;
    m_record.scheduled_ms = row->scheduled_ms;
    m_record.callback_url = row->callback_url;
    if (!m_record.version_id) m_record.version_id = row->version_id;
    if (m_record.retry_of.empty()) m_record.retry_of = row->retry_of;
    if (m_record.retry_from.empty()) m_record.retry_from = row->retry_from;
}

void Executor::main_loop() {
    if (!m_setup_error.empty()) {
        m_flow_failed = true;
        m_error = "flow env: " + m_setup_error;
        m_ready.clear();
        return;  // every step is closed as skipped
    }
    for (;;) {
        check_interrupts();
        drain_ready();
        if (m_state_changed) {
            m_state_changed = false;
            reevaluate_pending();
            continue;
        }
        schedule();
        if (m_state_changed || !m_ready.empty()) continue;
        if (m_running == 0 && m_queue.empty()) break;

        auto messages = m_mailbox.wait(wake_time());
        check_interrupts();  // a flow timeout must be seen before the timed-out units report
        for (auto& m : messages) handle(m);
        m_history.flush_if_due();
    }
}

Executor::Clock::time_point Executor::wake_time() const {
    auto t = Clock::now() + (m_options.cancel ? cancel_poll : std::chrono::milliseconds(1000));
    if (auto d = m_history.deadline()) t = std::min(t, *d);
    if (m_flow_deadline && !m_timeout_seen) t = std::min(t, *m_flow_deadline);
    return t;
}

void Executor::check_interrupts() {
    if (!m_cancel_seen && m_options.cancel && m_options.cancel->cancelled()) {
        m_cancel_seen = true;
        if (m_interrupt.empty()) m_interrupt = "cancelled";
        log_engine(-1, -1, steps::LogLevel::warn, "execution cancelled");
        cancel_units("cancelled");
        m_state_changed = true;
    }
    if (!m_timeout_seen && m_flow_deadline && Clock::now() >= *m_flow_deadline) {
        m_timeout_seen = true;
        if (m_interrupt.empty()) m_interrupt = "timed_out";
        log_engine(-1, -1, steps::LogLevel::error, timeout_message());
        cancel_units("timed_out");
        m_state_changed = true;
    }
}

std::string Executor::interrupt_status() const { return m_interrupt == "cancelled" ? "cancelled" : "skipped"; }

void Executor::abort_workers() noexcept {
    for (auto& u : m_units)
        if (u.running && u.cancel) u.cancel->cancel();
    m_pool.shutdown();
}

void Executor::close_unfinished_steps() {
    // Only reached with steps left when the graph has a cycle, the flow env failed, or an
    // internal error stopped the loop: close them so the history lists every step.
    for (size_t i = 0; i < m_steps.size(); ++i) {
        auto& st = m_steps[i];
        if (st.phase == StepState::Phase::done) continue;
        std::string status = m_interrupt == "cancelled" ? "cancelled" : "skipped";
        std::string error =
            m_setup_error.empty() && !m_internal_error ? "never became ready (its needs form a cycle)" : "";
        for (int id : st.units) {
            if (id < 0 || m_units[id].done) continue;
            auto& u = m_units[id];
            u.done = true;
            u.status = "cancelled";
        }
        st.phase = StepState::Phase::done;
        st.status = status;
        record_step_row(static_cast<int>(i), status, error);
        m_ctx["steps"][m_flow.steps[i].id] = {{"status", status},
                                              {"outputs", json::object()},
                                              {"output", nullptr},
                                              {"exit_code", nullptr},
                                              {"conclusion", status}};
    }
}

std::string Executor::timeout_message() const {
    if (m_flow.timeout && (!m_options.deadline || m_start + *m_flow.timeout <= *m_options.deadline))
        return "flow timed out after " + util::format_duration(*m_flow.timeout);
    return "the calling step's timeout passed";
}

RunResult Executor::finish() {
    std::string status = !m_interrupt.empty() ? m_interrupt : m_flow_failed ? "failed" : "succeeded";
    // A step that hit the flow's deadline a moment before the engine noticed it: the flow
    // timed out, it did not fail on its own.
    if (status == "failed" && m_flow_deadline && Clock::now() >= *m_flow_deadline) status = "timed_out";
    std::string error;
    if (status == "cancelled")
        error = "execution cancelled";
    else if (status == "timed_out")
        error = timeout_message();
    else if (status == "failed")
        error = m_error.empty() ? "failed" : m_error;

    json outputs = json::object();
    m_ctx["env"] = m_flow_env_json;
    expr::EvalContext ctx{&m_ctx,
                          {.any_failed = m_flow_failed, .any_skipped = false, .cancelled = !m_interrupt.empty()}};
    for (const auto& [name, tmpl] : m_flow.outputs) {
        try {
            outputs[name] = expr::render_value(json(tmpl), ctx);
        } catch (const std::exception& e) {
            if (status != "succeeded") continue;  // best effort after a failure
            status = "failed";
            error = "flow output '" + name + "': " + e.what();
        }
    }

    const int64_t now = util::now_ms();
    m_record.status = status;
    m_record.error = error;
    m_record.finished_ms = now;
    m_record.duration_ms = now - m_record.started_ms;
    m_record.cpu_ms = m_cpu_ms;
    m_record.max_rss_kb = m_max_rss_kb;
    m_record.outputs = outputs;
    m_history.execution(m_record);
    m_history.flush();

    emit(Event::Kind::execution_finished, "", -1, 1, status, error, now, m_record.duration_ms);
    return {m_record.id, status, error, outputs};
}

void Executor::emit(Event::Kind kind, const std::string& step_id, int item, int attempt, const std::string& status,
                    const std::string& message, int64_t ts_ms, int64_t duration_ms) {
    if (!m_options.on_event) return;
    Event e;
    e.kind = kind;
    e.execution_id = m_record.id;
    e.flow_name = m_flow.name;
    e.parent_id = m_options.parent_id;
    e.step_id = step_id;
    e.item_index = item;
    e.attempt = attempt;
    e.status = status;
    e.message = message;
    e.ts_ms = ts_ms;
    e.duration_ms = duration_ms;
    pass_on(e);
}

void Executor::pass_on(const Event& e) {
    if (!m_options.on_event) return;
    try {
        m_options.on_event(e);
    } catch (...) {
        // A broken live view must not break the run.
    }
}

}  // namespace flowctl::engine
