#pragma once
// Small pieces several commands share.
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::cli {

/// Adds -o/--output (table|json) and -q/--quiet.
void add_output_flags(CLI::App* cmd, Context& ctx);

/// Prints diagnostics one per line ("FILE:LINE:COL: error: message"), colored on a terminal.
void print_diagnostics(const std::vector<util::Diagnostic>& diags, std::FILE* out, const Context& ctx);

/// Finds an execution by id or unique prefix, or throws CommandError (exit 4 / 2).
store::ExecutionRecord find_execution(Context& ctx, const std::string& id);

/// "1.2s" when finished, "3.4s+" while running.
std::string format_exec_duration(const store::ExecutionRecord& e, int64_t now);

}  // namespace flowctl::cli
