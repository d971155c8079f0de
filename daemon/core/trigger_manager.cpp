#include "core/trigger_manager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/path_watcher.hpp"
#include "core/trigger_inputs.hpp"
#include "cron/cron.hpp"
#include "http/api_error.hpp"
#include "util/duration.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

std::string adhoc_group(const std::string& id) { return "adhoc:" + id; }
std::string flow_group(const std::string& flow) { return "flow:" + flow; }

std::string describe_time_trigger(const TimeTrigger& t) {
    if (t.kind == "interval") return "every " + util::format_duration(util::Millis(t.every_ms));
    if (t.kind == "at") return "once at " + util::format_rfc3339(t.at_ms);
    if (t.kind == "reboot") return "when the machine has booted (@reboot)";
    if (!t.cron) return t.kind;
    return "cron '" + t.spec.value("cron", std::string()) + "' " + t.cron->zone.name();
}

}  // namespace

struct TriggerManager::Watch {
    std::unique_ptr<PathWatcher> watcher;
    json spec;
    std::string problem;
};

TriggerManager::TriggerManager(FlowRegistry& flows, ExecutionManager& executions, Stores& stores, Clock& clock)
    : m_flows(flows), m_executions(executions), m_stores(stores), m_clock(clock) {
    m_scheduler =
        std::make_unique<Scheduler>(clock, stores, [this](RunRequest r) { return m_executions.submit(std::move(r)); });
}

TriggerManager::~TriggerManager() { stop(); }

void TriggerManager::start() {
    if (m_started) return;
    m_started = true;
    for (const auto& entry : m_flows.list()) arm_flow(entry, true);
    for (const auto& record : m_stores.local().list_schedules())
        if (record.enabled) arm_schedule(record, true);
    m_scheduler->start();
}

void TriggerManager::stop() {
    if (!m_started) return;
    m_started = false;
    m_scheduler->stop();
    std::map<std::string, std::map<std::string, std::shared_ptr<Watch>>> watches;
    {
        std::lock_guard lock(m_mutex);
        watches.swap(m_watches);
    }
    for (auto& [flow, by_key] : watches)
        for (auto& [key, w] : by_key)
            if (w->watcher) w->watcher->stop();
}

void TriggerManager::flow_changed(const FlowEntry& entry, FlowChange change) {
    if (!m_started) return;
    try {
        switch (change) {
            case FlowChange::removed:
            case FlowChange::disabled:
                disarm_flow(entry.name);
                break;
            case FlowChange::added:
            case FlowChange::updated:
            case FlowChange::enabled:
            case FlowChange::invalid:  // the last good version stays live, with its triggers
                arm_flow(entry, false);
                break;
        }
    } catch (const std::exception& e) {
        spdlog::error("triggers of {}: {}", entry.name, e.what());
    }
}

void TriggerManager::arm_flow(const FlowEntry& entry, bool catch_up) {
    if (!entry.flow || !entry.enabled) {
        disarm_flow(entry.name);
        return;
    }
    std::vector<TimeTrigger> timed;
    for (const auto& trigger : entry.flow->triggers) {
        if (trigger.kind != "schedule" && trigger.kind != "interval" && trigger.kind != "at") continue;
        std::string error;
        auto t = make_time_trigger(entry.name, trigger.kind, trigger.spec, &error);
        if (t) {
            t->flow_path = entry.path.string();
            timed.push_back(std::move(*t));
        } else {
            spdlog::error("{}: {} trigger not armed: {}", entry.name, trigger.kind, error);
        }
    }
    m_scheduler->set_group(flow_group(entry.name), std::move(timed), catch_up);
    start_watches(entry);
}

void TriggerManager::disarm_flow(const std::string& flow) {
    m_scheduler->set_group(flow_group(flow), {}, false);
    std::map<std::string, std::shared_ptr<Watch>> gone;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_watches.find(flow); it != m_watches.end()) {
            gone.swap(it->second);
            m_watches.erase(it);
        }
    }
    for (auto& [key, w] : gone)
        if (w->watcher) w->watcher->stop();
}

void TriggerManager::start_watches(const FlowEntry& entry) {
    const auto base = std::filesystem::absolute(entry.path).parent_path();
    std::map<std::string, std::shared_ptr<Watch>> current, next;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_watches.find(entry.name); it != m_watches.end()) current = it->second;
    }
    for (const auto& trigger : entry.flow->triggers) {
        if (trigger.kind != "watch" || !trigger.spec.is_object()) continue;
        json timing = trigger.spec;
        timing.erase("inputs");
        const std::string key = "watch:" + timing.dump();
        if (auto it = current.find(key); it != current.end()) {  // unchanged: keep watching, lose nothing
            next[key] = it->second;
            current.erase(it);
            continue;
        }
        auto w = std::make_shared<Watch>();
        w->spec = trigger.spec;
        const json inputs = trigger.spec.value("inputs", json::object());
        const std::string flow = entry.name;
        const std::string flow_path = entry.path.string();
        w->watcher = std::make_unique<PathWatcher>(
            watch_spec_from_trigger(trigger.spec, base), [this, flow, flow_path, key, inputs](ChangeBatch batch) {
                json paths = json::array(), events = json::array();
                for (const auto& c : batch.changes) {
                    paths.push_back(c.path);
                    events.push_back({{"path", c.path}, {"event", c.event}});
                }
                on_watch_batch(flow, flow_path, key, inputs,
                               {{"paths", paths}, {"events", events}, {"rescanned", batch.rescanned}});
            });
        try {
            w->watcher->start();
        } catch (const std::exception& e) {
            w->problem = e.what();
            w->watcher.reset();
            spdlog::error("{}: watch trigger not started: {}", entry.name, e.what());
        }
        next[key] = std::move(w);
    }
    {
        std::lock_guard lock(m_mutex);
        if (next.empty())
            m_watches.erase(entry.name);
        else
            m_watches[entry.name] = next;
    }
    for (auto& [key, w] : current)  // watches the new version no longer has
        if (w->watcher) w->watcher->stop();
}

void TriggerManager::on_watch_batch(const std::string& flow, const std::string& flow_path, const std::string& key,
                                    const json& inputs, const json& data) {
    RunRequest request;
    request.flow = flow;
    request.trigger = "watch";
    request.trigger_data = data;
    request.trigger_data["key"] = key;
    try {
        request.inputs = render_trigger_inputs(inputs, data, "watch", flow, flow_path);
        Submission s = m_executions.submit(std::move(request));
        spdlog::info("{}: watch saw {} changes: {} {}", flow, data["paths"].size(), s.skipped ? "skipped" : "started",
                     s.skipped ? s.reason : s.execution_id);
    } catch (const std::exception& e) {
        spdlog::warn("{}: watch saw {} changes but the run was refused: {}", flow, data["paths"].size(), e.what());
    }
}

size_t TriggerManager::watches() const {
    std::lock_guard lock(m_mutex);
    size_t n = 0;
    for (const auto& [flow, by_key] : m_watches)
        for (const auto& [key, w] : by_key) n += w->watcher ? 1 : 0;
    return n;
}

// --- ad hoc schedules ---

TimeTrigger schedule_trigger(const store::ScheduleRecord& record) {
    const json& spec = record.spec;
    if (!spec.is_object()) throw invalid("a schedule is an object with cron, every or at");
    int kinds = spec.contains("cron") + spec.contains("every") + spec.contains("at");
    if (kinds != 1) throw invalid("a schedule has exactly one of cron, every or at");
    static const std::vector<std::string> allowed = {"cron",           "timezone",    "jitter",  "catchup",
                                                     "catchup_window", "max_catchup", "dst_gap", "dst_repeat",
                                                     "every",          "at"};
    for (const auto& [k, v] : spec.items())
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
            throw invalid("unknown schedule field '" + k + "'", {{"field", k}});
    std::string kind = spec.contains("cron") ? "schedule" : spec.contains("every") ? "interval" : "at";
    json settings = spec;
    if (kind == "at") {
        settings["time"] = spec["at"];
        settings.erase("at");
    }
    std::string error;
    auto t = make_time_trigger(record.flow_name, kind, settings, &error);
    if (!t) throw invalid("schedule: " + error);
    t->key = "adhoc:" + record.id;
    t->schedule_id = record.id;
    t->inputs = record.inputs;
    return std::move(*t);
}

void TriggerManager::arm_schedule(const store::ScheduleRecord& record, bool catch_up) {
    std::vector<TimeTrigger> list;
    if (record.enabled) {
        try {
            list.push_back(schedule_trigger(record));
        } catch (const std::exception& e) {
            spdlog::error("schedule {} not armed: {}", record.id, e.what());
        }
    }
    m_scheduler->set_group(adhoc_group(record.id), std::move(list), catch_up);
}

store::ScheduleRecord TriggerManager::create_schedule(const std::string& flow, const json& spec, const json& inputs,
                                                      const std::string& description, bool enabled) {
    if (!m_flows.get(flow)) throw not_found("no flow named '" + flow + "'");
    store::ScheduleRecord r;
    r.id = "sch_" + util::sha256_hex(flow + std::to_string(util::now_ms()) + spec.dump() +
                                     std::to_string(reinterpret_cast<uintptr_t>(&r)))
                        .substr(0, 12);
    r.flow_name = flow;
    r.spec = spec;
    r.inputs = inputs.is_object() ? inputs : json::object();
    r.description = description;
    r.enabled = enabled;
    r.created_ms = r.updated_ms = util::now_ms();
    schedule_trigger(r);  // 422 before anything is written
    m_stores.local().insert_schedule(r);
    if (m_started) arm_schedule(r, false);
    return r;
}

store::ScheduleRecord TriggerManager::update_schedule(const std::string& id, const json& changes) {
    auto found = m_stores.local().get_schedule(id);
    if (!found) throw not_found("no schedule '" + id + "'");
    store::ScheduleRecord r = *found;
    if (changes.contains("flow")) {
        r.flow_name = changes["flow"].get<std::string>();
        if (!m_flows.get(r.flow_name)) throw not_found("no flow named '" + r.flow_name + "'");
    }
    if (changes.contains("spec")) r.spec = changes["spec"];
    if (changes.contains("inputs")) r.inputs = changes["inputs"];
    if (changes.contains("description")) r.description = changes["description"].get<std::string>();
    if (changes.contains("enabled")) r.enabled = changes["enabled"].get<bool>();
    r.updated_ms = util::now_ms();
    schedule_trigger(r);
    m_stores.local().update_schedule(r);
    if (m_started) {
        // A new timing is a new schedule as far as slots go; the same timing keeps its place.
        m_scheduler->set_group(adhoc_group(r.id), {}, false);
        arm_schedule(r, false);
    }
    return r;
}

void TriggerManager::delete_schedule(const std::string& id) {
    if (!m_stores.local().delete_schedule(id)) throw not_found("no schedule '" + id + "'");
    m_scheduler->set_group(adhoc_group(id), {}, false);
}

std::vector<store::ScheduleRecord> TriggerManager::schedules(const std::string& flow) {
    return m_stores.local().list_schedules(flow);
}

std::optional<store::ScheduleRecord> TriggerManager::schedule(const std::string& id) {
    return m_stores.local().get_schedule(id);
}

std::optional<int64_t> TriggerManager::schedule_next_ms(const std::string& id) {
    for (const auto& s : m_scheduler->status())
        if (s.trigger.schedule_id == id && s.next_ms) return s.next_fire_ms;
    return std::nullopt;
}

// --- the one view ---

std::vector<TriggerView> TriggerManager::triggers(const std::string& only_flow) {
    auto& store = m_stores.local();
    std::vector<TriggerView> out;
    std::map<std::pair<std::string, std::string>, Scheduler::TriggerStatus> armed;
    for (auto& s : m_scheduler->status()) armed[{s.trigger.flow, s.trigger.key}] = s;

    auto last_slot = [&](TriggerView& v) {
        auto slots = store.slots(v.flow, v.key, 1);
        if (slots.empty()) return;
        v.last_fire_ms = slots[0].scheduled_ms;
        v.last_result = slots[0].outcome;
        v.last_execution_id = slots[0].execution_id;
        if (!v.last_execution_id.empty())
            if (auto e = store.get_execution(v.last_execution_id)) v.last_result = e->status;
    };
    auto last_run = [&](TriggerView& v, const std::string& trigger) {
        store::HistoryFilter f;
        f.flow = v.flow;
        f.trigger = trigger;
        f.limit = 1;
        auto runs = store.list_executions(f);
        if (runs.empty()) return;
        v.last_fire_ms = std::max(runs[0].started_ms, runs[0].created_ms);
        v.last_result = runs[0].status;
        v.last_execution_id = runs[0].id;
    };

    for (const auto& entry : m_flows.list()) {
        if (!only_flow.empty() && entry.name != only_flow) continue;
        if (!entry.flow) continue;
        for (const auto& trigger : entry.flow->triggers) {
            TriggerView v;
            v.flow = entry.name;
            v.kind = trigger.kind;
            v.spec = trigger.spec;
            v.enabled = entry.enabled;
            if (trigger.kind == "schedule" || trigger.kind == "interval" || trigger.kind == "at") {
                auto t = make_time_trigger(entry.name, trigger.kind, trigger.spec);
                if (!t) continue;
                v.kind = t->kind;
                v.key = t->key;
                v.spec = t->spec;
                v.description = describe_time_trigger(*t);
                if (auto it = armed.find({v.flow, v.key}); it != armed.end()) {
                    v.active = true;
                    if (it->second.next_ms) v.next_ms = it->second.next_fire_ms;
                }
                last_slot(v);
            } else if (trigger.kind == "watch") {
                json timing = trigger.spec;
                timing.erase("inputs");
                v.key = "watch:" + timing.dump();
                v.description = "files: " + trigger.spec.value("paths", json::array()).dump();
                std::lock_guard lock(m_mutex);
                if (auto f = m_watches.find(entry.name); f != m_watches.end())
                    if (auto w = f->second.find(v.key); w != f->second.end()) {
                        v.active = w->second->watcher != nullptr;
                        v.problem = w->second->problem;
                    }
            } else if (trigger.kind == "webhook") {
                std::string id = trigger.spec.is_object() ? trigger.spec.value("id", std::string()) : std::string();
                v.key = "webhook:" + id;
                v.description = "POST /hooks/" + id;
                v.active = entry.enabled;
            } else {
                v.key = "manual";
                v.description = "flowctl run / the API";
                v.active = entry.enabled;
            }
            if (trigger.kind == "watch" || trigger.kind == "webhook") last_run(v, trigger.kind);
            out.push_back(std::move(v));
        }
    }
    for (const auto& record : store.list_schedules(only_flow)) {
        TriggerView v;
        v.flow = record.flow_name;
        v.schedule_id = record.id;
        v.key = "adhoc:" + record.id;
        v.spec = record.spec;
        v.enabled = record.enabled;
        try {
            auto t = schedule_trigger(record);
            v.kind = t.kind;
            v.description = describe_time_trigger(t) + (record.description.empty() ? "" : " - " + record.description);
        } catch (const std::exception& e) {
            v.kind = "schedule";
            v.problem = e.what();
        }
        if (auto it = armed.find({v.flow, v.key}); it != armed.end()) {
            v.active = true;
            if (it->second.next_ms) v.next_ms = it->second.next_fire_ms;
        }
        last_slot(v);
        out.push_back(std::move(v));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.flow < b.flow; });
    return out;
}

}  // namespace flowctl::daemon
