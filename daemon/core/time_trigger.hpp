#pragma once
// A time trigger ready to schedule: a flow's `schedule:`, `interval:` or `at:` trigger (or an
// ad hoc schedule made through the API), with its settings parsed and the key that names it
// in the schedule ledger.
#include <cstdint>
#include <optional>
#include <string>

#include "zoned/zoned.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

enum class Catchup { none, latest, all };

struct TimeTrigger {
    std::string flow;
    std::string flow_path;  // the flow file (for the `flow` context of its inputs); may be empty
    /// Names the trigger in the ledger: its kind and its timing (e.g. "schedule:0 9 * * *@Europe/Berlin",
    /// "interval:900000", "at:1764576000000", "reboot", "adhoc:sch_1a2b"). Editing anything
    /// else in the flow file keeps the key, so a re-save never re-fires or forgets a slot.
    std::string key;
    std::string kind;         // schedule | interval | at | reboot
    std::string schedule_id;  // set for ad hoc schedules
    json spec = json::object();
    json inputs = json::object();

    std::optional<cron::ZonedSchedule> cron;  // schedule
    int64_t every_ms = 0;                     // interval: slots at armed + k * every
    int64_t at_ms = 0;                        // at
    int64_t jitter_ms = 0;                    // a fixed delay in [0, jitter) per slot
    Catchup catchup = Catchup::latest;
    int64_t catchup_window_ms = 0;  // 0: no limit
    int max_catchup = 10;           // runs started by one catch-up with `all`

    /// The first slot strictly after `after_ms`; `armed_ms` anchors intervals. nullopt: none
    /// (an `at` that passed, a cron with no match ahead). Reboot slots come from boot_time_ms().
    std::optional<int64_t> next_after(int64_t after_ms, int64_t armed_ms) const;
    /// The delay added to this slot's firing (the slot keeps its own time in the ledger).
    int64_t jitter_for(int64_t slot_ms) const;
};

/// Builds a TimeTrigger from a trigger's kind and settings as the flow file gives them (a
/// string for the short forms). nullopt with `error` set when it is not a time trigger or
/// its settings do not parse (the flow's validation normally caught that already).
std::optional<TimeTrigger> make_time_trigger(const std::string& flow, const std::string& kind, const json& spec,
                                             std::string* error = nullptr);

/// When this boot began (epoch ms, from /proc/stat btime), for @reboot.
int64_t boot_time_ms();

std::string catchup_name(Catchup c);

}  // namespace flowctl::daemon
