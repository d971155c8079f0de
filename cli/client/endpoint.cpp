#include "client/endpoint.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "client/errors.hpp"

namespace flowctl::cli::client {

Socket::~Socket() {
    if (m_fd >= 0) ::close(m_fd);
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.release();
    }
    return *this;
}

std::string Endpoint::describe() const {
    if (!tcp()) return unix_socket.string();
    bool v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port;
}

Endpoint unix_endpoint(const std::filesystem::path& socket) {
    Endpoint e;
    e.unix_socket = socket;
    return e;
}

Endpoint tcp_endpoint(const std::string& url, const std::string& token) {
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        throw std::invalid_argument("url '" + url + "' must look like http://HOST:PORT (https is not supported)");
    std::string rest = url.substr(scheme.size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.find('/') != std::string::npos)
        throw std::invalid_argument("url '" + url + "' must not have a path: use http://HOST:PORT");
    Endpoint e;
    e.token = token;
    std::string port;
    if (!rest.empty() && rest[0] == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos) throw std::invalid_argument("url '" + url + "': unclosed [ in the host");
        e.host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':')
            port = rest.substr(close + 2);
        else if (close + 1 != rest.size())
            throw std::invalid_argument("url '" + url + "': expected :PORT after ]");
    } else {
        auto colon = rest.rfind(':');
        if (colon != std::string::npos) {
            e.host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
        } else {
            e.host = rest;
        }
    }
    if (e.host.empty()) throw std::invalid_argument("url '" + url + "' has no host");
    if (port.empty()) port = "80";
    for (char c : port)
        if (c < '0' || c > '9') throw std::invalid_argument("url '" + url + "': port '" + port + "' is not a number");
    if (port.size() > 5 || std::stoi(port) == 0 || std::stoi(port) > 65535)
        throw std::invalid_argument("url '" + url + "': port " + port + " is out of range");
    e.port = port;
    return e;
}

namespace {

bool nobody_there(int err) {
    return err == ENOENT || err == ECONNREFUSED || err == ENOTDIR || err == ETIMEDOUT || err == EHOSTUNREACH ||
           err == ENETUNREACH || err == EADDRNOTAVAIL || err == ECONNRESET;
}

[[noreturn]] void fail(const Endpoint& endpoint, int err) {
    std::string message = "cannot connect to " + endpoint.describe() + ": " + std::strerror(err);
    if (nobody_there(err)) throw Unreachable(message, err);
    throw TransportError(message);
}

Socket connect_unix(const Endpoint& endpoint) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& path = endpoint.unix_socket.native();
    if (path.size() >= sizeof(addr.sun_path))
        throw TransportError("socket path is too long (" + std::to_string(path.size()) + " bytes): " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (s.get() < 0) throw TransportError(std::string("socket: ") + std::strerror(errno));
    int rc;
    do {
        rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) fail(endpoint, errno);
    return s;
}

// Non-blocking connect so that an address that drops packets gives up after `timeout`.
int try_address(const addrinfo* ai, std::chrono::milliseconds timeout, Socket& out) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (s.get() < 0) return errno;
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) return errno;
        pollfd p{s.get(), POLLOUT, 0};
        int rc;
        do {
            rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
        } while (rc < 0 && errno == EINTR);
        if (rc == 0) return ETIMEDOUT;
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return err;
    }
    int flags = ::fcntl(s.get(), F_GETFL);
    ::fcntl(s.get(), F_SETFL, flags & ~O_NONBLOCK);
    out = std::move(s);
    return 0;
}

Socket connect_tcp(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &list);
    if (rc != 0) throw Unreachable("cannot resolve " + endpoint.host + ": " + ::gai_strerror(rc), 0);
    int last_error = ECONNREFUSED;
    Socket s;
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        last_error = try_address(ai, timeout, s);
        if (last_error == 0) break;
    }
    ::freeaddrinfo(list);
    if (last_error != 0) fail(endpoint, last_error);
    return s;
}

}  // namespace

Socket connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    return endpoint.tcp() ? connect_tcp(endpoint, timeout) : connect_unix(endpoint);
}

bool unix_socket_accepting(const std::filesystem::path& socket) {
    try {
        connect_unix(unix_endpoint(socket));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

int unix_socket_owner_pid(const std::filesystem::path& socket) {
    try {
        Socket s = connect_unix(unix_endpoint(socket));
        ucred cred{};
        socklen_t len = sizeof(cred);
        if (::getsockopt(s.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) return cred.pid;
    } catch (const std::exception&) {
    }
    return 0;
}

}  // namespace flowctl::cli::client
