#pragma once

namespace flowctl::cli {

// Documented in flowctl(1) and the README; scripts rely on them.
enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,       // the flow failed or timed out, a file is invalid, or the daemon refused the
                           // request as it stands (409 conflict, 429 queue full, 5xx with its message)
    exit_usage = 2,        // bad flags or arguments, a bad config file, or input the daemon rejected (400, 413, 422)
    exit_unreachable = 3,  // the daemon could not be reached (not running and not started, or draining: 503)
    exit_not_found = 4,    // no such execution, flow, step or token (404)
    exit_internal = 5,     // the history database or the system failed us
    exit_denied = 6,       // the daemon refused the token: missing or unknown (401) or too small a scope (403)
    exit_cancelled = 130,  // the run was cancelled by SIGINT/SIGTERM (128 + SIGINT, as shells do)
};

/// The exit code for a daemon's error status (`flowctl apply` of an invalid file exits 1 instead of 2).
constexpr int exit_code_for_status(int status) {
    switch (status) {
        case 400:
        case 413:
        case 422:
            return exit_usage;
        case 401:
        case 403:
            return exit_denied;
        case 404:
            return exit_not_found;
        case 503:
            return exit_unreachable;
        default:
            return exit_failed;
    }
}

}  // namespace flowctl::cli
