#pragma once
// One run of one flow. Everything here runs on the thread that called run_flow except the
// units submitted to the pool (step_runner), which report back through the mailbox.
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/context.hpp"
#include "engine/dag_state.hpp"
#include "engine/engine.hpp"
#include "engine/history_writer.hpp"
#include "engine/mailbox.hpp"
#include "engine/worker_pool.hpp"
#include "expr/expr.hpp"

namespace flowctl::engine {

class Executor {
public:
    Executor(const flow::Flow& flow, store::Store& store, const RunOptions& options, json inputs);
    RunResult run();

private:
    using Clock = std::chrono::steady_clock;

    // executor.cpp: the run's life and the main loop
    void start_execution();
    void adopt_pending_row();
    void main_loop();
    RunResult finish();
    void abort_workers() noexcept;
    void emit(Event::Kind kind, const std::string& step_id, int item, int attempt, const std::string& status,
              const std::string& message, int64_t ts_ms, int64_t duration_ms = 0);
    void check_interrupts();
    Clock::time_point wake_time() const;
    void close_unfinished_steps();
    std::string interrupt_status() const;
    std::string timeout_message() const;

    // scheduling.cpp: readiness, `if`, starting units, fail-fast and cancellation
    expr::Status status_for(int step) const;
    void drain_ready();
    void activate(int step);
    void reuse_step(int step, const ReusedStep& reused);
    bool prepare_step(int step);
    void schedule();
    void start_unit(int step, int item);
    void reevaluate_pending();
    void cancel_units(const std::string& reason, int only_step = -1);
    void on_flow_failed(const std::string& message);

    // completion.cpp: messages from units, finishing steps
    void handle(Message& m);
    void pass_on(const Event& e);
    void on_attempt_started(const Message& m);
    void on_log(const Message& m);
    void on_attempt_finished(Message& m);
    void on_retrying(const Message& m);
    void fail_unit_now(int unit, const std::string& error);
    void complete_unit(int unit);
    void maybe_finish_step(int step);
    void finish_step(int step, const std::string& status, const std::string& error);
    void record_step_row(int step, const std::string& status, const std::string& error, json output = nullptr,
                         json outputs = json::object());
    void log_engine(int step, int item, steps::LogLevel level, const std::string& message);
    json render_step_outputs(int unit, std::string& error);

    const flow::Flow& m_flow;
    store::Store& m_store;
    const RunOptions& m_options;
    json m_inputs;

    store::ExecutionRecord m_record;
    FlowLocation m_where;
    json m_ctx;                                                            // the expression contexts
    std::shared_ptr<const std::map<std::string, std::string>> m_flow_env;  // base_env + rendered flow env
    json m_flow_env_json;
    std::string m_setup_error;  // flow env failed to render: no step runs
    Clock::time_point m_start;
    std::optional<Clock::time_point> m_flow_deadline;

    Dag m_dag;
    std::vector<StepState> m_steps;
    std::deque<Unit> m_units;  // stable addresses; indexed by unit id
    std::deque<int> m_queue;   // steps that may start units, in readiness order
    std::vector<int> m_ready;  // steps whose needs all finished, not yet evaluated
    int m_running = 0;
    int m_max_parallel = 1;
    bool m_state_changed = false;  // pending steps must be evaluated again

    bool m_flow_failed = false;
    bool m_internal_error = false;  // the loop stopped on an unexpected exception
    bool m_fail_fast_done = false;
    std::string m_error;
    bool m_cancel_seen = false;
    bool m_timeout_seen = false;
    std::string m_interrupt;  // the first of cancelled | timed_out
    int64_t m_cpu_ms = 0;
    int64_t m_max_rss_kb = 0;

    Mailbox m_mailbox;
    HistoryWriter m_history;
    WorkerPool m_pool;  // last: joined before the mailbox goes away
};

}  // namespace flowctl::engine
