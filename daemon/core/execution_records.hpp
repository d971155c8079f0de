#pragma once
// The history rows the execution manager writes itself, around what the engine records:
// the `pending` row of a queued run, and the final state of a run that never started or
// whose engine gave up (so no row is left pending or running).
#include <optional>
#include <string>

#include "flow/model.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// Inputs as history keeps them: each secret input that has a value becomes "***".
json redact_secret_inputs(const flow::Flow& flow, const json& inputs);

/// Statuses of an execution that has not ended.
bool is_unfinished(const std::string& status);

/// Records a queued execution that ended before it started: status (cancelled), error, finish
/// time. Returns the record as stored, or nullopt when it is gone or already ended elsewhere.
std::optional<store::ExecutionRecord> close_unstarted(store::Store& store, const std::string& id,
                                                      const std::string& status, const std::string& error);

/// Records an execution the engine could not finish as `failed` with `error`, and closes its
/// step runs that were still running. Returns the record as stored (nullopt when it is gone);
/// an execution that already ended is left as it is.
std::optional<store::ExecutionRecord> close_failed(store::Store& store, const std::string& id,
                                                   const std::string& error);

}  // namespace flowctl::daemon
