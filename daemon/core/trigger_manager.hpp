#pragma once
// Connects the flows' triggers to what fires them: time triggers (schedule, interval, at,
// @reboot) and ad hoc schedules to the Scheduler, file watches to PathWatchers. Webhooks are
// served by the API (api/webhook_routes.cpp) and only listed here. It follows the flows
// directory: a saved flow keeps the triggers whose timing did not change (their slots stay
// exactly-once), a disabled or removed flow's triggers stop.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/execution_manager.hpp"
#include "core/flow_registry.hpp"
#include "core/scheduler.hpp"
#include "core/stores.hpp"

namespace flowctl::daemon {

class PathWatcher;

/// One trigger as `flowctl triggers` shows it.
struct TriggerView {
    std::string flow;
    std::string kind;         // schedule | interval | at | reboot | watch | webhook | manual
    std::string key;          // ledger key (time triggers), "watch:..." or "webhook:ID"
    std::string schedule_id;  // ad hoc schedules
    std::string description;  // e.g. "at 09:00 on MON-FRI (Europe/Berlin)"
    json spec = json::object();
    bool enabled = true;
    bool active = false;                  // armed / watching right now
    std::optional<int64_t> next_ms;       // time triggers: next firing (jitter included)
    std::optional<int64_t> last_fire_ms;  // the newest slot or run it started
    std::string last_result;              // started | skipped | ... or the execution's status
    std::string last_execution_id;
    std::string problem;  // why it is not active (e.g. a watch that failed to start)
};

class TriggerManager {
public:
    TriggerManager(FlowRegistry& flows, ExecutionManager& executions, Stores& stores, Clock& clock);
    ~TriggerManager();  // stop()

    /// Arms every enabled flow's triggers and the enabled ad hoc schedules, catching up what
    /// was missed while flowd was down, and starts firing.
    void start();
    void stop();

    /// For FlowRegistry::on_change.
    void flow_changed(const FlowEntry& entry, FlowChange change);

    /// Ad hoc schedules. `spec` holds one of cron (+ timezone, jitter, catchup, catchup_window,
    /// max_catchup, dst_gap, dst_repeat), every, at. ApiError 404 unknown flow/schedule, 422 bad spec.
    store::ScheduleRecord create_schedule(const std::string& flow, const json& spec, const json& inputs,
                                          const std::string& description, bool enabled);
    store::ScheduleRecord update_schedule(const std::string& id, const json& changes);
    void delete_schedule(const std::string& id);
    std::vector<store::ScheduleRecord> schedules(const std::string& flow = {});
    std::optional<store::ScheduleRecord> schedule(const std::string& id);

    /// Every trigger of every flow (or of one flow), with ad hoc schedules; sorted by flow.
    std::vector<TriggerView> triggers(const std::string& flow = {});
    /// The next firing of an ad hoc schedule (nullopt when disabled or none ahead).
    std::optional<int64_t> schedule_next_ms(const std::string& id);

    Scheduler& scheduler() { return *m_scheduler; }
    size_t watches() const;

private:
    struct Watch;
    void arm_flow(const FlowEntry& entry, bool catch_up);
    void disarm_flow(const std::string& flow);
    void arm_schedule(const store::ScheduleRecord& record, bool catch_up);
    void start_watches(const FlowEntry& entry);
    void on_watch_batch(const std::string& flow, const std::string& flow_path, const std::string& key,
                        const json& inputs, const json& data);

    FlowRegistry& m_flows;
    ExecutionManager& m_executions;
    Stores& m_stores;
    Clock& m_clock;
    std::unique_ptr<Scheduler> m_scheduler;
    mutable std::mutex m_mutex;                                                      // guards m_watches
    std::map<std::string, std::map<std::string, std::shared_ptr<Watch>>> m_watches;  // flow -> key -> watch
    bool m_started = false;
};

/// Ad hoc schedule spec check: builds its TimeTrigger (422 naming the problem when it does not parse).
TimeTrigger schedule_trigger(const store::ScheduleRecord& record);

}  // namespace flowctl::daemon
