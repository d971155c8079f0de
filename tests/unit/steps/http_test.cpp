#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "steps/types.hpp"
#include "support/http_server.hpp"

using namespace flowctl;
using namespace flowctl::steps;
using namespace std::chrono_literals;

namespace {

class HttpStepTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_server.on("GET", "/items", [](const test::HttpRequest&, test::HttpReply& reply) {
            reply.content_type = "application/json";
            reply.body = R"({"items": [{"id": 1}, {"id": 2}]})";
            reply.headers = {{"X-Trace", "a"}, {"X-Trace", "b"}};
        });
        m_server.on("POST", "/items", [](const test::HttpRequest& req, test::HttpReply& reply) {
            bool json = req.header("Content-Type") == "application/json";
            reply.status = json ? 201 : 415;
            reply.body = json ? req.body : "want json";
        });
        m_server.on("GET", "/text",
                    [](const test::HttpRequest&, test::HttpReply& reply) { reply.body = "plain words"; });
        m_server.on("GET", "/down", [](const test::HttpRequest&, test::HttpReply& reply) {
            reply.status = 503;
            reply.body = "maintenance until noon\n";
        });
        m_server.on("GET", "/old", [](const test::HttpRequest&, test::HttpReply& reply) {
            reply.status = 302;
            reply.headers = {{"Location", "/text"}};
        });
        m_server.on("GET", "/slow", [this](const test::HttpRequest&, test::HttpReply& reply) {
            m_server.sleep_unless_stopped(5000);
            reply.body = "late";
        });
        m_server.on("GET", "/big",
                    [](const test::HttpRequest&, test::HttpReply& reply) { reply.body = std::string(10000, 'x'); });
        m_server.start();
    }

    StepContext context(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        ctx.cwd = "/";
        ctx.cancel = &m_cancel;
        ctx.log = [this](LogLevel level, std::string_view, std::string_view line) {
            std::lock_guard lock(m_mutex);
            m_log.emplace_back(line);
        };
        return ctx;
    }
    StepResult run(json params) {
        auto ctx = context(std::move(params));
        return http_step_type().run(ctx);
    }
    std::string url(const std::string& path) const { return m_server.base_url() + path; }

    test::HttpServer m_server;
    util::CancelToken m_cancel;
    std::mutex m_mutex;
    std::vector<std::string> m_log;
};

TEST_F(HttpStepTest, GetWithQueryAndHeaders) {
    StepResult r = run({{"url", url("/items")},
                        {"query", {{"q", "a b&c"}, {"page", 2}, {"tag", {"x", "y"}}}},
                        {"headers", {{"X-Api-Key", "k1"}}},
                        {"bearer_token", "tok"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    auto reqs = m_server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "GET");
    EXPECT_EQ(reqs[0].path, "/items");
    EXPECT_EQ(reqs[0].target, "/items?page=2&q=a%20b%26c&tag=x&tag=y");
    EXPECT_EQ(reqs[0].header("x-api-key"), "k1");
    EXPECT_EQ(reqs[0].header("Authorization"), "Bearer tok");

    EXPECT_EQ(r.outputs["status"], 200);
    EXPECT_EQ(r.outputs["json"], (json{{"items", {{{"id", 1}}, {{"id", 2}}}}}));
    EXPECT_EQ(r.output, r.outputs["json"]);
    EXPECT_EQ(r.outputs["headers"]["content-type"], "application/json");
    EXPECT_EQ(r.outputs["headers"]["x-trace"], "a, b");
    EXPECT_TRUE(r.outputs["duration_ms"].is_number_integer());

    std::lock_guard lock(m_mutex);
    ASSERT_EQ(m_log.size(), 1u);
    EXPECT_NE(m_log[0].find("GET " + url("/items")), std::string::npos) << m_log[0];
    EXPECT_NE(m_log[0].find("→ 200 in"), std::string::npos) << m_log[0];
}

TEST_F(HttpStepTest, JsonBodyIsPostedWithItsContentType) {
    StepResult r = run({{"url", url("/items")}, {"json", {{"name", "widget"}, {"n", 3}}}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.outputs["status"], 201);
    auto reqs = m_server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].header("content-type"), "application/json");
    EXPECT_EQ(json::parse(reqs[0].body), (json{{"name", "widget"}, {"n", 3}}));
    EXPECT_EQ(r.outputs["json"], (json{{"name", "widget"}, {"n", 3}}));
}

TEST_F(HttpStepTest, FormBodyIsUrlEncoded) {
    m_server.stop();
    test::HttpServer server;
    server.on("PUT", "/form", [](const test::HttpRequest&, test::HttpReply&) {});
    server.start();
    auto ctx =
        context({{"url", server.base_url() + "/form"}, {"method", "PUT"}, {"form", {{"name", "a&b"}, {"n", 1}}}});
    StepResult r = http_step_type().run(ctx);
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "PUT");
    EXPECT_EQ(reqs[0].header("content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(reqs[0].body, "n=1&name=a%26b");
}

TEST_F(HttpStepTest, OtherMethodsAreSentAsGiven) {
    m_server.stop();
    test::HttpServer server;
    server.on("DELETE", "/items/1", [](const test::HttpRequest&, test::HttpReply& reply) { reply.status = 204; });
    server.on("GET", "/search", [](const test::HttpRequest&, test::HttpReply&) {});
    server.start();
    auto del = context({{"url", server.base_url() + "/items/1"}, {"method", "DELETE"}});
    EXPECT_EQ(http_step_type().run(del).outcome, Outcome::succeeded);
    // A GET with a body stays a GET.
    auto get = context({{"url", server.base_url() + "/search"}, {"method", "GET"}, {"json", {1}}});
    EXPECT_EQ(http_step_type().run(get).outcome, Outcome::succeeded);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].method, "DELETE");
    EXPECT_EQ(reqs[0].body, "");
    EXPECT_EQ(reqs[1].method, "GET");
    // cpp-httplib does not read GET bodies; the headers show one was sent.
    EXPECT_EQ(reqs[1].header("content-length"), "3");
    EXPECT_EQ(reqs[1].header("content-type"), "application/json");
}

TEST_F(HttpStepTest, ANonJsonBodyIsTheOutput) {
    StepResult r = run({{"url", url("/text")}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, "plain words");
    EXPECT_EQ(r.outputs["body"], "plain words");
    EXPECT_TRUE(r.outputs["json"].is_null());
}

TEST_F(HttpStepTest, AnErrorStatusFailsUnlessExpected) {
    StepResult r = run({{"url", url("/down")}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "HTTP 503 from " + url("/down") + ": maintenance until noon");
    EXPECT_EQ(r.outputs["status"], 503);

    StepResult missing = run({{"url", url("/missing")}});
    EXPECT_EQ(missing.outcome, Outcome::failed);
    EXPECT_NE(missing.error.find("HTTP 404"), std::string::npos);

    StepResult expected = run({{"url", url("/missing")}, {"expect_status", 404}});
    EXPECT_EQ(expected.outcome, Outcome::succeeded) << expected.error;
    StepResult listed = run({{"url", url("/down")}, {"expect_status", {200, 503}}});
    EXPECT_EQ(listed.outcome, Outcome::succeeded) << listed.error;
    StepResult narrowed = run({{"url", url("/text")}, {"expect_status", {204}}});
    EXPECT_EQ(narrowed.outcome, Outcome::failed);
}

TEST_F(HttpStepTest, RedirectsAreFollowedUnlessDisabled) {
    StepResult r = run({{"url", url("/old")}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.outputs["url"], url("/text"));
    EXPECT_EQ(r.output, "plain words");

    StepResult stay = run({{"url", url("/old")}, {"follow_redirects", false}, {"expect_status", 302}});
    ASSERT_EQ(stay.outcome, Outcome::succeeded) << stay.error;
    EXPECT_EQ(stay.outputs["headers"]["location"], "/text");
}

TEST_F(HttpStepTest, TimeoutParameterTimesOut) {
    auto start = std::chrono::steady_clock::now();
    StepResult r = run({{"url", url("/slow")}, {"timeout", "300ms"}});
    EXPECT_EQ(r.outcome, Outcome::timed_out) << r.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(HttpStepTest, TheStepDeadlineTimesOut) {
    auto ctx = context({{"url", url("/slow")}});
    ctx.deadline = std::chrono::steady_clock::now() + 300ms;
    StepResult r = http_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::timed_out) << r.error;
}

TEST_F(HttpStepTest, CancellingMidRequestReturnsQuickly) {
    auto ctx = context({{"url", url("/slow")}});
    std::thread canceller([this] {
        std::this_thread::sleep_for(200ms);
        m_cancel.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    StepResult r = http_step_type().run(ctx);
    auto took = std::chrono::steady_clock::now() - start;
    canceller.join();
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_LT(took, 2s);
}

TEST_F(HttpStepTest, BodyIsCappedAtTheOutputCap) {
    auto ctx = context({{"url", url("/big")}});
    ctx.output_cap = 1000;
    StepResult r = http_step_type().run(ctx);
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.outputs["body"].get<std::string>().size(), 1000u);
    EXPECT_EQ(r.outputs["truncated"], true);
}

TEST_F(HttpStepTest, ConnectionErrorsFailWithCurlsMessage) {
    test::HttpServer closed;
    closed.start();
    std::string dead = closed.base_url() + "/";
    closed.stop();
    StepResult r = run({{"url", dead}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find(dead), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("Failed to connect"), std::string::npos) << r.error;
}

TEST_F(HttpStepTest, BasicAuthIsSent) {
    StepResult r = run({{"url", url("/text")}, {"basic_auth", {{"username", "ann"}, {"password", "pw"}}}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(m_server.requests().at(0).header("authorization"), "Basic YW5uOnB3");
}

TEST_F(HttpStepTest, HeaderValuesCannotInjectLines) {
    StepResult r = run({{"url", url("/text")}, {"headers", {{"X-A", "v\r\nX-Evil: 1"}}}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("line break"), std::string::npos) << r.error;
    EXPECT_TRUE(m_server.requests().empty());
}

TEST_F(HttpStepTest, OnlyOneBodyKindIsAllowed) {
    StepResult r = run({{"url", url("/items")}, {"json", 1}, {"body", "x"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_TRUE(m_server.requests().empty());
}

}  // namespace
