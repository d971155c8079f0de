#pragma once
// One accepted connection as cpp-httplib's Stream, kept for all the requests of the connection
// (so bytes read ahead by one request are not lost to the next one). Reads and writes wait
// with poll() up to their timeouts; writes never raise SIGPIPE.
#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace flowctl::daemon {

class SocketStream : public httplib::Stream {
public:
    SocketStream(int fd, std::chrono::milliseconds read_timeout, std::chrono::milliseconds write_timeout);

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_fd; }

    /// Waits for the next request's first byte: true when there is one, false after `idle`
    /// or once `stopping()` says the server is going away (checked every 50 ms).
    bool wait_for_request(std::chrono::milliseconds idle, const std::function<bool()>& stopping) const;

private:
    int m_fd;
    std::chrono::milliseconds m_read_timeout;
    std::chrono::milliseconds m_write_timeout;
    std::vector<char> m_buffer;
    size_t m_offset = 0;
    size_t m_size = 0;
};

}  // namespace flowctl::daemon
