#pragma once
// Starting the child: program lookup, cwd check and posix_spawn with its own process group.
#include <sys/types.h>

#include <string>

#include "proc/process.hpp"
#include "proc/unique_fd.hpp"

namespace flowctl::proc {

struct SpawnedChild {
    pid_t pid = -1;  // also the process group id
    UniqueFd out;    // read end of the child's stdout
    UniqueFd err;    // read end of the child's stderr
    UniqueFd in;     // write end of the child's stdin (only with stdin_data)
};

/// The program argv[0] names, searched in the PATH of `env` (not ours) when it has no '/'.
/// Relative results are made absolute against `cwd` (or ours when empty).
/// Returns the path, or sets `error` ("command not found: foo") and returns "".
std::string find_program(const std::string& name, const std::map<std::string, std::string>& env, const std::string& cwd,
                         std::string& error);

/// Spawns spec.argv. On failure returns a message for people and leaves `child` empty.
std::string spawn_child(const SpawnSpec& spec, SpawnedChild& child);

}  // namespace flowctl::proc
