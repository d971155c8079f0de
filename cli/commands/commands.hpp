#pragma once
#include <functional>
#include <string_view>
#include <vector>

#include "commands/args.hpp"

#include "context.hpp"

namespace flowctl::cli {

/// One row per command: each command's file exports one function that adds its subcommand
/// and returns the code to run when it was chosen (returning the exit code). main() adds only
/// the chosen command (all of them for --help): building every parser costs start-up time.
using CommandMain = std::function<int()>;
struct CommandRow {
    std::string_view name;
    CommandMain (*add)(Args app, Context& ctx);
};

// Local: run a file, validate, read the history.
CommandMain add_run(Args app, Context& ctx);
CommandMain add_validate(Args app, Context& ctx);
CommandMain add_history(Args app, Context& ctx);
CommandMain add_show(Args app, Context& ctx);
CommandMain add_logs(Args app, Context& ctx);
CommandMain add_actions(Args app, Context& ctx);
CommandMain add_version(Args app, Context& ctx);
CommandMain add_cron(Args app, Context& ctx);
/// Replaces this process with the flowctl-cron helper, same arguments; returns only by throwing.
int exec_cron_helper(char** argv);
// Through the daemon.
CommandMain add_list(Args app, Context& ctx);
CommandMain add_get(Args app, Context& ctx);
CommandMain add_apply(Args app, Context& ctx);
CommandMain add_delete(Args app, Context& ctx);
CommandMain add_enable(Args app, Context& ctx);
CommandMain add_disable(Args app, Context& ctx);
CommandMain add_cancel(Args app, Context& ctx);
CommandMain add_retry(Args app, Context& ctx);
CommandMain add_token(Args app, Context& ctx);
CommandMain add_daemon(Args app, Context& ctx);
CommandMain add_gc(Args app, Context& ctx);
CommandMain add_webhooks(Args app, Context& ctx);
CommandMain add_triggers(Args app, Context& ctx);
CommandMain add_schedule(Args app, Context& ctx);

/// The command table, in the order `flowctl --help` lists them.
const std::vector<CommandRow>& command_table();

}  // namespace flowctl::cli
