#pragma once
// JSON of triggers, schedule slots and ad hoc schedules for the API.
#include <string>

#include "core/trigger_manager.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

json trigger_view_json(const TriggerView& v);
json slot_json(const store::SlotRecord& slot, store::Store& store);
/// The next `count` firings of a time trigger after `after_ms`, each with UTC and local time
/// (in the schedule's zone, else the system's) and whether that local day has a DST change.
json next_firings_json(const TimeTrigger& t, int64_t after_ms, int64_t armed_ms, int count);
/// The flat form: {id, flow, type, cron, timezone, ..., inputs, enabled, next_run_at, last_run}.
json schedule_json(const store::ScheduleRecord& r, TriggerManager& triggers, store::Store& store);

}  // namespace flowctl::daemon
