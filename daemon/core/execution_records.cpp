#include "core/execution_records.hpp"

#include "util/time.hpp"

namespace flowctl::daemon {

json redact_secret_inputs(const flow::Flow& flow, const json& inputs) {
    json out = inputs;
    for (const auto& [name, spec] : flow.inputs)
        if (spec.secret && out.contains(name) && !out[name].is_null()) out[name] = "***";
    return out;
}

bool is_unfinished(const std::string& status) { return status == "pending" || status == "running"; }

std::optional<store::ExecutionRecord> close_unstarted(store::Store& store, const std::string& id,
                                                      const std::string& status, const std::string& error) {
    auto record = store.get_execution(id);
    if (!record || record->status != "pending") return record;
    record->status = status;
    record->error = error;
    record->finished_ms = util::now_ms();
    record->duration_ms = 0;
    store.update_execution(*record);
    return record;
}

std::optional<store::ExecutionRecord> close_failed(store::Store& store, const std::string& id,
                                                   const std::string& error) {
    if (store.in_transaction()) store.rollback();  // left open by the failure being handled
    auto record = store.get_execution(id);
    if (!record || !is_unfinished(record->status)) return record;
    const int64_t now = util::now_ms();
    store.begin();
    try {
        for (auto step : store.step_runs(id)) {
            if (!is_unfinished(step.status)) continue;
            step.status = "failed";
            step.error = error;
            step.finished_ms = now;
            step.duration_ms = step.started_ms > 0 ? now - step.started_ms : 0;
            store.upsert_step_run(step);
        }
        record->status = "failed";
        record->error = error;
        if (record->started_ms == 0) record->started_ms = now;
        record->finished_ms = now;
        record->duration_ms = now - record->started_ms;
        store.update_execution(*record);
        store.commit();
    } catch (...) {
        try {
            store.rollback();
        } catch (...) {
        }
        throw;
    }
    return record;
}

}  // namespace flowctl::daemon
