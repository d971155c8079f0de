#pragma once
// Small pieces shared by the route handlers: times, statuses, and lookups that answer with the
// API's errors.
#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// RFC 3339 UTC, or null for 0 (not yet / never).
json time_or_null(int64_t epoch_ms);

/// By full id or unique prefix: 404 when unknown, 400 when the prefix is ambiguous.
store::ExecutionRecord find_execution(store::Store& store, std::string_view id_or_prefix);

/// True for the statuses an execution or step run ends in.
bool is_final_status(std::string_view status);
/// pending, running, succeeded, failed, cancelled, timed_out, interrupted.
bool is_execution_status(std::string_view status);

}  // namespace flowctl::daemon
