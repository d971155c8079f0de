#include <signal.h>

#include <fstream>
#include <thread>

#include "cli_fixture.hpp"
#include "util/time.hpp"

namespace flowctl::test {

TEST_F(CliTest, HelloRunsAndIsRecorded) {
    auto r = flowctl({"run", example("hello.yaml"), "-i", "who=tester"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto exec = last_execution();
    EXPECT_EQ(exec["status"], "succeeded");
    EXPECT_EQ(exec["flow"], "hello");
    EXPECT_EQ(exec["inputs"]["who"], "tester");
    EXPECT_EQ(exec["steps"].size(), 3u);
    for (const auto& s : exec["steps"]) EXPECT_EQ(s["status"], "succeeded") << s.dump();
    EXPECT_FALSE(exec["outputs"]["kernel"].get<std::string>().empty());

    auto logs = flowctl_json({"logs", exec["id"].get<std::string>()});
    bool greeted = false;
    for (const auto& l : logs) greeted = greeted || l["message"] == "Hello, tester!";
    EXPECT_TRUE(greeted) << logs.dump(2);
    auto greet_only = flowctl_json({"logs", exec["id"].get<std::string>(), "--step", "greet"});
    for (const auto& l : greet_only) EXPECT_EQ(l["step"], "greet");
}

TEST_F(CliTest, DiamondRunsItsMiddleStepsConcurrently) {
    auto r = flowctl({"run", example("diamond.yaml"), "-i", "seconds=1"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_LT(r.seconds, 1.8) << "the two 1 s branches ran one after the other";
    auto exec = last_execution();
    auto left = attempts_of(exec, "left"), right = attempts_of(exec, "right");
    ASSERT_EQ(left.size(), 1u);
    ASSERT_EQ(right.size(), 1u);
    auto t = [](const json& v) { return *util::parse_time(v.get<std::string>(), 0); };
    EXPECT_LT(t(left[0]["started_at"]), t(right[0]["finished_at"]));
    EXPECT_LT(t(right[0]["started_at"]), t(left[0]["finished_at"]));
}

TEST_F(CliTest, RetriedStepShowsEveryAttempt) {
    auto r = flowctl({"run", example("retry.yaml")});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto exec = last_execution();
    auto flaky = attempts_of(exec, "flaky");
    ASSERT_EQ(flaky.size(), 3u) << exec.dump(2);
    EXPECT_EQ(flaky[0]["status"], "failed");
    EXPECT_EQ(flaky[0]["exit_code"], 1);
    EXPECT_EQ(flaky[1]["status"], "failed");
    EXPECT_EQ(flaky[2]["status"], "succeeded");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(flaky[static_cast<size_t>(i)]["attempt"], i + 1);
    EXPECT_EQ(attempts_of(exec, "on-failure")[0]["status"], "skipped");
    EXPECT_EQ(attempts_of(exec, "done")[0]["status"], "succeeded");
}

TEST_F(CliTest, FailureHandlerRunsOnlyOnFailureAndExitCodeIsOne) {
    auto r = flowctl({"run", example("retry.yaml"), "-i", "fail_times=10"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto exec = last_execution();
    EXPECT_EQ(exec["status"], "failed");
    EXPECT_EQ(attempts_of(exec, "flaky").size(), 4u);
    EXPECT_EQ(attempts_of(exec, "on-failure")[0]["status"], "succeeded");
    EXPECT_EQ(attempts_of(exec, "done")[0]["status"], "skipped");
    EXPECT_NE(exec["error"].get<std::string>().find("flaky"), std::string::npos);
}

TEST_F(CliTest, BadInputsAreUsageErrors) {
    auto r = flowctl({"run", example("hello.yaml"), "-i", "whom=x"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("who"), std::string::npos) << r.err;  // did-you-mean
    r = flowctl({"run", example("diamond.yaml"), "-i", "seconds=soon"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(flowctl({"history"}).out.find("diamond"), std::string::npos) << "nothing was recorded";
}

TEST_F(CliTest, InvalidFileIsNotRun) {
    auto r = flowctl({"run", dir.write("bad.yaml", "steps:\n  - id: a\n    lg: x\n").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bad.yaml:3:5"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnknownExecutionIsNotFound) {
    flowctl({"run", example("hello.yaml")});
    EXPECT_EQ(flowctl({"show", "zzzzzzzz"}).exit_code, 4);
    EXPECT_EQ(flowctl({"logs", "zzzzzzzz"}).exit_code, 4);
}

TEST_F(CliTest, HistoryFiltersAndQuietIds) {
    ASSERT_EQ(flowctl({"run", example("hello.yaml")}).exit_code, 0);
    ASSERT_EQ(flowctl({"run", example("retry.yaml"), "-i", "fail_times=10"}).exit_code, 1);
    auto all = flowctl_json({"history"});
    EXPECT_EQ(all["total"], 2);
    auto failed = flowctl_json({"history", "--status", "failed"});
    ASSERT_EQ(failed["executions"].size(), 1u);
    EXPECT_EQ(failed["executions"][0]["flow"], "retry");
    auto by_flow = flowctl_json({"history", "hello"});
    ASSERT_EQ(by_flow["executions"].size(), 1u);
    EXPECT_EQ(flowctl_json({"history", "--since", "1h"})["total"], 2);
    EXPECT_EQ(flowctl_json({"history", "--until", "2000-01-01"})["total"], 0);
    auto ids = flowctl({"history", "-q"});
    EXPECT_EQ(std::count(ids.out.begin(), ids.out.end(), '\n'), 2);
    auto page = flowctl_json({"history", "--limit", "1", "--offset", "1"});
    ASSERT_EQ(page["executions"].size(), 1u);
    EXPECT_EQ(page["executions"][0]["flow"], "hello");  // newest first
}

TEST_F(CliTest, ExampleFlowsSucceed) {
    for (const char* name : {"transform.yaml", "fan-out.yaml", "subflow.yaml", "lib/greet.yaml"}) {
        std::vector<std::string> args{"run", example(name)};
        if (std::string(name) == "lib/greet.yaml") args.insert(args.end(), {"-i", "name=Linus"});
        auto r = flowctl(args);
        EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
    }
    auto history = flowctl_json({"history", "transform"});
    auto exec = flowctl_json({"show", history["executions"][0]["id"].get<std::string>()});
    EXPECT_DOUBLE_EQ(exec["outputs"]["revenue"].get<double>(), 123.75);
}

TEST_F(CliTest, SubflowOutputsComeBack) {
    ASSERT_EQ(flowctl({"run", example("subflow.yaml")}).exit_code, 0);
    auto exec = last_execution();
    auto print = attempts_of(exec, "print");
    ASSERT_EQ(print.size(), 1u);
    EXPECT_EQ(print[0]["output"], "Hello, Ada! Hello, Grace!");
    EXPECT_EQ(exec["children"].size(), 2u);
    EXPECT_EQ(flowctl_json({"history", "--all"})["total"], 3);
}

TEST_F(CliTest, FilePipelineWritesItsReport) {
    auto work = dir.path() / "work";
    auto r = flowctl({"run", example("file-pipeline.yaml"), "-i", "workdir=" + work.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto report = json::parse(read_file(work / "out" / "report.json"));
    EXPECT_EQ(report["files"].size(), 2u);
    EXPECT_EQ(report["items"][0][0]["name"], "apple");
}

// Ctrl-C: the running step's whole process tree dies and the execution is recorded cancelled.
TEST_F(CliTest, InterruptKillsTheProcessTreeAndRecordsCancelled) {
    auto pidfile = dir.path() / "bg.pid";
    auto flow = dir.write(
        "long.yaml",
        "name: long\nsteps:\n  - id: wait\n    run: |\n      sleep 300 &\n      echo $! > " + pidfile.string() +
            "\n      sleep 300\n  - id: cleanup\n    needs: wait\n    if: always()\n    log: cleaning up\n");
    BackgroundCommand run({FLOWCTL_EXE, "run", flow.string()}, env());
    for (int i = 0; i < 500 && !std::filesystem::exists(pidfile); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(std::filesystem::exists(pidfile)) << run.output();
    pid_t bg = std::stoi(read_file(pidfile));
    ASSERT_TRUE(process_alive(bg));
    run.signal(SIGINT);
    auto start = std::chrono::steady_clock::now();
    auto r = run.wait();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
    EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
    for (int i = 0; i < 100 && process_alive(bg); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(process_alive(bg)) << "the step's background child survived";
    auto exec = last_execution();
    EXPECT_EQ(exec["status"], "cancelled");
    EXPECT_EQ(attempts_of(exec, "wait")[0]["status"], "cancelled");
    EXPECT_EQ(attempts_of(exec, "cleanup")[0]["status"], "succeeded");
}

// SIGKILL of flowctl mid-flow: the db stays readable and the execution becomes interrupted.
TEST_F(CliTest, KilledRunBecomesInterruptedAtNextStart) {
    auto pidfile = dir.path() / "step.pid";
    auto flow = dir.write("long.yaml", "name: long\nsteps:\n  - id: wait\n    run: echo $$ > " + pidfile.string() +
                                           " && exec sleep 300\n");
    BackgroundCommand run({FLOWCTL_EXE, "run", flow.string()}, env());
    for (int i = 0; i < 500 && !std::filesystem::exists(pidfile); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past a history flush
    ASSERT_TRUE(std::filesystem::exists(pidfile)) << run.output();
    run.signal(SIGKILL);
    run.wait();
    pid_t step = std::stoi(read_file(pidfile));
    ::kill(-step, SIGKILL);  // the orphaned step's group (flowctl had no chance to)

    auto history = flowctl_json({"history"});
    ASSERT_EQ(history["executions"].size(), 1u);
    EXPECT_EQ(history["executions"][0]["status"], "interrupted");
    auto exec = last_execution();
    EXPECT_FALSE(exec["finished_at"].is_null());
    auto wait = attempts_of(exec, "wait");
    ASSERT_EQ(wait.size(), 1u);
    EXPECT_EQ(wait[0]["status"], "interrupted");
}

TEST_F(CliTest, FailingStepExitCodeAndError) {
    auto flow = dir.write("fail.yaml", "steps:\n  - id: boom\n    run: echo oops >&2; exit 3\n");
    auto r = flowctl({"run", flow.string(), "-o", "json"});
    EXPECT_EQ(r.exit_code, 1);
    auto out = json::parse(r.out);
    EXPECT_EQ(out["status"], "failed");
    EXPECT_EQ(out["steps"][0]["exit_code"], 3);
    EXPECT_NE(out["steps"][0]["error"].get<std::string>().find("oops"), std::string::npos);
}

TEST_F(CliTest, ActionsListsEveryStepType) {
    auto r = flowctl({"actions", "-q"});
    EXPECT_EQ(r.out, "run\ncmd\nhttp\nlog\nsleep\nfile\ntransform\nflow\n");
    auto schema = flowctl_json({"actions", "http"});
    EXPECT_TRUE(schema["properties"].contains("url"));
    EXPECT_EQ(flowctl({"actions", "htp"}).exit_code, 4);
}

}  // namespace flowctl::test
