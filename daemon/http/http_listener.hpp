#pragma once
// cpp-httplib's Server on a listening socket we created ourselves (Unix or TCP). It runs each
// connection itself so that it can refuse Unix peers of another uid (SO_PEERCRED), start a
// request context before every request, and adjust a request before routing.
#include <httplib.h>

#include <functional>

namespace flowctl::daemon {

class HttpListener : public httplib::Server {
public:
    enum class Kind { unix_socket, tcp };
    explicit HttpListener(Kind kind) : m_kind(kind) {}

    /// Takes ownership of a listening fd; then call listen_after_bind() (on its own thread).
    void adopt_listening_socket(int fd) { svr_sock_ = fd; }
    Kind kind() const { return m_kind; }

    /// Called with each request once its headers are read, before routing.
    std::function<void(httplib::Request&)> prepare_request;

private:
    bool process_and_close_socket(socket_t sock) override;
    bool peer_allowed(int fd) const;

    Kind m_kind;
};

}  // namespace flowctl::daemon
