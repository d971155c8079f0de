// Messages from running units, and finishing steps (which makes their dependents ready).
#include <algorithm>

#include "engine/executor.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

namespace flowctl::engine {
namespace {

std::string outcome_status(steps::Outcome o) {
    switch (o) {
        case steps::Outcome::succeeded:
            return "succeeded";
        case steps::Outcome::failed:
            return "failed";
        case steps::Outcome::timed_out:
            return "timed_out";
        case steps::Outcome::cancelled:
            return "cancelled";
    }
    return "failed";
}

std::string failure_message(const std::string& step_id, int item, const std::string& status, const std::string& error) {
    std::string who = "step '" + step_id + "'" + (item >= 0 ? " (item " + std::to_string(item) + ")" : "");
    if (status == "timed_out") return who + " timed out" + (error.empty() ? "" : ": " + error);
    return who + " failed: " + (error.empty() ? "failed" : error);
}

json result_context(const steps::StepResult& r) {
    return {{"output", r.output},
            {"outputs", r.outputs.is_null() ? json::object() : r.outputs},
            {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)}};
}

}  // namespace

void Executor::handle(Message& m) {
    switch (m.kind) {
        case Message::Kind::attempt_started:
            return on_attempt_started(m);
        case Message::Kind::log:
            return on_log(m);
        case Message::Kind::attempt_finished:
            return on_attempt_finished(m);
        case Message::Kind::retrying:
            return on_retrying(m);
        case Message::Kind::unit_done:
            return complete_unit(m.unit);
        case Message::Kind::subflow_event:
            return pass_on(m.event);
    }
}

void Executor::on_attempt_started(const Message& m) {
    Unit& u = m_units[m.unit];
    const auto& def = m_flow.steps[u.step];
    u.attempt = m.attempt;
    if (m.attempt == 1) u.started_ms = m.ts_ms;
    store::StepRunRecord r;
    r.execution_id = m_record.id;
    r.step_id = def.id;
    r.item_index = u.item;
    r.attempt = m.attempt;
    r.status = "running";
    r.started_ms = m.ts_ms;
    m_history.step_run(r);
    emit(Event::Kind::step_started, def.id, u.item, m.attempt, "running", "", m.ts_ms);
}

void Executor::on_log(const Message& m) {
    const Unit& u = m_units[m.unit];
    const auto& def = m_flow.steps[u.step];
    store::LogRecord l;
    l.execution_id = m_record.id;
    l.step_id = def.id;
    l.item_index = u.item;
    l.ts_ms = m.ts_ms;
    l.level = std::string(steps::to_string(m.level));
    l.stream = m.stream;
    l.message = m.text;
    m_history.log(std::move(l));
    // For step_log the status field carries the stream (stdout, stderr, step, engine).
    emit(Event::Kind::step_log, def.id, u.item, m.attempt, m.stream, m.text, m.ts_ms);
}

json Executor::render_step_outputs(int unit, std::string& error) {
    Unit& u = m_units[unit];
    const auto& def = m_flow.steps[u.step];
    const auto& st = m_steps[u.step];
    json outputs = u.result.outputs.is_object() ? u.result.outputs : json::object();
    if (def.outputs.empty()) return outputs;
    auto& st_env = m_steps[u.step].env_json;
    {
        EnvScope env(m_ctx, st_env);
        ScopedContext result(m_ctx, "result", result_context(u.result));
        std::optional<ScopedContext> item_ctx, index_ctx;
        if (u.item >= 0) {
            item_ctx.emplace(m_ctx, "item", st.items[u.item]);
            index_ctx.emplace(m_ctx, "index", u.item);
        }
        const expr::EvalContext ctx{&m_ctx, status_for(u.step)};
        for (const auto& [name, tmpl] : def.outputs) {
            try {
                outputs[name] = expr::render_value(json(tmpl), ctx);
            } catch (const std::exception& e) {
                error = "outputs." + name + ": " + e.what();
                break;
            }
        }
    }
    return outputs;
}

void Executor::on_attempt_finished(Message& m) {
    Unit& u = m_units[m.unit];
    const auto& def = m_flow.steps[u.step];
    std::string status = outcome_status(m.result.outcome);
    // A unit the engine cancelled reports why the engine stopped it.
    if (status != "succeeded" && !u.cancel_reason.empty()) status = u.cancel_reason;
    std::string error = m.result.error;
    if (status == "cancelled" && error.empty()) error = "cancelled";
    if (status == "timed_out" && error.empty()) error = "timed out";
    u.result = std::move(m.result);
    u.outputs = u.result.outputs.is_object() ? u.result.outputs : json::object();
    if (status == "succeeded") {
        std::string render_error;
        u.outputs = render_step_outputs(m.unit, render_error);
        if (!render_error.empty()) {
            status = "failed";
            error = render_error;
        }
    }
    u.status = status;
    u.error = error;
    u.finished_ms = m.finished_ms;
    m_cpu_ms += u.result.cpu_ms;
    m_max_rss_kb = std::max<int64_t>(m_max_rss_kb, u.result.max_rss_kb);

    store::StepRunRecord r;
    r.execution_id = m_record.id;
    r.step_id = def.id;
    r.item_index = u.item;
    r.attempt = m.attempt;
    r.status = status;
    r.started_ms = m.ts_ms;
    r.finished_ms = m.finished_ms;
    r.duration_ms = m.finished_ms - m.ts_ms;
    r.exit_code = u.result.exit_code;
    r.output = u.result.output;
    r.outputs = u.outputs;
    r.error = error;
    r.cpu_ms = u.result.cpu_ms;
    r.max_rss_kb = u.result.max_rss_kb;
    m_history.step_run(r);
    if (status != "succeeded" && !error.empty())
        log_engine(
            u.step, u.item, steps::LogLevel::error,
            "attempt " + std::to_string(m.attempt) + " " + (status == "failed" ? "failed" : status) + ": " + error);
}

void Executor::on_retrying(const Message& m) {
    const Unit& u = m_units[m.unit];
    const auto& def = m_flow.steps[u.step];
    const int total = u.max_attempts;
    std::string msg = "retrying in " + util::format_duration(util::Millis(m.delay_ms)) + " (attempt " +
                      std::to_string(m.attempt) + " of " + std::to_string(total) + ")";
    log_engine(u.step, u.item, steps::LogLevel::warn, msg);
    emit(Event::Kind::step_retrying, def.id, u.item, m.attempt, u.status, msg, m.ts_ms, m.delay_ms);
}

void Executor::fail_unit_now(int unit, const std::string& error) {
    Unit& u = m_units[unit];
    const int64_t now = util::now_ms();
    u.status = "failed";
    u.error = error;
    u.attempt = 1;
    u.finished_ms = now;
    store::StepRunRecord r;
    r.execution_id = m_record.id;
    r.step_id = m_flow.steps[u.step].id;
    r.item_index = u.item;
    r.status = "failed";
    r.started_ms = u.started_ms;
    r.finished_ms = now;
    r.duration_ms = now - u.started_ms;
    r.error = error;
    m_history.step_run(r);
    log_engine(u.step, u.item, steps::LogLevel::error, error);
    complete_unit(unit);
}

void Executor::complete_unit(int unit) {
    Unit& u = m_units[unit];
    if (u.done) return;
    u.done = true;
    if (u.running) {
        u.running = false;
        --m_running;
    }
    u.cancel.reset();  // frees its file descriptor now, not at the end of the run
    // Cancelled while waiting to retry: the unit ends the way the engine stopped it.
    if (!u.cancel_reason.empty() && u.status != "succeeded") u.status = u.cancel_reason;
    if (u.status.empty()) u.status = "failed";
    auto& st = m_steps[u.step];
    --st.active_units;
    const auto& def = m_flow.steps[u.step];
    if (u.item >= 0)
        emit(Event::Kind::step_finished, def.id, u.item, u.attempt, u.status, u.error, u.finished_ms,
             u.finished_ms - u.started_ms);
    if (is_failure(u.status)) {
        // A failing item stops its siblings under fail_fast, unless the step may fail anyway.
        if (st.is_foreach && m_flow.fail_fast && !st.continue_on_error) {
            st.stop_units = true;
            cancel_units("cancelled", u.step);
        }
        if (!st.continue_on_error) on_flow_failed(failure_message(def.id, u.item, u.status, u.error));
    }
    maybe_finish_step(u.step);
}

void Executor::maybe_finish_step(int step) {
    auto& st = m_steps[step];
    if (st.phase == StepState::Phase::done || st.active_units > 0) return;
    if (!st.is_foreach) {
        if (st.units.empty()) return;  // not started
        const Unit& u = m_units[st.units[0]];
        return finish_step(step, u.status, u.error);
    }
    if (!st.stop_units && st.next_item < st.items.size()) {
        if (!st.in_queue) {
            st.in_queue = true;
            m_queue.push_back(step);
        }
        return;
    }
    // Worst status first; items never started (stopped early) count as cancelled.
    std::string status = "succeeded", error;
    size_t not_started = 0;
    auto rank = [](const std::string& s) {
        return s == "failed" ? 3 : s == "timed_out" ? 2 : s == "cancelled" ? 1 : 0;
    };
    for (size_t i = 0; i < st.units.size(); ++i) {
        if (st.units[i] < 0) ++not_started;
        std::string s = st.units[i] < 0 ? "cancelled" : m_units[st.units[i]].status;
        if (rank(s) > rank(status)) {
            status = s;
            error = st.units[i] < 0 ? "not started" : "item " + std::to_string(i) + ": " + m_units[st.units[i]].error;
        }
    }
    // The item rows alone would not show that some items never ran: the step's own row says so
    // (a retry must not take the items that did run for the whole step).
    if (not_started > 0) record_step_row(step, status, error);
    finish_step(step, status, error);
}

void Executor::finish_step(int step, const std::string& status, const std::string& error) {
    auto& st = m_steps[step];
    const auto& def = m_flow.steps[step];
    st.phase = StepState::Phase::done;
    st.status = status;
    st.error = error;
    st.finished_ms = util::now_ms();
    if (!st.started_ms) st.started_ms = st.finished_ms;
    st.env.reset();
    st.env_json.reset();

    json entry = {{"status", status},
                  {"conclusion", is_failure(status) && st.continue_on_error ? "succeeded" : status}};
    if (st.is_foreach) {
        json outputs = json::array(), output = json::array(), codes = json::array();
        for (int id : st.units) {
            if (id < 0) {
                outputs.push_back(nullptr);
                output.push_back(nullptr);
                codes.push_back(nullptr);
                continue;
            }
            const Unit& u = m_units[id];
            outputs.push_back(u.outputs);
            output.push_back(u.result.output);
            codes.push_back(u.result.exit_code ? json(*u.result.exit_code) : json(nullptr));
        }
        entry["outputs"] = std::move(outputs);
        entry["output"] = std::move(output);
        entry["exit_code"] = std::move(codes);
    } else if (st.reused) {
        entry["outputs"] = st.reused->outputs;
        entry["output"] = st.reused->output;
        entry["exit_code"] = nullptr;
    } else if (!st.units.empty()) {
        const Unit& u = m_units[st.units[0]];
        entry["outputs"] = u.outputs;
        entry["output"] = u.result.output;
        entry["exit_code"] = u.result.exit_code ? json(*u.result.exit_code) : json(nullptr);
    } else {
        entry["outputs"] = json::object();
        entry["output"] = nullptr;
        entry["exit_code"] = nullptr;
    }
    m_ctx["steps"][def.id] = std::move(entry);

    const int attempts = !st.is_foreach && st.units.size() == 1 ? std::max(1, m_units[st.units[0]].attempt) : 1;
    emit(Event::Kind::step_finished, def.id, -1, attempts, status, error, st.finished_ms,
         st.finished_ms - st.started_ms);

    if (is_failure(status) && !st.continue_on_error) on_flow_failed(failure_message(def.id, -1, status, error));

    const bool failed = is_failure(status) && !st.continue_on_error;
    const bool skipped = is_skip(status);
    for (int d : m_dag.dependents[step]) {
        auto& dep = m_steps[d];
        dep.ancestor_failed = dep.ancestor_failed || failed || st.ancestor_failed;
        dep.ancestor_skipped = dep.ancestor_skipped || skipped || st.ancestor_skipped;
        if (--dep.pending_needs == 0) m_ready.push_back(d);
    }
}

void Executor::record_step_row(int step, const std::string& status, const std::string& error, json output,
                               json outputs) {
    const int64_t now = util::now_ms();
    store::StepRunRecord r;
    r.execution_id = m_record.id;
    r.step_id = m_flow.steps[step].id;
    r.status = status;
    r.started_ms = now;
    r.finished_ms = now;
    r.output = std::move(output);
    r.outputs = std::move(outputs);
    r.error = error;
    m_history.step_run(r);
    if (!error.empty()) log_engine(step, -1, steps::LogLevel::error, error);
}

void Executor::log_engine(int step, int item, steps::LogLevel level, const std::string& message) {
    store::LogRecord l;
    l.execution_id = m_record.id;
    l.step_id = step >= 0 ? m_flow.steps[step].id : "";
    l.item_index = item;
    l.ts_ms = util::now_ms();
    l.level = std::string(steps::to_string(level));
    l.stream = "engine";
    l.message = message;
    m_history.log(std::move(l));
}

}  // namespace flowctl::engine
