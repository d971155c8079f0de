#pragma once
// The event JSON of the live stream (daemon/API.md, "Event stream") for what happens to an
// execution: the engine's events, and the daemon's own (queued, cancelled before it started).
#include <cstdint>
#include <string>

#include "engine/engine.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// The event name of an engine event kind ("step_started", ...).
const char* event_type_name(engine::Event::Kind kind);

/// An engine event as the stream carries it (without "seq": the bus adds it).
json event_json(const engine::Event& e);

/// An event about a whole execution that the engine did not emit (execution_queued, or
/// execution_finished for one that never started).
json execution_event_json(const std::string& type, const std::string& execution_id, const std::string& flow,
                          const std::string& status, const std::string& message, int64_t ts_ms);

}  // namespace flowctl::daemon
