#include "app/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace flowctl::daemon {

namespace {
pid_t read_pid(int fd) {
    char buffer[32] = {};
    ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) return 0;
    return static_cast<pid_t>(std::strtol(buffer, nullptr, 10));
}
}  // namespace

InstanceLock::InstanceLock(std::filesystem::path path) : m_path(std::move(path)) {
    m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) throw std::runtime_error("cannot open " + m_path.string() + ": " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        pid_t owner = err == EWOULDBLOCK ? read_pid(m_fd) : 0;
        ::close(m_fd);
        m_fd = -1;
        if (err != EWOULDBLOCK) throw std::runtime_error("cannot lock " + m_path.string() + ": " + std::strerror(err));
        throw AlreadyRunning(owner > 0 ? "flowd is already running (pid " + std::to_string(owner) + ")"
                                       : "flowd is already running (lock " + m_path.string() + " is held)",
                             owner);
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        int err = errno;
        ::close(m_fd);
        m_fd = -1;
        throw std::runtime_error("cannot write " + m_path.string() + ": " + std::strerror(err));
    }
}

InstanceLock::~InstanceLock() {
    if (m_fd < 0) return;
    // No pid left behind that could later name an unrelated process.
    if (::ftruncate(m_fd, 0) != 0) {
    }
    ::close(m_fd);
}

}  // namespace flowctl::daemon
