#pragma once
// FlowSummary and FlowDetail (daemon/API.md) of a registry entry.
#include <map>
#include <string>

#include "core/flow_registry.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// The triggers with their next fire time, when one can be computed (UTC cron schedules and
/// `at` times still ahead); null otherwise.
json triggers_json(const flow::Flow& flow, int64_t now_ms);

json flow_stats_json(const store::FlowStats* stats);  // null: never run
json flow_summary_json(const FlowEntry& entry, const store::FlowStats* stats, int64_t now_ms);
json flow_detail_json(const FlowEntry& entry, const store::FlowStats* stats, int64_t now_ms);

/// The registry entry, or 404 "no flow named 'x'" (with a did-you-mean).
FlowEntry require_flow(const FlowRegistry& flows, const std::string& name);

/// Stats of one flow name in a flow_stats() map, or null.
const store::FlowStats* stats_of(const std::map<std::string, store::FlowStats>& all, const std::string& name);

}  // namespace flowctl::daemon
