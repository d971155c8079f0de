#include "store/records_json.hpp"

#include "util/time.hpp"

namespace flowctl::store {

namespace {
json time_or_null(int64_t ms) { return ms > 0 ? json(util::format_rfc3339(ms)) : json(nullptr); }
json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

json to_json(const ExecutionRecord& e) {
    return json{
        {"id", e.id},
        {"flow", e.flow_name},
        {"flow_path", e.flow_path},
        {"definition_hash", e.def_hash},
        {"parent_id", text_or_null(e.parent_id)},
        {"trigger", e.trigger},
        {"trigger_data", e.trigger_data},
        {"inputs", e.inputs},
        {"status", e.status},
        {"error", text_or_null(e.error)},
        {"created_at", time_or_null(e.created_ms)},
        {"started_at", time_or_null(e.started_ms)},
        {"finished_at", time_or_null(e.finished_ms)},
        {"duration_ms", e.finished_ms > 0 ? json(e.duration_ms) : json(nullptr)},
        {"cpu_ms", e.cpu_ms},
        {"max_rss_kb", e.max_rss_kb},
        {"outputs", e.outputs},
        {"version_id", e.version_id > 0 ? json(e.version_id) : json(nullptr)},
        {"priority", e.priority},
        {"scheduled_at", time_or_null(e.scheduled_ms)},
        {"retry_of", text_or_null(e.retry_of)},
        {"retry_from", text_or_null(e.retry_from)},
        {"callback_url", text_or_null(e.callback_url)},
    };
}

json to_json(const StepRunRecord& s) {
    return json{
        {"step", s.step_id},
        {"item_index", s.item_index >= 0 ? json(s.item_index) : json(nullptr)},
        {"attempt", s.attempt},
        {"status", s.status},
        {"started_at", time_or_null(s.started_ms)},
        {"finished_at", time_or_null(s.finished_ms)},
        {"duration_ms", s.finished_ms > 0 ? json(s.duration_ms) : json(nullptr)},
        {"exit_code", s.exit_code ? json(*s.exit_code) : json(nullptr)},
        {"output", s.output},
        {"outputs", s.outputs},
        {"error", text_or_null(s.error)},
        {"cpu_ms", s.cpu_ms},
        {"max_rss_kb", s.max_rss_kb},
    };
}

json to_json(const LogRecord& l) {
    return json{
        {"id", l.id},
        {"time", util::format_rfc3339(l.ts_ms)},
        {"step", text_or_null(l.step_id)},
        {"item_index", l.item_index >= 0 ? json(l.item_index) : json(nullptr)},
        {"level", l.level},
        {"stream", l.stream},
        {"message", l.message},
    };
}

}  // namespace flowctl::store
