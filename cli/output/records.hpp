#pragma once
// The stable JSON shapes of `-o json` (documented in the README): RFC 3339 times, ids, statuses.
#include "store/store.hpp"
#include "util/json.hpp"

namespace flowctl::cli {

json to_json(const store::ExecutionRecord& e);
json to_json(const store::StepRunRecord& s);
json to_json(const store::LogRecord& l);

/// Prints a JSON value on stdout (pretty, 2 spaces), never throwing on invalid UTF-8.
void print_json(const json& value);

}  // namespace flowctl::cli
