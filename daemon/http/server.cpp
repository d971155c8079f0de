#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <regex>

#include "http/api_error.hpp"
#include "http/auth.hpp"
#include "http/elastic_pool.hpp"
#include "http/error_codes.hpp"
#include "http/http_listener.hpp"
#include "http/listen_sockets.hpp"
#include "http/request_context.hpp"
#include "http/route_pattern.hpp"

namespace flowctl::daemon {

namespace {

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

// Every route sharing one path template, by method.
struct RouteGroup {
    std::string path;
    RoutePattern pattern;
    std::regex regex;
    std::map<std::string, const Route*> by_method;
};

std::vector<RouteGroup> group_routes(const Router& router) {
    std::vector<RouteGroup> groups;
    for (const auto& route : router.routes()) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.path == route.path; });
        if (it == groups.end()) {
            auto pattern = compile_route_path(route.path);
            std::regex regex(pattern.regex);
            groups.push_back({route.path, std::move(pattern), std::move(regex), {}});
            it = std::prev(groups.end());
        }
        it->by_method[route.method] = &route;
    }
    // Literal paths before templated ones, so "/x/stats" is never taken for "/x/{id}".
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.pattern.names.size() < b.pattern.names.size(); });
    return groups;
}

bool is_webhook_path(const std::string& path) { return path.rfind("/hooks/", 0) == 0; }

// A handler that failed after starting a response: forget what it set up.
void discard_response(httplib::Response& res) {
    if (res.content_provider_resource_releaser_) res.content_provider_resource_releaser_(false);
    res.content_provider_resource_releaser_ = nullptr;
    res.content_provider_ = nullptr;
    res.is_chunked_content_provider_ = false;
    res.content_length_ = 0;
    res.headers.clear();
    res.body.clear();
}

void reply_error(httplib::Response& res, const ApiError& e, const std::string& request_id) {
    reply(res, e.status, error_body(e.status, e.code, e.what(), e.details, request_id));
}

void reply_internal_error(const httplib::Request& req, httplib::Response& res, const std::string& what) {
    const auto& id = current_request_context().id;
    spdlog::error("request {} ({} {}) failed: {}", id, req.method, req.path, what);
    reply(res, 500,
          error_body(500, "internal", "internal error (request " + id + ", see the daemon's log)", json::object(), id));
}

std::string exception_text(std::exception_ptr ep) {
    try {
        if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
    }
    return "unknown exception";
}

}  // namespace

struct Server::Impl {
    Impl(const Router& router, TokenLookup tokens, ServerOptions options, ServerMetrics& metrics)
        : tokens(std::move(tokens)), options(std::move(options)), metrics(metrics), groups(group_routes(router)) {}

    TokenLookup tokens;
    ServerOptions options;
    ServerMetrics& metrics;
    std::vector<RouteGroup> groups;

    std::mutex mutex;
    std::vector<std::unique_ptr<HttpListener>> listeners;
    std::vector<std::thread> threads;
    int tcp_port = 0;
    bool started = false;
    bool socket_bound = false;
    ino_t socket_inode = 0;

    // Routes needing no scope are open on TCP without a token.
    bool is_open_route(const httplib::Request& req) const {
        const std::string method = req.method == "HEAD" ? "GET" : req.method;
        for (const auto& group : groups) {
            auto it = group.by_method.find(method);
            if (it != group.by_method.end() && it->second->scope == Scope::none &&
                std::regex_match(req.path, group.regex)) {
                return true;
            }
        }
        return false;
    }

    void configure(HttpListener& http) {
        const int threads = std::max(options.threads, 4);
        http.new_task_queue = [threads] { return new ElasticPool(static_cast<size_t>(threads)); };
        http.set_tcp_nodelay(true);
        // cpp-httplib has one limit per listener: the larger one, and dispatch() holds the API
        // routes to theirs.
        http.set_payload_max_length(std::max(options.max_body_bytes, options.webhook_max_body_bytes));
        http.set_keep_alive_max_count(1000);
        http.set_keep_alive_timeout(5);
        http.set_read_timeout(30, 0);
        // Only a reader that stops reading for this long is cut off: an idle event stream
        // writes nothing between heartbeats and so never waits on the socket.
        http.set_write_timeout(30, 0);

        http.prepare_request = [](httplib::Request& req) {
            // Bodies are JSON whatever the client calls them; as form data, cpp-httplib would
            // parse them into query parameters and cap them at 8 KiB.
            if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
                req.headers.erase("Content-Type");
                req.set_header("Content-Type", "application/json");
            }
        };

        const bool tcp = http.kind() == HttpListener::Kind::tcp;
        http.set_pre_routing_handler([this, tcp](const httplib::Request& req, httplib::Response& res) {
            auto& ctx = current_request_context();
            if (!tcp) {
                ctx.scope = Scope::admin;  // the peer's uid is ours (checked on accept)
                return httplib::Server::HandlerResponse::Unhandled;
            }
            if (is_open_route(req)) return httplib::Server::HandlerResponse::Unhandled;
            try {
                auto grant = authenticate(req, tokens);
                ctx.scope = grant.scope;
                ctx.token_id = grant.token_id;
            } catch (const ApiError& e) {
                reply_error(res, e, ctx.id);
                return httplib::Server::HandlerResponse::Handled;
            } catch (const std::exception& e) {
                reply_internal_error(req, res, std::string("token lookup: ") + e.what());
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });

        for (const auto& group : groups) register_group(http, group);

        http.set_error_handler(
            httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
                if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
                auto message = default_error_message(res.status);
                if (res.status == 404) message = "no route " + req.method + " " + req.path;
                reply(res, res.status,
                      error_body(res.status, std::string(error_code_for_status(res.status)), message, json::object(),
                                 current_request_context().id));
                return httplib::Server::HandlerResponse::Handled;
            }));
        http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            reply_internal_error(req, res, exception_text(ep));
        });
        http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
            if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", current_request_context().id);
        });
        http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            const auto& ctx = current_request_context();
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ctx.started)
                    .count();
            metrics.requests++;
            if (res.status >= 400 && res.status < 500) metrics.errors_4xx++;
            if (res.status >= 500) metrics.errors_5xx++;
            metrics.latency_us_total += static_cast<uint64_t>(us);
            spdlog::debug("{} {} {} {} {}µs", ctx.id, req.method, req.path, res.status, us);
        });
    }

    void register_group(HttpListener& http, const RouteGroup& group) {
        for (const char* method : kMethods) {
            httplib::Server::Handler handler;
            auto found = group.by_method.find(method);
            if (found != group.by_method.end()) {
                // A webhook checks its sender's address before its body's size, and records both.
                const uint64_t max_body =
                    is_webhook_path(group.path) ? std::numeric_limits<uint64_t>::max() : options.max_body_bytes;
                handler = [route = found->second, &group, max_body](const httplib::Request& req,
                                                                    httplib::Response& res) {
                    dispatch(*route, group, max_body, req, res);
                };
            } else {
                handler = [&group](const httplib::Request& req, httplib::Response& res) {
                    method_not_allowed(group, req, res);
                };
            }
            const std::string& regex = group.pattern.regex;
            std::string_view m = method;
            if (m == "GET") http.Get(regex, handler);
            if (m == "POST") http.Post(regex, handler);
            if (m == "PUT") http.Put(regex, handler);
            if (m == "PATCH") http.Patch(regex, handler);
            if (m == "DELETE") http.Delete(regex, handler);
        }
    }

    static void dispatch(const Route& route, const RouteGroup& group, uint64_t max_body, const httplib::Request& http,
                         httplib::Response& res) {
        auto& ctx = current_request_context();
        try {
            if (http.body.size() > max_body) {
                throw ApiError(413, "payload_too_large",
                               "the body is larger than " + std::to_string(max_body) + " bytes",
                               {{"max_bytes", max_body}});
            }
            if (ctx.scope < route.scope) {
                throw ApiError(403, "forbidden",
                               "this route needs scope " + std::string(scope_name(route.scope)) + "; the token has " +
                                   std::string(scope_name(ctx.scope)),
                               {{"required", scope_name(route.scope)}, {"granted", scope_name(ctx.scope)}});
            }
            Request request{http, {}, ctx.id, ctx.scope, ctx.token_id};
            for (size_t i = 0; i < group.pattern.names.size() && i + 1 < http.matches.size(); ++i) {
                // httplib has already percent-decoded the path.
                request.path_params[group.pattern.names[i]] = http.matches[i + 1].str();
            }
            route.handler(request, res);
        } catch (const ApiError& e) {
            discard_response(res);
            reply_error(res, e, ctx.id);
        } catch (const std::exception& e) {
            discard_response(res);
            reply_internal_error(http, res, e.what());
        } catch (...) {
            discard_response(res);
            reply_internal_error(http, res, "unknown exception");
        }
    }

    static void method_not_allowed(const RouteGroup& group, const httplib::Request& req, httplib::Response& res) {
        std::string allowed;
        json methods = json::array();
        for (const auto& [method, route] : group.by_method) {
            allowed += (allowed.empty() ? "" : ", ") + method;
            methods.push_back(method);
        }
        res.set_header("Allow", allowed);
        reply(res, 405,
              error_body(405, "method_not_allowed",
                         req.method + " is not allowed on " + req.path + " (allowed: " + allowed + ")",
                         {{"allowed", methods}}, current_request_context().id));
    }

    void start_listener(std::unique_ptr<HttpListener> http, int fd) {
        configure(*http);
        http->adopt_listening_socket(fd);
        auto* raw = http.get();
        listeners.push_back(std::move(http));
        threads.emplace_back([raw] { raw->listen_after_bind(); });
        // stop() only acts on a running server: wait until the accept loop has begun.
        while (!raw->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    void remove_socket_file() {
        if (!socket_bound) return;
        socket_bound = false;
        // Only our own socket: never one that replaced it.
        struct stat st {};
        if (::lstat(options.socket_path.c_str(), &st) == 0 && st.st_ino == socket_inode) {
            ::unlink(options.socket_path.c_str());
        }
    }
};

Server::Server(const Router& router, TokenLookup tokens, ServerOptions options)
    : m_impl(std::make_unique<Impl>(router, std::move(tokens), std::move(options), m_metrics)) {}

Server::~Server() {
    stop();
    for (auto& t : m_impl->threads) {
        if (t.joinable()) t.join();
    }
}

void Server::start() {
    auto& impl = *m_impl;
    std::lock_guard lock(impl.mutex);
    if (impl.started) throw std::logic_error("server already started");

    // Bind everything first, so a failure leaves nothing half-started.
    int unix_fd = listen_unix(impl.options.socket_path);
    struct stat st {};
    if (::lstat(impl.options.socket_path.c_str(), &st) == 0) impl.socket_inode = st.st_ino;
    impl.socket_bound = true;
    int tcp_fd = -1;
    if (!impl.options.listen.empty()) {
        try {
            tcp_fd = listen_tcp(parse_listen_address(impl.options.listen), impl.tcp_port);
        } catch (const std::exception& e) {
            ::close(unix_fd);
            impl.remove_socket_file();
            throw std::runtime_error(e.what());
        }
    }

    impl.started = true;
    impl.start_listener(std::make_unique<HttpListener>(HttpListener::Kind::unix_socket), unix_fd);
    if (tcp_fd >= 0) impl.start_listener(std::make_unique<HttpListener>(HttpListener::Kind::tcp), tcp_fd);
}

void Server::stop() {
    auto& impl = *m_impl;
    std::lock_guard lock(impl.mutex);
    for (auto& http : impl.listeners) http->stop();
    impl.remove_socket_file();
}

int Server::tcp_port() const { return m_impl->tcp_port; }

}  // namespace flowctl::daemon
