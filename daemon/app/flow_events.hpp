#pragma once
// What the daemon does when a flow file changes: a log line (with the file's diagnostics when
// it is broken) and, for the live stream, a flow_loaded / flow_invalid / flow_removed event.
#include <optional>

#include "core/flow_registry.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// The stream event for a change; nullopt for enable/disable (not stream events).
std::optional<json> flow_event_json(const FlowEntry& entry, FlowChange change);

/// Logs the change (warn with every diagnostic for an invalid file, info otherwise).
void log_flow_change(const FlowEntry& entry, FlowChange change);

}  // namespace flowctl::daemon
