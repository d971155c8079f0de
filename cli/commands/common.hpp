#pragma once
// Small pieces several commands share.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/args.hpp"

#include "context.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::cli {

/// Adds -o/--output (table|json) and -q/--quiet.
void add_output_flags(Args cmd, Context& ctx);

/// Prints diagnostics one per line ("FILE:LINE:COL: error: message"), colored on a terminal.
void print_diagnostics(const std::vector<util::Diagnostic>& diags, std::FILE* out, const Context& ctx);

/// Finds an execution by id or unique prefix, or throws CommandError (exit 4 / 2).
store::ExecutionRecord find_execution(Context& ctx, const std::string& id);

/// "1.2s" when finished, "3.4s+" while running.
std::string format_exec_duration(const store::ExecutionRecord& e, int64_t now);

/// `-i key=value` pairs added to `into` as strings (the flow's declared types convert them).
json parse_key_values(const std::vector<std::string>& pairs, json into = json::object());
/// A JSON object read from a file (--input-file), or CommandError(exit_usage).
json read_input_object(const std::string& path);

/// A string field of an API object; "" when missing or null.
std::string str_field(const json& object, const char* key);
/// An integer field of an API object; `fallback` when missing, null or not an integer.
int64_t int_field(const json& object, const char* key, int64_t fallback = 0);
/// An API time (RFC 3339 or null) in epoch milliseconds; 0 when null.
int64_t api_time_ms(const json& value);
/// The API's Diagnostic objects; `file`, when not empty, replaces their file name (the
/// daemon knows the file by its name in the flows directory, the user by the path they gave).
std::vector<util::Diagnostic> api_diagnostics(const json& list, const std::string& file = "");

/// Percent-encodes a path segment or a query value.
std::string url_part(const std::string& text);

}  // namespace flowctl::cli
