#pragma once
// Following an execution that runs in the daemon: its live events drive the same progress
// view a local run shows, and the exit code maps its status the same way.
#include <functional>
#include <string>
#include <vector>

#include "context.hpp"

namespace flowctl::cli {

struct FollowOptions {
    std::string flow;                   // the flow's name (empty: unknown)
    std::vector<std::string> step_ids;  // the flow's steps in file order, for the progress view
    bool show_steps = true;             // false: only the final line (--no-progress)
};

/// Starts an execution with `start` (which returns its id) and follows it until it ends.
/// When the flow is known, `start` runs once the flow's event stream is open, so not even
/// the first events of a quick run are missed. Ctrl-C (SIGINT/SIGTERM/SIGHUP) asks the daemon
/// to cancel it, and the exit code is then 128 + the signal, as for a local run. With -o json
/// prints the final execution with its steps; with -q its id. Returns the exit code.
int start_and_follow(Context& ctx, const FollowOptions& options, const std::function<std::string()>& start);

/// The exit code of an ended execution: 0 when it succeeded, else 1.
int exit_code_for_execution(const std::string& status);

}  // namespace flowctl::cli
