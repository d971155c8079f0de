#include "core/execution_events.hpp"

#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

/// Every event carries every field, null when it does not apply, so readers need no guards.
json base_event(const std::string& type, const std::string& execution_id, const std::string& flow, int64_t ts_ms) {
    return json{
        {"time", util::format_rfc3339(ts_ms > 0 ? ts_ms : util::now_ms())},
        {"type", type},
        {"execution_id", execution_id},
        {"flow", text_or_null(flow)},
        {"parent_id", nullptr},
        {"step", nullptr},
        {"item_index", nullptr},
        {"attempt", nullptr},
        {"status", nullptr},
        {"message", nullptr},
        {"duration_ms", nullptr},
    };
}

bool is_step_event(engine::Event::Kind kind) {
    using K = engine::Event::Kind;
    return kind == K::step_started || kind == K::step_log || kind == K::step_retrying || kind == K::step_finished;
}

bool has_duration(engine::Event::Kind kind) {
    return kind == engine::Event::Kind::step_finished || kind == engine::Event::Kind::execution_finished;
}

}  // namespace

const char* event_type_name(engine::Event::Kind kind) {
    switch (kind) {
        case engine::Event::Kind::execution_started:
            return "execution_started";
        case engine::Event::Kind::step_started:
            return "step_started";
        case engine::Event::Kind::step_log:
            return "step_log";
        case engine::Event::Kind::step_retrying:
            return "step_retrying";
        case engine::Event::Kind::step_finished:
            return "step_finished";
        case engine::Event::Kind::execution_finished:
            return "execution_finished";
    }
    return "unknown";
}

json event_json(const engine::Event& e) {
    json out = base_event(event_type_name(e.kind), e.execution_id, e.flow_name, e.ts_ms);
    out["parent_id"] = text_or_null(e.parent_id);
    if (is_step_event(e.kind)) {
        out["step"] = text_or_null(e.step_id);
        if (e.item_index >= 0) out["item_index"] = e.item_index;
        out["attempt"] = e.attempt;
    }
    out["status"] = text_or_null(e.status);
    out["message"] = text_or_null(e.message);
    if (has_duration(e.kind)) out["duration_ms"] = e.duration_ms;
    return out;
}

json execution_event_json(const std::string& type, const std::string& execution_id, const std::string& flow,
                          const std::string& status, const std::string& message, int64_t ts_ms) {
    json out = base_event(type, execution_id, flow, ts_ms);
    out["status"] = text_or_null(status);
    out["message"] = text_or_null(message);
    if (type == "execution_finished") out["duration_ms"] = 0;
    return out;
}

}  // namespace flowctl::daemon
