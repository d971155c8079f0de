#pragma once
// Where flowd listens, and opening a connection to it.
#include <chrono>
#include <filesystem>
#include <string>

namespace flowctl::cli::client {

struct Endpoint {
    std::filesystem::path unix_socket;  // used when host is empty
    std::string host;                   // TCP: a name, an IPv4 address or an IPv6 address (no brackets)
    std::string port;
    std::string token;  // sent as `Authorization: Bearer TOKEN` (TCP only)

    bool tcp() const { return !host.empty(); }
    /// For messages: the socket path, or http://HOST:PORT.
    std::string describe() const;
};

Endpoint unix_endpoint(const std::filesystem::path& socket);
/// Parses http://HOST:PORT (HOST may be [IPv6]; a trailing "/" is allowed). Throws
/// std::invalid_argument with a message naming the problem.
Endpoint tcp_endpoint(const std::string& url, const std::string& token);

/// A file descriptor closed when it goes out of scope.
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : m_fd(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : m_fd(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return m_fd; }
    int release() {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

/// Connects (close-on-exec, blocking once connected). Throws Unreachable when nobody accepts
/// (missing socket, refused, unresolved name, connect timeout) and TransportError otherwise.
Socket connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout);

/// True when something accepts connections on the Unix socket right now.
bool unix_socket_accepting(const std::filesystem::path& socket);

/// The pid of the process that accepted a connection on the Unix socket (SO_PEERCRED), or 0.
int unix_socket_owner_pid(const std::filesystem::path& socket);

}  // namespace flowctl::cli::client
