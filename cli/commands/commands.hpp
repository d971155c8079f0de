#pragma once
#include <functional>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace flowctl::cli {

/// One row per command: each command's file exports one function that adds its subcommand
/// and returns the code to run when it was chosen (returning the exit code).
using CommandMain = std::function<int()>;
struct CommandRow {
    std::string_view name;
    CommandMain (*add)(CLI::App& app, Context& ctx);
};

CommandMain add_run(CLI::App& app, Context& ctx);
CommandMain add_validate(CLI::App& app, Context& ctx);
CommandMain add_history(CLI::App& app, Context& ctx);
CommandMain add_show(CLI::App& app, Context& ctx);
CommandMain add_logs(CLI::App& app, Context& ctx);
CommandMain add_actions(CLI::App& app, Context& ctx);
CommandMain add_version(CLI::App& app, Context& ctx);

/// The command table, in the order `flowctl --help` lists them.
const std::vector<CommandRow>& command_table();

}  // namespace flowctl::cli
