// flows/http-check.yaml against a real HTTP server on 127.0.0.1.
#include "cli_fixture.hpp"
#include "support/http_server.hpp"

namespace flowctl::test {

TEST_F(CliTest, HttpCheckAgainstALoopbackServer) {
    HttpServer server;
    server.on("GET", "/health", [](const HttpRequest&, HttpReply& reply) {
        reply.content_type = "application/json";
        reply.body = R"({"status": "ok", "version": "1.2.3"})";
    });
    server.on("POST", "/report", [](const HttpRequest&, HttpReply& reply) { reply.status = 204; });
    server.start();

    auto r = flowctl({"run", example("http-check.yaml"), "-i", "url=" + server.base_url()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].path, "/report");
    EXPECT_EQ(requests[1].header("content-type"), "application/json");
    auto report = json::parse(requests[1].body);
    EXPECT_EQ(report["healthy"], true);
    EXPECT_EQ(report["http_status"], 200);

    auto exec = last_execution();
    EXPECT_EQ(attempts_of(exec, "health")[0]["outputs"]["json"]["version"], "1.2.3");
    EXPECT_EQ(attempts_of(exec, "verify")[0]["status"], "skipped");
}

TEST_F(CliTest, HttpCheckReportsAnUnhealthyService) {
    HttpServer server;
    int calls = 0;
    server.on("GET", "/health", [&](const HttpRequest&, HttpReply& reply) {
        ++calls;
        reply.content_type = "application/json";
        reply.body = R"({"status": "degraded"})";
    });
    server.on("POST", "/report", [](const HttpRequest&, HttpReply& reply) { reply.status = 204; });
    server.start();

    auto r = flowctl({"run", example("http-check.yaml"), "-i", "url=" + server.base_url()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto requests = server.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(json::parse(requests.back().body)["healthy"], false);  // the always() report still ran
    auto exec = last_execution();
    EXPECT_EQ(attempts_of(exec, "verify")[0]["status"], "failed");
}

TEST_F(CliTest, HttpStepRetriesAServerError) {
    HttpServer server;
    int calls = 0;
    server.on("GET", "/health", [&](const HttpRequest&, HttpReply& reply) {
        if (++calls < 3) {
            reply.status = 503;
            reply.body = "warming up";
            return;
        }
        reply.content_type = "application/json";
        reply.body = R"({"status": "ok"})";
    });
    server.on("POST", "/report", [](const HttpRequest&, HttpReply& reply) { reply.status = 204; });
    server.start();
    auto r = flowctl({"run", example("http-check.yaml"), "-i", "url=" + server.base_url()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto health = attempts_of(last_execution(), "health");
    ASSERT_EQ(health.size(), 3u);
    EXPECT_EQ(health[0]["status"], "failed");
    EXPECT_NE(health[0]["error"].get<std::string>().find("503"), std::string::npos);
    EXPECT_EQ(health[2]["status"], "succeeded");
}

}  // namespace flowctl::test
