// The `webhook` trigger's keys and their checks, with positions.
#include <gtest/gtest.h>

#include "flow_test_util.hpp"
#include "util/json.hpp"

namespace flowctl::flow::test {
namespace {

// A flow with one webhook trigger whose settings are `settings` (a flow-style mapping on line 5).
Loaded load_hook(const std::string& settings) {
    return load("name: hooked\ninputs:\n  env: {type: string, default: dev}\ntriggers:\n  - webhook: " + settings +
                "\nsteps:\n  - id: a\n    log: hi\n");
}

TEST(WebhookTrigger, EveryKeyIsKeptAsWritten) {
    auto l = load_hook(
        R"({id: deploy-hook, secret: s3cret, methods: [POST, PUT], allowed_ips: ["127.0.0.1/32", "::1/128", 10.0.0.0/8], )"
        R"(response: sync, timeout: 30s, tolerance: 5m, inputs: {env: prod}})");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    ASSERT_EQ(l.flow->triggers.size(), 1u);
    const auto& t = l.flow->triggers[0];
    EXPECT_EQ(t.kind, "webhook");
    EXPECT_EQ(t.spec.at("id"), "deploy-hook");
    EXPECT_EQ(t.spec.at("secret"), "s3cret");
    EXPECT_EQ(t.spec.at("methods"), (json{"POST", "PUT"}));
    EXPECT_EQ(t.spec.at("allowed_ips"), (json{"127.0.0.1/32", "::1/128", "10.0.0.0/8"}));
    EXPECT_EQ(t.spec.at("response"), "sync");
    EXPECT_EQ(t.spec.at("timeout"), "30s");
    EXPECT_EQ(t.spec.at("tolerance"), "5m");
    EXPECT_EQ(t.spec.at("inputs"), (json{{"env", "prod"}}));
    EXPECT_EQ(t.pos.line, 5);
}

TEST(WebhookTrigger, ASecretFileIsAnAlternativeToAnInlineSecret) {
    auto l = load_hook("{id: creds, secret_file: /run/credentials/flowd.service/hook}");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    EXPECT_EQ(l.flow->triggers[0].spec.at("secret_file"), "/run/credentials/flowd.service/hook");
}

TEST(WebhookTrigger, TheIdIsRequired) {
    auto l = load_hook("{secret: x}");
    EXPECT_FALSE(l.flow);
    EXPECT_EQ(l.lines(), std::vector<std::string>{"flow.yaml:5:14: error: 'webhook' trigger needs 'id'"});
}

TEST(WebhookTrigger, TheIdIsOnePathSegmentOfAtMost64Characters) {
    for (const std::string& bad :
         std::vector<std::string>{"'a/b'", "'has space'", "''", "'" + std::string(65, 'x') + "'", "'é'"}) {
        auto l = load_hook("{id: " + bad + "}");
        EXPECT_FALSE(l.flow) << bad;
        ASSERT_EQ(l.diags.size(), 1u) << bad;
        EXPECT_NE(l.lines()[0].find("flow.yaml:5:19: error: invalid webhook id"), std::string::npos) << l.lines()[0];
    }
    auto ok = load_hook("{id: " + std::string(64, 'x') + "}");
    EXPECT_TRUE(ok.flow);
    EXPECT_TRUE(load_hook("{id: A-z_0.9}").flow);
}

TEST(WebhookTrigger, SecretAndSecretFileAreExclusive) {
    auto l = load_hook("{id: x, secret: a, secret_file: /b}");
    EXPECT_FALSE(l.flow);
    EXPECT_EQ(l.lines(), std::vector<std::string>{
                             "flow.yaml:5:46: error: 'secret_file' and 'secret' cannot both be set: use one"});
}

TEST(WebhookTrigger, MethodsAreHttpMethodsAHookCanServe) {
    auto l = load_hook("{id: x, methods: [POST, DELET, Get]}");
    EXPECT_FALSE(l.flow);
    EXPECT_EQ(l.lines(),
              (std::vector<std::string>{
                  "flow.yaml:5:38: error: unknown method 'DELET' in 'methods': use GET, POST, PUT, PATCH",
                  "flow.yaml:5:45: error: unknown method 'Get' in 'methods': use GET, POST, PUT, PATCH (did you "
                  "mean 'GET'?)"}));
}

TEST(WebhookTrigger, AllowedIpsAreAddressesOrCidrRanges) {
    auto l = load_hook(R"({id: x, allowed_ips: ["10.0.0.0/33", "::1/129", "fe80::/10", host.example, "1.2.3.4/"]})");
    EXPECT_FALSE(l.flow);
    auto lines = l.lines();
    ASSERT_EQ(lines.size(), 4u) << testing::PrintToString(lines);
    EXPECT_EQ(lines[0].rfind("flow.yaml:5:36: error: invalid address '10.0.0.0/33'", 0), 0u) << lines[0];
    EXPECT_NE(lines[1].find("invalid address '::1/129'"), std::string::npos);
    EXPECT_NE(lines[2].find("invalid address 'host.example'"), std::string::npos);
    EXPECT_NE(lines[3].find("invalid address '1.2.3.4/'"), std::string::npos);
    EXPECT_TRUE(load_hook(R"({id: x, allowed_ips: ["0.0.0.0/0", "::/0", "192.168.1.7", "::ffff:10.0.0.0/104"]})").flow);
}

TEST(WebhookTrigger, ResponseTimeoutAndToleranceAreChecked) {
    auto l = load_hook("{id: x, response: later, timeout: soon, tolerance: 5 minutes}");
    EXPECT_FALSE(l.flow);
    EXPECT_EQ(l.lines(), (std::vector<std::string>{
                             "flow.yaml:5:32: error: 'response' must be one of async, sync, got 'later'",
                             "flow.yaml:5:48: error: invalid duration 'soon' (use e.g. 30s, 5m, 1h30m)",
                             "flow.yaml:5:65: error: invalid duration '5 minutes' (use e.g. 30s, 5m, 1h30m)"}));
}

TEST(WebhookTrigger, TheOldKeysAreGone) {
    auto l = load_hook("{id: x, path: /hooks/x, signature: github}");
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 2u);
    EXPECT_NE(l.lines()[0].find("unknown key 'path' in 'webhook' trigger"), std::string::npos) << l.lines()[0];
    EXPECT_NE(l.lines()[1].find("unknown key 'signature' in 'webhook' trigger"), std::string::npos);
}

TEST(WebhookTrigger, InputsMustBeDeclared) {
    auto l = load_hook("{id: x, inputs: {environment: prod}}");
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_NE(l.lines()[0].find("flow.yaml:5:31: error: the trigger sets input 'environment'"), std::string::npos)
        << l.lines()[0];
}

}  // namespace
}  // namespace flowctl::flow::test
