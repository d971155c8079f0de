#pragma once
// Listening sockets for the server, created here rather than by cpp-httplib: it has no
// AF_UNIX support, and doing TCP the same way gives clear errors (errno) on failure.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace flowctl::daemon {

/// Listens on a Unix socket at `path`: its directory is created 0700 (and must be ours), the
/// socket is made 0600. A stale socket file (connect() refused) is replaced; a live one is an
/// error "another flowd is already listening on PATH". Returns the fd (close-on-exec).
/// Throws std::runtime_error.
int listen_unix(const std::filesystem::path& path);

struct TcpAddress {
    std::string host;  // without the brackets of an IPv6 literal
    int port = 0;
};
/// "HOST:PORT" or "[IPV6]:PORT"; throws std::invalid_argument.
TcpAddress parse_listen_address(const std::string& spec);

/// Listens on TCP (SO_REUSEADDR, TCP_NODELAY inherited by accepted sockets); `bound_port` gets
/// the port actually bound (useful with port 0). Throws std::runtime_error.
int listen_tcp(const TcpAddress& address, int& bound_port);

/// The uid of the process at the other end of a Unix socket (SO_PEERCRED).
std::optional<uid_t> peer_uid(int fd);

}  // namespace flowctl::daemon
