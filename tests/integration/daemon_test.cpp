// flowd end to end: the real daemon binary on a temp socket, driven by flowctl, curl and HTTP.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "daemon_fixture.hpp"

namespace flowctl::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const char* const hello_flow = R"(name: hello
description: says hello
tags: [demo]
inputs:
  who: {type: string, default: world}
steps:
  - id: greet
    run: echo "hello ${{ inputs.who }}"
)";

const char* const slow_flow = R"(name: slow
steps:
  - id: wait
    run: sleep 30
)";

std::string executions_of(const json& list) {
    std::string out;
    for (const auto& e : list["executions"])
        out += e["id"].get<std::string>() + ":" + e["status"].get<std::string>() + " ";
    return out;
}

TEST_F(DaemonTest, HealthOverTheUnixSocketWithCurlAndPrivatePermissions) {
    start_daemon();
    auto reply = unix_request("GET", "/api/v1/health");
    EXPECT_EQ(reply.status, 200) << reply.text;
    EXPECT_EQ(reply.body["status"], "ok");

    struct stat st {};
    ASSERT_EQ(::stat(socket_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(socket_path().parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(DaemonTest, ErrorsHaveOneJsonFormatAndStatus) {
    start_daemon();
    auto missing = unix_request("GET", "/api/v1/flows/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.body["error"]["code"], "not_found");
    EXPECT_TRUE(missing.body["request_id"].is_string());

    auto malformed = unix_request("POST", "/api/v1/flows", "{not json");
    EXPECT_EQ(malformed.status, 400) << malformed.text;
    EXPECT_TRUE(malformed.body["error"]["message"].is_string());

    auto unknown_field = unix_request("POST", "/api/v1/validate", R"({"content": "name: x", "bogus": 1})");
    EXPECT_EQ(unknown_field.status, 422) << unknown_field.text;

    auto wrong_type = unix_request("POST", "/api/v1/validate", R"({"content": 5})");
    EXPECT_EQ(wrong_type.status, 422) << wrong_type.text;

    auto huge = dir.write("huge.json", R"({"content": ")" + std::string(3 << 20, 'x') + R"("})");
    auto big = unix_request("POST", "/api/v1/validate", "@" + huge.string());
    EXPECT_EQ(big.status, 413) << big.text.substr(0, 200);

    // Still serving after all that.
    EXPECT_EQ(unix_request("GET", "/api/v1/health").status, 200);
}

TEST_F(DaemonTest, ListGetAndRunAnInstalledFlowThroughFlowctl) {
    write_flow("hello.yaml", hello_flow);
    start_daemon();

    auto list = flowctl_json({"list"});
    ASSERT_EQ(list["flows"].size(), 1u) << list.dump();
    EXPECT_EQ(list["flows"][0]["name"], "hello");
    EXPECT_EQ(list["flows"][0]["status"], "ok");

    auto run = flowctl({"run", "hello", "-i", "who=daemon"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;

    auto history = flowctl_json({"history"});
    ASSERT_EQ(history["executions"].size(), 1u) << history.dump();
    const auto& exec = history["executions"][0];
    EXPECT_EQ(exec["status"], "succeeded");
    EXPECT_GT(exec["version_id"].get<int64_t>(), 0);

    auto logs = flowctl({"logs", exec["id"].get<std::string>()});
    EXPECT_NE(logs.out.find("hello daemon"), std::string::npos) << logs.out;

    auto got = flowctl_json({"get", "hello"});
    EXPECT_EQ(got["stats"]["runs_total"], 1);
    EXPECT_EQ(got["stats"]["succeeded"], 1);
}

TEST_F(DaemonTest, ApplyValidatesThenWritesIntoTheFlowsDirectory) {
    start_daemon();
    auto bad = dir.write("bad.yaml", "name: bad\nsteps:\n  - id: a\n    run: echo\n    neds: [b]\n");
    auto r = flowctl({"apply", "-f", bad.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bad.yaml:5:5"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(flows_dir() / "bad.yaml"));

    auto good = dir.write("good.yaml", hello_flow);
    r = flowctl({"apply", "-f", good.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(flows_dir() / "hello.yaml"));
    EXPECT_EQ(flowctl_json({"list"})["flows"].size(), 1u);

    EXPECT_EQ(flowctl({"disable", "hello"}).exit_code, 0);
    EXPECT_NE(flowctl({"run", "hello"}).exit_code, 0);
    EXPECT_EQ(flowctl({"enable", "hello"}).exit_code, 0);
    EXPECT_EQ(flowctl({"run", "hello"}).exit_code, 0);

    EXPECT_EQ(flowctl({"delete", "hello"}).exit_code, 0);
    EXPECT_FALSE(fs::exists(flows_dir() / "hello.yaml"));
    EXPECT_EQ(flowctl({"get", "hello"}).exit_code, 4);
}

TEST_F(DaemonTest, ASavedEditIsLiveWithinASecondAndABrokenOneKeepsThePreviousVersion) {
    write_flow("hello.yaml", hello_flow);
    start_daemon();
    auto before = unix_request("GET", "/api/v1/flows/hello").body;
    ASSERT_TRUE(before.is_object());

    // An editor's atomic save: write a temp file, rename it over the original.
    std::string edited = std::string(hello_flow) + "  - id: second\n    run: echo second\n";
    dir.write("flows/.hello.yaml.tmp", edited);
    fs::rename(flows_dir() / ".hello.yaml.tmp", flows_dir() / "hello.yaml");
    auto saved = std::chrono::steady_clock::now();
    bool live = eventually(2s, [&] {
        auto now = unix_request("GET", "/api/v1/flows/hello").body;
        return now.is_object() && now["hash"] != before["hash"];
    });
    auto took = std::chrono::steady_clock::now() - saved;
    ASSERT_TRUE(live);
    EXPECT_LT(took, 1s) << "reload took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms";
    auto good = unix_request("GET", "/api/v1/flows/hello").body;
    EXPECT_EQ(good["steps"], 2);

    // A broken edit: the previous version stays live and the error is reported with a position.
    write_flow("hello.yaml", "name: hello\nsteps:\n  - id: greet\n    run: [unclosed\n");
    ASSERT_TRUE(eventually(2s, [&] { return unix_request("GET", "/api/v1/flows/hello").body["status"] == "invalid"; }));
    auto broken = unix_request("GET", "/api/v1/flows/hello").body;
    EXPECT_EQ(broken["hash"], good["hash"]);
    ASSERT_FALSE(broken["errors"].empty());
    EXPECT_GT(broken["errors"][0]["line"].get<int>(), 0);

    auto list = flowctl({"list"});
    EXPECT_NE(list.out.find("invalid"), std::string::npos) << list.out;

    auto run = flowctl({"run", "hello"});
    EXPECT_EQ(run.exit_code, 0) << run.err;  // the last good version runs

    auto versions = unix_request("GET", "/api/v1/flows/hello/versions").body;
    EXPECT_EQ(versions["versions"].size(), 2u) << versions.dump();
}

TEST_F(DaemonTest, TcpNeedsATokenWithAScopeLargeEnough) {
    write_flow("hello.yaml", hello_flow);
    int port = free_tcp_port();
    start_daemon({"--listen", "127.0.0.1:" + std::to_string(port)});

    httplib::Client http("127.0.0.1", port);
    auto none = http.Get("/api/v1/flows");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(json::parse(none->body)["error"]["code"], "unauthorized");

    httplib::Headers wrong = {{"Authorization", "Bearer flw_wrong"}};
    EXPECT_EQ(http.Get("/api/v1/flows", wrong)->status, 401);

    auto created = flowctl({"token", "create", "reader", "--scope", "read"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    std::string secret = created.out.substr(0, created.out.find_first_of("\r\n"));
    ASSERT_EQ(secret.rfind("flw_", 0), 0u) << created.out;

    httplib::Headers bearer = {{"Authorization", "Bearer " + secret}};
    auto listed = http.Get("/api/v1/flows", bearer);
    EXPECT_EQ(listed->status, 200);
    httplib::Headers api_key = {{"X-API-Key", secret}};
    EXPECT_EQ(http.Get("/api/v1/flows", api_key)->status, 200);

    auto run = http.Post("/api/v1/flows/hello/executions", bearer, "{}", "application/json");
    EXPECT_EQ(run->status, 403);
    EXPECT_EQ(json::parse(run->body)["error"]["code"], "forbidden");

    // The token list never shows secrets; a revoked token stops working.
    auto tokens = flowctl_json({"token", "list"});
    EXPECT_EQ(tokens.dump().find(secret), std::string::npos);
    EXPECT_EQ(flowctl({"token", "revoke", "reader"}).exit_code, 0);
    EXPECT_EQ(http.Get("/api/v1/flows", bearer)->status, 401);
}

TEST_F(DaemonTest, ConcurrentClientsAllGetAnswers) {
    write_flow("hello.yaml", hello_flow);
    int port = free_tcp_port();
    start_daemon({"--listen", "127.0.0.1:" + std::to_string(port)});
    auto created = flowctl({"token", "create", "runner", "--scope", "execute"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    std::string secret = created.out.substr(0, created.out.find_first_of("\r\n"));

    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) (flowctl({"list", "-q"}).exit_code == 0 ? ok : failed)++;
        });
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            httplib::Client http("127.0.0.1", port);
            httplib::Headers h = {{"X-API-Key", secret}};
            for (int i = 0; i < 5; ++i) {
                auto r = http.Post("/api/v1/flows/hello/executions", h, R"({"wait": true})", "application/json");
                (r && r->status == 200 && json::parse(r->body)["execution"]["status"] == "succeeded" ? ok : failed)++;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(ok, 40);
    auto history = flowctl_json({"history", "--limit", "100"});
    EXPECT_EQ(history["total"], 20);
}

TEST_F(DaemonTest, SigtermDrainsRunningExecutionsToAFinalState) {
    write_flow("hello.yaml", hello_flow);
    write_flow("slow.yaml", slow_flow);
    start_daemon({"--drain-grace", "1s"});
    std::vector<std::string> ids;
    for (const char* flow : {"slow", "slow", "hello"}) {
        auto r = flowctl({"run", flow, "--async"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        ids.push_back(r.out.substr(0, r.out.find_first_of("\r\n")));
    }
    ASSERT_TRUE(eventually(10s, [&] {
        auto list = flowctl_json({"history", "--status", "running"});
        return list["executions"].size() == 2;
    }));
    daemon->signal(SIGTERM);
    auto exited = daemon->wait();
    EXPECT_EQ(exited.exit_code, 0) << exited.err;

    auto history = flowctl_json({"history", "--limit", "10"});
    ASSERT_EQ(history["executions"].size(), 3u);
    for (const auto& e : history["executions"]) {
        std::string status = e["status"];
        if (e["flow"] == "slow")
            EXPECT_EQ(status, "cancelled") << executions_of(history);
        else
            EXPECT_EQ(status, "succeeded") << executions_of(history);
    }
}

TEST_F(DaemonTest, SigkillLeavesExecutionsThatTheNextStartMarksInterrupted) {
    write_flow("slow.yaml", R"(name: slow
steps:
  - id: wait
    run: sleep 3
)");
    start_daemon();
    auto r = flowctl({"run", "slow", "--async"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string id = r.out.substr(0, r.out.find_first_of("\r\n"));
    ASSERT_TRUE(eventually(10s, [&] { return flowctl_json({"show", id})["status"] == "running"; }));

    daemon->signal(SIGKILL);
    daemon->wait();
    start_daemon();
    auto shown = flowctl_json({"show", id});
    EXPECT_EQ(shown["status"], "interrupted");
}

TEST_F(DaemonTest, FlowctlStartsTheDaemonWhenNoneIsRunningUnlessToldNot) {
    write_flow("hello.yaml", hello_flow);
    auto refused = flowctl({"list", "--no-autostart"});
    EXPECT_EQ(refused.exit_code, 3) << refused.err;
    EXPECT_FALSE(socket_accepts());

    auto list = flowctl({"list", "-q"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(list.out, "hello\n");
    EXPECT_TRUE(socket_accepts());

    auto status = flowctl({"daemon", "status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    EXPECT_EQ(flowctl({"daemon", "stop"}).exit_code, 0);
    EXPECT_TRUE(eventually(10s, [&] { return !socket_accepts(); }));
    EXPECT_EQ(flowctl({"daemon", "status"}).exit_code, 3);
}

TEST_F(DaemonTest, OneDaemonPerStateDirectory) {
    start_daemon();
    auto second = run_command({FLOWD_EXE}, env());
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("already running"), std::string::npos) << second.err;
    EXPECT_EQ(unix_request("GET", "/api/v1/health").status, 200);
}

TEST_F(DaemonTest, RetryFromAStepReusesEarlierResults) {
    auto marker = dir.path() / "count";
    write_flow("twostep.yaml", "name: twostep\nsteps:\n  - id: first\n    run: echo x >> " + marker.string() +
                                   " && echo first-out\n  - id: second\n    needs: [first]\n    run: exit 1\n");
    start_daemon();
    auto run = flowctl({"run", "twostep"});
    EXPECT_EQ(run.exit_code, 1);
    auto id = flowctl_json({"history", "--limit", "1"})["executions"][0]["id"].get<std::string>();
    auto retried = flowctl({"retry", id, "--from", "second", "--async"});
    ASSERT_EQ(retried.exit_code, 0) << retried.err;
    std::string new_id = retried.out.substr(0, retried.out.find_first_of("\r\n"));
    ASSERT_TRUE(eventually(10s, [&] { return flowctl_json({"show", new_id})["status"] == "failed"; }));
    auto shown = flowctl_json({"show", new_id});
    EXPECT_EQ(shown["retry_of"], id);
    EXPECT_EQ(read_file(marker), "x\n");  // `first` did not run again
}

TEST_F(DaemonTest, EventStreamFollowsAnExecutionToItsEnd) {
    write_flow("hello.yaml", hello_flow);
    start_daemon();
    auto submitted = unix_request("POST", "/api/v1/flows/hello/executions", R"({"wait": true})");
    ASSERT_EQ(submitted.status, 200) << submitted.text;
    std::string id = submitted.body["execution"]["id"];
    // Already ended: the stream sends the final event and ends instead of hanging.
    auto stream = run_command({"curl", "-s", "-N", "--max-time", "10", "--unix-socket", socket_path().string(),
                               "http://localhost/api/v1/events?execution=" + id});
    EXPECT_EQ(stream.exit_code, 0) << stream.err;
    EXPECT_NE(stream.out.find("execution_finished"), std::string::npos) << stream.out;
}

}  // namespace
}  // namespace flowctl::test
