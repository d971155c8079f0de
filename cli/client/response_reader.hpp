#pragma once
// Reads one HTTP/1.1 response from a socket: the head, then the body as it arrives
// (Content-Length, chunked, or up to the end of the connection).
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::cli::client {

struct ResponseHead {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string header(const std::string& lower_name) const;
};

class ResponseReader {
public:
    using Clock = std::chrono::steady_clock;
    /// Called while waiting for data, at least every `tick`; returning false stops reading.
    using Tick = std::function<bool()>;

    /// Without a deadline it waits as long as `tick` allows (for event streams).
    ResponseReader(int fd, std::optional<Clock::time_point> deadline, Tick tick = {},
                   std::chrono::milliseconds tick_interval = std::chrono::milliseconds(250));

    /// Throws TransportError on a malformed head, a timeout or a broken connection.
    ResponseHead read_head();
    /// Hands the body to `sink` piece by piece. Returns false when sink or tick stopped it early.
    bool read_body(const ResponseHead& head, const std::function<bool(std::string_view)>& sink);

private:
    bool fill();  // reads more; false at the end of the connection (or when tick said stop)
    bool read_line(std::string& line);
    bool read_exact(size_t n, const std::function<bool(std::string_view)>& sink, bool& stopped);
    bool read_chunked(const std::function<bool(std::string_view)>& sink);

    int m_fd;
    std::optional<Clock::time_point> m_deadline;
    Tick m_tick;
    std::chrono::milliseconds m_tick_interval;
    bool m_stopped = false;
    std::string m_buf;  // received, not consumed yet
    size_t m_pos = 0;
};

}  // namespace flowctl::cli::client
