#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "proc/process.hpp"
#include "proc_test_support.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl::proc;
using flowctl::proc::test::shell;

TEST(RunProcess, ReportsExitCode) {
    auto r = run_process(shell("exit 3"));
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.term_signal, 0);
    EXPECT_FALSE(r.timed_out);
    EXPECT_FALSE(r.cancelled);
}

TEST(RunProcess, ReportsTerminatingSignal) {
    auto r = run_process(shell("kill -KILL $$"));
    ASSERT_TRUE(r.started);
    EXPECT_EQ(r.term_signal, SIGKILL);
    EXPECT_EQ(r.exit_code, -1);
}

TEST(RunProcess, CapturesStdoutAndStderrSeparately) {
    auto r = run_process(shell("echo out1; echo err1 >&2; echo out2"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_text, "out1\nout2\n");
    EXPECT_EQ(r.stderr_text, "err1\n");
    EXPECT_FALSE(r.stdout_truncated);
}

TEST(RunProcess, DeliversLinesInOrderIncludingFinalPartialLine) {
    std::vector<std::pair<std::string, std::string>> lines;
    auto spec = shell("printf 'a\\n\\nb\\n'; sleep 0.1; echo e1 >&2; sleep 0.1; printf c");
    spec.on_line = [&](std::string_view stream, std::string_view line) { lines.emplace_back(stream, line); };
    auto r = run_process(spec);
    EXPECT_EQ(r.exit_code, 0);
    std::vector<std::pair<std::string, std::string>> want{
        {"stdout", "a"}, {"stdout", ""}, {"stdout", "b"}, {"stderr", "e1"}, {"stdout", "c"}};
    EXPECT_EQ(lines, want);
}

TEST(RunProcess, DeliversLinesWhileTheProcessRuns) {
    flowctl::util::CancelToken cancel;
    auto spec = shell("echo ready; sleep 30");
    spec.cancel = &cancel;
    spec.on_line = [&](std::string_view, std::string_view line) {
        if (line == "ready") cancel.cancel();
    };
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(spec);
    EXPECT_TRUE(r.cancelled);
    EXPECT_LT(test::seconds_since(start), 5.0);
}

TEST(RunProcess, SplitsVeryLongLinesInto64KiBPieces) {
    std::vector<size_t> sizes;
    auto spec = shell("head -c 200000 /dev/zero | tr '\\0' x; echo; echo short");
    spec.on_line = [&](std::string_view, std::string_view line) { sizes.push_back(line.size()); };
    auto r = run_process(spec);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(sizes, (std::vector<size_t>{65536, 65536, 65536, 200000 - 3 * 65536, 5}));
}

TEST(RunProcess, KeepsOnlyTheCapOfAHugeOutput) {
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    auto spec = shell("head -c 104857600 /dev/zero; echo done >&2");
    spec.capture_cap = 1 << 20;
    auto r = run_process(spec);
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_text.size(), size_t{1} << 20);
    EXPECT_TRUE(r.stdout_truncated);
    EXPECT_EQ(r.stderr_text, "done\n");
    EXPECT_FALSE(r.stderr_truncated);
    // The other 99 MiB were read and dropped, not kept.
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 50 * 1024);
}

TEST(RunProcess, FeedsLargeStdin) {
    std::string data;
    for (int i = 0; data.size() < 3 * 1024 * 1024; ++i) data += "line " + std::to_string(i) + "\n";
    SpawnSpec spec;
    spec.argv = {"cat"};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.stdin_data = data;
    spec.capture_cap = 8 << 20;
    auto r = run_process(spec);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_text.size(), data.size());
    EXPECT_TRUE(r.stdout_text == data);
}

TEST(RunProcess, ChildThatIgnoresStdinIsNotAnError) {
    // Writing to a pipe nobody reads must not raise SIGPIPE in this process.
    auto spec = shell("exit 0");
    spec.stdin_data = std::string(10 << 20, 'x');
    auto r = run_process(spec);
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.exit_code, 0);
}

TEST(RunProcess, StdinIsDevNullByDefault) {
    auto r = run_process(shell("cat; echo end"));
    EXPECT_EQ(r.stdout_text, "end\n");
}

TEST(RunProcess, EnvironmentIsExactlyTheSpec) {
    SpawnSpec spec;
    spec.argv = {"env"};
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"FOO", "bar baz"}, {"EMPTY", ""}};
    auto r = run_process(spec);
    EXPECT_EQ(r.exit_code, 0);
    std::vector<std::string> lines;
    std::istringstream in(r.stdout_text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"EMPTY=", "FOO=bar baz", "PATH=/usr/bin:/bin"}));
}

TEST(RunProcess, SearchesThePathOfTheSpecNotOurs) {
    flowctl::test::TempDir dir;
    auto tool = dir.write("bin/mytool", "#!/bin/sh\necho from mytool \"$@\"\n");
    std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
    SpawnSpec spec;
    spec.argv = {"mytool", "x"};
    spec.env = {{"PATH", "/nonexistent:" + (dir.path() / "bin").string()}};
    auto r = run_process(spec);
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_EQ(r.stdout_text, "from mytool x\n");

    spec.env = {{"PATH", "/usr/bin:/bin"}};
    r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error, "command not found: mytool");
}

TEST(RunProcess, MissingProgramIsAStartFailure) {
    SpawnSpec spec;
    spec.argv = {"no-such-program-xyz"};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    auto r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error, "command not found: no-such-program-xyz");

    spec.argv = {"/no/such/file"};
    r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error, "no such file: /no/such/file");

    spec.argv = {};
    r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_FALSE(r.error.empty());
}

TEST(RunProcess, NonExecutableFileIsPermissionDenied) {
    flowctl::test::TempDir dir;
    auto file = dir.write("data.txt", "hello");
    SpawnSpec spec;
    spec.argv = {file.string()};
    auto r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error, "permission denied: " + file.string());
}

TEST(RunProcess, RunsInTheGivenDirectory) {
    flowctl::test::TempDir dir;
    auto tool = dir.write("sub/tool.sh", "#!/bin/sh\npwd\n");
    std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
    SpawnSpec spec;
    spec.argv = {"./tool.sh"};  // relative to cwd, not to ours
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.cwd = (dir.path() / "sub").string();
    auto r = run_process(spec);
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_EQ(r.stdout_text, std::filesystem::canonical(dir.path() / "sub").string() + "\n");
}

TEST(RunProcess, MissingDirectoryIsAStartFailure) {
    auto spec = shell("true");
    spec.cwd = "/no/such/dir";
    auto r = run_process(spec);
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error, "no such directory: /no/such/dir");
}

TEST(RunProcess, ChildGetsDefaultSignalsEvenWhenWeIgnoreThem) {
    auto old_int = std::signal(SIGINT, SIG_IGN);
    auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
    auto r = run_process(shell("kill -INT $$; sleep 5"));
    auto r2 = run_process(shell("yes | head -c 10 >/dev/null"));
    std::signal(SIGINT, old_int);
    std::signal(SIGPIPE, old_pipe);
    EXPECT_EQ(r.term_signal, SIGINT);
    // `yes` died quietly of SIGPIPE instead of complaining about EPIPE.
    EXPECT_EQ(r2.stderr_text, "");
}

TEST(RunProcess, ReportsCpuTimeAndMemory) {
    auto r = run_process(shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_GT(r.cpu_ms, 0);
    EXPECT_GT(r.max_rss_kb, 0);
}

TEST(RunProcess, ManyAtOnceFromSeveralThreads) {
    std::mutex mu;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 15; ++i) {
                std::string tag = std::to_string(t) + "-" + std::to_string(i);
                auto spec = shell("echo \"$1\"; echo \"$1\" >&2");
                spec.argv.push_back("sh");
                spec.argv.push_back(tag);
                auto r = run_process(spec);
                if (r.stdout_text != tag + "\n" || r.stderr_text != tag + "\n" || r.exit_code != 0) {
                    std::lock_guard lock(mu);
                    failures.push_back(tag + ": " + r.stdout_text + "|" + r.stderr_text + "|" + r.error);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_TRUE(failures.empty()) << failures.front();
}
