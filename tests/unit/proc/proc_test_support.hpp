#pragma once
// Shared helpers for the proc tests.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "proc/process.hpp"

namespace flowctl::proc::test {

inline SpawnSpec shell(const std::string& script) {
    SpawnSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    return spec;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Makes this test process the reaper of orphaned grandchildren, so a killed group can be
/// reaped and checked with kill(-pgid, 0) even where init does not reap zombies.
inline void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

/// True when no process of the group remains (after reaping the orphans that came to us).
inline bool group_gone(pid_t pgid, std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) {
    auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        while (::waitpid(-pgid, nullptr, WNOHANG) > 0) {
        }
        if (::kill(-pgid, 0) != 0 && errno == ESRCH) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

}  // namespace flowctl::proc::test
