// flowctl's HTTP client (cli/client) against real sockets: a scripted server on a Unix socket
// (the daemon's transport; cpp-httplib has no AF_UNIX support) and the loopback HttpServer on TCP.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "client/http_client.hpp"
#include "support/http_server.hpp"
#include "support/temp_dir.hpp"

namespace flowctl::test {
namespace {

using cli::client::ApiError;
using cli::client::HttpClient;
using cli::client::TransportError;
using cli::client::Unreachable;

/// A Unix socket server that answers each connection with a script: it reads the request
/// (head and Content-Length body), records it, then runs the next reply function, which
/// writes raw bytes to the connection.
class ScriptedUnixServer {
public:
    using Reply = std::function<void(int fd)>;

    explicit ScriptedUnixServer(std::filesystem::path path) : m_path(std::move(path)) {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, m_path.c_str(), sizeof(addr.sun_path) - 1);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(m_fd, 8) != 0)
            throw std::runtime_error("cannot listen on " + m_path.string());
        m_thread = std::thread([this] { serve(); });
    }
    ~ScriptedUnixServer() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
    }

    void then(Reply reply) {
        std::lock_guard lock(m_mutex);
        m_replies.push_back(std::move(reply));
    }
    std::vector<std::string> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

    static void write_all(int fd, const std::string& data) {
        size_t sent = 0;
        while (sent < data.size()) {
            ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
        }
    }
    static Reply raw(std::string bytes) {
        return [bytes](int fd) { write_all(fd, bytes); };
    }

private:
    void serve() {
        while (!m_stop) {
            int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) return;
            std::string request = read_request(conn);
            Reply reply;
            {
                std::lock_guard lock(m_mutex);
                m_requests.push_back(request);
                if (!m_replies.empty()) {
                    reply = std::move(m_replies.front());
                    m_replies.pop_front();
                }
            }
            if (reply) reply(conn);
            ::close(conn);
        }
    }
    static std::string read_request(int fd) {
        std::string data;
        char buf[4096];
        for (;;) {
            auto end = data.find("\r\n\r\n");
            if (end != std::string::npos) {
                size_t length = 0;
                auto cl = data.find("Content-Length: ");
                if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
                if (data.size() >= end + 4 + length) return data;
            }
            ssize_t n = ::read(fd, buf, sizeof(buf));
            if (n <= 0) return data;
            data.append(buf, static_cast<size_t>(n));
        }
    }

    std::filesystem::path m_path;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::deque<Reply> m_replies;
    std::vector<std::string> m_requests;
    std::thread m_thread;
};

std::string chunk(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    return size + data + "\r\n";
}

class ClientHttpTest : public ::testing::Test {
protected:
    TempDir dir;
    std::filesystem::path socket = dir.path() / "d.sock";
    HttpClient client{cli::client::unix_endpoint(socket), std::chrono::seconds(10)};
};

TEST_F(ClientHttpTest, ReadsContentLengthBodyOverUnixSocket) {
    ScriptedUnixServer server(socket);
    const std::string text = "{\"status\":\"ok\",\"n\":[1,2]}\n";
    server.then(ScriptedUnixServer::raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                        std::to_string(text.size()) + "\r\nX-Request-Id: r-1\r\n\r\n" + text));
    json body = client.call("GET", "/api/v1/health");
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["n"], json({1, 2}));
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].rfind("GET /api/v1/health HTTP/1.1\r\n", 0), 0u) << requests[0];
    EXPECT_NE(requests[0].find("Host: localhost\r\n"), std::string::npos);
    EXPECT_EQ(requests[0].find("Authorization"), std::string::npos) << "no token on the Unix socket";
}

TEST_F(ClientHttpTest, SendsJsonBodyWithLength) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"));
    client.call("POST", "/api/v1/flows", {{"content", "name: x\n"}, {"filename", "x.yaml"}});
    auto request = server.requests().at(0);
    auto body_start = request.find("\r\n\r\n") + 4;
    json sent = json::parse(request.substr(body_start));
    EXPECT_EQ(sent["content"], "name: x\n");
    EXPECT_EQ(sent["filename"], "x.yaml");
    EXPECT_NE(request.find("Content-Type: application/json\r\n"), std::string::npos);
    EXPECT_NE(request.find("Content-Length: " + std::to_string(request.size() - body_start) + "\r\n"),
              std::string::npos);
}

TEST_F(ClientHttpTest, DecodesChunkedBodyWithExtensionsAndTrailers) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"fl") +
                                        "3;ext=1\r\nows\r\n" + chunk("\":[\"a\",\"b\"]}") +
                                        "0\r\nX-Trailer: yes\r\n\r\n"));
    json body = client.call("GET", "/api/v1/flows");
    EXPECT_EQ(body["flows"], json({"a", "b"}));
}

TEST_F(ClientHttpTest, ReadsBodyUntilTheConnectionEndsWithoutLength) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"x\":true}"));
    EXPECT_EQ(client.call("GET", "/x")["x"], true);
}

TEST_F(ClientHttpTest, TruncatedBodyIsATransportError) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"x\":"));
    EXPECT_THROW(client.call("GET", "/x"), TransportError);
}

TEST_F(ClientHttpTest, NotHttpIsATransportError) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw("SSH-2.0-OpenSSH\r\n"));
    EXPECT_THROW(client.call("GET", "/x"), TransportError);
}

TEST_F(ClientHttpTest, ParsesTheApiErrorBody) {
    ScriptedUnixServer server(socket);
    std::string body =
        R"({"error":{"code":"invalid","message":"flow file is invalid","details":{"diagnostics":[{"file":"a.yaml",)"
        R"("line":3,"col":5,"severity":"error","message":"unknown key"}]}},"request_id":"r-42"})";
    server.then(ScriptedUnixServer::raw(
        "HTTP/1.1 422 Unprocessable Entity\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    try {
        client.call("POST", "/api/v1/flows", {{"content", "x"}});
        FAIL() << "no ApiError";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 422);
        EXPECT_EQ(e.code, "invalid");
        EXPECT_STREQ(e.what(), "flow file is invalid");
        EXPECT_EQ(e.request_id, "r-42");
        ASSERT_TRUE(e.details["diagnostics"].is_array());
        EXPECT_EQ(e.details["diagnostics"][0]["line"], 3);
    }
}

TEST_F(ClientHttpTest, ErrorWithoutTheApiShapeStillReads) {
    ScriptedUnixServer server(socket);
    server.then(ScriptedUnixServer::raw(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 12\r\nX-Request-Id: r-7\r\n\r\nupstream sad"));
    try {
        client.call("GET", "/x");
        FAIL() << "no ApiError";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 502);
        EXPECT_EQ(e.code, "http_502");
        EXPECT_NE(std::string(e.what()).find("upstream sad"), std::string::npos) << e.what();
        EXPECT_EQ(e.request_id, "r-7");
        EXPECT_TRUE(e.details.is_object());
    }
}

TEST_F(ClientHttpTest, StreamHandsOverEachLineAsItArrives) {
    // Declared before the server, whose thread uses them until it stops.
    std::promise<void> first_line_seen;
    auto seen = first_line_seen.get_future();
    std::atomic<bool> delivered_before_rest{false};
    ScriptedUnixServer server(socket);
    server.then([&](int fd) {
        ScriptedUnixServer::write_all(fd,
                                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                      "Content-Type: application/x-ndjson\r\n\r\n" +
                                          chunk("{\"seq\":1}\n{\"se"));
        // The rest only once the client has handed over the first line: a client that
        // buffered the whole body would never get here.
        delivered_before_rest = seen.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
        ScriptedUnixServer::write_all(fd, chunk("q\":2}\n") + chunk("{\"seq\":3}\r\n") + "0\r\n\r\n");
    });
    std::vector<std::string> lines;
    bool ended = client.stream_lines("/api/v1/events?execution=e1", [&](std::string_view line) {
        lines.emplace_back(line);
        if (lines.size() == 1) first_line_seen.set_value();
        return true;
    });
    EXPECT_TRUE(ended);
    EXPECT_TRUE(delivered_before_rest);
    EXPECT_EQ(lines, (std::vector<std::string>{"{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}"}));
    EXPECT_EQ(server.requests().at(0).rfind("GET /api/v1/events?execution=e1 HTTP/1.1\r\n", 0), 0u);
}

TEST_F(ClientHttpTest, StreamStopsWhenTheLineHandlerSaysSo) {
    std::promise<void> client_done;
    auto done = client_done.get_future();
    ScriptedUnixServer server(socket);
    server.then([&](int fd) {
        ScriptedUnixServer::write_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("a\nb\nc\n"));
        done.wait_for(std::chrono::seconds(10));  // keeps the stream open
    });
    std::vector<std::string> lines;
    auto start = std::chrono::steady_clock::now();
    bool ended = client.stream_lines("/e", [&](std::string_view line) {
        lines.emplace_back(line);
        return line != "b";
    });
    client_done.set_value();
    EXPECT_FALSE(ended);
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ClientHttpTest, TickHandlerRunsWhileTheStreamIsQuietAndCanStopIt) {
    std::promise<void> client_done;
    auto done = client_done.get_future();
    ScriptedUnixServer server(socket);
    server.then([&](int fd) {
        ScriptedUnixServer::write_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        done.wait_for(std::chrono::seconds(10));
    });
    int ticks = 0;
    bool ended = client.stream_lines(
        "/e", [](std::string_view) { return true; }, [&] { return ++ticks < 3; }, std::chrono::milliseconds(20));
    client_done.set_value();
    EXPECT_FALSE(ended);
    EXPECT_EQ(ticks, 3);
}

TEST_F(ClientHttpTest, StreamErrorStatusThrowsApiError) {
    ScriptedUnixServer server(socket);
    std::string body = R"({"error":{"code":"not_found","message":"no execution 'zz'","details":{}}})";
    server.then(ScriptedUnixServer::raw("HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(body.size()) +
                                        "\r\n\r\n" + body));
    try {
        client.stream_lines("/api/v1/events?execution=zz", [](std::string_view) { return true; });
        FAIL() << "no ApiError";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 404);
        EXPECT_EQ(e.code, "not_found");
    }
}

TEST_F(ClientHttpTest, MissingSocketIsUnreachable) {
    try {
        client.call("GET", "/api/v1/health");
        FAIL() << "no Unreachable";
    } catch (const Unreachable& e) {
        EXPECT_EQ(e.error, ENOENT);
    }
    EXPECT_FALSE(cli::client::unix_socket_accepting(socket));
}

TEST_F(ClientHttpTest, StaleSocketFileIsUnreachable) {
    {
        // Bound and closed without unlinking: what a crashed daemon leaves behind.
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, socket.c_str(), sizeof(addr.sun_path) - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        ::close(fd);
    }
    ASSERT_TRUE(std::filesystem::exists(socket));
    try {
        client.call("GET", "/api/v1/health");
        FAIL() << "no Unreachable";
    } catch (const Unreachable& e) {
        EXPECT_EQ(e.error, ECONNREFUSED);
    }
}

TEST_F(ClientHttpTest, SocketOwnerPidIsTheListeningProcess) {
    ScriptedUnixServer server(socket);
    EXPECT_TRUE(cli::client::unix_socket_accepting(socket));
    EXPECT_EQ(cli::client::unix_socket_owner_pid(socket), ::getpid());
}

TEST(ClientTcpTest, SendsBearerTokenAndBodyToTcpServer) {
    HttpServer server;
    server.on("POST", "/api/v1/flows/backup/executions", [](const HttpRequest& req, HttpReply& reply) {
        reply.status = 202;
        reply.content_type = "application/json";
        reply.body = R"({"execution":{"id":"e-1","status":"pending"}})";
    });
    server.start();
    HttpClient client(cli::client::tcp_endpoint(server.base_url(), "flw_secret"));
    json answer = client.call("POST", "/api/v1/flows/backup/executions", {{"inputs", {{"n", "3"}}}});
    EXPECT_EQ(answer["execution"]["id"], "e-1");
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].header("authorization"), "Bearer flw_secret");
    EXPECT_EQ(requests[0].header("content-type"), "application/json");
    EXPECT_EQ(json::parse(requests[0].body)["inputs"]["n"], "3");
}

TEST(ClientTcpTest, ReadsErrorsFromTcpServer) {
    HttpServer server;
    server.on("GET", "/api/v1/tokens", [](const HttpRequest&, HttpReply& reply) {
        reply.status = 401;
        reply.content_type = "application/json";
        reply.body = R"({"error":{"code":"unauthorized","message":"a token is required","details":{}}})";
    });
    server.start();
    HttpClient client(cli::client::tcp_endpoint(server.base_url(), ""));
    try {
        client.call("GET", "/api/v1/tokens");
        FAIL() << "no ApiError";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 401);
        EXPECT_EQ(e.code, "unauthorized");
        EXPECT_STREQ(e.what(), "a token is required");
    }
    EXPECT_EQ(server.requests().at(0).header("authorization"), "") << "no header without a token";
}

TEST(ClientTcpTest, RefusedPortIsUnreachable) {
    // A port that was free a moment ago: bind, read the number, close.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    HttpClient client(cli::client::tcp_endpoint("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "t"));
    try {
        client.call("GET", "/api/v1/health");
        FAIL() << "no Unreachable";
    } catch (const Unreachable& e) {
        EXPECT_EQ(e.error, ECONNREFUSED);
    }
}

TEST(ClientTcpTest, ParsesUrls) {
    auto v4 = cli::client::tcp_endpoint("http://127.0.0.1:8080/", "tok");
    EXPECT_EQ(v4.host, "127.0.0.1");
    EXPECT_EQ(v4.port, "8080");
    EXPECT_EQ(v4.token, "tok");
    auto v6 = cli::client::tcp_endpoint("http://[::1]:9000", "");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, "9000");
    EXPECT_EQ(v6.describe(), "http://[::1]:9000");
    EXPECT_EQ(cli::client::tcp_endpoint("http://localhost", "").port, "80");
    EXPECT_THROW(cli::client::tcp_endpoint("https://host:1", ""), std::invalid_argument);
    EXPECT_THROW(cli::client::tcp_endpoint("http://host:99999", ""), std::invalid_argument);
    EXPECT_THROW(cli::client::tcp_endpoint("http://host:80/api", ""), std::invalid_argument);
    EXPECT_THROW(cli::client::tcp_endpoint("http://:80", ""), std::invalid_argument);
}

TEST(ClientTcpTest, EncodesQueryValues) {
    EXPECT_EQ(cli::client::url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    EXPECT_EQ(cli::client::url_encode("Az09-._~"), "Az09-._~");
}

}  // namespace
}  // namespace flowctl::test
