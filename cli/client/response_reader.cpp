#include "client/response_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "client/errors.hpp"

namespace flowctl::cli::client {

namespace {
constexpr size_t max_head_bytes = 64 * 1024;
constexpr size_t read_size = 16 * 1024;

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}
}  // namespace

std::string ResponseHead::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

ResponseReader::ResponseReader(int fd, std::optional<Clock::time_point> deadline, Tick tick,
                               std::chrono::milliseconds tick_interval)
    : m_fd(fd), m_deadline(deadline), m_tick(std::move(tick)), m_tick_interval(tick_interval) {}

bool ResponseReader::fill() {
    if (m_pos > 0 && m_pos == m_buf.size()) {
        m_buf.clear();
        m_pos = 0;
    }
    for (;;) {
        if (m_stopped) return false;
        int wait_ms = -1;
        if (m_tick) wait_ms = static_cast<int>(m_tick_interval.count());
        if (m_deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*m_deadline - Clock::now()).count();
            if (left <= 0) throw TransportError("timed out waiting for the daemon's answer");
            wait_ms = wait_ms < 0 ? static_cast<int>(left) : std::min<int>(wait_ms, static_cast<int>(left));
        }
        pollfd p{m_fd, POLLIN, 0};
        int rc = ::poll(&p, 1, wait_ms);
        if (rc < 0 && errno != EINTR) throw TransportError(std::string("poll: ") + std::strerror(errno));
        if (rc <= 0) {  // a timeout or a signal: let the caller look around
            if (m_tick && !m_tick()) {
                m_stopped = true;
                return false;
            }
            continue;
        }
        // Into a stack buffer, not a zero-filled slack at the end of m_buf: a short answer then
        // touches only the memory it needs (page faults are a good part of a short run).
        char chunk[read_size];
        ssize_t n = ::read(m_fd, chunk, sizeof(chunk));
        if (n > 0) {
            m_buf.append(chunk, static_cast<size_t>(n));
            return true;
        }
        if (n == 0) return false;
        if (errno == EINTR || errno == EAGAIN) continue;
        throw TransportError(std::string("reading the daemon's answer: ") + std::strerror(errno));
    }
}

bool ResponseReader::read_line(std::string& line) {
    for (;;) {
        auto nl = m_buf.find('\n', m_pos);
        if (nl != std::string::npos) {
            line.assign(m_buf, m_pos, nl - m_pos);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            m_pos = nl + 1;
            return true;
        }
        if (m_buf.size() - m_pos > max_head_bytes) throw TransportError("a line of the daemon's answer is too long");
        if (!fill()) return false;
    }
}

ResponseHead ResponseReader::read_head() {
    ResponseHead head;
    std::string line;
    if (!read_line(line)) {
        if (m_stopped) return head;
        throw TransportError("the daemon closed the connection without answering");
    }
    // "HTTP/1.1 200 OK"
    if (line.compare(0, 5, "HTTP/") != 0 || line.size() < 12)
        throw TransportError("not an HTTP response: " + line.substr(0, 80));
    head.status = std::atoi(line.c_str() + line.find(' ') + 1);
    if (head.status < 100 || head.status > 599) throw TransportError("bad HTTP status line: " + line.substr(0, 80));
    size_t head_bytes = line.size();
    for (;;) {
        if (!read_line(line)) throw TransportError("the daemon's answer ended inside its headers");
        if (line.empty()) break;
        head_bytes += line.size();
        if (head_bytes > max_head_bytes) throw TransportError("the daemon's answer has too many headers");
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = lower(line.substr(0, colon));
        std::string value = trim(std::string_view(line).substr(colon + 1));
        auto [it, inserted] = head.headers.emplace(name, value);
        if (!inserted) it->second += ", " + value;
    }
    return head;
}

bool ResponseReader::read_exact(size_t n, const std::function<bool(std::string_view)>& sink, bool& stopped) {
    while (n > 0) {
        if (m_pos == m_buf.size() && !fill()) {
            if (m_stopped) stopped = true;
            return false;
        }
        size_t take = std::min(n, m_buf.size() - m_pos);
        bool go_on = sink(std::string_view(m_buf).substr(m_pos, take));
        m_pos += take;
        n -= take;
        if (!go_on) {
            stopped = true;
            return false;
        }
    }
    return true;
}

bool ResponseReader::read_chunked(const std::function<bool(std::string_view)>& sink) {
    std::string line;
    for (;;) {
        if (!read_line(line)) {
            if (m_stopped) return false;
            throw TransportError("the daemon's chunked answer ended early");
        }
        if (line.empty()) continue;  // tolerate a stray CRLF
        char* end = nullptr;
        unsigned long long size = std::strtoull(line.c_str(), &end, 16);
        if (end == line.c_str()) throw TransportError("bad chunk size in the daemon's answer: " + line.substr(0, 40));
        if (size == 0) {
            while (read_line(line) && !line.empty()) {
            }  // trailers
            return true;
        }
        bool stopped = false;
        if (!read_exact(size, sink, stopped)) {
            if (stopped) return false;
            throw TransportError("the daemon's chunked answer ended inside a chunk");
        }
        if (!read_line(line)) {
            if (m_stopped) return false;
            throw TransportError("the daemon's chunked answer ended early");
        }
    }
}

bool ResponseReader::read_body(const ResponseHead& head, const std::function<bool(std::string_view)>& sink) {
    if (m_stopped) return false;
    if (head.status == 204 || head.status == 304 || head.status < 200) return true;
    if (lower(head.header("transfer-encoding")).find("chunked") != std::string::npos) return read_chunked(sink);
    std::string length = head.header("content-length");
    if (!length.empty()) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(length.c_str(), &end, 10);
        if (end == length.c_str()) throw TransportError("bad Content-Length in the daemon's answer: " + length);
        bool stopped = false;
        if (!read_exact(n, sink, stopped)) {
            if (stopped) return false;
            throw TransportError("the daemon's answer ended before its " + length + " bytes");
        }
        return true;
    }
    // Neither: the body runs to the end of the connection.
    for (;;) {
        if (m_pos < m_buf.size()) {
            bool go_on = sink(std::string_view(m_buf).substr(m_pos));
            m_pos = m_buf.size();
            if (!go_on) return false;
        }
        if (!fill()) return !m_stopped;
    }
}

}  // namespace flowctl::cli::client
