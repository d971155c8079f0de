#include "http/http_listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/listen_sockets.hpp"
#include "http/request_context.hpp"
#include "http/socket_stream.hpp"

namespace flowctl::daemon {

namespace {
std::chrono::milliseconds to_ms(time_t sec, time_t usec) { return std::chrono::milliseconds(sec * 1000 + usec / 1000); }
}  // namespace

bool HttpListener::peer_allowed(int fd) const {
    if (m_kind != Kind::unix_socket) return true;
    auto uid = peer_uid(fd);
    if (uid && *uid == ::getuid()) return true;
    spdlog::warn("refused a connection on the Unix socket from uid {}", uid ? std::to_string(*uid) : "unknown");
    return false;
}

bool HttpListener::process_and_close_socket(socket_t sock) {
    bool ok = false;
    if (peer_allowed(sock)) {
        if (m_kind == Kind::tcp) {
            // Without it, a keep-alive response waits for the peer's delayed ACK (~40 ms a request).
            int on = 1;
            ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        SocketStream stream(sock, to_ms(read_timeout_sec_, read_timeout_usec_),
                            to_ms(write_timeout_sec_, write_timeout_usec_));
        auto stopping = [this] { return svr_sock_ == INVALID_SOCKET; };
        auto idle = std::chrono::seconds(keep_alive_timeout_sec_);
        std::function<void(httplib::Request&)> setup = [this](httplib::Request& req) {
            if (prepare_request) prepare_request(req);
        };
        for (size_t left = keep_alive_max_count_; left > 0 && !stopping() && stream.wait_for_request(idle, stopping);
             --left) {
            begin_request_context();
            bool close_connection = left == 1;
            bool connection_closed = false;
            try {
                ok = process_request(stream, close_connection, connection_closed, setup);
            } catch (const std::exception& e) {
                // Thrown while writing a response (a streaming body's provider): the response is
                // cut, the connection closed, the server goes on.
                spdlog::error("request {} failed while writing its response: {}", current_request_context().id,
                              e.what());
                ok = false;
            } catch (...) {
                spdlog::error("request {} failed while writing its response", current_request_context().id);
                ok = false;
            }
            if (!ok || connection_closed) break;
        }
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

}  // namespace flowctl::daemon
