#include "support/http_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace flowctl::test {

namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
}  // namespace

std::string HttpRequest::header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

struct HttpServer::Impl {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    std::map<std::pair<std::string, std::string>, Handler> handlers;  // (method, path)
    mutable std::mutex mutex;
    mutable std::condition_variable stopping_cv;
    bool stopping = false;
    std::vector<HttpRequest> received;

    void dispatch(const httplib::Request& req, httplib::Response& res) {
        HttpRequest r;
        r.method = req.method;
        r.path = req.path;
        r.target = req.target;
        r.body = req.body;
        for (const auto& [k, v] : req.params) {
            r.query.emplace(k, v);
        }
        for (const auto& [k, v] : req.headers) {
            std::string name = lower(k);
            if (name == "remote_addr" || name == "remote_port" || name == "local_addr" || name == "local_port") {
                continue;  // added by cpp-httplib, not sent by the client
            }
            auto [it, inserted] = r.headers.emplace(name, v);
            if (!inserted) {
                it->second += ", " + v;
            }
        }
        Handler handler;
        {
            std::lock_guard lock(mutex);
            received.push_back(r);
            auto it = handlers.find({req.method == "HEAD" ? "GET" : req.method, req.path});
            if (it != handlers.end()) {
                handler = it->second;
            }
        }
        HttpReply reply;
        if (handler) {
            handler(r, reply);
        } else {
            reply.status = 404;
            reply.body = "no handler for " + req.method + " " + req.path;
        }
        res.status = reply.status;
        for (const auto& [k, v] : reply.headers) {
            res.headers.emplace(k, v);
        }
        res.set_content(reply.body, reply.content_type);
    }
};

HttpServer::HttpServer() : m_impl(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::on(const std::string& method, const std::string& path, Handler handler) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->handlers[{method, path}] = std::move(handler);
}

void HttpServer::start() {
    auto dispatch = [impl = m_impl.get()](const httplib::Request& req, httplib::Response& res) {
        impl->dispatch(req, res);
    };
    auto& s = m_impl->server;
    s.Get(".*", dispatch);
    s.Post(".*", dispatch);
    s.Put(".*", dispatch);
    s.Patch(".*", dispatch);
    s.Delete(".*", dispatch);
    s.Options(".*", dispatch);
    m_impl->port = s.bind_to_any_port("127.0.0.1");
    if (m_impl->port <= 0) {
        throw std::runtime_error("the test HTTP server could not bind to 127.0.0.1");
    }
    m_impl->thread = std::thread([&s] { s.listen_after_bind(); });
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!s.is_running()) {
        if (std::chrono::steady_clock::now() > give_up) {
            throw std::runtime_error("the test HTTP server did not start");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void HttpServer::stop() {
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->stopping_cv.notify_all();
    if (m_impl->thread.joinable()) {
        m_impl->server.stop();
        m_impl->thread.join();
    }
}

int HttpServer::port() const { return m_impl->port; }

std::string HttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(m_impl->port); }

std::vector<HttpRequest> HttpServer::requests() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->received;
}

bool HttpServer::sleep_unless_stopped(long long ms) const {
    std::unique_lock lock(m_impl->mutex);
    return !m_impl->stopping_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return m_impl->stopping; });
}

}  // namespace flowctl::test
