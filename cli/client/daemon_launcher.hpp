#pragma once
// Starting flowd in the background for a command that needs it (autostart) and for
// `flowctl daemon start`.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace flowctl::cli::client {

/// The flowd executable: $FLOWCTL_FLOWD, else `flowd` next to the running flowctl
/// (/proc/self/exe), else the first `flowd` in PATH. Empty when none is found.
std::filesystem::path find_flowd();

struct LaunchResult {
    bool ready = false;    // the socket accepted a connection before the deadline
    int pid = 0;           // the flowd we spawned (it may have exited: another one won the race)
    int exit_status = -1;  // its wait status when it had exited by the deadline, else -1
};

/// Spawns `flowd ARGS...` in a session of its own with stdin/stdout/stderr on /dev/null (it
/// logs to its own file), then waits up to `wait` for `socket` to accept. When several clients
/// do this at once the daemons race for flowd's lock and one survives; every client sees the
/// socket of that one. Throws std::runtime_error when flowd cannot be spawned at all.
LaunchResult launch_flowd(const std::filesystem::path& flowd, const std::vector<std::string>& args,
                          const std::filesystem::path& socket, std::chrono::milliseconds wait);

/// Waits until nothing accepts on `socket` any more (flowd stopped). False when it still
/// accepts at the deadline.
bool wait_until_gone(const std::filesystem::path& socket, std::chrono::milliseconds wait);

}  // namespace flowctl::cli::client
