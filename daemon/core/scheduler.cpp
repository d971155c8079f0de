#include "core/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

#include "core/trigger_inputs.hpp"
#include "http/api_error.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

/// Thrown from the ledger write when the slot is already there: the run is rolled back.
struct SlotTaken {};

/// Slots looked at in one pass at most (a per-second schedule missed for a whole day is
/// 86,400 slots; more than this and the oldest are summed up without being enumerated).
constexpr size_t enumerate_limit = 200'000;

std::string trigger_name(const TimeTrigger& t) { return t.kind == "reboot" ? "schedule" : t.kind; }

}  // namespace

struct Scheduler::State {
    TimeTrigger trigger;
    int64_t armed_ms = 0;
    std::optional<int64_t> next;  // the first slot not yet handled
};

Scheduler::Scheduler(Clock& clock, Stores& stores, Submit submit)
    : m_clock(clock), m_stores(stores), m_submit(std::move(submit)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::set_group(const std::string& group, std::vector<TimeTrigger> triggers, bool catch_up) {
    // Not while a pass is reading the triggers it is about to replace.
    std::lock_guard pass(m_pass_mutex);
    const int64_t now = m_clock.now_ms();
    const int64_t arm_at = now / 1000 * 1000;  // whole seconds: intervals tick on them
    std::vector<std::shared_ptr<State>> next_states;
    std::vector<std::shared_ptr<State>> current;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_groups.find(group); it != m_groups.end()) current = it->second;
    }
    auto& store = m_stores.local();
    for (auto& t : triggers) {
        auto same = std::find_if(current.begin(), current.end(),
                                 [&](const auto& s) { return s->trigger.flow == t.flow && s->trigger.key == t.key; });
        if (same != current.end()) {
            std::lock_guard lock(m_mutex);
            (*same)->trigger = std::move(t);  // inputs or jitter may have changed; the timing did not
            next_states.push_back(*same);
            continue;
        }
        auto state = std::make_shared<State>();
        state->armed_ms = store.arm_trigger(t.flow, t.key, arm_at);
        const auto last = store.last_slot_ms(t.flow, t.key);
        // Resume where the ledger ends (catch-up), unless the trigger is new: then from now,
        // not from the whole second it was armed at.
        const bool armed_now = state->armed_ms == arm_at && !last;
        int64_t from = now;
        if (catch_up && !armed_now)
            from = std::max(state->armed_ms, last.value_or(state->armed_ms));
        else if (last)
            from = std::max(now, *last);
        state->trigger = std::move(t);
        state->next = state->trigger.next_after(from, state->armed_ms);
        next_states.push_back(std::move(state));
    }
    {
        std::lock_guard lock(m_mutex);
        if (next_states.empty())
            m_groups.erase(group);
        else
            m_groups[group] = std::move(next_states);
    }
    m_clock.wake();
}

void Scheduler::start() {
    if (m_thread.joinable()) return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void Scheduler::stop() {
    if (!m_thread.joinable()) return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_clock.wake();
    m_thread.join();
}

void Scheduler::observe_fires(FireObserver observer) { m_observer = std::move(observer); }

void Scheduler::run() {
    for (;;) {
        try {
            run_due();
        } catch (const std::exception& e) {
            // The ledger is the source of truth: the next pass retries what this one could not write.
            spdlog::error("scheduler: {}", e.what());
        }
        int64_t deadline = next_deadline();
        Clock::Wake wake = m_clock.wait_until(deadline);
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping) return;
        }
        if (wake == Clock::Wake::clock_changed) {
            spdlog::info("scheduler: the wall clock changed (clock step or resume from suspend); looking again");
            std::lock_guard lock(m_pass_mutex);
            m_why = "the clock jumped or the machine was asleep";
        }
    }
}

int64_t Scheduler::next_deadline() const {
    std::lock_guard lock(m_mutex);
    int64_t best = -1;
    for (const auto& [group, states] : m_groups)
        for (const auto& s : states)
            if (s->next) {
                int64_t due = *s->next + s->trigger.jitter_for(*s->next);
                if (best < 0 || due < best) best = due;
            }
    return best;
}

void Scheduler::run_due() {
    std::lock_guard pass(m_pass_mutex);
    std::vector<std::shared_ptr<State>> states;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [group, list] : m_groups) states.insert(states.end(), list.begin(), list.end());
    }
    const int64_t now = m_clock.now_ms();
    for (auto& s : states) process(*s, now, m_why);
    m_why = "flowd was busy";
}

void Scheduler::process(State& state, int64_t now, const std::string& why) {
    const TimeTrigger& t = state.trigger;
    std::optional<int64_t> next;
    {
        std::lock_guard lock(m_mutex);
        next = state.next;
    }
    // The due slots, newest kept: past enumerate_limit the oldest are only counted, and past
    // ten times that (a clock that jumped years ahead) the rest is skipped without counting.
    std::deque<int64_t> due;
    size_t dropped = 0;
    std::optional<int64_t> first_dropped;
    bool uncounted = false;
    size_t steps = 0;
    while (next && *next + t.jitter_for(*next) <= now) {
        if (due.size() == enumerate_limit) {
            if (!first_dropped) first_dropped = due.front();
            due.pop_front();
            ++dropped;
        }
        due.push_back(*next);
        if (++steps == 10 * enumerate_limit) {
            next = t.next_after(now - on_time_limit_ms, state.armed_ms);
            uncounted = true;
            continue;
        }
        next = t.next_after(*next, state.armed_ms);
    }
    {
        std::lock_guard lock(m_mutex);
        state.next = next;
    }
    if (due.empty()) return;

    // Which slots fire as usual, which are caught up, which are only recorded.
    auto lateness = [&](int64_t slot) { return now - (slot + t.jitter_for(slot)); };
    std::vector<int64_t> on_time, missed;
    for (size_t i = 0; i < due.size(); ++i) {
        bool newest = i + 1 == due.size();
        bool in_time = lateness(due[i]) < late_tolerance_ms || (newest && lateness(due[i]) <= on_time_limit_ms) ||
                       t.kind == "reboot";
        (in_time ? on_time : missed).push_back(due[i]);
    }

    struct Note {
        int64_t slot;
        std::string outcome;
        std::string reason;
    };
    std::vector<Note> notes;
    std::vector<int64_t> catch_up;
    const std::string missed_why = "missed: " + why;
    std::vector<int64_t> in_window;
    for (int64_t slot : missed) {
        if (t.catchup_window_ms > 0 && now - slot > t.catchup_window_ms)
            notes.push_back({slot, "missed", missed_why + "; older than catchup_window"});
        else
            in_window.push_back(slot);
    }
    switch (t.catchup) {
        case Catchup::none:
            for (int64_t slot : in_window) notes.push_back({slot, "missed", missed_why + "; catchup is none"});
            break;
        case Catchup::latest:
            for (size_t i = 0; i < in_window.size(); ++i) {
                bool last = i + 1 == in_window.size() && on_time.empty();
                if (last)
                    catch_up.push_back(in_window[i]);
                else
                    notes.push_back(
                        {in_window[i], "skipped_catchup", missed_why + "; catchup latest runs only the newest"});
            }
            break;
        case Catchup::all: {
            size_t keep = std::min<size_t>(in_window.size(), static_cast<size_t>(t.max_catchup));
            for (size_t i = 0; i < in_window.size(); ++i) {
                if (i + keep >= in_window.size())
                    catch_up.push_back(in_window[i]);
                else
                    notes.push_back({in_window[i], "skipped_catchup",
                                     missed_why + "; over max_catchup (" + std::to_string(t.max_catchup) + ")"});
            }
            break;
        }
    }

    // The slots that do not run are written first, in one transaction; past record_limit the
    // oldest are summed up in one row at the oldest one's time.
    std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) { return a.slot < b.slot; });
    size_t summed = notes.size() > record_limit ? notes.size() - record_limit : 0;
    if (!notes.empty() || dropped > 0) {
        auto& store = m_stores.local();
        const int64_t recorded = m_clock.now_ms();
        store.begin();
        try {
            if (summed > 0 || dropped > 0) {
                int64_t oldest = first_dropped ? *first_dropped : notes.front().slot;
                int64_t newest = summed > 0 ? notes[summed - 1].slot : oldest;
                std::string count = std::to_string(summed + dropped) + (uncounted ? " or more" : "");
                store.insert_slot({0, t.flow, t.key, oldest, "missed",
                                   count + " slots from " + util::format_rfc3339(oldest) + " to " +
                                       util::format_rfc3339(newest) + " not run (" + missed_why + ")",
                                   "", recorded});
            }
            for (size_t i = summed; i < notes.size(); ++i)
                store.insert_slot({0, t.flow, t.key, notes[i].slot, notes[i].outcome, notes[i].reason, "", recorded});
            store.commit();
        } catch (...) {
            store.rollback();
            throw;
        }
        spdlog::warn("scheduler: {} {}: {} slots not run ({})", t.flow, t.key, notes.size() + dropped, missed_why);
    }
    for (int64_t slot : catch_up) fire(state, slot, true, why);
    for (int64_t slot : on_time) fire(state, slot, false, why);
}

void Scheduler::fire(State& state, int64_t slot, bool caught_up, const std::string& why) {
    const TimeTrigger& t = state.trigger;
    RunRequest request;
    request.flow = t.flow;
    request.trigger = trigger_name(t);
    request.scheduled_ms = slot;
    request.trigger_data = {{"key", t.key},
                            {"kind", t.kind},
                            {"scheduled_at", util::format_rfc3339(slot)},
                            {"scheduled_ms", slot},
                            {"catchup", caught_up}};
    if (caught_up) request.trigger_data["catchup_reason"] = "missed: " + why;
    if (t.cron) {
        request.trigger_data["cron"] = t.spec.value("cron", std::string());
        request.trigger_data["timezone"] = t.cron->zone.name();
    }
    if (!t.schedule_id.empty()) request.trigger_data["schedule_id"] = t.schedule_id;
    const int64_t jitter = t.jitter_for(slot);
    if (jitter > 0) request.trigger_data["jitter_ms"] = jitter;
    try {
        request.inputs = render_trigger_inputs(t.inputs, request.trigger_data, request.trigger, t.flow, t.flow_path);
    } catch (const ApiError& e) {
        // Recorded like a refused run: the slot is accounted for, with why.
        m_stores.local().insert_slot({0, t.flow, t.key, slot, "skipped", e.what(), "", m_clock.now_ms()});
        spdlog::warn("scheduler: {} {} slot {} not run: {}", t.flow, t.key, util::format_rfc3339(slot), e.what());
        return;
    }
    request.record = [&](store::Store& store, const Submission& submission) {
        store::SlotRecord r{
            0,
            t.flow,
            t.key,
            slot,
            submission.skipped ? "skipped" : "started",
            submission.skipped ? submission.reason : (caught_up ? "caught up (missed: " + why + ")" : ""),
            submission.execution_id,
            m_clock.now_ms()};
        if (!store.insert_slot(r)) throw SlotTaken{};
    };
    if (m_observer) m_observer(slot + jitter, false);
    try {
        Submission submission = m_submit(std::move(request));
        if (m_observer) m_observer(slot + jitter, true);
        spdlog::info("scheduler: {} {} slot {}: {} {}", t.flow, t.key, util::format_rfc3339(slot),
                     submission.skipped ? "skipped" : "started",
                     submission.skipped ? submission.reason : submission.execution_id);
    } catch (const SlotTaken&) {
        spdlog::debug("scheduler: {} {} slot {} was already handled", t.flow, t.key, util::format_rfc3339(slot));
    } catch (const ApiError& e) {
        if (e.status == 503) return;  // shutting down: the next flowd catches it up
        // The flow is disabled, broken or gone: the slot is recorded as not run, with why.
        m_stores.local().insert_slot({0, t.flow, t.key, slot, "skipped", e.what(), "", m_clock.now_ms()});
        spdlog::warn("scheduler: {} {} slot {} not run: {}", t.flow, t.key, util::format_rfc3339(slot), e.what());
    }
}

std::vector<Scheduler::TriggerStatus> Scheduler::status() const {
    std::lock_guard lock(m_mutex);
    std::vector<TriggerStatus> out;
    for (const auto& [group, states] : m_groups)
        for (const auto& s : states) {
            TriggerStatus st{s->trigger, s->armed_ms, s->next, 0};
            if (s->next) st.next_fire_ms = *s->next + s->trigger.jitter_for(*s->next);
            out.push_back(std::move(st));
        }
    return out;
}

}  // namespace flowctl::daemon
