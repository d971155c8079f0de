#pragma once
// Serves a Router on a Unix socket (always) and on TCP (when asked), with cpp-httplib.
// Unix socket: 0600 in a 0700 directory, the peer's uid must be ours (SO_PEERCRED), callers get
// admin scope. TCP: every route except scope `none` needs `Authorization: Bearer TOKEN` or
// `X-API-Key: TOKEN` (401 without or with an unknown token, 403 when its scope is too small).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "store/store.hpp"

namespace flowctl::daemon {

struct ServerOptions {
    std::filesystem::path socket_path;
    std::string listen;  // "" or HOST:PORT (port 0: any free port, see tcp_port())
    uint64_t max_body_bytes = 1u << 20;
    uint64_t webhook_max_body_bytes = 16u << 20;  // routes under /hooks/ (their handlers check it)
    int threads = 64;                             // request threads per listener; event streams hold one each
};

/// Looks an active token up by the sha256 hex of its secret (and records its use).
using TokenLookup = std::function<std::optional<store::TokenRecord>(const std::string& sha256_hex)>;

/// Counters for /metrics.
struct ServerMetrics {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> errors_4xx{0};
    std::atomic<uint64_t> errors_5xx{0};
    std::atomic<uint64_t> latency_us_total{0};
};

class Server {
public:
    Server(const Router& router, TokenLookup tokens, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds every listener and starts serving on background threads. Throws std::runtime_error
    /// with a clear message (socket held by a running daemon, port in use, bad address).
    /// A stale socket file (nobody accepting) is replaced.
    void start();
    /// Stops accepting and closes the listeners (running requests finish); removes the socket.
    void stop();

    int tcp_port() const;  // the bound TCP port, 0 when none
    const ServerMetrics& metrics() const { return m_metrics; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    ServerMetrics m_metrics;
};

}  // namespace flowctl::daemon
