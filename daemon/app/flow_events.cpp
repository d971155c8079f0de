#include "app/flow_events.hpp"

#include <spdlog/spdlog.h>

#include "util/diagnostic.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

std::string first_error(const FlowEntry& entry) {
    return entry.errors.empty() ? std::string("invalid") : util::format_diagnostic(entry.errors.front());
}

json base_event(const char* type, const FlowEntry& entry, const std::string& message) {
    return {{"time", util::format_rfc3339(util::now_ms())},
            {"type", type},
            {"execution_id", nullptr},
            {"flow", entry.name},
            {"parent_id", nullptr},
            {"step", nullptr},
            {"item_index", nullptr},
            {"attempt", nullptr},
            {"status", entry.status()},
            {"message", message},
            {"duration_ms", nullptr}};
}

}  // namespace

std::optional<json> flow_event_json(const FlowEntry& entry, FlowChange change) {
    switch (change) {
        case FlowChange::added:
        case FlowChange::updated:
            return base_event("flow_loaded", entry,
                              "loaded " + entry.path.string() + " (version " + std::to_string(entry.version_id) + ")");
        case FlowChange::invalid:
            return base_event("flow_invalid", entry, first_error(entry));
        case FlowChange::removed:
            return base_event("flow_removed", entry, "removed " + entry.path.string());
        case FlowChange::enabled:
        case FlowChange::disabled:
            return std::nullopt;
    }
    return std::nullopt;
}

void log_flow_change(const FlowEntry& entry, FlowChange change) {
    switch (change) {
        case FlowChange::added:
            spdlog::info("flow '{}' loaded from {} (version {})", entry.name, entry.path.string(), entry.version_id);
            break;
        case FlowChange::updated:
            spdlog::info("flow '{}' updated from {} (version {})", entry.name, entry.path.string(), entry.version_id);
            break;
        case FlowChange::invalid:
            spdlog::warn("flow file {} is invalid{}:", entry.path.string(),
                         entry.flow ? " (the previous version of '" + entry.name + "' stays live)" : std::string());
            for (const auto& d : entry.errors) spdlog::warn("  {}", util::format_diagnostic(d));
            break;
        case FlowChange::removed:
            spdlog::info("flow '{}' removed ({})", entry.name, entry.path.string());
            break;
        case FlowChange::enabled:
            spdlog::info("flow '{}' enabled", entry.name);
            break;
        case FlowChange::disabled:
            spdlog::info("flow '{}' disabled", entry.name);
            break;
    }
    for (const auto& w : entry.warnings) spdlog::debug("  {}", util::format_diagnostic(w));
}

}  // namespace flowctl::daemon
