#pragma once
// An execution with its step runs, sub-flow executions and progress (GET /executions/{id}).
#include "api/routes.hpp"
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// {completed, total, percent, running: [step]}: total counts the steps of the definition the
/// execution ran (the live flow when its hash matches, else the recorded version); a step is
/// completed once the latest attempt of each of its runs has a final status.
json progress_json(const Services& services, store::Store& store, const store::ExecutionRecord& execution,
                   const std::vector<store::StepRunRecord>& runs);

json execution_detail_json(const Services& services, store::Store& store, const store::ExecutionRecord& execution);

}  // namespace flowctl::daemon
