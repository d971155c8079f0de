#pragma once
// One flowd per state directory: an exclusive flock() on STATE_DIR/flowd.lock, held for the
// life of the process (the kernel drops it when the process dies, however it dies). The file
// holds the owner's pid, for messages and for tools.
#include <sys/types.h>

#include <filesystem>
#include <stdexcept>

namespace flowctl::daemon {

struct AlreadyRunning : std::runtime_error {
    AlreadyRunning(const std::string& message, pid_t pid) : std::runtime_error(message), pid(pid) {}
    pid_t pid;  // 0 when the file did not say
};

class InstanceLock {
public:
    /// Takes the lock and writes our pid. Throws AlreadyRunning ("flowd is already running
    /// (pid N)") when another process holds it, std::runtime_error when the file cannot be used.
    explicit InstanceLock(std::filesystem::path path);
    ~InstanceLock();  // empties the file and releases the lock
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;

    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    int m_fd = -1;
};

}  // namespace flowctl::daemon
