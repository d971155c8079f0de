// The REST API end to end: a real daemon (store, registry, executions, event bus, server) on a
// loopback port, driven with an HTTP client and an admin token.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "api_test_daemon.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

namespace flowctl::daemon::test {
namespace {

const char* kHello = R"(name: hello
description: Says hello to someone
tags: [demo, Greeting]
inputs:
  who:
    type: string
    default: world
triggers:
  - schedule: "0 3 * * *"
steps:
  - id: greet
    run: echo "hello ${{ inputs.who }}"
  - id: done
    needs: greet
    log: finished
)";

const char* kSlow = R"(name: slow
description: Takes its time
tags: [demo]
steps:
  - id: nap
    sleep: 30s
)";

const char* kShort = R"(name: short
steps:
  - id: first
    log: starting
  - id: nap
    needs: first
    sleep: 1s
)";

struct Reply {
    int status = 0;
    json body;
    std::string text;
    std::string request_id;
};

class ApiRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<ApiTestDaemon>(
            std::map<std::string, std::string>{{"hello.yaml", kHello}, {"slow.yaml", kSlow}, {"short.yaml", kShort}});
        daemon->start();
        http = daemon->client(daemon->admin_secret);
    }

    static Reply wrap(const httplib::Result& r) {
        Reply out;
        if (!r) {
            ADD_FAILURE() << "request failed: " << httplib::to_string(r.error());
            return out;
        }
        out.status = r->status;
        out.text = r->body;
        out.request_id = r->get_header_value("X-Request-Id");
        out.body = json::parse(r->body, nullptr, false);
        return out;
    }
    Reply get(const std::string& path) { return wrap(http->Get(path.c_str())); }
    Reply post(const std::string& path, const json& body = json::object()) {
        return wrap(http->Post(path.c_str(), body.dump(), "application/json"));
    }
    Reply post_text(const std::string& path, const std::string& text) {
        return wrap(http->Post(path.c_str(), text, "application/json"));
    }
    Reply put(const std::string& path, const json& body) {
        return wrap(http->Put(path.c_str(), body.dump(), "application/json"));
    }
    Reply del(const std::string& path) { return wrap(http->Delete(path.c_str())); }

    /// Runs a flow and waits for it to end.
    json run_and_wait(const std::string& flow, const json& extra = json::object()) {
        json body = {{"wait", true}, {"timeout_ms", 30000}};
        body.update(extra);
        auto r = post("/api/v1/flows/" + flow + "/executions", body);
        EXPECT_EQ(r.status, 200) << r.text;
        return r.body["execution"];
    }

    static void expect_error(const Reply& r, int status, const std::string& code) {
        EXPECT_EQ(r.status, status) << r.text;
        ASSERT_TRUE(r.body.is_object()) << r.text;
        EXPECT_EQ(r.body["error"]["code"], code) << r.text;
        EXPECT_TRUE(r.body["error"]["message"].is_string());
        EXPECT_TRUE(r.body["error"]["details"].is_object());
        EXPECT_EQ(r.body["request_id"], r.request_id);
    }

    std::unique_ptr<ApiTestDaemon> daemon;
    std::unique_ptr<httplib::Client> http;
};

// ---- system -------------------------------------------------------------------------------

TEST_F(ApiRoutesTest, HealthReportsVersionAndUptime) {
    auto r = get("/api/v1/health");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["status"], "ok");
    EXPECT_EQ(r.body["version"], FLOWCTL_VERSION);
    EXPECT_GE(r.body["uptime_s"].get<int64_t>(), 0);
    EXPECT_FALSE(r.request_id.empty());
}

TEST_F(ApiRoutesTest, DetailedHealthDescribesEachPart) {
    auto r = get("/api/v1/health/detailed");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_TRUE(r.body["database"]["ok"].get<bool>());
    EXPECT_EQ(r.body["database"]["path"], (daemon->config.state_dir / "history.db").string());
    EXPECT_GT(r.body["database"]["size_bytes"].get<int64_t>(), 0);
    EXPECT_EQ(r.body["scheduler"]["max_concurrent"], 4);
    EXPECT_EQ(r.body["watcher"]["flows"], 3);
    EXPECT_EQ(r.body["watcher"]["dir"], daemon->config.flows_dir.string());
    EXPECT_FALSE(r.body["watcher"]["ok"].get<bool>());  // the test never starts the watcher
    EXPECT_EQ(r.body["status"], "degraded");
    EXPECT_GT(r.body["rss_bytes"].get<int64_t>(), 1 << 20);
    EXPECT_EQ(r.body["load_average"].size(), 3u);
    EXPECT_EQ(r.body["queue_depth"], 0);
}

TEST_F(ApiRoutesTest, StatsCountFlowsAndExecutions) {
    run_and_wait("hello");
    auto r = get("/api/v1/stats");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["flows"]["total"], 3);
    EXPECT_EQ(r.body["flows"]["ok"], 3);
    EXPECT_EQ(r.body["executions"]["total"], 1);
    EXPECT_EQ(r.body["executions"]["today"], 1);
    EXPECT_EQ(r.body["executions"]["by_status"]["succeeded"], 1);
    EXPECT_DOUBLE_EQ(r.body["executions"]["success_rate"].get<double>(), 1.0);
}

TEST_F(ApiRoutesTest, MetricsAreInPrometheusTextFormat) {
    get("/api/v1/health");
    get("/api/v1/flows/nope");  // a 404 to count
    // Requests are counted once their response is written, just after the client has it.
    auto r = http->Get("/metrics");
    for (int i = 0; i < 100 && r && r->body.find("flowd_http_errors_total{class=\"4xx\"} 1\n") == std::string::npos;
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r = http->Get("/metrics");
    }
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_NE(r->get_header_value("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
    const std::string& m = r->body;
    EXPECT_NE(m.find("# HELP flowd_up "), std::string::npos);
    EXPECT_NE(m.find("# TYPE flowd_up gauge\nflowd_up 1\n"), std::string::npos);
    EXPECT_NE(m.find("flowd_flows{status=\"ok\"} 3\n"), std::string::npos);
    EXPECT_NE(m.find("flowd_flows{status=\"disabled\"} 0\n"), std::string::npos);
    EXPECT_NE(m.find("# TYPE flowd_http_requests_total counter"), std::string::npos);
    EXPECT_NE(m.find("flowd_http_errors_total{class=\"4xx\"} 1\n"), std::string::npos) << m;
    EXPECT_NE(m.find("flowd_http_errors_total{class=\"5xx\"} 0\n"), std::string::npos);
    EXPECT_NE(m.find("flowd_http_request_duration_seconds_count "), std::string::npos);
    EXPECT_NE(m.find("flowd_executions_finished_total 0\n"), std::string::npos);
    EXPECT_NE(m.find("flowd_orphans_reaped_total "), std::string::npos);
    EXPECT_EQ(m.find("flowd_http_requests_total 0\n"), std::string::npos);
}

TEST_F(ApiRoutesTest, OpenApiDocumentIsServedAsIs) {
    auto r = get("/api/v1/openapi.json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.text, std::string(openapi_json));
    EXPECT_EQ(r.body["openapi"], "3.0.3");
}

TEST_F(ApiRoutesTest, TokensAreRequiredAndScoped) {
    auto anonymous = daemon->client("");
    auto r = wrap(anonymous->Get("/api/v1/flows"));
    expect_error(r, 401, "unauthorized");

    auto reader = daemon->client(daemon->add_token("reader", "read"));
    EXPECT_EQ(wrap(reader->Get("/api/v1/flows")).status, 200);
    expect_error(wrap(reader->Post("/api/v1/gc", "{}", "application/json")), 403, "forbidden");
}

// ---- flows --------------------------------------------------------------------------------

TEST_F(ApiRoutesTest, ListFlowsFiltersSortsAndPages) {
    auto all = get("/api/v1/flows");
    ASSERT_EQ(all.status, 200) << all.text;
    EXPECT_EQ(all.body["total"], 3);
    EXPECT_EQ(all.body["limit"], 50);
    EXPECT_EQ(all.body["offset"], 0);
    ASSERT_EQ(all.body["flows"].size(), 3u);
    EXPECT_EQ(all.body["flows"][0]["name"], "hello");

    const json& hello = all.body["flows"][0];
    EXPECT_EQ(hello["status"], "ok");
    EXPECT_EQ(hello["enabled"], true);
    EXPECT_EQ(hello["steps"], 2);
    EXPECT_EQ(hello["tags"], json({"demo", "Greeting"}));
    EXPECT_TRUE(hello["version_id"].is_number_integer());
    EXPECT_EQ(hello["hash"].get<std::string>().size(), 64u);
    EXPECT_EQ(hello["stats"]["runs_total"], 0);
    EXPECT_TRUE(hello["stats"]["last_run"].is_null());
    ASSERT_EQ(hello["triggers"].size(), 1u);
    EXPECT_EQ(hello["triggers"][0]["type"], "schedule");
    EXPECT_EQ(hello["triggers"][0]["next_fire_at"].get<std::string>().substr(11, 8), "03:00:00");

    EXPECT_EQ(get("/api/v1/flows?tag=greeting").body["total"], 1);
    EXPECT_EQ(get("/api/v1/flows?tag=demo").body["total"], 2);
    EXPECT_EQ(get("/api/v1/flows?search=TIME").body["flows"][0]["name"], "slow");  // description
    EXPECT_EQ(get("/api/v1/flows?search=GREET").body["total"], 1);                 // tag
    EXPECT_EQ(get("/api/v1/flows?status=disabled").body["total"], 0);

    auto page = get("/api/v1/flows?sort=-name&limit=1&offset=1");
    EXPECT_EQ(page.body["total"], 3);
    ASSERT_EQ(page.body["flows"].size(), 1u);
    EXPECT_EQ(page.body["flows"][0]["name"], "short");

    run_and_wait("short");
    run_and_wait("short");
    run_and_wait("hello");
    auto runs = get("/api/v1/flows?sort=runs");
    EXPECT_EQ(runs.body["flows"][0]["name"], "short");
    EXPECT_EQ(runs.body["flows"][0]["stats"]["runs_total"], 2);
    EXPECT_EQ(runs.body["flows"][0]["stats"]["succeeded"], 2);
    EXPECT_EQ(get("/api/v1/flows?sort=-last_run").body["flows"][0]["name"], "hello");
    EXPECT_EQ(get("/api/v1/flows?sort=last_run").body["flows"][0]["name"], "slow");  // never run

    expect_error(get("/api/v1/flows?sort=size"), 400, "bad_request");
    expect_error(get("/api/v1/flows?status=sleepy"), 400, "bad_request");
    expect_error(get("/api/v1/flows?limit=0"), 400, "bad_request");
    expect_error(get("/api/v1/flows?limit=ten"), 400, "bad_request");
}

TEST_F(ApiRoutesTest, FlowDetailHasDefinitionInputsAndSteps) {
    auto r = get("/api/v1/flows/hello");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["definition"], kHello);
    EXPECT_EQ(r.body["inputs"]["who"]["type"], "string");
    EXPECT_EQ(r.body["inputs"]["who"]["default"], "world");
    EXPECT_EQ(r.body["inputs"]["who"]["required"], false);
    ASSERT_EQ(r.body["steps_detail"].size(), 2u);
    EXPECT_EQ(r.body["steps_detail"][1], json({{"id", "done"}, {"type", "log"}, {"needs", {"greet"}}}));
    EXPECT_EQ(r.body["outputs"], json::array());

    auto missing = get("/api/v1/flows/helo");
    expect_error(missing, 404, "not_found");
    EXPECT_NE(missing.body["error"]["message"].get<std::string>().find("did you mean 'hello'"), std::string::npos);
}

TEST_F(ApiRoutesTest, PostFlowCreatesUpdatesAndRejectsInvalidContent) {
    const std::string yaml = "name: fresh\nsteps:\n  - id: a\n    log: one\n";
    auto created = post("/api/v1/flows", {{"content", yaml}});
    ASSERT_EQ(created.status, 201) << created.text;
    EXPECT_TRUE(created.body["created"].get<bool>());
    EXPECT_TRUE(created.body["changed"].get<bool>());
    EXPECT_EQ(created.body["flow"]["name"], "fresh");
    EXPECT_EQ(created.body["flow"]["definition"], yaml);
    EXPECT_TRUE(std::filesystem::exists(daemon->config.flows_dir / "fresh.yaml"));

    auto same = post("/api/v1/flows", {{"content", yaml}});
    EXPECT_EQ(same.status, 200);
    EXPECT_FALSE(same.body["created"].get<bool>());
    EXPECT_FALSE(same.body["changed"].get<bool>());

    auto updated = post("/api/v1/flows", {{"content", yaml + "  - id: b\n    log: two\n"}});
    EXPECT_EQ(updated.status, 200);
    EXPECT_TRUE(updated.body["changed"].get<bool>());
    EXPECT_EQ(updated.body["flow"]["steps"], 2);

    auto versions = get("/api/v1/flows/fresh/versions");
    ASSERT_EQ(versions.status, 200) << versions.text;
    ASSERT_EQ(versions.body["versions"].size(), 2u);
    EXPECT_GT(versions.body["versions"][0]["id"].get<int64_t>(), versions.body["versions"][1]["id"].get<int64_t>());
    EXPECT_EQ(versions.body["versions"][0]["hash"], updated.body["flow"]["hash"]);
    expect_error(get("/api/v1/flows/ghost/versions"), 404, "not_found");

    auto broken =
        post("/api/v1/flows", {{"content", "name: bad\nsteps:\n  - id: a\n    rn: echo\n"}, {"filename", "bad.yaml"}});
    expect_error(broken, 422, "invalid");
    ASSERT_FALSE(broken.body["error"]["details"]["diagnostics"].empty()) << broken.text;
    EXPECT_EQ(broken.body["error"]["details"]["diagnostics"][0]["file"], "bad.yaml");
    EXPECT_FALSE(std::filesystem::exists(daemon->config.flows_dir / "bad.yaml"));

    expect_error(post("/api/v1/flows", {{"content", yaml}, {"contnet", "x"}}), 422, "invalid");
    expect_error(post("/api/v1/flows", json::object()), 422, "invalid");
    expect_error(post("/api/v1/flows", {{"content", 42}}), 422, "invalid");
    expect_error(post_text("/api/v1/flows", "{\"content\": "), 400, "bad_request");
}

TEST_F(ApiRoutesTest, PutFlowChecksTheName) {
    const std::string yaml = "name: named\nsteps:\n  - id: a\n    log: one\n";
    auto mismatch = put("/api/v1/flows/other", {{"content", yaml}});
    expect_error(mismatch, 422, "invalid");
    EXPECT_EQ(mismatch.body["error"]["details"]["got"], "named");

    auto created = put("/api/v1/flows/named", {{"content", yaml}});
    EXPECT_EQ(created.status, 201) << created.text;
    auto again = put("/api/v1/flows/named", {{"content", yaml}});
    EXPECT_EQ(again.status, 200);
    expect_error(put("/api/v1/flows/named", {{"content", "name: named\nsteps: 3\n"}}), 422, "invalid");
}

TEST_F(ApiRoutesTest, ValidateReportsDiagnosticsAsData) {
    auto ok = post("/api/v1/validate", {{"content", kHello}});
    ASSERT_EQ(ok.status, 200) << ok.text;
    EXPECT_TRUE(ok.body["valid"].get<bool>());
    EXPECT_EQ(ok.body["diagnostics"], json::array());

    auto bad = post("/api/v1/validate",
                    {{"content", "name: x\nsteps:\n  - id: a\n    run: echo\n    neds: b\n"}, {"filename", "x.yaml"}});
    ASSERT_EQ(bad.status, 200) << bad.text;
    EXPECT_FALSE(bad.body["valid"].get<bool>());
    ASSERT_EQ(bad.body["diagnostics"].size(), 1u);
    const json& d = bad.body["diagnostics"][0];
    EXPECT_EQ(d["file"], "x.yaml");
    EXPECT_EQ(d["line"], 5);
    EXPECT_EQ(d["col"], 5);
    EXPECT_EQ(d["severity"], "error");
    EXPECT_NE(d["message"].get<std::string>().find("did you mean 'needs'"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(daemon->config.flows_dir / "x.yaml"));
}

TEST_F(ApiRoutesTest, DeleteRemovesTheFile) {
    auto r = del("/api/v1/flows/short");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["deleted"], "short");
    EXPECT_FALSE(std::filesystem::exists(daemon->config.flows_dir / "short.yaml"));
    expect_error(get("/api/v1/flows/short"), 404, "not_found");
    expect_error(del("/api/v1/flows/short"), 404, "not_found");
}

TEST_F(ApiRoutesTest, DisabledFlowsRefuseToRun) {
    auto off = post("/api/v1/flows/hello/disable");
    ASSERT_EQ(off.status, 200) << off.text;
    EXPECT_EQ(off.body["status"], "disabled");
    EXPECT_EQ(off.body["enabled"], false);
    EXPECT_EQ(get("/api/v1/flows?status=disabled").body["total"], 1);
    expect_error(post("/api/v1/flows/hello/executions"), 409, "conflict");

    auto on = post("/api/v1/flows/hello/enable");
    EXPECT_EQ(on.body["status"], "ok");
    EXPECT_EQ(post("/api/v1/flows/hello/executions").status, 202);
    expect_error(post("/api/v1/flows/ghost/enable"), 404, "not_found");
}

// ---- executions ---------------------------------------------------------------------------

TEST_F(ApiRoutesTest, RunWithWaitAnswersOnceEnded) {
    json e = run_and_wait("hello", {{"inputs", {{"who", "api"}}}, {"priority", 5}});
    EXPECT_EQ(e["status"], "succeeded");
    EXPECT_EQ(e["flow"], "hello");
    EXPECT_EQ(e["trigger"], "api");
    EXPECT_EQ(e["inputs"]["who"], "api");
    EXPECT_EQ(e["priority"], 5);
    EXPECT_TRUE(e["version_id"].is_number_integer());

    auto detail = get("/api/v1/executions/" + e["id"].get<std::string>());
    ASSERT_EQ(detail.status, 200) << detail.text;
    ASSERT_EQ(detail.body["steps"].size(), 2u);
    EXPECT_EQ(detail.body["steps"][0]["step"], "greet");
    EXPECT_EQ(detail.body["steps"][0]["exit_code"], 0);
    EXPECT_EQ(detail.body["children"], json::array());
    EXPECT_EQ(detail.body["progress"],
              json({{"completed", 2}, {"total", 2}, {"percent", 100}, {"running", json::array()}}));

    auto prefix = get("/api/v1/executions/" + e["id"].get<std::string>().substr(0, 12));
    EXPECT_EQ(prefix.body["id"], e["id"]);
    expect_error(get("/api/v1/executions/zzzzzzzz"), 404, "not_found");
}

TEST_F(ApiRoutesTest, RunRejectsBadRequests) {
    expect_error(post("/api/v1/flows/ghost/executions"), 404, "not_found");
    expect_error(post("/api/v1/flows/hello/executions", {{"wiat", true}}), 422, "invalid");
    expect_error(post("/api/v1/flows/hello/executions", {{"wait", "yes"}}), 422, "invalid");
    expect_error(post("/api/v1/flows/hello/executions", {{"scheduled_at", "tomorrowish"}}), 422, "invalid");
    expect_error(post("/api/v1/flows/hello/executions", {{"timeout_ms", -1}}), 422, "invalid");
    expect_error(post("/api/v1/flows/hello/executions", {{"callback_url", "ftp://x"}}), 422, "invalid");
    expect_error(post("/api/v1/flows/hello/executions", {{"inputs", {{"nobody", 1}}}}), 422, "invalid");
}

TEST_F(ApiRoutesTest, ScheduledRunsWaitForTheirTime) {
    const std::string later = util::format_rfc3339(util::now_ms() + 3600 * 1000);
    auto r = post("/api/v1/flows/hello/executions", {{"scheduled_at", later}, {"wait", true}, {"timeout_ms", 200}});
    ASSERT_EQ(r.status, 202) << r.text;
    EXPECT_EQ(r.body["execution"]["status"], "pending");
    EXPECT_EQ(r.body["execution"]["scheduled_at"], later);
}

TEST_F(ApiRoutesTest, ListExecutionsFiltersAndCounts) {
    for (int i = 0; i < 3; ++i) run_and_wait("hello");
    run_and_wait("short");
    auto all = get("/api/v1/executions");
    ASSERT_EQ(all.status, 200) << all.text;
    EXPECT_EQ(all.body["total"], 4);
    EXPECT_EQ(all.body["limit"], 20);
    EXPECT_EQ(all.body["executions"][0]["flow"], "short");  // newest first

    auto page = get("/api/v1/executions?flow=hello&limit=2&offset=2");
    EXPECT_EQ(page.body["total"], 3);
    EXPECT_EQ(page.body["executions"].size(), 1u);
    EXPECT_EQ(get("/api/v1/executions?status=failed").body["total"], 0);
    EXPECT_EQ(get("/api/v1/executions?trigger=api&since=1h").body["total"], 4);
    EXPECT_EQ(get("/api/v1/executions?until=2000-01-01T00:00:00Z").body["total"], 0);
    expect_error(get("/api/v1/executions?status=happy"), 400, "bad_request");
    expect_error(get("/api/v1/executions?since=someday"), 400, "bad_request");
    expect_error(get("/api/v1/executions?top_level=maybe"), 400, "bad_request");
}

TEST_F(ApiRoutesTest, LogsPageAndFollowById) {
    json e = run_and_wait("hello");
    const std::string base = "/api/v1/executions/" + e["id"].get<std::string>() + "/logs";
    auto all = get(base);
    ASSERT_EQ(all.status, 200) << all.text;
    const int64_t total = all.body["total"].get<int64_t>();
    ASSERT_GE(total, 2);
    bool saw_hello = false;
    for (const auto& l : all.body["logs"])
        if (l["message"] == "hello world" && l["stream"] == "stdout" && l["step"] == "greet") saw_hello = true;
    EXPECT_TRUE(saw_hello) << all.text;

    auto greet = get(base + "?step=greet");
    for (const auto& l : greet.body["logs"]) EXPECT_EQ(l["step"], "greet");
    auto first = get(base + "?limit=1");
    EXPECT_EQ(first.body["logs"].size(), 1u);
    EXPECT_EQ(first.body["total"], total);
    auto rest = get(base + "?after=" + std::to_string(first.body["logs"][0]["id"].get<int64_t>()));
    EXPECT_EQ(rest.body["logs"].size(), static_cast<size_t>(total - 1));
    EXPECT_EQ(get(base + "?level=error").body["total"], 0);
    expect_error(get(base + "?level=loud"), 400, "bad_request");
    expect_error(get("/api/v1/executions/nothing-here/logs"), 404, "not_found");
}

TEST_F(ApiRoutesTest, CancelStopsARunningExecution) {
    auto started = post("/api/v1/flows/slow/executions", {{"wait", true}, {"timeout_ms", 300}});
    ASSERT_EQ(started.status, 202) << started.text;
    const std::string id = started.body["execution"]["id"];
    auto cancelled = post("/api/v1/executions/" + id + "/cancel");
    ASSERT_EQ(cancelled.status, 200) << cancelled.text;
    EXPECT_EQ(cancelled.body["execution"]["status"], "cancelled");
    expect_error(post("/api/v1/executions/" + id + "/cancel"), 409, "conflict");
    expect_error(post("/api/v1/executions/nothing-here/cancel"), 404, "not_found");
}

TEST_F(ApiRoutesTest, RetryFromAStepReusesEarlierResults) {
    const auto marker = daemon->dir.path() / "marker";
    const std::string yaml =
        "name: flaky\nsteps:\n  - id: prepare\n    log: ready\n  - id: check\n    needs: prepare\n"
        "    run: test -f " +
        marker.string() + "\n";
    ASSERT_EQ(post("/api/v1/flows", {{"content", yaml}}).status, 201);
    auto failed = post("/api/v1/flows/flaky/executions", {{"wait", true}});
    ASSERT_EQ(failed.status, 200) << failed.text;
    EXPECT_EQ(failed.body["execution"]["status"], "failed");
    const std::string original = failed.body["execution"]["id"];

    daemon->dir.write("marker", "");
    auto retried = post("/api/v1/executions/" + original + "/retry", {{"from_step", "check"}});
    ASSERT_EQ(retried.status, 202) << retried.text;
    const std::string id = retried.body["execution"]["id"];
    EXPECT_NE(id, original);
    EXPECT_EQ(retried.body["execution"]["retry_of"], original);
    EXPECT_EQ(retried.body["execution"]["retry_from"], "check");

    auto done = daemon->executions->wait(id, std::chrono::seconds(30));
    EXPECT_EQ(done.status, "succeeded");
    auto detail = get("/api/v1/executions/" + id);
    EXPECT_EQ(detail.body["progress"]["completed"], 2);

    expect_error(post("/api/v1/executions/" + original + "/retry", {{"from_step", "nope"}}), 422, "invalid");
    expect_error(post("/api/v1/executions/" + original + "/retry", {{"from", "check"}}), 422, "invalid");
    expect_error(post("/api/v1/executions/nothing-here/retry"), 404, "not_found");
}

// ---- events -------------------------------------------------------------------------------

std::vector<json> read_jsonl(const std::string& text) {
    std::vector<json> out;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        out.push_back(json::parse(text.substr(start, nl - start)));
    return out;
}

TEST_F(ApiRoutesTest, EventStreamOfAnExecutionEndsAfterItFinishes) {
    auto queued = post("/api/v1/flows/short/executions");
    ASSERT_EQ(queued.status, 202) << queued.text;
    const std::string id = queued.body["execution"]["id"];

    std::string received;
    auto r = http->Get(("/api/v1/events?execution=" + id).c_str(), [&](const char* data, size_t size) {
        received.append(data, size);
        return true;
    });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
    auto events = read_jsonl(received);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back()["type"], "execution_finished");
    EXPECT_EQ(events.back()["execution_id"], id);
    EXPECT_EQ(events.back()["status"], "succeeded");
    bool saw_step = false;
    for (const auto& e : events) {
        EXPECT_EQ(e["execution_id"], id);
        if (e["type"] == "step_finished" && e["step"] == "nap") saw_step = true;
    }
    EXPECT_TRUE(saw_step) << received;

    // Once ended, the stream sends the end at once and closes, here as Server-Sent Events.
    std::string sse;
    auto again = http->Get(("/api/v1/events?format=sse&execution=" + id).c_str(), [&](const char* data, size_t size) {
        sse.append(data, size);
        return true;
    });
    ASSERT_TRUE(again);
    EXPECT_EQ(again->get_header_value("Content-Type"), "text/event-stream");
    ASSERT_EQ(sse.rfind("data: ", 0), 0u) << sse;
    ASSERT_EQ(sse.substr(sse.size() - 2), "\n\n");
    EXPECT_EQ(sse.find("data: ", 1), std::string::npos);
    auto last = json::parse(sse.substr(6, sse.size() - 8));
    EXPECT_EQ(last["type"], "execution_finished");
    EXPECT_EQ(last["status"], "succeeded");
}

TEST_F(ApiRoutesTest, EventStreamWithoutLogsAndBadParameters) {
    auto queued = post("/api/v1/flows/hello/executions");
    const std::string id = queued.body["execution"]["id"];
    std::string received;
    auto r = http->Get(("/api/v1/events?logs=false&execution=" + id).c_str(), [&](const char* data, size_t size) {
        received.append(data, size);
        return true;
    });
    ASSERT_TRUE(r);
    for (const auto& e : read_jsonl(received)) EXPECT_NE(e["type"], "step_log");
    expect_error(get("/api/v1/events?format=xml"), 400, "bad_request");
    expect_error(get("/api/v1/events?execution=nothing-here"), 404, "not_found");
}

TEST_F(ApiRoutesTest, EventStreamStopsWhenTheClientLeaves) {
    std::atomic<int> chunks{0};
    std::thread reader([&] {
        auto c = daemon->client(daemon->admin_secret);
        c->Get("/api/v1/events", [&](const char*, size_t) { return ++chunks < 1; });
    });
    // The reader hangs up after its first event; the server's subscription must go with it.
    for (int i = 0; i < 100 && daemon->events->subscribers() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(daemon->events->subscribers(), 1u);
    run_and_wait("hello");
    reader.join();
    for (int i = 0; i < 200 && daemon->events->subscribers() > 0; ++i) {
        run_and_wait("hello");  // each write probes the closed connection
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(daemon->events->subscribers(), 0u);
}

// ---- actions ------------------------------------------------------------------------------

TEST_F(ApiRoutesTest, ActionsListEveryStepTypeWithItsSchema) {
    auto r = get("/api/v1/actions");
    ASSERT_EQ(r.status, 200) << r.text;
    ASSERT_EQ(r.body["actions"].size(), 8u);
    EXPECT_EQ(r.body["actions"][0]["type"], "run");
    for (const auto& a : r.body["actions"]) {
        EXPECT_EQ(a["params"]["type"], "object");
        EXPECT_TRUE(a["params"]["properties"].is_object());
        EXPECT_TRUE(a["outputs"].is_array());
        EXPECT_FALSE(a["description"].get<std::string>().empty());
    }
    auto http_action = get("/api/v1/actions/http");
    EXPECT_EQ(http_action.body["type"], "http");
    EXPECT_TRUE(http_action.body["params"]["properties"].contains("url"));
    auto missing = get("/api/v1/actions/htp");
    expect_error(missing, 404, "not_found");
    EXPECT_NE(missing.text.find("did you mean 'http'"), std::string::npos);
}

TEST_F(ApiRoutesTest, ActionTestChecksParamsWithoutRunning) {
    const auto marker = daemon->dir.path() / "ran";
    auto ok = post("/api/v1/actions/run/test", {{"params", {{"script", "touch " + marker.string()}}}});
    ASSERT_EQ(ok.status, 200) << ok.text;
    EXPECT_TRUE(ok.body["valid"].get<bool>());
    EXPECT_FALSE(std::filesystem::exists(marker));

    auto typo = post("/api/v1/actions/run/test", {{"params", {{"scirpt", "echo"}}}});
    ASSERT_EQ(typo.status, 200);
    EXPECT_FALSE(typo.body["valid"].get<bool>());
    ASSERT_FALSE(typo.body["diagnostics"].empty());
    std::string messages;
    for (const auto& d : typo.body["diagnostics"]) messages += d["message"].get<std::string>() + "\n";
    EXPECT_NE(messages.find("unknown parameter 'scirpt' for run (did you mean 'script'?)"), std::string::npos)
        << messages;

    auto wrong_type = post("/api/v1/actions/sleep/test", {{"params", {{"duration", "5 parsecs"}}}});
    EXPECT_FALSE(wrong_type.body["valid"].get<bool>());
    auto bad_enum = post("/api/v1/actions/http/test", {{"params", {{"url", "http://x"}, {"method", "FETCH"}}}});
    EXPECT_FALSE(bad_enum.body["valid"].get<bool>()) << bad_enum.text;

    expect_error(post("/api/v1/actions/run/test", json::object()), 422, "invalid");
    expect_error(post("/api/v1/actions/nope/test", {{"params", json::object()}}), 404, "not_found");
}

TEST_F(ApiRoutesTest, ActionExecuteRunsOneStepAndRecordsIt) {
    auto r = post("/api/v1/actions/run/execute", {{"params", {{"script", "echo out; echo err >&2; exit 3"}}}});
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["status"], "failed");
    EXPECT_EQ(r.body["exit_code"], 3);
    EXPECT_TRUE(r.body["duration_ms"].is_number_integer());
    std::string lines;
    for (const auto& l : r.body["logs"])
        lines += l["stream"].get<std::string>() + ":" + l["message"].get<std::string>() + "\n";
    EXPECT_NE(lines.find("stdout:out\n"), std::string::npos) << lines;
    EXPECT_NE(lines.find("stderr:err\n"), std::string::npos) << lines;

    auto history = get("/api/v1/executions?flow=adhoc:run");
    EXPECT_EQ(history.body["total"], 1) << history.text;
    EXPECT_EQ(history.body["executions"][0]["trigger"], "api");

    auto logged = post("/api/v1/actions/log/execute", {{"params", {{"message", "hi"}}}});
    EXPECT_EQ(logged.body["status"], "succeeded") << logged.text;

    auto timed = post("/api/v1/actions/sleep/execute", {{"params", {{"duration", "30s"}}}, {"timeout_ms", 200}});
    ASSERT_EQ(timed.status, 200) << timed.text;
    EXPECT_EQ(timed.body["status"], "timed_out");
    EXPECT_LT(timed.body["duration_ms"].get<int64_t>(), 10000);

    auto invalid = post("/api/v1/actions/run/execute", {{"params", {{"script", 5}, {"shel", "bash"}}}});
    expect_error(invalid, 422, "invalid");
    EXPECT_FALSE(invalid.body["error"]["details"]["diagnostics"].empty());
    expect_error(post("/api/v1/actions/run/execute", {{"params", {{"script", "true"}}}, {"timeout_ms", 0}}), 422,
                 "invalid");
}

// ---- tokens -------------------------------------------------------------------------------

TEST_F(ApiRoutesTest, TokensAreCreatedShownOnceAndRevoked) {
    auto created = post("/api/v1/tokens", {{"name", "ci"}, {"scope", "execute"}});
    ASSERT_EQ(created.status, 201) << created.text;
    const std::string secret = created.body["secret"];
    EXPECT_EQ(secret.size(), 47u);
    EXPECT_EQ(secret.rfind("flw_", 0), 0u);
    EXPECT_EQ(secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
              std::string::npos);
    const std::string id = created.body["token"]["id"];
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(created.body["token"]["scope"], "execute");
    EXPECT_TRUE(created.body["token"]["last_used_at"].is_null());

    // The secret works, with the scope it was given.
    auto ci = daemon->client("");
    ci->set_default_headers({{"X-API-Key", secret}});
    EXPECT_EQ(wrap(ci->Post("/api/v1/flows/hello/executions", "{}", "application/json")).status, 202);
    expect_error(wrap(ci->Get("/api/v1/tokens")), 403, "forbidden");

    auto listed = get("/api/v1/tokens");
    ASSERT_EQ(listed.status, 200);
    bool found = false;
    for (const auto& t : listed.body["tokens"]) {
        EXPECT_FALSE(t.contains("secret"));
        EXPECT_FALSE(t.contains("hash"));
        if (t["id"] == id) {
            found = true;
            EXPECT_TRUE(t["last_used_at"].is_string());
        }
    }
    EXPECT_TRUE(found) << listed.text;

    expect_error(post("/api/v1/tokens", {{"name", "ci"}, {"scope", "read"}}), 409, "conflict");
    expect_error(post("/api/v1/tokens", {{"name", "other"}, {"scope", "root"}}), 422, "invalid");
    expect_error(post("/api/v1/tokens", {{"name", "other"}}), 422, "invalid");

    auto revoked = del("/api/v1/tokens/ci");
    ASSERT_EQ(revoked.status, 200) << revoked.text;
    EXPECT_EQ(revoked.body["revoked"], id);
    expect_error(wrap(ci->Get("/api/v1/health")), 401, "unauthorized");
    expect_error(del("/api/v1/tokens/" + id), 404, "not_found");
    // The name is free again.
    EXPECT_EQ(post("/api/v1/tokens", {{"name", "ci"}, {"scope", "read"}}).status, 201);
}

// ---- admin --------------------------------------------------------------------------------

TEST_F(ApiRoutesTest, GcCountsWithDryRun) {
    run_and_wait("hello");
    auto r = post("/api/v1/gc", {{"dry_run", true}});
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["dry_run"], true);
    EXPECT_EQ(r.body["executions"], 0);  // a fresh run is within the retention policy
    EXPECT_GT(r.body["bytes_before"].get<int64_t>(), 0);
    EXPECT_EQ(post("/api/v1/gc").body["dry_run"], false);
    expect_error(post("/api/v1/gc", {{"dry_run", "yes"}}), 422, "invalid");
}

TEST_F(ApiRoutesTest, ReloadPicksUpNewFilesAndStopAsksTheDaemon) {
    daemon->dir.write("flows/extra.yaml", "name: extra\nsteps:\n  - id: a\n    log: x\n");
    daemon->dir.write("flows/broken.yaml", "name: broken\nsteps: []\n");
    auto r = post("/api/v1/daemon/reload");
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["flows"], 5);
    EXPECT_EQ(r.body["invalid"], 1);
    EXPECT_EQ(get("/api/v1/flows/extra").status, 200);

    auto stop = post("/api/v1/daemon/stop");
    EXPECT_EQ(stop.status, 200);
    EXPECT_EQ(stop.body["stopping"], true);
    EXPECT_EQ(daemon->stop_requests.load(), 1);
}

TEST_F(ApiRoutesTest, UnixSocketCallersAreAdmins) {
    httplib::Client local(daemon->config.socket_path.string());
    local.set_address_family(AF_UNIX);
    auto r = local.Get("/api/v1/tokens");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace flowctl::daemon::test
