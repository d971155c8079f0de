#pragma once
// The children run_process is waiting for, so the orphan reaper never takes their statuses.
// A child is registered under the same lock as its posix_spawn, so there is no moment when it
// exists and the reaper could mistake it for an orphan.
#include <sys/types.h>

#include <mutex>

namespace flowctl::proc {

/// Held across posix_spawn and register_child_locked(), and by the reaper while it decides
/// whether a zombie is its to collect.
std::mutex& child_registry_mutex();
void register_child_locked(pid_t pid);
/// After run_process has collected the child's status; wakes the reaper, which may have been
/// held up by this child's zombie.
void forget_child(pid_t pid);

}  // namespace flowctl::proc
