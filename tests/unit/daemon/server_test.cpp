// The HTTP transport: a Router with test routes served on a temporary Unix socket and on
// 127.0.0.1:0, exercised with real clients.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <chrono>
#include <regex>
#include <thread>

#include "http/api_error.hpp"
#include "http/listen_sockets.hpp"
#include "http/route_pattern.hpp"
#include "http/router.hpp"
#include "unix_exchange.hpp"
#include "http/server.hpp"
#include "unix_exchange.hpp"
#include "support/temp_dir.hpp"
#include "util/ids.hpp"

namespace flowctl::daemon {
namespace {

using unix_http::connect_unix;

using namespace std::chrono_literals;

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // de-chunked
    json json_body() const { return json::parse(body); }
};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string dechunk(const std::string& raw) {
    std::string out;
    size_t pos = 0;
    while (pos < raw.size()) {
        auto eol = raw.find("\r\n", pos);
        if (eol == std::string::npos) break;
        size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
        if (size == 0) break;
        out += raw.substr(eol + 2, size);
        pos = eol + 2 + size + 2;
    }
    return out;
}

RawResponse parse_response(const std::string& raw) {
    RawResponse r;
    auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    std::istringstream head(raw.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        r.headers[lower(line.substr(0, colon))] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    r.body = raw.substr(head_end + 4);
    if (lower(r.headers["transfer-encoding"]) == "chunked") r.body = dechunk(r.body);
    return r;
}

// One HTTP/1.1 request written by hand on a Unix socket; the connection is closed after it.
RawResponse unix_request(const std::filesystem::path& socket, const std::string& method, const std::string& target,
                         const std::string& body = "") {
    std::string raw = unix_http::unix_exchange(socket, method, target, body);
    return raw.empty() ? RawResponse{} : parse_response(raw);
}

template <typename Predicate>
bool eventually(std::chrono::milliseconds timeout, Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

store::TokenRecord token_record(const std::string& id, const std::string& scope) {
    store::TokenRecord t;
    t.id = id;
    t.name = id;
    t.scope = scope;
    return t;
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router.add({"GET", "/api/v1/ping", Scope::read, [](Request& req, httplib::Response& res) {
                        reply(res, 200, {{"pong", true}, {"scope", scope_name(req.scope)}, {"id", req.request_id}});
                    }});
        router.add({"GET", "/api/v1/open", Scope::none, [](Request&, httplib::Response& res) {
                        reply(res, 200, {{"open", true}});
                    }});
        router.add({"GET", "/api/v1/items/{name}", Scope::read, [](Request& req, httplib::Response& res) {
                        reply(res, 200, {{"name", req.path_params.at("name")}});
                    }});
        router.add({"DELETE", "/api/v1/items/{name}", Scope::admin, [](Request& req, httplib::Response& res) {
                        reply(res, 200, {{"deleted", req.path_params.at("name")}});
                    }});
        router.add({"GET", "/api/v1/items/{name}/parts/{part}", Scope::read, [](Request& req, httplib::Response& res) {
                        reply(res, 200, {{"name", req.path_params.at("name")}, {"part", req.path_params.at("part")}});
                    }});
        router.add({"POST", "/api/v1/run", Scope::execute, [](Request& req, httplib::Response& res) {
                        auto body = req.body({{"name", JsonType::string},
                                              {"count", JsonType::integer},
                                              {"wait", JsonType::boolean},
                                              {"inputs", JsonType::object}},
                                             {"name"});
                        reply(res, 202, {{"body", body}});
                    }});
        router.add(
            {"GET", "/api/v1/query", Scope::read, [](Request& req, httplib::Response& res) {
                 json out = {{"limit", req.query_int("limit", 20, 1, 500)}, {"top", req.query_bool("top", false)}};
                 if (auto tag = req.query("tag")) out["tag"] = *tag;
                 if (auto since = req.query_time("since")) out["since"] = *since;
                 reply(res, 200, out);
             }});
        router.add({"GET", "/api/v1/boom", Scope::read,
                    [](Request&, httplib::Response&) -> void { throw std::runtime_error("kaboom"); }});
        router.add({"GET", "/api/v1/missing", Scope::read,
                    [](Request&, httplib::Response&) -> void { throw not_found("no flow named 'x'"); }});
        router.add({"GET", "/api/v1/stream", Scope::read, [](Request&, httplib::Response& res) {
                        auto sent = std::make_shared<int>(0);
                        res.set_chunked_content_provider("application/x-ndjson",
                                                         [sent](size_t, httplib::DataSink& sink) {
                                                             if (*sent == 3) {
                                                                 sink.done();
                                                                 return true;
                                                             }
                                                             std::this_thread::sleep_for(20ms);
                                                             std::string line = json{{"seq", ++*sent}}.dump() + "\n";
                                                             return sink.write(line.data(), line.size());
                                                         });
                    }});

        tokens[util::sha256_hex("read-secret")] = token_record("tok_read", "read");
        tokens[util::sha256_hex("exec-secret")] = token_record("tok_exec", "execute");
        tokens[util::sha256_hex("admin-secret")] = token_record("tok_admin", "admin");
        options.socket_path = dir.path() / "run" / "flowd.sock";
        options.listen = "127.0.0.1:0";
        options.max_body_bytes = 4096;
    }

    std::unique_ptr<Server> make_server() {
        return std::make_unique<Server>(
            router,
            [this](const std::string& hash) -> std::optional<store::TokenRecord> {
                lookups++;
                auto it = tokens.find(hash);
                if (it == tokens.end()) return std::nullopt;
                return it->second;
            },
            options);
    }

    void start() {
        server = make_server();
        server->start();
        ASSERT_GT(server->tcp_port(), 0);
    }

    httplib::Client tcp_client() const {
        httplib::Client client("127.0.0.1", server->tcp_port());
        client.set_read_timeout(10, 0);
        return client;
    }

    test::TempDir dir;
    Router router;
    std::map<std::string, store::TokenRecord> tokens;
    std::atomic<int> lookups{0};
    ServerOptions options;
    std::unique_ptr<Server> server;
};

void expect_error(const httplib::Result& r, int status, const std::string& code) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    auto body = json::parse(r->body);
    EXPECT_EQ(body["error"]["code"], code) << r->body;
    EXPECT_TRUE(body["error"]["message"].is_string());
    EXPECT_TRUE(body["error"]["details"].is_object());
    EXPECT_EQ(body["request_id"], r->get_header_value("X-Request-Id"));
}

TEST_F(ServerTest, UnixSocketServesJsonWithAdminScopeAndRequestId) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/ping");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_TRUE(std::regex_match(r.headers["x-request-id"], std::regex("r-[0-9a-f]{16}"))) << r.headers["x-request-id"];
    auto body = r.json_body();
    EXPECT_EQ(body["pong"], true);
    EXPECT_EQ(body["scope"], "admin");
    EXPECT_EQ(body["id"], r.headers["x-request-id"]);
}

TEST_F(ServerTest, SocketIs0600InA0700Directory) {
    start();
    struct stat st {};
    ASSERT_EQ(::stat(options.socket_path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(options.socket_path.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ServerTest, StaleSocketFileIsReplaced) {
    // A socket file nobody listens on any more, as a killed daemon leaves behind.
    std::filesystem::create_directories(options.socket_path.parent_path());
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, options.socket_path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    ASSERT_TRUE(std::filesystem::exists(options.socket_path));

    start();
    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/ping").status, 200);
}

TEST_F(ServerTest, SecondServerOnTheSameSocketIsRefused) {
    start();
    options.listen = "";
    auto second = make_server();
    try {
        second->start();
        FAIL() << "second server started";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "another flowd is already listening on " + options.socket_path.string());
    }
    second.reset();
    // The first one still owns and serves its socket.
    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/ping").status, 200);
}

TEST_F(ServerTest, PortInUseIsAClearErrorAndLeavesNoSocket) {
    start();
    options.socket_path = dir.path() / "other" / "flowd.sock";
    options.listen = "127.0.0.1:" + std::to_string(server->tcp_port());
    auto second = make_server();
    try {
        second->start();
        FAIL() << "second server started";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(options.socket_path));
}

TEST_F(ServerTest, StopRemovesTheSocketAndRefusesConnections) {
    start();
    httplib::Client keep_alive = tcp_client();
    keep_alive.set_keep_alive(true);
    keep_alive.set_bearer_token_auth("read-secret");
    ASSERT_EQ(keep_alive.Get("/api/v1/ping")->status, 200);

    auto before = std::chrono::steady_clock::now();
    server->stop();
    server.reset();  // joins: an idle keep-alive connection must not hold it up
    EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
    EXPECT_FALSE(std::filesystem::exists(options.socket_path));
}

TEST_F(ServerTest, TcpWithoutTokenIs401) {
    start();
    auto client = tcp_client();
    expect_error(client.Get("/api/v1/ping"), 401, "unauthorized");
    // Even an unknown path needs a token first.
    expect_error(client.Get("/api/v1/nothing-here"), 401, "unauthorized");
}

TEST_F(ServerTest, TcpWithUnknownTokenIs401) {
    start();
    auto client = tcp_client();
    client.set_bearer_token_auth("not-a-token");
    expect_error(client.Get("/api/v1/ping"), 401, "unauthorized");
}

TEST_F(ServerTest, TcpReadTokenOnAnExecuteRouteIs403) {
    start();
    auto client = tcp_client();
    client.set_bearer_token_auth("read-secret");
    expect_error(client.Post("/api/v1/run", R"({"name": "x"})", "application/json"), 403, "forbidden");
    auto ok = client.Get("/api/v1/ping");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(json::parse(ok->body)["scope"], "read");
}

TEST_F(ServerTest, TcpExecuteAndAdminTokens) {
    start();
    auto client = tcp_client();
    client.set_bearer_token_auth("exec-secret");
    auto run = client.Post("/api/v1/run", R"({"name": "x"})", "application/json");
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, 202);
    expect_error(client.Delete("/api/v1/items/a"), 403, "forbidden");

    client.set_bearer_token_auth("admin-secret");
    auto del = client.Delete("/api/v1/items/a");
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 200);
    EXPECT_EQ(json::parse(del->body)["deleted"], "a");
}

TEST_F(ServerTest, TcpAcceptsXApiKey) {
    start();
    auto client = tcp_client();
    auto r = client.Get("/api/v1/ping", {{"X-API-Key", "admin-secret"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body)["scope"], "admin");
}

TEST_F(ServerTest, TcpOpenRouteNeedsNoToken) {
    start();
    auto client = tcp_client();
    auto r = client.Get("/api/v1/open");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(lookups.load(), 0);
}

TEST_F(ServerTest, MalformedJsonIs400) {
    start();
    auto r = unix_request(options.socket_path, "POST", "/api/v1/run", "{\"name\": ");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json_body()["error"]["code"], "bad_request");
    r = unix_request(options.socket_path, "POST", "/api/v1/run", "[1, 2]");
    EXPECT_EQ(r.status, 400);
}

TEST_F(ServerTest, UnknownFieldWrongTypeAndMissingFieldAre422NamingTheField) {
    start();
    auto r = unix_request(options.socket_path, "POST", "/api/v1/run", R"({"name": "x", "inptus": {}})");
    ASSERT_EQ(r.status, 422) << r.body;
    auto body = r.json_body();
    EXPECT_EQ(body["error"]["code"], "invalid");
    EXPECT_EQ(body["error"]["details"]["field"], "inptus");
    EXPECT_EQ(body["error"]["details"]["did_you_mean"], "inputs");
    EXPECT_NE(body["error"]["message"].get<std::string>().find("unknown field 'inptus'"), std::string::npos);

    r = unix_request(options.socket_path, "POST", "/api/v1/run", R"({"name": "x", "count": "3"})");
    ASSERT_EQ(r.status, 422);
    EXPECT_EQ(r.json_body()["error"]["details"]["field"], "count");
    EXPECT_EQ(r.json_body()["error"]["message"], "field 'count' must be an integer");

    r = unix_request(options.socket_path, "POST", "/api/v1/run", R"({"count": 3})");
    ASSERT_EQ(r.status, 422);
    EXPECT_EQ(r.json_body()["error"]["message"], "missing field 'name'");
}

TEST_F(ServerTest, ValidBodyWithNullOptionalField) {
    start();
    auto r = unix_request(options.socket_path, "POST", "/api/v1/run", R"({"name": "x", "count": 2, "wait": null})");
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.json_body()["body"], json({{"name", "x"}, {"count", 2}}));
}

TEST_F(ServerTest, OversizedBodyIs413) {
    start();
    std::string big = R"({"name": ")" + std::string(8000, 'x') + "\"}";
    auto r = unix_request(options.socket_path, "POST", "/api/v1/run", big);
    ASSERT_EQ(r.status, 413) << r.body;
    EXPECT_EQ(r.json_body()["error"]["code"], "payload_too_large");
    EXPECT_FALSE(r.headers["x-request-id"].empty());

    auto client = tcp_client();
    client.set_bearer_token_auth("admin-secret");
    expect_error(client.Post("/api/v1/run", big, "application/json"), 413, "payload_too_large");
}

TEST_F(ServerTest, FormEncodedBodiesAreStillJson) {
    start();
    // What `curl -d` sends: the body must reach the handler as is, even over 8 KiB.
    options.max_body_bytes = 64 * 1024;
    server.reset();
    start();
    auto client = tcp_client();
    client.set_bearer_token_auth("admin-secret");
    std::string body = R"({"name": ")" + std::string(10000, 'y') + "\"}";
    auto r = client.Post("/api/v1/run", body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202) << r->body;
}

TEST_F(ServerTest, UnknownPathIs404AndUnknownMethodIs405) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/nothing");
    ASSERT_EQ(r.status, 404);
    EXPECT_EQ(r.json_body()["error"]["code"], "not_found");
    EXPECT_EQ(r.headers["content-type"], "application/json");

    r = unix_request(options.socket_path, "PUT", "/api/v1/items/a", "{}");
    ASSERT_EQ(r.status, 405);
    EXPECT_EQ(r.json_body()["error"]["code"], "method_not_allowed");
    EXPECT_EQ(r.headers["allow"], "DELETE, GET");
}

TEST_F(ServerTest, HandlerApiErrorKeepsItsStatusAndCode) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/missing");
    ASSERT_EQ(r.status, 404);
    EXPECT_EQ(r.json_body()["error"]["message"], "no flow named 'x'");
}

TEST_F(ServerTest, ThrowingHandlerGives500AndTheServerKeepsServing) {
    start();
    for (int i = 0; i < 3; ++i) {
        auto r = unix_request(options.socket_path, "GET", "/api/v1/boom");
        ASSERT_EQ(r.status, 500);
        auto body = r.json_body();
        EXPECT_EQ(body["error"]["code"], "internal");
        EXPECT_EQ(body["request_id"], r.headers["x-request-id"]);
        EXPECT_EQ(body["error"]["message"].get<std::string>().find("kaboom"), std::string::npos)
            << "internal details stay in the log";
    }
    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/ping").status, 200);
    EXPECT_TRUE(eventually(2s, [&] { return server->metrics().errors_5xx.load() >= 3u; }));
}

TEST_F(ServerTest, PathParametersAreDecoded) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/items/night%20backup/parts/p1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json_body(), json({{"name", "night backup"}, {"part", "p1"}}));
}

TEST_F(ServerTest, QueryHelpers) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/query?limit=7&top=true&tag=&since=1h");
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.json_body();
    EXPECT_EQ(body["limit"], 7);
    EXPECT_EQ(body["top"], true);
    EXPECT_FALSE(body.contains("tag"));
    auto hour_ago =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch() - 1h)
            .count();
    EXPECT_NEAR(body["since"].get<double>(), static_cast<double>(hour_ago), 60000.0);

    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/query?limit=0").status, 400);
    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/query?limit=ten").status, 400);
    EXPECT_EQ(unix_request(options.socket_path, "GET", "/api/v1/query?top=maybe").status, 400);
    auto bad_time = unix_request(options.socket_path, "GET", "/api/v1/query?since=yesterday-ish");
    EXPECT_EQ(bad_time.status, 400);
    EXPECT_EQ(bad_time.json_body()["error"]["details"]["parameter"], "since");
}

TEST_F(ServerTest, ChunkedStreamOverTheUnixSocket) {
    start();
    auto r = unix_request(options.socket_path, "GET", "/api/v1/stream");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "application/x-ndjson");
    EXPECT_EQ(lower(r.headers["transfer-encoding"]), "chunked");
    EXPECT_EQ(r.body, "{\"seq\":1}\n{\"seq\":2}\n{\"seq\":3}\n");
}

TEST_F(ServerTest, FiftyConcurrentClients) {
    start();
    std::atomic<int> ok{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    auto failed = [&](std::string what) {
        std::lock_guard lock(failures_mutex);
        failures.push_back(std::move(what));
    };
    std::vector<std::thread> clients;
    for (int c = 0; c < 50; ++c) {
        clients.emplace_back([&, c] {
            if (c % 2 == 0) {
                httplib::Client client("127.0.0.1", server->tcp_port());
                client.set_keep_alive(true);
                client.set_read_timeout(30, 0);
                client.set_bearer_token_auth("read-secret");
                for (int i = 0; i < 10; ++i) {
                    auto r = client.Get("/api/v1/items/c" + std::to_string(c));
                    if (r && r->status == 200 && json::parse(r->body)["name"] == "c" + std::to_string(c)) {
                        ok++;
                    } else {
                        failed("tcp: " +
                               (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error())));
                    }
                }
            } else {
                for (int i = 0; i < 10; ++i) {
                    auto r = unix_request(options.socket_path, "GET", "/api/v1/items/u" + std::to_string(c));
                    if (r.status == 200 && r.json_body()["name"] == "u" + std::to_string(c)) {
                        ok++;
                    } else {
                        failed("unix: " + std::to_string(r.status) + " " + r.body);
                    }
                }
            }
        });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(ok.load(), 500);
    for (size_t i = 0; i < failures.size() && i < 5; ++i) ADD_FAILURE() << failures[i];
    // Counted once the response is written, so possibly just after the client has it.
    EXPECT_TRUE(eventually(2s, [&] { return server->metrics().requests.load() >= 500u; }))
        << server->metrics().requests.load();
    EXPECT_GT(server->metrics().latency_us_total.load(), 0u);
}

TEST_F(ServerTest, KeepAliveOnTcpIsFast) {
    start();
    auto client = tcp_client();
    client.set_keep_alive(true);
    client.set_bearer_token_auth("read-secret");
    ASSERT_EQ(client.Get("/api/v1/ping")->status, 200);
    auto before = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) ASSERT_EQ(client.Get("/api/v1/ping")->status, 200);
    // Nagle + delayed ACK would make this ~40 ms a request.
    EXPECT_LT(std::chrono::steady_clock::now() - before, 400ms);
}

TEST(ListenAddress, Parses) {
    auto a = parse_listen_address("127.0.0.1:8080");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8080);
    auto b = parse_listen_address("[::1]:0");
    EXPECT_EQ(b.host, "::1");
    EXPECT_EQ(b.port, 0);
    EXPECT_EQ(parse_listen_address("localhost:65535").port, 65535);
    EXPECT_THROW(parse_listen_address("127.0.0.1"), std::invalid_argument);
    EXPECT_THROW(parse_listen_address(":80"), std::invalid_argument);
    EXPECT_THROW(parse_listen_address("::1:80"), std::invalid_argument);
    EXPECT_THROW(parse_listen_address("[::1:80"), std::invalid_argument);
    EXPECT_THROW(parse_listen_address("h:70000"), std::invalid_argument);
    EXPECT_THROW(parse_listen_address("h:8x"), std::invalid_argument);
}

TEST(RoutePattern, TemplatesBecomeRegexes) {
    auto p = compile_route_path("/api/v1/flows/{name}/versions");
    EXPECT_EQ(p.regex, "/api/v1/flows/([^/]+)/versions");
    EXPECT_EQ(p.names, std::vector<std::string>{"name"});
    EXPECT_EQ(compile_route_path("/api/v1/openapi.json").regex, "/api/v1/openapi\\.json");
    EXPECT_THROW(compile_route_path("/api/{name"), std::invalid_argument);
}

TEST(Scopes, ParseAndName) {
    EXPECT_EQ(parse_scope("read"), Scope::read);
    EXPECT_EQ(parse_scope("execute"), Scope::execute);
    EXPECT_EQ(parse_scope("admin"), Scope::admin);
    EXPECT_THROW(parse_scope("root"), std::invalid_argument);
    EXPECT_EQ(scope_name(Scope::execute), "execute");
    EXPECT_LT(Scope::read, Scope::execute);
    EXPECT_LT(Scope::execute, Scope::admin);
}

TEST(ErrorBody, Shape) {
    auto body = error_body(404, "not_found", "no flow named 'backup'", json::object(), "r-0123456789abcdef");
    EXPECT_EQ(body, json::parse(R"({"error": {"code": "not_found", "message": "no flow named 'backup'",
                                   "details": {}}, "request_id": "r-0123456789abcdef"})"));
}

}  // namespace
}  // namespace flowctl::daemon
