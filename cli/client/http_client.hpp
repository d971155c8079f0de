#pragma once
// A small HTTP/1.1 client for flowd's API, written on plain sockets: flowctl runs in shell loops
// and every shared library it links costs start-up time. One connection per request.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "client/endpoint.hpp"
#include "client/errors.hpp"
#include "client/response_reader.hpp"
#include "util/json.hpp"

namespace flowctl::cli::client {

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& lower_name) const;
};

class HttpClient {
public:
    explicit HttpClient(Endpoint endpoint, std::chrono::milliseconds timeout = std::chrono::minutes(5));

    const Endpoint& endpoint() const { return m_endpoint; }

    /// Sends METHOD target (path and query) with an optional JSON body and returns the whole
    /// response, whatever its status. Throws Unreachable (nothing was sent) or TransportError.
    Response send(std::string_view method, const std::string& target, const std::string& json_body = {}) const;

    /// Like send() with a JSON value as the body (null: no body); a status >= 400 throws
    /// ApiError. Returns the parsed JSON body (null when empty).
    json call(std::string_view method, const std::string& target, const json& body = nullptr) const;

    /// Called with each line of a streamed body, without its "\n"; false stops the stream.
    using LineHandler = std::function<bool(std::string_view line)>;
    /// Called at least every `tick` while the stream is quiet; false stops it.
    using TickHandler = std::function<bool()>;

    /// GETs target and hands the body to on_line line by line as it arrives (for
    /// application/x-ndjson event streams), until the server ends it or a handler says stop.
    /// on_open, when given, runs once the response head has arrived (the server is streaming)
    /// and before any line is handed over. Returns true when the server ended the stream. A
    /// status >= 400 throws ApiError.
    bool stream_lines(const std::string& target, const LineHandler& on_line, const TickHandler& on_tick = {},
                      std::chrono::milliseconds tick = std::chrono::milliseconds(250),
                      const std::function<void()>& on_open = {}) const;

private:
    Socket open_and_send(std::string_view method, const std::string& target, const std::string& body) const;

    Endpoint m_endpoint;
    std::chrono::milliseconds m_timeout;
};

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

}  // namespace flowctl::cli::client
