// The orphan reaper, and process groups: every step in its own group, TERM to all of it first.
// A subreaper changes the process for good, so those tests run in a forked child and report
// through its exit status (0: fine; otherwise the number of the check that failed).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proc/process.hpp"
#include "proc_test_support.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl::proc;
using namespace std::chrono_literals;
using flowctl::proc::test::group_gone;
using flowctl::proc::test::seconds_since;
using flowctl::proc::test::shell;

namespace {

/// Runs `scenario` in a forked child and returns its exit code (128+N when killed by signal N).
int in_child_process(int (*scenario)()) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int code = 100;
        try {
            code = scenario();
        } catch (...) {
            code = 101;
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Fields of /proc/PID/stat after the command name: state is [0], ppid [1], pgrp [2].
std::vector<std::string> stat_fields(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return {};
    auto close = line.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(f);
    return fields;
}

/// True once the process no longer exists at all (not even as a zombie).
bool vanishes(pid_t pid, std::chrono::milliseconds wait) {
    auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        if (stat_fields(pid).empty()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

bool waitpid_says_not_ours(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) < 0 && errno == ECHILD; }

int orphan_outliving_its_parent_is_reaped() {
    start_orphan_reaper();
    // A detached grandchild (own session, so the group kill misses it) outlives the step. The
    // step waits until it has its own session: before that, the group kill at the step's end
    // would take it too.
    auto r = run_process(
        shell("setsid sh -c 'sleep 2' </dev/null >/dev/null 2>&1 & pid=$!; "
              "for i in $(seq 500); do [ \"$(cut -d' ' -f6 /proc/$pid/stat)\" = \"$pid\" ] && break; sleep 0.01; done; "
              "echo $pid"));
    if (!r.started || r.exit_code != 0) return 1;
    const pid_t detached = static_cast<pid_t>(std::stol(r.stdout_text));
    auto fields = stat_fields(detached);
    if (fields.size() < 2) return 2;                        // it should still be sleeping
    if (fields[1] != std::to_string(::getpid())) return 3;  // re-parented to us
    if (!vanishes(detached, 8000ms)) return 4;              // reaped after it exited
    if (!waitpid_says_not_ours(detached)) return 5;

    // A background child killed with the step's group is an orphan too, and is collected.
    auto bg = run_process(shell("sleep 30 & echo $!"));
    if (!bg.started || bg.exit_code != 0) return 6;
    const pid_t killed = static_cast<pid_t>(std::stol(bg.stdout_text));
    if (!vanishes(killed, 3000ms)) return 7;
    if (!waitpid_says_not_ours(killed)) return 8;
    if (orphans_reaped() < 2) return 9;
    return 0;
}

int exit_codes_stay_right_while_orphans_are_reaped() {
    start_orphan_reaper();
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> orphans_made{0};
    std::thread orphan_maker([&] {
        while (!stop) {
            auto r =
                run_process(shell("for i in 1 2 3; do setsid sh -c 'sleep 0.01' </dev/null >/dev/null 2>&1 & done"));
            if (r.exit_code == 0) orphans_made += 3;
        }
    });
    std::atomic<int> wrong{0};
    std::vector<std::thread> runners;
    for (int t = 0; t < 4; ++t) {
        runners.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const int code = 1 + t * 5 + i;
                auto r = run_process(shell("exit " + std::to_string(code)));
                if (!r.started || !r.error.empty() || r.term_signal != 0 || r.exit_code != code) ++wrong;
            }
        });
    }
    for (auto& t : runners) t.join();
    stop = true;
    orphan_maker.join();
    if (wrong != 0) return 1;
    if (orphans_made == 0) return 2;

    auto until = std::chrono::steady_clock::now() + 3s;
    while (orphans_reaped() < orphans_made && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    if (orphans_reaped() < orphans_made) return 3;
    // Nothing left: no child at all, zombie or alive.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0) return 4;
    return errno == ECHILD ? 0 : 5;
}

}  // namespace

TEST(OrphanReaper, OrphanOutlivingItsParentIsReaped) {
    EXPECT_EQ(in_child_process(orphan_outliving_its_parent_is_reaped), 0);
}

TEST(OrphanReaper, ExitCodesStayRightWhileOrphansAreReaped) {
    EXPECT_EQ(in_child_process(exit_codes_stay_right_while_orphans_are_reaped), 0);
}

TEST(ProcessGroup, EachStepRunsInItsOwnGroup) {
    auto r = run_process(shell("cut -d' ' -f5 /proc/$$/stat; echo $$"));
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    std::istringstream out(r.stdout_text);
    std::string pgrp, pid;
    out >> pgrp >> pid;
    EXPECT_EQ(pgrp, pid);  // group leader of its own group
    EXPECT_NE(pgrp, std::to_string(::getpgrp()));
}

TEST(ProcessGroup, TermReachesTheWholeGroupThenKillAfterTheGrace) {
    test::become_subreaper();  // as in process_kill_test: lets group_gone reap the killed members
    flowctl::test::TempDir dir;
    auto marker = dir.path() / "term";
    // A member of the group that is not the main process notes the TERM and keeps going;
    // the main process ignores TERM. Only the KILL after the grace ends them.
    // (A shell cannot trap a signal ignored when it started, so the member starts first.)
    auto spec = shell("echo $$; sh -c 'trap \"echo term >> " + marker.string() +
                      "\" TERM; while :; do sleep 0.05; done' & trap '' TERM; wait");
    spec.deadline = std::chrono::steady_clock::now() + 300ms;
    spec.kill_grace = 500ms;
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(spec);
    const double took = seconds_since(start);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.term_signal, SIGKILL);
    EXPECT_GE(took, 0.75);
    EXPECT_LT(took, 3.0);
    std::ifstream in(marker);
    std::string word;
    in >> word;
    EXPECT_EQ(word, "term");
    EXPECT_TRUE(group_gone(static_cast<pid_t>(std::stol(r.stdout_text))));
}
