#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "proc/process.hpp"
#include "proc_test_support.hpp"

using namespace flowctl::proc;
using namespace std::chrono_literals;
using flowctl::proc::test::group_gone;
using flowctl::proc::test::seconds_since;
using flowctl::proc::test::shell;

namespace {

class ProcessKill : public ::testing::Test {
protected:
    static void SetUpTestSuite() { test::become_subreaper(); }
};

// The pid of the main process, printed first by the scripts below; it is also the group id.
pid_t first_line_pid(const ProcessResult& r) { return static_cast<pid_t>(std::stol(r.stdout_text)); }

}  // namespace

TEST_F(ProcessKill, TimeoutKillsTheWholeTree) {
    auto spec = shell("echo $$; sleep 100 & sleep 100 & wait");
    spec.deadline = std::chrono::steady_clock::now() + 300ms;
    spec.kill_grace = 2000ms;
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(spec);
    EXPECT_LT(seconds_since(start), 1.5);
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.cancelled);
    EXPECT_EQ(r.term_signal, SIGTERM);
    EXPECT_TRUE(group_gone(first_line_pid(r)));
}

TEST_F(ProcessKill, ProcessesIgnoringTermAreKilledAfterTheGrace) {
    auto spec = shell("trap '' TERM; echo $$; sleep 100 & wait");
    spec.deadline = std::chrono::steady_clock::now() + 200ms;
    spec.kill_grace = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(spec);
    double took = seconds_since(start);
    EXPECT_GE(took, 0.45);
    EXPECT_LT(took, 2.0);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.term_signal, SIGKILL);
    EXPECT_TRUE(group_gone(first_line_pid(r)));
}

TEST_F(ProcessKill, CancelFromAnotherThread) {
    flowctl::util::CancelToken cancel;
    auto spec = shell("echo $$; sleep 100 & sleep 100");
    spec.cancel = &cancel;
    std::thread canceller([&] {
        std::this_thread::sleep_for(200ms);
        cancel.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(spec);
    canceller.join();
    EXPECT_LT(seconds_since(start), 1.5);
    EXPECT_TRUE(r.cancelled);
    EXPECT_FALSE(r.timed_out);
    EXPECT_TRUE(group_gone(first_line_pid(r)));
}

TEST_F(ProcessKill, AlreadyCancelledDoesNotStart) {
    flowctl::util::CancelToken cancel;
    cancel.cancel();
    auto spec = shell("echo should not run");
    spec.cancel = &cancel;
    auto r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_TRUE(r.cancelled);
}

TEST_F(ProcessKill, BackgroundChildrenAreKilledWhenTheMainProcessExits) {
    // The background sleep keeps stdout open; run_process must neither wait for it nor leave it.
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(shell("echo $$; sleep 1000 & echo after"));
    EXPECT_LT(seconds_since(start), 1.5);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.stdout_text.find("after\n"), std::string::npos);
    EXPECT_TRUE(group_gone(first_line_pid(r)));
}

TEST_F(ProcessKill, OutputWrittenJustBeforeExitIsKept) {
    auto r = run_process(shell("head -c 300000 /dev/zero | tr '\\0' y; sleep 100 >/dev/null &"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_text.size(), 300000u);
}
