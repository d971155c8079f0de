#pragma once

namespace flowctl::cli {

// Documented in flowctl(1) and the README; scripts rely on them.
enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,       // the flow failed or timed out, or a file is invalid
    exit_usage = 2,        // bad flags or arguments
    exit_unreachable = 3,  // the daemon could not be reached
    exit_not_found = 4,    // no such execution, flow or step
    exit_internal = 5,     // the history database or the system failed us
    exit_cancelled = 130,  // the run was cancelled by SIGINT/SIGTERM (128 + SIGINT, as shells do)
};

}  // namespace flowctl::cli
