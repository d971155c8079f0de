// /hooks/{id} and /api/v1/webhooks against a real daemon (store, registry, executions, server)
// on loopback TCP and its Unix socket: the checks in order, the run, dedupe, sync answers, stats.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "api_test_daemon.hpp"
#include "core/webhook_signature.hpp"
#include "support/temp_dir.hpp"
#include "unix_exchange.hpp"
#include "util/json.hpp"

namespace flowctl::daemon::test {
namespace {

using namespace std::chrono_literals;

const char* kOpen = R"(name: open
inputs:
  env: {type: string, default: dev}
triggers:
  - webhook: {id: open-hook, methods: [POST, PUT], inputs: {env: prod}}
steps:
  - id: show
    run: echo "ref=${{ trigger.body.ref }} env=${{ inputs.env }}"
)";

const char* kSigned = R"(name: signed
triggers:
  - webhook: {id: signed-hook, secret: s3cret}
steps:
  - id: a
    log: signed
)";

const char* kStamped = R"(name: stamped
triggers:
  - webhook: {id: stamped-hook, secret: s3cret, tolerance: 5m}
steps:
  - id: a
    log: stamped
)";

const char* kLocal = R"(name: local
triggers:
  - webhook: {id: local-hook, allowed_ips: ["10.0.0.0/8", "::1/128"]}
steps:
  - id: a
    log: local
)";

const char* kSync = R"(name: sync
triggers:
  - webhook: {id: sync-hook, response: sync, timeout: 20s}
steps:
  - id: greet
    run: echo "hello ${{ trigger.body.who }}"
outputs:
  said: ${{ steps.greet.output }}
  who: ${{ trigger.body.who }}
)";

const char* kFailing = R"(name: failing
triggers:
  - webhook: {id: failing-hook, response: sync}
steps:
  - id: boom
    run: echo broken >&2; exit 3
)";

const char* kSlowSync = R"(name: slowsync
triggers:
  - webhook: {id: slow-hook, response: sync, timeout: 200ms}
steps:
  - id: nap
    sleep: 5s
)";

const char* kForbid = R"(name: single
concurrency: forbid
triggers:
  - webhook: {id: single-hook}
steps:
  - id: nap
    sleep: 5s
)";

const char* kTwinA = R"(name: twin-a
triggers:
  - webhook: {id: twin}
steps:
  - id: a
    log: a
)";

const char* kTwinB = R"(name: twin-b
triggers:
  - webhook: {id: twin}
steps:
  - id: b
    log: b
)";

struct Reply {
    int status = 0;
    json body;
    httplib::Headers headers;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

class WebhookRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<ApiTestDaemon>(std::map<std::string, std::string>{{"open.yaml", kOpen},
                                                                                    {"signed.yaml", kSigned},
                                                                                    {"stamped.yaml", kStamped},
                                                                                    {"local.yaml", kLocal},
                                                                                    {"sync.yaml", kSync},
                                                                                    {"failing.yaml", kFailing},
                                                                                    {"slowsync.yaml", kSlowSync},
                                                                                    {"single.yaml", kForbid},
                                                                                    {"twin-a.yaml", kTwinA},
                                                                                    {"twin-b.yaml", kTwinB}});
        daemon->config.webhook_max_body_bytes = 4096;
        daemon->start();
        anonymous = daemon->client("");
        admin = daemon->client(daemon->admin_secret);
    }

    static Reply wrap(const httplib::Result& r) {
        Reply out;
        if (!r) {
            ADD_FAILURE() << "request failed: " << httplib::to_string(r.error());
            return out;
        }
        out.status = r->status;
        out.headers = r->headers;
        out.body = json::parse(r->body, nullptr, false);
        return out;
    }

    Reply post(const std::string& path, const std::string& body, httplib::Headers headers = {},
               const char* type = "application/json") {
        return wrap(anonymous->Post(path.c_str(), headers, body, type));
    }
    Reply signed_post(const std::string& path, const std::string& body, const std::string& secret = "s3cret") {
        return post(path, body, {{"X-Signature-256", "sha256=" + hmac_sha256_hex(secret, body)}});
    }
    Reply admin_get(const std::string& path) { return wrap(admin->Get(path.c_str())); }

    store::ExecutionRecord finished(const std::string& id) {
        return daemon->executions->wait(id, std::chrono::milliseconds(20s));
    }
    int64_t executions_of(const std::string& flow) {
        store::HistoryFilter f;
        f.flow = flow;
        int64_t total = 0;
        daemon->stores->local().list_executions(f, &total);
        return total;
    }
    std::vector<store::WebhookRequestRecord> requests(const std::string& hook) {
        return daemon->stores->local().webhook_requests(hook, 100);
    }

    std::unique_ptr<ApiTestDaemon> daemon;
    std::unique_ptr<httplib::Client> anonymous;
    std::unique_ptr<httplib::Client> admin;
};

TEST_F(WebhookRoutesTest, APostStartsTheFlowWithTheRequestAsItsTrigger) {
    auto r = post("/hooks/open-hook?source=ci&tag=a&tag=b", R"({"ref":"main","n":2})",
                  {{"X-GitHub-Event", "push"}, {"User-Agent", "hook-test/1"}});
    ASSERT_EQ(r.status, 202) << r.body.dump();
    const std::string id = r.body.at("execution_id");
    EXPECT_EQ(r.body.at("status_url"), "/api/v1/executions/" + id);

    const auto e = finished(id);
    EXPECT_EQ(e.status, "succeeded") << e.error;
    EXPECT_EQ(e.flow_name, "open");
    EXPECT_EQ(e.trigger, "webhook");
    EXPECT_EQ(e.inputs.at("env"), "prod");  // the trigger's inputs
    const json& t = e.trigger_data;
    EXPECT_EQ(t.at("hook_id"), "open-hook");
    EXPECT_EQ(t.at("method"), "POST");
    EXPECT_EQ(t.at("path"), "/hooks/open-hook");
    EXPECT_EQ(t.at("body"), (json{{"ref", "main"}, {"n", 2}}));
    EXPECT_EQ(t.at("query").at("source"), "ci");
    EXPECT_EQ(t.at("query").at("tag"), (json{"a", "b"}));
    EXPECT_EQ(t.at("headers").at("x-github-event"), "push");
    EXPECT_EQ(t.at("headers").at("user-agent"), "hook-test/1");
    EXPECT_FALSE(t.at("headers").contains("REMOTE_ADDR"));
    EXPECT_FALSE(t.at("headers").contains("remote_addr"));
    EXPECT_EQ(t.at("remote_addr"), "127.0.0.1");
    EXPECT_EQ(t.at("delivery_id"), "");

    // The flow saw the body through `trigger`.
    auto steps = daemon->stores->local().step_runs(id);
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].output, "ref=main env=prod");

    auto recorded = requests("open-hook");
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].status, 202);
    EXPECT_EQ(recorded[0].execution_id, id);
    EXPECT_EQ(recorded[0].remote_addr, "127.0.0.1");
    EXPECT_EQ(recorded[0].user_agent, "hook-test/1");
}

TEST_F(WebhookRoutesTest, ABodyThatIsNotJsonIsPassedAsText) {
    auto r = post("/hooks/open-hook", "ref=main", {}, "text/plain");
    ASSERT_EQ(r.status, 202);
    EXPECT_EQ(finished(r.body.at("execution_id")).trigger_data.at("body"), "ref=main");
    auto broken = post("/hooks/open-hook", "{not json", {}, "application/json");
    ASSERT_EQ(broken.status, 202);
    EXPECT_EQ(finished(broken.body.at("execution_id")).trigger_data.at("body"), "{not json");
}

TEST_F(WebhookRoutesTest, OnlyTheHooksMethodsAreServed) {
    auto put = wrap(anonymous->Put("/hooks/open-hook", "{}", "application/json"));
    EXPECT_EQ(put.status, 202);
    auto get = wrap(anonymous->Get("/hooks/open-hook"));
    EXPECT_EQ(get.status, 405);
    EXPECT_EQ(get.body["error"]["code"], "method_not_allowed");
    EXPECT_EQ(get.header("Allow"), "POST, PUT");
    auto patch = wrap(anonymous->Patch("/hooks/signed-hook", "{}", "application/json"));
    EXPECT_EQ(patch.status, 405);
    EXPECT_EQ(patch.header("Allow"), "POST");
    auto del = wrap(admin->Delete("/hooks/open-hook"));
    EXPECT_EQ(del.status, 405);  // never a webhook method
}

TEST_F(WebhookRoutesTest, UnknownDisabledAndAmbiguousHooksAreRefused) {
    auto unknown = post("/hooks/nope", "{}");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.body["error"]["code"], "not_found");
    EXPECT_TRUE(requests("nope").empty());  // made-up ids leave no trace

    auto twin = post("/hooks/twin", "{}");
    EXPECT_EQ(twin.status, 409);
    EXPECT_EQ(twin.body["error"]["details"]["flows"], (json{"twin-a", "twin-b"}));
    EXPECT_NE(twin.body["error"]["message"].get<std::string>().find("'twin-a' and 'twin-b'"), std::string::npos);

    ASSERT_TRUE(daemon->registry->set_enabled("open", false));
    auto disabled = post("/hooks/open-hook", "{}");
    EXPECT_EQ(disabled.status, 409);
    EXPECT_EQ(disabled.body["error"]["code"], "conflict");
    EXPECT_EQ(executions_of("open"), 0);
    EXPECT_EQ(requests("open-hook").at(0).status, 409);
}

TEST_F(WebhookRoutesTest, ASignedHookNeedsTheRightSignatureAndStartsNothingWithout) {
    const std::string body = R"({"ref":"main"})";
    auto missing = post("/hooks/signed-hook", body);
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.body["error"]["code"], "unauthorized");
    EXPECT_EQ(missing.body["error"]["message"], "missing X-Signature-256 header");
    auto wrong = signed_post("/hooks/signed-hook", body, "guess");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.body["error"]["message"], "signature does not match");
    auto tampered =
        post("/hooks/signed-hook", body + " ", {{"X-Signature-256", "sha256=" + hmac_sha256_hex("s3cret", body)}});
    EXPECT_EQ(tampered.status, 401);
    EXPECT_EQ(executions_of("signed"), 0);

    auto good = signed_post("/hooks/signed-hook", body);
    ASSERT_EQ(good.status, 202) << good.body.dump();
    EXPECT_EQ(finished(good.body.at("execution_id")).status, "succeeded");
    EXPECT_EQ(executions_of("signed"), 1);

    auto recorded = requests("signed-hook");
    ASSERT_EQ(recorded.size(), 4u);
    EXPECT_EQ(recorded[0].status, 202);
    EXPECT_EQ(recorded[3].status, 401);
    EXPECT_EQ(recorded[3].error, "missing X-Signature-256 header");
    EXPECT_EQ(recorded[3].execution_id, "");
}

TEST_F(WebhookRoutesTest, WithAToleranceTheTimestampIsSignedAndChecked) {
    const std::string body = "{}";
    const std::string now = std::to_string(util::now_ms() / 1000);
    auto sign = [&](const std::string& ts) { return "sha256=" + hmac_sha256_hex("s3cret", signed_message(ts, body)); };
    EXPECT_EQ(post("/hooks/stamped-hook", body, {{"X-Signature-256", sign(now)}, {"X-Timestamp", now}}).status, 202);
    const std::string stale = std::to_string(util::now_ms() / 1000 - 600);
    auto old = post("/hooks/stamped-hook", body, {{"X-Signature-256", sign(stale)}, {"X-Timestamp", stale}});
    EXPECT_EQ(old.status, 401);
    EXPECT_NE(old.body["error"]["message"].get<std::string>().find("tolerance 300s"), std::string::npos);
    EXPECT_EQ(post("/hooks/stamped-hook", body, {{"X-Signature-256", sign(now)}}).status, 401);
    EXPECT_EQ(executions_of("stamped"), 1);
}

TEST_F(WebhookRoutesTest, TheSecretFileIsReadAtEachRequest) {
    flowctl::test::TempDir secrets;
    const auto file = secrets.write("hook.secret", "first\n");
    ASSERT_TRUE(daemon->registry
                    ->apply("name: fromfile\ntriggers:\n  - webhook: {id: file-hook, secret_file: " + file.string() +
                            "}\nsteps:\n  - id: a\n    log: x\n")
                    .entry.flow);
    EXPECT_EQ(signed_post("/hooks/file-hook", "{}", "first").status, 202);  // the trailing newline is not the secret
    secrets.write("hook.secret", "second");
    EXPECT_EQ(signed_post("/hooks/file-hook", "{}", "first").status, 401);
    EXPECT_EQ(signed_post("/hooks/file-hook", "{}", "second").status, 202);
    std::filesystem::remove(file);
    auto unreadable = signed_post("/hooks/file-hook", "{}", "second");
    EXPECT_EQ(unreadable.status, 500);
    EXPECT_EQ(executions_of("fromfile"), 2);
}

TEST_F(WebhookRoutesTest, TheAllowListIsCheckedOnTcpAndTheUnixSocketIsTrusted) {
    auto refused = post("/hooks/local-hook", "{}");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.body["error"]["code"], "forbidden");
    // The address comes before the size: a refused sender learns nothing more.
    EXPECT_EQ(post("/hooks/local-hook", std::string(10000, 'x')).status, 403);
    EXPECT_EQ(executions_of("local"), 0);
    auto recorded = requests("local-hook");
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[0].remote_addr, "127.0.0.1");

    const std::string raw = unix_http::unix_exchange(daemon->config.socket_path, "POST", "/hooks/local-hook", "{}");
    EXPECT_EQ(raw.rfind("HTTP/1.1 202", 0), 0u) << raw;
    EXPECT_EQ(executions_of("local"), 1);
    EXPECT_EQ(requests("local-hook").at(0).remote_addr, "");
}

TEST_F(WebhookRoutesTest, ABodyOverWebhookMaxBodyIsRefused) {
    auto big = post("/hooks/open-hook", std::string(4097, 'x'), {}, "text/plain");
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.body["error"]["code"], "payload_too_large");
    EXPECT_EQ(post("/hooks/open-hook", std::string(4096, 'x'), {}, "text/plain").status, 202);
    EXPECT_EQ(requests("open-hook").at(1).status, 413);
    // The API keeps its own limit (max_body, 1 MiB here), whatever webhooks accept.
    daemon->config.webhook_max_body_bytes = 8u << 20;
    auto api = wrap(admin->Post("/api/v1/validate", std::string(2u << 20, ' '), "application/json"));
    EXPECT_EQ(api.status, 413);
}

TEST_F(WebhookRoutesTest, ARepeatedDeliveryIdAnswersWithTheFirstRun) {
    auto first = post("/hooks/open-hook", R"({"ref":"a"})", {{"X-Delivery-Id", "d-42"}});
    ASSERT_EQ(first.status, 202);
    EXPECT_EQ(first.header("X-Duplicate"), "");
    auto again = post("/hooks/open-hook", R"({"ref":"b"})", {{"X-Delivery-Id", "d-42"}});
    ASSERT_EQ(again.status, 202);
    EXPECT_EQ(again.header("X-Duplicate"), "true");
    EXPECT_EQ(again.body.at("execution_id"), first.body.at("execution_id"));
    auto keyed = post("/hooks/open-hook", "{}", {{"Idempotency-Key", "k-1"}});
    auto keyed_again = post("/hooks/open-hook", "{}", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(keyed_again.header("X-Duplicate"), "true");
    EXPECT_EQ(keyed_again.body.at("execution_id"), keyed.body.at("execution_id"));
    EXPECT_EQ(executions_of("open"), 2);
    EXPECT_EQ(finished(first.body.at("execution_id")).trigger_data.at("delivery_id"), "d-42");
}

TEST_F(WebhookRoutesTest, ConcurrentDeliveriesOfOneIdStartOneRun) {
    std::vector<std::thread> senders;
    std::vector<std::string> ids(6);
    for (size_t i = 0; i < ids.size(); ++i) {
        senders.emplace_back([&, i] {
            auto client = daemon->client("");
            auto r = client->Post("/hooks/open-hook", {{"X-Delivery-Id", "same"}}, "{}", "application/json");
            if (r && r->status == 202) ids[i] = json::parse(r->body).at("execution_id");
        });
    }
    for (auto& t : senders) t.join();
    for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
    EXPECT_EQ(executions_of("open"), 1);
}

TEST_F(WebhookRoutesTest, ASyncHookAnswersWithTheFlowsOutputs) {
    auto r = post("/hooks/sync-hook", R"({"who":"webhooks"})");
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body, (json{{"said", "hello webhooks"}, {"who", "webhooks"}}));
}

TEST_F(WebhookRoutesTest, ASyncHookWhoseRunFailsAnswers500WithTheRun) {
    auto r = post("/hooks/failing-hook", "{}");
    ASSERT_EQ(r.status, 500) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "flow_failed");
    const json& details = r.body["error"]["details"];
    EXPECT_EQ(details["status"], "failed");
    EXPECT_FALSE(details["execution_id"].get<std::string>().empty());
    EXPECT_TRUE(details.contains("error"));
    EXPECT_FALSE(r.body["request_id"].get<std::string>().empty());
    EXPECT_EQ(daemon->stores->local().webhook_stats().at("failing-hook").failed, 1);
}

TEST_F(WebhookRoutesTest, ASyncHookThatTimesOutAnswersAsAsync) {
    const auto start = std::chrono::steady_clock::now();
    auto r = post("/hooks/slow-hook", "{}");
    EXPECT_EQ(r.status, 202);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
    const std::string id = r.body.at("execution_id");
    daemon->executions->cancel(id);
}

TEST_F(WebhookRoutesTest, ARunTheConcurrencyPolicySkipsIsAConflict) {
    auto first = post("/hooks/single-hook", "{}");
    ASSERT_EQ(first.status, 202);
    auto second = post("/hooks/single-hook", "{}");
    EXPECT_EQ(second.status, 409);
    EXPECT_EQ(second.body["error"]["code"], "concurrency_limit");
    EXPECT_FALSE(second.body["error"]["details"]["reason"].get<std::string>().empty());
    EXPECT_EQ(second.body["error"]["details"]["active"], json{first.body.at("execution_id")});
    daemon->executions->cancel(first.body.at("execution_id"));
}

TEST_F(WebhookRoutesTest, TheStatsRoutesListEveryHookWithItsRequests) {
    EXPECT_EQ(signed_post("/hooks/signed-hook", "{}", "bad").status, 401);
    auto ok = signed_post("/hooks/signed-hook", "{}");
    ASSERT_EQ(ok.status, 202);
    finished(ok.body.at("execution_id"));

    EXPECT_EQ(wrap(anonymous->Get("/api/v1/webhooks")).status, 401);  // the stats need a token on TCP
    auto list = admin_get("/api/v1/webhooks");
    ASSERT_EQ(list.status, 200);
    const json& hooks = list.body.at("webhooks");
    EXPECT_EQ(hooks.size(), 10u);  // twin is listed once per flow
    json hook;
    for (const auto& h : hooks)
        if (h["id"] == "signed-hook") hook = h;
    ASSERT_TRUE(hook.is_object());
    EXPECT_EQ(hook["flow"], "signed");
    EXPECT_EQ(hook["url_path"], "/hooks/signed-hook");
    EXPECT_EQ(hook["methods"], json{"POST"});
    EXPECT_EQ(hook["response"], "async");
    EXPECT_EQ(hook["signed"], true);
    EXPECT_EQ(hook["allowed_ips"], json::array());
    EXPECT_EQ(hook["stats"], (json{{"total", 2}, {"accepted", 1}, {"rejected", 1}, {"succeeded", 1}, {"failed", 0}}));
    EXPECT_EQ(hook["last_request"]["status"], 202);

    auto detail = admin_get("/api/v1/webhooks/signed-hook");
    ASSERT_EQ(detail.status, 200);
    ASSERT_EQ(detail.body["recent"].size(), 2u);
    const json& latest = detail.body["recent"][0];
    EXPECT_EQ(latest["status"], 202);
    EXPECT_EQ(latest["execution_id"], ok.body.at("execution_id"));
    EXPECT_EQ(latest["remote_addr"], "127.0.0.1");
    EXPECT_TRUE(latest["time"].is_string());
    EXPECT_EQ(detail.body["recent"][1]["error"], "signature does not match");

    EXPECT_EQ(admin_get("/api/v1/webhooks/nope").status, 404);
    EXPECT_EQ(admin_get("/api/v1/webhooks/twin").status, 409);
}

}  // namespace
}  // namespace flowctl::daemon::test
