#pragma once
// One step type with given parameters, checked and run outside any installed flow
// (POST /api/v1/actions/{type}/test and /execute).
#include <optional>
#include <string>
#include <vector>

#include "api/routes.hpp"
#include "flow/model.hpp"
#include "util/diagnostic.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// A one-step flow (step id `action`) running `type` with `params`, checked exactly as a step in
/// a flow file is. Problems land in `diagnostics` (file "params", no position: the text they
/// would point into is generated); nullopt when there are errors.
std::optional<flow::Flow> adhoc_flow(const std::string& type, const json& params,
                                     std::vector<util::Diagnostic>& diagnostics);

/// Runs it to the end on the calling thread, recorded in history as flow "adhoc:<type>" with
/// trigger "api": {execution_id, status, output, outputs, exit_code, error, duration_ms, logs}.
json run_adhoc(Services& services, flow::Flow flow, const std::string& type, int64_t timeout_ms,
               const json& trigger_data);

}  // namespace flowctl::daemon
