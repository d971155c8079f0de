#include "http/socket_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace flowctl::daemon {

namespace {

constexpr size_t kReadBufferSize = 16 * 1024;

int poll_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
        if (n >= 0 || errno != EINTR) return n > 0 ? p.revents : n;
    }
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        ip = text;
        port = ntohs(in->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        ip = text;
        port = ntohs(in6->sin6_port);
    } else {
        ip = "unix";
        port = 0;
    }
}

}  // namespace

SocketStream::SocketStream(int fd, std::chrono::milliseconds read_timeout, std::chrono::milliseconds write_timeout)
    : m_fd(fd), m_read_timeout(read_timeout), m_write_timeout(write_timeout), m_buffer(kReadBufferSize) {}

bool SocketStream::is_readable() const {
    if (m_offset < m_size) return true;
    return poll_for(m_fd, POLLIN, m_read_timeout) > 0;
}

bool SocketStream::is_writable() const {
    if ((poll_for(m_fd, POLLOUT, m_write_timeout) & POLLOUT) == 0) return false;
    // A peer that hung up: stop writing (an event stream must end when its reader goes away).
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return true;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return false;
    char c;
    return ::recv(m_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

ssize_t SocketStream::read(char* ptr, size_t size) {
    if (m_offset < m_size) {
        size_t n = std::min(size, m_size - m_offset);
        std::memcpy(ptr, m_buffer.data() + m_offset, n);
        m_offset += n;
        return static_cast<ssize_t>(n);
    }
    if (!is_readable()) return -1;
    if (size >= m_buffer.size()) {
        ssize_t n;
        do n = ::recv(m_fd, ptr, size, 0);
        while (n < 0 && errno == EINTR);
        return n;
    }
    ssize_t n;
    do n = ::recv(m_fd, m_buffer.data(), m_buffer.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    m_size = static_cast<size_t>(n);
    m_offset = std::min(size, m_size);
    std::memcpy(ptr, m_buffer.data(), m_offset);
    return static_cast<ssize_t>(m_offset);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
    if (!is_writable()) return -1;
    ssize_t n;
    do n = ::send(m_fd, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

bool SocketStream::wait_for_request(std::chrono::milliseconds idle, const std::function<bool()>& stopping) const {
    if (m_offset < m_size) return true;
    auto deadline = std::chrono::steady_clock::now() + idle;
    while (!stopping()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        int revents = poll_for(m_fd, POLLIN, std::min(left, std::chrono::milliseconds(50)));
        if (revents < 0) return false;
        if (revents > 0) return true;  // data, or a hang-up the next read reports
    }
    return false;
}

}  // namespace flowctl::daemon
