// Parallelism, data between steps, retries and the execution record.
#include <atomic>
#include <future>
#include <thread>

#include "engine/step_runner.hpp"
#include "engine_fixture.hpp"

namespace flowctl::engine::test {
namespace {

using namespace std::chrono_literals;

TEST_F(EngineTest, DiamondRunsIndependentBranchesInParallel) {
    auto flow = load(R"(
name: diamond
steps:
  - id: a
    log: start
  - id: b
    needs: a
    sleep: 1s
  - id: c
    needs: a
    sleep: 1s
  - id: d
    needs: [b, c]
    log: done
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    double wall = seconds_since(t0);
    EXPECT_EQ(r.status, "succeeded") << r.error;
    EXPECT_LT(wall, 1.8);
    auto b = runs(r.execution_id, "b");
    auto c = runs(r.execution_id, "c");
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(c.size(), 1u);
    // The two sleeps overlap in time.
    EXPECT_LT(b[0].started_ms, c[0].finished_ms);
    EXPECT_LT(c[0].started_ms, b[0].finished_ms);
    auto d = runs(r.execution_id, "d");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_GE(d[0].started_ms, std::max(b[0].finished_ms, c[0].finished_ms));
    EXPECT_EQ(status_of(r.execution_id, "a"), "succeeded");
}

TEST_F(EngineTest, OutputsFlowFromOneStepToTheNextAndIntoFlowOutputs) {
    auto flow = load(R"(
name: outputs
steps:
  - id: a
    run: |
      echo '{"x": 42, "name": "widget"}'
    outputs:
      label: "${{ result.outputs.name }}-${{ result.exit_code }}"
  - id: b
    needs: a
    run: |
      echo "got ${{ steps.a.outputs.x }} ${{ steps.a.outputs.label }}"
outputs:
  x: ${{ steps.a.outputs.x }}
  line: ${{ steps.b.output }}
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["x"], 42);
    EXPECT_EQ(r.outputs["line"], "got 42 widget-0");
    auto a = runs(r.execution_id, "a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].outputs["label"], "widget-0");
    EXPECT_EQ(a[0].exit_code, 0);
    auto rec = m_store->get_execution(r.execution_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->outputs["line"], "got 42 widget-0");
}

TEST_F(EngineTest, RetryRecordsEveryAttempt) {
    auto flow = load(R"(
name: flaky
steps:
  - id: flaky
    retry: {attempts: 3, delay: 10ms}
    run: |
      n=$(cat counter 2>/dev/null || echo 0)
      n=$((n + 1))
      echo $n > counter
      echo "attempt $n"
      [ "$n" -ge 3 ]
)");
    std::vector<Event> events;
    auto o = options();
    o.on_event = [&](const Event& e) { events.push_back(e); };
    auto r = run(flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    auto attempts = runs(r.execution_id, "flaky");
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0].status, "failed");
    EXPECT_EQ(attempts[1].status, "failed");
    EXPECT_EQ(attempts[2].status, "succeeded");
    EXPECT_EQ(attempts[0].exit_code, 1);
    EXPECT_EQ(attempts[2].output, "attempt 3");
    int retrying = 0;
    for (const auto& e : events) retrying += e.kind == Event::Kind::step_retrying;
    EXPECT_EQ(retrying, 2);
}

TEST_F(EngineTest, RetryDelayIsFixedOrExponentialAndCapped) {
    flow::RetryPolicy fixed;
    fixed.delay = 500ms;
    EXPECT_EQ(retry_delay(fixed, 1), 500ms);
    EXPECT_EQ(retry_delay(fixed, 4), 500ms);
    flow::RetryPolicy exp;
    exp.delay = 100ms;
    exp.backoff = flow::Backoff::exponential;
    EXPECT_EQ(retry_delay(exp, 1), 100ms);
    EXPECT_EQ(retry_delay(exp, 2), 200ms);
    EXPECT_EQ(retry_delay(exp, 4), 800ms);
    exp.max_delay = 300ms;
    EXPECT_EQ(retry_delay(exp, 4), 300ms);
    exp.max_delay.reset();
    EXPECT_GT(retry_delay(exp, 1000).count(), 0);  // saturates, no overflow
}

TEST_F(EngineTest, ExponentialBackoffWaitsLongerEachTime) {
    auto flow = load(R"(
name: backoff
steps:
  - id: always-fails
    retry: {attempts: 3, delay: 150ms, backoff: exponential}
    run: exit 1
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    auto attempts = runs(r.execution_id, "always-fails");
    ASSERT_EQ(attempts.size(), 3u);
    int64_t first_wait = attempts[1].started_ms - attempts[0].finished_ms;
    int64_t second_wait = attempts[2].started_ms - attempts[1].finished_ms;
    EXPECT_GE(first_wait, 140);
    EXPECT_LT(first_wait, 290);
    EXPECT_GE(second_wait, 290);
}

TEST_F(EngineTest, ParamsThatDoNotRenderFailTheStepWithoutRetry) {
    auto flow = load(R"(
name: bad-template
steps:
  - id: a
    retry: {attempts: 3, delay: 10ms}
    log: ${{ fromJSON('not json') }}
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    auto attempts = runs(r.execution_id, "a");
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].status, "failed");
    EXPECT_FALSE(attempts[0].error.empty());
    EXPECT_NE(r.error.find("step 'a' failed"), std::string::npos) << r.error;
}

TEST_F(EngineTest, ExecutionRowIsCommittedWhileAStepRunsAndFinalAfterwards) {
    auto flow = load(R"(
name: visible
steps:
  - id: wait
    run: |
      while [ ! -f go ]; do sleep 0.05; done
)");
    std::promise<std::string> id_promise;
    auto id_future = id_promise.get_future();
    std::atomic<bool> step_started{false};
    auto o = options();
    o.on_event = [&](const Event& e) {
        if (e.kind == Event::Kind::execution_started) id_promise.set_value(e.execution_id);
        if (e.kind == Event::Kind::step_started) step_started = true;
    };
    std::promise<RunResult> result_promise;
    std::thread runner([&] {
        store::Store own(state_dir());
        result_promise.set_value(run_flow(flow, own, o));
    });
    ASSERT_EQ(id_future.wait_for(10s), std::future_status::ready);
    std::string id = id_future.get();
    while (!step_started) std::this_thread::sleep_for(10ms);

    store::Store reader(state_dir());
    auto rec = reader.get_execution(id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->status, "running");
    EXPECT_EQ(rec->flow_name, "visible");
    EXPECT_EQ(rec->owner_pid, static_cast<int>(::getpid()));
    EXPECT_EQ(rec->finished_ms, 0);
    // The step's "running" row reaches the database within the commit interval.
    bool row_seen = false;
    for (int i = 0; i < 100 && !row_seen; ++i) {
        for (auto& s : reader.step_runs(id)) row_seen = row_seen || (s.step_id == "wait" && s.status == "running");
        if (!row_seen) std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(row_seen);

    m_dir.write("go", "");
    runner.join();
    auto result = result_promise.get_future().get();
    EXPECT_EQ(result.status, "succeeded") << result.error;
    rec = reader.get_execution(id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->status, "succeeded");
    EXPECT_GT(rec->finished_ms, 0);
    EXPECT_GE(rec->duration_ms, 0);
}

TEST_F(EngineTest, EventsArriveInOrder) {
    auto flow = load(R"(
name: events
steps:
  - id: a
    run: echo hello
  - id: b
    needs: a
    log: bye
)");
    std::vector<Event> events;
    auto o = options();
    o.on_event = [&](const Event& e) { events.push_back(e); };
    auto r = run(flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    ASSERT_GE(events.size(), 6u);
    EXPECT_EQ(events.front().kind, Event::Kind::execution_started);
    EXPECT_EQ(events.back().kind, Event::Kind::execution_finished);
    EXPECT_EQ(events.back().status, "succeeded");
    std::vector<std::string> trace;
    for (const auto& e : events) {
        if (e.kind == Event::Kind::step_started) trace.push_back("start " + e.step_id);
        if (e.kind == Event::Kind::step_finished) trace.push_back("finish " + e.step_id + " " + e.status);
        if (e.kind == Event::Kind::step_log && e.step_id == "a") trace.push_back("log a " + e.message);
    }
    std::vector<std::string> want = {"start a", "log a hello", "finish a succeeded", "start b", "finish b succeeded"};
    EXPECT_EQ(trace, want);
}

TEST_F(EngineTest, LogLinesPastTheCapAreCountedNotKept) {
    auto flow = load(R"(
name: chatty
steps:
  - id: a
    run: |
      yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | head -n 40000
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    auto logs = m_store->logs(r.execution_id, "a");
    ASSERT_FALSE(logs.empty());
    size_t bytes = 0;
    for (const auto& l : logs) bytes += l.message.size();
    EXPECT_LE(bytes, (1u << 20) + 200);
    EXPECT_NE(logs.back().message.find("more lines not recorded"), std::string::npos) << logs.back().message;
}

TEST_F(EngineTest, EnvironmentReachesStepsWithFlowctlVariables) {
    auto flow = load(R"(
name: envs
env:
  GREETING: hello
  TARGET: ${{ inputs.target }}
inputs:
  target: {type: string, default: world}
steps:
  - id: a
    env:
      LINE: ${{ env.GREETING }} ${{ env.TARGET }}
    run: |
      echo "$LINE|$FLOWCTL_STEP_ID|$FLOWCTL_ATTEMPT|$FLOWCTL_FLOW_NAME|$FLOWCTL_EXECUTION_ID"
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    auto a = runs(r.execution_id, "a");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].output, "hello world|a|1|envs|" + r.execution_id);
}

TEST_F(EngineTest, StepsRunInTheFlowDirectoryOrTheirCwd) {
    m_dir.write("sub/marker", "");
    auto flow = load(R"(
name: cwd
fail_fast: false
steps:
  - id: here
    run: pwd
  - id: there
    cwd: sub
    run: ls
  - id: missing
    cwd: no-such-dir
    run: pwd
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    auto here = runs(r.execution_id, "here");
    ASSERT_EQ(here.size(), 1u);
    EXPECT_EQ(std::filesystem::canonical(here[0].output.get<std::string>()), std::filesystem::canonical(m_dir.path()));
    EXPECT_EQ(runs(r.execution_id, "there").at(0).output, "marker");
    auto missing = runs(r.execution_id, "missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_NE(missing[0].error.find("does not exist"), std::string::npos) << missing[0].error;
}

}  // namespace
}  // namespace flowctl::engine::test
