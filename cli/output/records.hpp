#pragma once
// Printing the stable JSON shapes of `-o json` (the shapes live in store/records_json.hpp).
#include "store/records_json.hpp"
#include "util/json.hpp"

namespace flowctl::cli {

using store::to_json;

/// Prints a JSON value on stdout (pretty, 2 spaces), never throwing on invalid UTF-8.
void print_json(const json& value);

}  // namespace flowctl::cli
