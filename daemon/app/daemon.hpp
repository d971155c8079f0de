#pragma once
// flowd's life: start everything in order, serve, and on SIGTERM stop accepting, let running
// executions drain, close the event streams and exit; SIGHUP rescans the flows directory.
#include <memory>

#include "config/config.hpp"

namespace flowctl::daemon {

class Daemon {
public:
    explicit Daemon(config::Config config);
    ~Daemon();  // shutdown() when still running
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Lock, logging, history recovery, flows, executions, the API; logs "flowd ready".
    /// Throws AlreadyRunning (lock_file.hpp) or std::runtime_error.
    void start();
    /// Rescans the flows directory and logs the result.
    void reload(const char* why);
    /// Stops accepting, drains executions (up to drain_grace), closes the event streams and
    /// the watcher. Idempotent.
    void shutdown(const char* why);

    /// start(), then handles signals on the calling thread until SIGTERM/SIGINT; then shutdown().
    /// The signals must already be blocked in every thread (block_daemon_signals()).
    int run();

    int tcp_port() const;  // 0 without --listen

private:
    struct Parts;
    config::Config m_config;
    std::unique_ptr<Parts> m_parts;
};

}  // namespace flowctl::daemon
