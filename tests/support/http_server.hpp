#pragma once
// A loopback HTTP server for tests: register handlers, start(), point clients at base_url(),
// then assert on the requests it received. cpp-httplib stays inside http_server.cpp.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace flowctl::test {

struct HttpRequest {
    std::string method;
    std::string path;                               // without the query string
    std::string target;                             // path and query as sent
    std::multimap<std::string, std::string> query;  // decoded query parameters
    std::map<std::string, std::string> headers;     // lower-case names; repeats joined by ", "
    std::string body;

    /// The header's value ("" when absent); name in any case.
    std::string header(const std::string& name) const;
};

struct HttpReply {
    int status = 200;
    std::string body;
    std::string content_type = "text/plain";
    std::vector<std::pair<std::string, std::string>> headers;
};

class HttpServer {
public:
    using Handler = std::function<void(const HttpRequest&, HttpReply&)>;

    HttpServer();
    ~HttpServer();  // stops the server
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Answers METHOD requests for exactly `path`; others get 404. Call before start().
    void on(const std::string& method, const std::string& path, Handler handler);
    /// Listens on 127.0.0.1, on a free port, serving from a background thread.
    void start();
    void stop();

    int port() const;
    std::string base_url() const;  // "http://127.0.0.1:PORT"
    /// Every request received so far, in order.
    std::vector<HttpRequest> requests() const;

    /// For slow handlers: waits up to ms milliseconds, returning false early when the server
    /// is stopping (so a test never waits on a sleeping handler at shutdown).
    bool sleep_unless_stopped(long long ms) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace flowctl::test
