#pragma once
// Talking HTTP/1.1 by hand over a Unix socket, for tests of the daemon's listener.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

namespace flowctl::daemon::unix_http {

/// A connected socket, or -1 when nobody accepts at `path`.
inline int connect_unix(const std::filesystem::path& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Sends one request (with Connection: close) and returns the raw response; "" when unreachable.
inline std::string unix_exchange(const std::filesystem::path& socket, const std::string& method,
                                 const std::string& target, const std::string& body = "") {
    int fd = connect_unix(socket);
    if (fd < 0) return {};
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    if (!body.empty())
        request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string raw;
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) raw.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    return raw;
}

}  // namespace flowctl::daemon::unix_http
