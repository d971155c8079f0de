// Webhook triggers through the real flowd on TCP: signatures, dedupe, sync answers, limits,
// allow-lists, and `flowctl webhooks`.
#include <httplib.h>

#include <string>

#include "daemon_fixture.hpp"
#include "util/ids.hpp"

namespace flowctl::test {
namespace {

const char* kDeploy = R"(name: deploy
triggers:
  - webhook: {id: deploy-hook, secret: s3cret}
steps:
  - id: show
    run: echo "deploying ${{ trigger.body.ref }}"
)";

const char* kEcho = R"(name: echo
triggers:
  - webhook: {id: echo-hook, response: sync, timeout: 30s}
steps:
  - id: greet
    run: echo "hello ${{ trigger.body.who }}"
outputs:
  greeting: ${{ steps.greet.output }}
)";

const char* kPrivate = R"(name: private
triggers:
  - webhook: {id: private-hook, allowed_ips: ["10.0.0.0/8"]}
steps:
  - id: a
    log: private
)";

// HMAC-SHA256 built from plain SHA-256 (RFC 2104), independent of the daemon's libsodium.
std::string hmac_sha256_hex(std::string key, const std::string& message) {
    auto raw = [](const std::string& hex) {
        std::string out;
        for (size_t i = 0; i + 1 < hex.size(); i += 2)
            out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        return out;
    };
    constexpr size_t block = 64;
    if (key.size() > block) key = raw(util::sha256_hex(key));
    key.resize(block, '\0');
    std::string inner(block, '\0'), outer(block, '\0');
    for (size_t i = 0; i < block; ++i) {
        inner[i] = static_cast<char>(key[i] ^ 0x36);
        outer[i] = static_cast<char>(key[i] ^ 0x5c);
    }
    return util::sha256_hex(outer + raw(util::sha256_hex(inner + message)));
}

class WebhookIntegrationTest : public DaemonTest {
protected:
    void SetUp() override {
        write_flow("deploy.yaml", kDeploy);
        write_flow("echo.yaml", kEcho);
        write_flow("private.yaml", kPrivate);
        dir.write("config/flowctl/config.yaml", "webhook_max_body: 4KiB\n");
        port = free_tcp_port();
        start_daemon({"--listen", "127.0.0.1:" + std::to_string(port)});
        http = std::make_unique<httplib::Client>("127.0.0.1", port);
        http->set_read_timeout(30, 0);
    }

    httplib::Result post(const std::string& path, const std::string& body, const httplib::Headers& headers = {}) {
        return http->Post(path.c_str(), headers, body, "application/json");
    }
    httplib::Headers signature(const std::string& body, const std::string& secret = "s3cret") {
        return {{"X-Signature-256", "sha256=" + hmac_sha256_hex(secret, body)}};
    }
    json executions(const std::string& flow) {
        auto r = unix_request("GET", "/api/v1/executions?flow=" + flow);
        EXPECT_EQ(r.status, 200) << r.text;
        return r.body.value("executions", json::array());
    }
    json finished(const std::string& id) {
        json e;
        EXPECT_TRUE(eventually(std::chrono::seconds(20), [&] {
            e = unix_request("GET", "/api/v1/executions/" + id).body;
            const std::string status = e.value("status", "");
            return status != "pending" && status != "running" && !status.empty();
        }));
        return e;
    }

    int port = 0;
    std::unique_ptr<httplib::Client> http;
};

TEST_F(WebhookIntegrationTest, OnlyACorrectlySignedRequestStartsTheFlow) {
    const std::string body = R"({"ref":"v1.2"})";
    auto missing = post("/hooks/deploy-hook", body);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 401);
    auto bad = post("/hooks/deploy-hook", body, signature(body, "wrong"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401);
    EXPECT_EQ(json::parse(bad->body)["error"]["code"], "unauthorized");
    EXPECT_TRUE(executions("deploy").empty());

    auto good = post("/hooks/deploy-hook", body, signature(body));
    ASSERT_TRUE(good);
    ASSERT_EQ(good->status, 202) << good->body;
    const std::string id = json::parse(good->body).at("execution_id");
    json e = finished(id);
    EXPECT_EQ(e["status"], "succeeded");
    EXPECT_EQ(e["trigger"], "webhook");
    EXPECT_EQ(e["trigger_data"]["body"]["ref"], "v1.2");
    ASSERT_EQ(e["steps"].size(), 1u);
    EXPECT_EQ(e["steps"][0]["output"], "deploying v1.2");
    EXPECT_EQ(executions("deploy").size(), 1u);
}

TEST_F(WebhookIntegrationTest, ASyncHookAnswersWithTheDeclaredOutputs) {
    auto r = post("/hooks/echo-hook", R"({"who":"flowd"})");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body), (json{{"greeting", "hello flowd"}}));
}

TEST_F(WebhookIntegrationTest, TheSameDeliveryTwiceRunsOnce) {
    const std::string body = R"({"ref":"main"})";
    auto headers = signature(body);
    headers.emplace("X-Delivery-Id", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    auto first = post("/hooks/deploy-hook", body, headers);
    auto second = post("/hooks/deploy-hook", body, headers);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->status, 202);
    EXPECT_EQ(second->status, 202);
    EXPECT_EQ(second->get_header_value("X-Duplicate"), "true");
    EXPECT_EQ(json::parse(second->body)["execution_id"], json::parse(first->body)["execution_id"]);
    EXPECT_EQ(executions("deploy").size(), 1u);
}

TEST_F(WebhookIntegrationTest, ABodyOverTheLimitIsRefused) {
    const std::string body(4097, ' ');
    auto r = post("/hooks/deploy-hook", body, signature(body));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(json::parse(r->body)["error"]["code"], "payload_too_large");
    EXPECT_TRUE(executions("deploy").empty());
}

TEST_F(WebhookIntegrationTest, AnAddressOutsideTheAllowListIsRefused) {
    auto r = post("/hooks/private-hook", "{}");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
    EXPECT_TRUE(executions("private").empty());
}

TEST_F(WebhookIntegrationTest, FlowctlWebhooksShowsTheHooksAndTheirRequests) {
    const std::string body = "{}";
    ASSERT_EQ(post("/hooks/deploy-hook", body)->status, 401);
    auto ok = post("/hooks/deploy-hook", body, signature(body));
    ASSERT_EQ(ok->status, 202);
    finished(json::parse(ok->body).at("execution_id"));

    json list = flowctl_json({"webhooks"});
    ASSERT_EQ(list["webhooks"].size(), 3u);
    json deploy;
    for (const auto& h : list["webhooks"])
        if (h["id"] == "deploy-hook") deploy = h;
    EXPECT_EQ(deploy["flow"], "deploy");
    EXPECT_EQ(deploy["signed"], true);
    EXPECT_EQ(deploy["stats"]["total"], 2);
    EXPECT_EQ(deploy["stats"]["succeeded"], 1);

    auto table = flowctl({"webhooks"});
    EXPECT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("ID"), std::string::npos);
    EXPECT_NE(table.out.find("deploy-hook"), std::string::npos);
    EXPECT_NE(table.out.find("echo-hook"), std::string::npos);

    json detail = flowctl_json({"webhooks", "deploy-hook"});
    ASSERT_EQ(detail["recent"].size(), 2u);
    EXPECT_EQ(detail["recent"][0]["status"], 202);
    EXPECT_EQ(detail["recent"][1]["status"], 401);
    auto text = flowctl({"webhooks", "deploy-hook"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("/hooks/deploy-hook"), std::string::npos);
    EXPECT_NE(text.out.find("missing X-Signature-256 header"), std::string::npos);

    auto unknown = flowctl({"webhooks", "nope"});
    EXPECT_NE(unknown.exit_code, 0);
}

}  // namespace
}  // namespace flowctl::test
