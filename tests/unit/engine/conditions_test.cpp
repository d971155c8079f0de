// if: conditions, failure handling, fail-fast, timeouts and cancellation.
#include <atomic>
#include <thread>

#include "engine_fixture.hpp"
#include "util/cancel.hpp"

namespace flowctl::engine::test {
namespace {

using namespace std::chrono_literals;

TEST_F(EngineTest, FailureAndAlwaysStepsRunAfterAFailureDefaultDependentsAreSkipped) {
    auto flow = load(R"(
name: failing
steps:
  - id: build
    run: |
      echo "compiler says no" >&2
      exit 2
  - id: test
    needs: build
    log: testing
  - id: after-test
    needs: test
    log: never
  - id: notify
    needs: build
    if: failure()
    log: build failed
  - id: cleanup
    needs: test
    if: always()
    log: cleaning
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(r.error, "step 'build' failed: exit code 2: compiler says no");
    EXPECT_EQ(status_of(r.execution_id, "build"), "failed");
    EXPECT_EQ(status_of(r.execution_id, "test"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "after-test"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "notify"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "cleanup"), "succeeded");
    auto rec = m_store->get_execution(r.execution_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->status, "failed");
    EXPECT_EQ(rec->error, r.error);
}

TEST_F(EngineTest, FailureStepIsSkippedWhenNothingFailed) {
    auto flow = load(R"(
name: fine
steps:
  - id: build
    log: ok
  - id: notify
    needs: build
    if: failure()
    log: build failed
  - id: conditional
    needs: build
    if: inputs.deploy
    log: deploying
  - id: after-skip
    needs: conditional
    log: never
  - id: after-skip-always
    needs: conditional
    if: always()
    log: yes
inputs:
  deploy: {type: boolean, default: false}
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(status_of(r.execution_id, "notify"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "conditional"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "after-skip"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "after-skip-always"), "succeeded");
}

TEST_F(EngineTest, ContinueOnErrorKeepsTheFlowGoing) {
    auto flow = load(R"(
name: lenient
steps:
  - id: lint
    continue_on_error: true
    run: exit 3
  - id: build
    needs: lint
    log: "lint was ${{ steps.lint.status }}/${{ steps.lint.conclusion }}"
  - id: notify
    needs: lint
    if: failure()
    log: never
outputs:
  lint: ${{ steps.lint.conclusion }}
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(status_of(r.execution_id, "lint"), "failed");
    EXPECT_EQ(status_of(r.execution_id, "build"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "notify"), "skipped");
    EXPECT_EQ(r.outputs["lint"], "succeeded");
    auto logs = m_store->logs(r.execution_id, "build");
    bool seen = false;
    for (const auto& l : logs) seen = seen || l.message == "lint was failed/succeeded";
    EXPECT_TRUE(seen);
}

TEST_F(EngineTest, FailFastCancelsARunningSleepQuickly) {
    auto flow = load(R"(
name: fast
steps:
  - id: slow
    run: sleep 30
  - id: broken
    run: |
      sleep 0.2
      exit 1
  - id: after-slow
    needs: slow
    log: never
  - id: report
    needs: [slow, broken]
    if: always()
    log: reported
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    EXPECT_LT(seconds_since(t0), 5.0);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "broken"), "failed");
    EXPECT_EQ(status_of(r.execution_id, "slow"), "cancelled");
    EXPECT_EQ(status_of(r.execution_id, "after-slow"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "report"), "succeeded");
    EXPECT_NE(r.error.find("step 'broken' failed"), std::string::npos) << r.error;
}

TEST_F(EngineTest, FailFastSkipsStepsThatHaveNotStarted) {
    auto flow = load(R"(
name: fast-serial
max_parallel: 1
steps:
  - id: broken
    run: exit 1
  - id: independent
    log: never
  - id: cleanup
    if: always()
    log: runs
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "independent"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "cleanup"), "succeeded");
}

TEST_F(EngineTest, WithoutFailFastAnIndependentBranchFinishes) {
    auto flow = load(R"(
name: patient
fail_fast: false
steps:
  - id: slow
    run: |
      sleep 0.5
      echo done
  - id: after-slow
    needs: slow
    log: "${{ steps.slow.output }}"
  - id: broken
    run: exit 1
  - id: after-broken
    needs: broken
    log: never
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "slow"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "after-slow"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "after-broken"), "skipped");
}

TEST_F(EngineTest, StepTimeoutIsTimedOutAndRetried) {
    auto flow = load(R"(
name: slowpoke
steps:
  - id: slow
    timeout: 300ms
    retry: {attempts: 2, delay: 10ms}
    run: sleep 10
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    EXPECT_LT(seconds_since(t0), 8.0);
    EXPECT_EQ(r.status, "failed");
    auto attempts = runs(r.execution_id, "slow");
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0].status, "timed_out");
    EXPECT_EQ(attempts[1].status, "timed_out");
    EXPECT_NE(r.error.find("step 'slow' timed out"), std::string::npos) << r.error;
}

TEST_F(EngineTest, FlowTimeoutStopsRunningStepsAndSkipsPendingOnes) {
    auto flow = load(R"(
name: bounded
timeout: 500ms
steps:
  - id: slow
    run: sleep 30
  - id: next
    needs: slow
    log: never
  - id: cleanup
    needs: slow
    if: always()
    log: cleaned
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    EXPECT_LT(seconds_since(t0), 5.0);
    EXPECT_EQ(r.status, "timed_out");
    EXPECT_EQ(status_of(r.execution_id, "slow"), "timed_out");
    EXPECT_EQ(status_of(r.execution_id, "next"), "skipped");
    EXPECT_EQ(status_of(r.execution_id, "cleanup"), "succeeded");
    auto rec = m_store->get_execution(r.execution_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->status, "timed_out");
}

TEST_F(EngineTest, CancellationFromAnotherThreadStopsTheRunAndRunsAlwaysSteps) {
    auto flow = load(R"(
name: interrupted
steps:
  - id: long
    run: sleep 30
  - id: next
    needs: long
    log: never
  - id: cleanup
    needs: long
    if: always()
    log: cleaned
  - id: on-cancel
    needs: long
    if: cancelled()
    log: noticed
)");
    util::CancelToken cancel;
    auto o = options();
    o.cancel = &cancel;
    std::atomic<bool> started{false};
    o.on_event = [&](const Event& e) {
        if (e.kind == Event::Kind::step_started && e.step_id == "long") started = true;
    };
    std::thread canceller([&] {
        while (!started) std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(300ms);
        cancel.cancel();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow, o);
    canceller.join();
    EXPECT_LT(seconds_since(t0), 3.5);
    EXPECT_EQ(r.status, "cancelled");
    EXPECT_EQ(status_of(r.execution_id, "long"), "cancelled");
    EXPECT_EQ(status_of(r.execution_id, "next"), "cancelled");
    EXPECT_EQ(status_of(r.execution_id, "cleanup"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "on-cancel"), "succeeded");
    auto rec = m_store->get_execution(r.execution_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->status, "cancelled");
}

TEST_F(EngineTest, CancellationInterruptsARetryWait) {
    auto flow = load(R"(
name: retry-wait
steps:
  - id: flaky
    retry: {attempts: 3, delay: 30s}
    run: exit 1
)");
    util::CancelToken cancel;
    auto o = options();
    o.cancel = &cancel;
    o.on_event = [&](const Event& e) {
        if (e.kind == Event::Kind::step_retrying) cancel.cancel();
    };
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow, o);
    EXPECT_LT(seconds_since(t0), 3.0);
    EXPECT_EQ(r.status, "cancelled");
    auto attempts = runs(r.execution_id, "flaky");
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].status, "failed");
}

TEST_F(EngineTest, CancellationReachesASubflow) {
    m_dir.write("child.yaml", R"(
name: child
steps:
  - id: wait
    run: sleep 30
)");
    auto flow = load(R"(
name: parent
steps:
  - id: sub
    flow: child.yaml
)");
    util::CancelToken cancel;
    auto o = options();
    o.cancel = &cancel;
    std::atomic<bool> started{false};
    std::thread canceller([&] {
        // The child's execution shows up in the history once it runs.
        for (int i = 0; i < 500 && !started; ++i) {
            std::this_thread::sleep_for(20ms);
            store::Store reader(state_dir());
            for (auto& e : reader.list_executions({})) started = started || e.flow_name == "child";
        }
        std::this_thread::sleep_for(200ms);
        cancel.cancel();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow, o);
    canceller.join();
    EXPECT_LT(seconds_since(t0), 5.0);
    EXPECT_EQ(r.status, "cancelled");
    auto children = m_store->children(r.execution_id);
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0].status, "cancelled");
}

TEST_F(EngineTest, ASkippedChainOfThousandsDoesNotRecurse) {
    std::string yaml = "name: chain\nsteps:\n  - id: s0\n    run: exit 1\n";
    for (int i = 1; i < 3000; ++i)
        yaml += "  - id: s" + std::to_string(i) + "\n    needs: s" + std::to_string(i - 1) + "\n    log: x\n";
    auto flow = load(yaml);
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "s2999"), "skipped");
    EXPECT_EQ(m_store->step_runs(r.execution_id).size(), 3000u);
}

}  // namespace
}  // namespace flowctl::engine::test
