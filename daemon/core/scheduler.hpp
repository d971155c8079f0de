#pragma once
// Fires time triggers exactly once per slot. Each due slot (flow, trigger key, scheduled time)
// is written to the schedule ledger in the same transaction as the execution it starts, and
// the ledger's unique key refuses a second write: a restart, a re-save of the flow file or a
// reload can never fire a slot twice. Slots that passed while flowd was down or the machine
// slept are caught up by the trigger's policy (none | latest | all, within catchup_window,
// at most max_catchup runs), and every one of them is recorded with what happened to it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/execution_manager.hpp"
#include "core/stores.hpp"
#include "core/time_trigger.hpp"

namespace flowctl::daemon {

class Scheduler {
public:
    using Submit = std::function<Submission(RunRequest)>;

    Scheduler(Clock& clock, Stores& stores, Submit submit);
    ~Scheduler();  // stop()

    /// Replaces the time triggers of one group (a flow's, or one ad hoc schedule's; an empty
    /// list disarms it). A trigger whose key was already armed keeps its place; a new one is
    /// armed now. With `catch_up`, triggers resume from their last recorded slot, so what was
    /// missed while flowd was down is caught up on the next pass (used when flowd starts);
    /// otherwise they start from now.
    void set_group(const std::string& group, std::vector<TimeTrigger> triggers, bool catch_up);

    void start();
    void stop();

    /// One pass now (the thread does this whenever a slot comes due).
    void run_due();

    struct TriggerStatus {
        TimeTrigger trigger;
        int64_t armed_ms = 0;
        std::optional<int64_t> next_ms;  // slot time of the next firing
        int64_t next_fire_ms = 0;        // with its jitter
    };
    std::vector<TriggerStatus> status() const;

    /// For the lateness benchmark: called with a slot's due time (jitter included) when it is
    /// handed to the execution manager (committed false) and once its ledger row and execution
    /// are committed (true).
    using FireObserver = std::function<void(int64_t due_ms, bool committed)>;
    void observe_fires(FireObserver observer);

    /// A slot late by more than this is "missed" (catch-up policy), except the newest one of a
    /// pass, which may be up to on_time_limit_ms late and still fire as usual.
    static constexpr int64_t late_tolerance_ms = 1'000;
    static constexpr int64_t on_time_limit_ms = 60'000;
    /// Missed slots recorded one row each per pass; older ones are summed up in one row.
    static constexpr size_t record_limit = 1'000;

private:
    struct State;
    void run();
    void process(State& state, int64_t now, const std::string& why);
    void fire(State& state, int64_t slot, bool caught_up, const std::string& why);
    int64_t next_deadline() const;

    Clock& m_clock;
    Stores& m_stores;
    Submit m_submit;
    FireObserver m_observer;
    mutable std::mutex m_mutex;  // guards m_groups
    std::map<std::string, std::vector<std::shared_ptr<State>>> m_groups;
    std::mutex m_pass_mutex;                      // one pass at a time, and no trigger replaced during one
    std::string m_why = "flowd was not running";  // why slots of the next pass were missed
    std::thread m_thread;
    bool m_stopping = false;
};

}  // namespace flowctl::daemon
