#include "client/http_client.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace flowctl::cli::client {

namespace {
void send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw TransportError(std::string("sending the request: ") + std::strerror(errno));
        }
        sent += static_cast<size_t>(n);
    }
}

json parse_body(const Response& r) {
    if (r.body.empty()) return nullptr;
    json parsed = json::parse(r.body, nullptr, false);
    if (parsed.is_discarded())
        throw TransportError("the daemon's answer is not JSON: " + r.body.substr(0, r.body.find('\n')).substr(0, 80));
    return parsed;
}
}  // namespace

std::string Response::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(Endpoint endpoint, std::chrono::milliseconds timeout)
    : m_endpoint(std::move(endpoint)), m_timeout(timeout) {}

Socket HttpClient::open_and_send(std::string_view method, const std::string& target, const std::string& body) const {
    Socket s = connect_to(m_endpoint, std::chrono::seconds(5));
    std::string request;
    request.reserve(256 + body.size());
    request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
    request.append(m_endpoint.tcp() ? m_endpoint.host + ":" + m_endpoint.port : "localhost");
    request.append("\r\nUser-Agent: flowctl\r\nAccept: application/json\r\nConnection: close\r\n");
    if (m_endpoint.tcp() && !m_endpoint.token.empty())
        request.append("Authorization: Bearer ").append(m_endpoint.token).append("\r\n");
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.append("Content-Type: application/json\r\nContent-Length: ");
        request.append(std::to_string(body.size())).append("\r\n");
    }
    request.append("\r\n").append(body);
    send_all(s.get(), request);
    return s;
}

Response HttpClient::send(std::string_view method, const std::string& target, const std::string& json_body) const {
    Socket s = open_and_send(method, target, json_body);
    ResponseReader reader(s.get(), ResponseReader::Clock::now() + m_timeout);
    ResponseHead head = reader.read_head();
    Response r;
    r.status = head.status;
    reader.read_body(head, [&](std::string_view data) {
        r.body.append(data);
        return true;
    });
    r.headers = std::move(head.headers);
    return r;
}

json HttpClient::call(std::string_view method, const std::string& target, const json& body) const {
    std::string text = body.is_null() ? std::string() : body.dump(-1, ' ', false, json::error_handler_t::replace);
    Response r = send(method, target, text);
    if (r.status >= 400) throw make_api_error(r.status, r.body, r.header("x-request-id"));
    return parse_body(r);
}

bool HttpClient::stream_lines(const std::string& target, const LineHandler& on_line, const TickHandler& on_tick,
                              std::chrono::milliseconds tick, const std::function<void()>& on_open) const {
    Socket s = open_and_send("GET", target, {});
    // The head must come promptly; the body may stay quiet for as long as the caller likes.
    ResponseReader reader(
        s.get(), std::nullopt, on_tick ? on_tick : [] { return true; }, tick);
    ResponseHead head = reader.read_head();
    if (head.status == 0) return false;  // stopped by the tick handler before any answer
    if (head.status >= 400) {
        std::string body;
        reader.read_body(head, [&](std::string_view data) {
            body.append(data);
            return true;
        });
        throw make_api_error(head.status, body, head.header("x-request-id"));
    }
    if (on_open) on_open();
    std::string pending;
    bool stopped_by_line = false;
    bool ended = reader.read_body(head, [&](std::string_view data) {
        pending.append(data);
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string_view line(pending.data() + start, nl - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!on_line(line)) {
                stopped_by_line = true;
                return false;
            }
        }
        pending.erase(0, start);
        return true;
    });
    if (ended && !pending.empty() && !stopped_by_line) on_line(pending);
    return ended;
}

std::string url_encode(std::string_view text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace flowctl::cli::client
