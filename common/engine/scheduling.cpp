// Readiness, `if:` evaluation, starting units, fail-fast and cancellation.
#include <filesystem>
#include <memory>

#include "engine/executor.hpp"
#include "engine/step_runner.hpp"
#include "engine/subflow_runner.hpp"
#include "util/time.hpp"

namespace flowctl::engine {
namespace {

std::string describe_type(const json& v) {
    if (v.is_object()) return "an object";
    if (v.is_string()) return "a string (\"" + v.get<std::string>() + "\")";
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number (" + v.dump() + ")";
    return v.type_name();
}

flow::RetryPolicy retry_policy(const flow::StepDef& def, const flow::StepDefaults& defaults) {
    const flow::RetryPolicy plain;
    const bool step_sets = def.key_pos.count("retry") || def.retry.attempts != plain.attempts ||
                           def.retry.delay != plain.delay || def.retry.backoff != plain.backoff ||
                           def.retry.max_delay != plain.max_delay;
    if (!step_sets && defaults.retry) return *defaults.retry;
    return def.retry;
}

}  // namespace

expr::Status Executor::status_for(int step) const {
    const auto& st = m_steps[step];
    return {.any_failed = st.ancestor_failed || (m_flow.fail_fast && m_flow_failed),
            .any_skipped = st.ancestor_skipped,
            .cancelled = m_cancel_seen || m_timeout_seen};
}

void Executor::drain_ready() {
    // A worklist, not recursion: skipping a step can make a long chain ready at once.
    while (!m_ready.empty()) {
        std::vector<int> batch;
        batch.swap(m_ready);
        for (int step : batch) activate(step);
    }
}

void Executor::activate(int step) {
    auto& st = m_steps[step];
    const auto& def = m_flow.steps[step];
    if (st.phase != StepState::Phase::waiting) return;
    if (auto it = m_options.reuse.find(def.id); it != m_options.reuse.end()) return reuse_step(step, it->second);
    if (!m_dag.errors[step].empty()) {
        record_step_row(step, "failed", m_dag.errors[step]);
        finish_step(step, "failed", m_dag.errors[step]);
        return;
    }
    bool run = false;
    try {
        expr::EvalContext ctx{&m_ctx, status_for(step)};
        run = expr::evaluate_condition(def.if_condition, ctx);
    } catch (const std::exception& e) {
        std::string error = std::string("if: ") + e.what();
        record_step_row(step, "failed", error);
        finish_step(step, "failed", error);
        return;
    }
    if (!run) {
        std::string status = interrupt_status();
        record_step_row(step, status, "");
        finish_step(step, status, "");
        return;
    }
    st.started_ms = util::now_ms();
    if (!prepare_step(step)) return;
    st.phase = StepState::Phase::queued;
    st.in_queue = true;
    m_queue.push_back(step);
}

/// A retry takes the step's result from the earlier execution: recorded as one attempt that
/// took no time, and finished like any other step so that its dependents see its outputs.
void Executor::reuse_step(int step, const ReusedStep& reused) {
    auto& st = m_steps[step];
    const auto& def = m_flow.steps[step];
    const int64_t now = util::now_ms();
    st.reused = &reused;
    st.started_ms = now;
    emit(Event::Kind::step_started, def.id, -1, 1, "running", "reused from execution " + reused.from_execution, now);
    record_step_row(step, reused.status, "", reused.output, reused.outputs);
    log_engine(step, -1, steps::LogLevel::info, "reused from execution " + reused.from_execution);
    finish_step(step, reused.status, "");
}

/// Renders what all units of the step share: env, working directory, for_each items.
/// False when the step failed (or finished, for an empty list) here.
bool Executor::prepare_step(int step) {
    auto& st = m_steps[step];
    const auto& def = m_flow.steps[step];
    const expr::Status status = status_for(step);
    auto fail = [&](const std::string& error) {
        record_step_row(step, "failed", error);
        finish_step(step, "failed", error);
        return false;
    };
    if (m_flow.defaults.env.empty() && def.env.empty()) {
        st.env = m_flow_env;
        st.env_json.reset();
    } else {
        try {
            auto env = std::make_shared<std::map<std::string, std::string>>(*m_flow_env);
            render_env(m_flow.defaults.env, *env, m_ctx, status);
            render_env(def.env, *env, m_ctx, status);
            m_ctx["env"] = m_flow_env_json;
            st.env_json = env_to_json(*env);
            st.env = std::move(env);
        } catch (const std::exception& e) {
            m_ctx["env"] = m_flow_env_json;
            return fail(e.what());
        }
    }
    if (!def.for_each.is_null()) {
        json items;
        try {
            EnvScope env(m_ctx, st.env_json);
            items = expr::render_value(def.for_each, {&m_ctx, status});
        } catch (const std::exception& e) {
            return fail(std::string("for_each: ") + e.what());
        }
        if (!items.is_array()) return fail("for_each must be a list, got " + describe_type(items));
        st.is_foreach = true;
        st.items = std::move(items);
        st.units.assign(st.items.size(), -1);
        st.max_units = std::max(1, def.max_parallel.value_or(m_flow.max_parallel));
        if (st.items.empty()) {
            record_step_row(step, "succeeded", "", json::array(), json::array());
            finish_step(step, "succeeded", "");
            return false;
        }
    }
    return true;
}

void Executor::schedule() {
    while (!m_state_changed && m_running < m_max_parallel && !m_queue.empty()) {
        const int step = m_queue.front();
        auto& st = m_steps[step];
        if (st.phase == StepState::Phase::done) {
            m_queue.pop_front();
            st.in_queue = false;
            continue;
        }
        if (!st.is_foreach) {
            m_queue.pop_front();
            st.in_queue = false;
            st.phase = StepState::Phase::running;
            start_unit(step, -1);
            continue;
        }
        if (st.stop_units || st.next_item >= st.items.size() || st.active_units >= st.max_units) {
            // Re-queued by complete_unit when one of its items ends and more may start.
            m_queue.pop_front();
            st.in_queue = false;
            continue;
        }
        st.phase = StepState::Phase::running;
        start_unit(step, static_cast<int>(st.next_item));
    }
}

void Executor::start_unit(int step, int item) {
    auto& st = m_steps[step];
    const auto& def = m_flow.steps[step];
    const int id = static_cast<int>(m_units.size());
    m_units.push_back({});
    Unit& u = m_units.back();
    u.step = step;
    u.item = item;
    u.started_ms = util::now_ms();
    ++st.active_units;
    if (item >= 0) {
        st.units[item] = id;
        ++st.next_item;
    } else {
        st.units.assign(1, id);
    }

    const steps::StepType* type = steps::find_step_type(def.type);
    if (!type) return fail_unit_now(id, "unknown step type '" + def.type + "'");

    UnitJob job;
    job.unit = id;
    job.type = type;
    std::optional<std::map<std::string, std::string>> item_env;
    try {
        EnvScope env(m_ctx, st.env_json);
        std::optional<ScopedContext> item_ctx, index_ctx;
        if (item >= 0) {
            item_ctx.emplace(m_ctx, "item", st.items[item]);
            index_ctx.emplace(m_ctx, "index", item);
        }
        const expr::EvalContext ctx{&m_ctx, status_for(step)};
        json params = def.params.is_null() ? json::object() : def.params;
        if (def.type == "run" && m_flow.defaults.shell && params.is_object() && !params.contains("shell"))
            params["shell"] = *m_flow.defaults.shell;
        job.context.params = expr::render_value(params, ctx);

        std::string cwd = def.cwd.empty() ? m_flow.defaults.cwd.value_or("") : def.cwd;
        cwd = render_text(cwd, ctx);
        std::filesystem::path dir = cwd.empty() ? std::filesystem::path(m_where.dir) : std::filesystem::path(cwd);
        if (dir.is_relative()) dir = std::filesystem::path(m_where.dir) / dir;
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            return fail_unit_now(id, "working directory '" + dir.string() + "' does not exist");
        job.context.cwd = dir.lexically_normal().string();
        if (item >= 0 && (!def.env.empty() || !m_flow.defaults.env.empty())) {
            // A for_each step's env may use item and index, so it is rendered per item.
            item_env = *m_flow_env;
            render_env(m_flow.defaults.env, *item_env, m_ctx, ctx.status);
            render_env(def.env, *item_env, m_ctx, ctx.status);
        }
    } catch (const std::exception& e) {
        return fail_unit_now(id, e.what());
    }

    job.context.env = item_env ? std::move(*item_env) : *st.env;
    job.context.env["FLOWCTL_EXECUTION_ID"] = m_record.id;
    job.context.env["FLOWCTL_FLOW_NAME"] = m_flow.name;
    job.context.env["FLOWCTL_STEP_ID"] = def.id;
    if (item >= 0) job.context.env["FLOWCTL_ITEM_INDEX"] = std::to_string(item);
    job.context.flow_dir = m_where.dir;
    job.context.output_cap = 1 << 20;
    job.retry = retry_policy(def, m_flow.defaults);
    u.max_attempts = std::max(1, job.retry.attempts);
    job.timeout = def.timeout ? def.timeout : m_flow.defaults.timeout;
    job.flow_deadline = m_flow_deadline;
    try {
        job.cancel = std::make_shared<util::CancelToken>();
    } catch (const std::exception& e) {
        return fail_unit_now(id, std::string("cannot start: ") + e.what());
    }
    SubflowSettings sub{.parent_id = m_record.id,
                        .step_id = def.id,
                        .depth = m_options.depth,
                        .base_env = &m_options.base_env,
                        .commit_interval = m_options.commit_interval,
                        .state_dir = m_store.db_path().parent_path(),
                        .flow_dir = m_where.dir,
                        .cancel = job.cancel,
                        .on_event = {}};
    if (m_options.on_event) {
        // The sub-flow's events reach our caller through our own thread, in order.
        sub.on_event = [this](const Event& e) {
            Message m;
            m.kind = Message::Kind::subflow_event;
            m.event = e;
            m_mailbox.push(std::move(m));
        };
    }
    job.context.run_subflow = [sub = std::move(sub)](const steps::SubflowRequest& request) {
        return run_subflow(request, sub);
    };

    u.cancel = job.cancel;
    u.running = true;
    ++m_running;
    auto shared = std::make_shared<UnitJob>(std::move(job));
    if (type->runs_inline()) {
        run_unit(*shared, m_mailbox);  // its messages are handled in the next turn of the loop
        return;
    }
    if (!m_pool.submit([shared, this] { run_unit(*shared, m_mailbox); })) {
        u.running = false;
        --m_running;
        fail_unit_now(id, "cannot start a thread for the step");
    }
}

void Executor::cancel_units(const std::string& reason, int only_step) {
    auto cancel = [&](Unit& u) {
        if (!u.running || u.done) return;
        if (u.cancel_reason.empty()) u.cancel_reason = reason;
        if (u.cancel) u.cancel->cancel();
    };
    if (only_step >= 0) {
        for (int id : m_steps[only_step].units)
            if (id >= 0) cancel(m_units[id]);
        return;
    }
    for (auto& u : m_units) cancel(u);
}

void Executor::on_flow_failed(const std::string& message) {
    m_flow_failed = true;
    if (m_error.empty()) m_error = message;
    if (m_flow.fail_fast && !m_fail_fast_done && m_interrupt.empty()) {
        m_fail_fast_done = true;
        log_engine(-1, -1, steps::LogLevel::error, message + "; cancelling the other running steps (fail_fast)");
        cancel_units("cancelled");
        m_state_changed = true;
    }
}

void Executor::reevaluate_pending() {
    // Steps that have started stop starting further for_each items.
    for (size_t i = 0; i < m_steps.size(); ++i) {
        auto& st = m_steps[i];
        if (st.phase == StepState::Phase::running && st.is_foreach) st.stop_units = true;
    }
    // Steps that have not started are evaluated again under the new status.
    std::deque<int> queue;
    queue.swap(m_queue);
    for (int step : queue) {
        auto& st = m_steps[step];
        st.in_queue = false;
        if (st.phase == StepState::Phase::done) continue;
        if (st.phase == StepState::Phase::running) {
            maybe_finish_step(step);
            continue;
        }
        bool run = false;
        try {
            run = expr::evaluate_condition(m_flow.steps[step].if_condition, {&m_ctx, status_for(step)});
        } catch (const std::exception&) {
            run = false;  // it evaluated before; an error now only means it does not run
        }
        if (run) {
            st.in_queue = true;
            m_queue.push_back(step);
        } else {
            std::string status = interrupt_status();
            record_step_row(step, status, "");
            finish_step(step, status, "");
        }
    }
    for (size_t i = 0; i < m_steps.size(); ++i) {
        auto& st = m_steps[i];
        if (st.phase == StepState::Phase::running && st.is_foreach && st.active_units == 0)
            maybe_finish_step(static_cast<int>(i));
    }
}

}  // namespace flowctl::engine
