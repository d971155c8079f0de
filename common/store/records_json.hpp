#pragma once
// The stable JSON shapes of executions, step runs and logs, shared by `flowctl -o json` and the
// daemon's API (documented in the README): RFC 3339 times, ids, statuses.
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::store {

json to_json(const ExecutionRecord& e);
json to_json(const StepRunRecord& s);
json to_json(const LogRecord& l);

}  // namespace flowctl::store
