#include "api/trigger_views.hpp"

#include "api/api_json.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

json optional_time(const std::optional<int64_t>& ms) { return ms ? json(util::format_rfc3339(*ms)) : json(nullptr); }

std::string offset_text(int seconds) {
    char sign = seconds < 0 ? '-' : '+';
    int a = seconds < 0 ? -seconds : seconds;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, a / 3600, (a / 60) % 60);
    return buf;
}

/// Whether the local calendar day holding `local_sec` (seconds of local wall time since the
/// epoch) has an offset change.
bool has_dst_change(const cron::TimeZone& zone, int64_t local_sec) {
    const int64_t day = local_sec - (((local_sec % 86400) + 86400) % 86400);
    // UTC offsets stay within +-26 h: this window holds every instant of that local day.
    for (const auto& tr : zone.transitions(day - 26 * 3600, day + 50 * 3600)) {
        const int64_t local_at = tr.at_sec + tr.offset_before;
        if (local_at >= day && local_at < day + 86400) return true;
    }
    return false;
}

}  // namespace

json trigger_view_json(const TriggerView& v) {
    return {{"flow", v.flow},
            {"kind", v.kind},
            {"key", v.key},
            {"schedule_id", v.schedule_id.empty() ? json(nullptr) : json(v.schedule_id)},
            {"description", v.description},
            {"spec", v.spec},
            {"enabled", v.enabled},
            {"active", v.active},
            {"next_fire_at", optional_time(v.next_ms)},
            {"last_fire_at", optional_time(v.last_fire_ms)},
            {"last_result", v.last_result.empty() ? json(nullptr) : json(v.last_result)},
            {"last_execution_id", v.last_execution_id.empty() ? json(nullptr) : json(v.last_execution_id)},
            {"problem", v.problem.empty() ? json(nullptr) : json(v.problem)}};
}

json slot_json(const store::SlotRecord& slot, store::Store& store) {
    json status = nullptr;
    if (!slot.execution_id.empty())
        if (auto e = store.get_execution(slot.execution_id)) status = e->status;
    return {{"scheduled_at", util::format_rfc3339(slot.scheduled_ms)},
            {"outcome", slot.outcome},
            {"reason", slot.reason},
            {"execution_id", slot.execution_id.empty() ? json(nullptr) : json(slot.execution_id)},
            {"execution_status", status},
            {"recorded_at", time_or_null(slot.recorded_ms)}};
}

json next_firings_json(const TimeTrigger& t, int64_t after_ms, int64_t armed_ms, int count) {
    const cron::TimeZone zone = t.cron ? t.cron->zone : cron::TimeZone::local();
    json out = json::array();
    std::optional<int64_t> next = t.next_after(after_ms, armed_ms);
    for (int i = 0; i < count && next; ++i) {
        const int64_t fire = *next + t.jitter_for(*next);
        const int64_t sec = fire / 1000;
        const int offset = zone.utc_offset_sec(sec);
        const bool dst_day = has_dst_change(zone, sec + offset);
        out.push_back({{"at", util::format_rfc3339(fire)},
                       {"local", zone.format(sec, "%Y-%m-%dT%H:%M:%S") + offset_text(offset)},
                       {"abbreviation", zone.abbreviation(sec)},
                       {"timezone", zone.name()},
                       {"dst_transition_day", dst_day}});
        next = t.next_after(*next, armed_ms);
    }
    return out;
}

json schedule_json(const store::ScheduleRecord& r, TriggerManager& triggers, store::Store& store) {
    json out = {{"id", r.id}, {"flow", r.flow_name}, {"description", r.description}};
    const json& spec = r.spec;
    out["type"] = spec.contains("cron") ? "cron" : spec.contains("every") ? "interval" : "at";
    for (const auto& [k, v] : spec.items()) out[k] = v;
    out["inputs"] = r.inputs;
    out["enabled"] = r.enabled;
    out["next_run_at"] = optional_time(triggers.schedule_next_ms(r.id));
    auto slots = store.slots(r.flow_name, "adhoc:" + r.id, 1);
    out["last_run"] = slots.empty() ? json(nullptr) : slot_json(slots[0], store);
    out["created_at"] = time_or_null(r.created_ms);
    out["updated_at"] = time_or_null(r.updated_ms);
    return out;
}

}  // namespace flowctl::daemon
