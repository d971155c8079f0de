#include "http/listen_sockets.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "util/paths.hpp"

namespace flowctl::daemon {

namespace {

std::runtime_error system_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_un unix_address(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& text = path.native();
    if (text.size() >= sizeof addr.sun_path) {
        throw std::runtime_error("socket path too long (max " + std::to_string(sizeof addr.sun_path - 1) +
                                 " bytes): " + text);
    }
    std::memcpy(addr.sun_path, text.c_str(), text.size() + 1);
    return addr;
}

// The socket's directory must be private: anyone able to write there could put their own
// socket in its place.
void prepare_directory(const std::filesystem::path& dir) {
    util::ensure_private_dir(dir);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) throw system_error("cannot use " + dir.string());
    if (st.st_uid != ::getuid()) {
        throw std::runtime_error("socket directory " + dir.string() + " belongs to another user");
    }
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
        throw system_error("cannot make " + dir.string() + " private");
    }
}

// True when a process accepts connections on the socket file; false when it is stale.
bool socket_is_live(const sockaddr_un& addr, const std::filesystem::path& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw system_error("socket");
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int err = errno;
    ::close(fd);
    if (rc == 0) return true;
    if (err == ECONNREFUSED || err == ENOENT) return false;
    errno = err;
    throw system_error("cannot check " + path.string());
}

}  // namespace

int listen_unix(const std::filesystem::path& path) {
    if (path.has_parent_path()) prepare_directory(path.parent_path());
    sockaddr_un addr = unix_address(path);

    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path.string() + " exists and is not a socket");
        if (socket_is_live(addr, path)) {
            throw std::runtime_error("another flowd is already listening on " + path.string());
        }
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw system_error("cannot remove stale " + path.string());
    }

    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw system_error("socket");
    // chmod right after bind: the directory is already 0700, so nobody else can reach it in between
    // (a umask change would be process-wide and race with other threads creating files).
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::chmod(path.c_str(), 0600) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
        int err = errno;
        ::close(fd);
        errno = err;
        throw system_error("cannot listen on " + path.string());
    }
    return fd;
}

TcpAddress parse_listen_address(const std::string& spec) {
    auto bad = [&](const std::string& why) {
        return std::invalid_argument("bad listen address '" + spec + "': " + why + " (expected HOST:PORT)");
    };
    TcpAddress address;
    std::string port_text;
    if (!spec.empty() && spec[0] == '[') {
        auto close = spec.find(']');
        if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':') {
            throw bad("unclosed IPv6 address");
        }
        address.host = spec.substr(1, close - 1);
        port_text = spec.substr(close + 2);
    } else {
        auto colon = spec.rfind(':');
        if (colon == std::string::npos) throw bad("no port");
        address.host = spec.substr(0, colon);
        port_text = spec.substr(colon + 1);
        if (address.host.find(':') != std::string::npos) throw bad("write an IPv6 address in brackets");
    }
    if (address.host.empty()) throw bad("no host");
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || address.port < 0 ||
        address.port > 65535) {
        throw bad("port must be a number from 0 to 65535");
    }
    return address;
}

int listen_tcp(const TcpAddress& address, int& bound_port) {
    std::string where = address.host + ":" + std::to_string(address.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string port_text = std::to_string(address.port);
    if (int rc = ::getaddrinfo(address.host.c_str(), port_text.c_str(), &hints, &found); rc != 0) {
        throw std::runtime_error("cannot listen on " + where + ": " + ::gai_strerror(rc));
    }
    int err = 0;
    int fd = -1;
    for (addrinfo* ai = found; ai && fd < 0; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
            err = errno;
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0) {
        errno = err;
        throw system_error("cannot listen on " + where);
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                             : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    return fd;
}

std::optional<uid_t> peer_uid(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
    return cred.uid;
}

}  // namespace flowctl::daemon
