#pragma once
// Running one child process: its own process group, captured output with a cap,
// a deadline, cancellation, and the whole group killed (TERM, then KILL after a grace).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/cancel.hpp"

namespace flowctl::proc {

/// The process-wide default for SpawnSpec::kill_grace (2 s; the daemon sets it from its config).
void set_default_kill_grace(std::chrono::milliseconds grace);
std::chrono::milliseconds default_kill_grace();

/// Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER) and starts a background thread
/// that reaps descendants re-parented to it when their parent died (no zombies, also as PID 1).
/// Children started by run_process are never reaped by it: their statuses stay with
/// run_process. Call once, early, before other threads spawn children (the daemon does).
void start_orphan_reaper();
/// How many orphans the reaper has collected (for /metrics).
uint64_t orphans_reaped();

struct SpawnSpec {
    std::vector<std::string> argv;           // argv[0] is looked up in PATH when it has no '/'
    std::map<std::string, std::string> env;  // the complete environment
    std::string cwd;                         // empty: inherit
    std::optional<std::string> stdin_data;   // nullopt: /dev/null
    size_t capture_cap = 1 << 20;            // bytes kept per stream; the rest is counted, not kept
    std::optional<std::chrono::steady_clock::time_point> deadline;
    const util::CancelToken* cancel = nullptr;
    std::chrono::milliseconds kill_grace = default_kill_grace();  // between SIGTERM and SIGKILL
    /// Called for each complete line (without '\n') as it arrives; stream is "stdout"/"stderr".
    /// Lines longer than 64 KiB are delivered in pieces.
    std::function<void(std::string_view stream, std::string_view line)> on_line;
};

struct ProcessResult {
    bool started = false;  // false: spawn failed, see error
    std::string error;     // spawn error (e.g. "no such file: foo")
    int exit_code = -1;    // when exited normally
    int term_signal = 0;   // when killed by a signal
    bool timed_out = false;
    bool cancelled = false;
    std::string stdout_text;  // up to capture_cap bytes
    std::string stderr_text;
    bool stdout_truncated = false;
    bool stderr_truncated = false;
    long long cpu_ms = 0;  // user + system of the child (and its waited-for children)
    long long max_rss_kb = 0;
};

/// Runs the process to completion. Once the main process exits, whatever is left in its
/// process group is killed, so a step never leaves background processes behind.
/// Never throws for failures of the child; they are in the result.
ProcessResult run_process(const SpawnSpec& spec);

/// Marker appended to captured output that hit the cap.
inline constexpr std::string_view truncation_marker = "\n[... output truncated ...]\n";

}  // namespace flowctl::proc
