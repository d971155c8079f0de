#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "proc/process.hpp"
#include "steps/output_file.hpp"
#include "steps/types.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl;
using namespace flowctl::steps;

namespace {

struct LogLine {
    LogLevel level;
    std::string stream;
    std::string text;
};

class ProcessSteps : public ::testing::Test {
protected:
    StepContext context(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        const char* path = std::getenv("PATH");
        ctx.env = {{"PATH", path ? path : "/usr/bin:/bin"}, {"GREETING", "hello"}};
        ctx.cwd = m_dir.path().string();
        ctx.flow_dir = ctx.cwd;
        ctx.cancel = &m_cancel;
        ctx.log = [this](LogLevel level, std::string_view stream, std::string_view line) {
            std::lock_guard lock(m_mu);
            m_log.push_back({level, std::string(stream), std::string(line)});
        };
        return ctx;
    }
    StepResult run_script(const std::string& script, const std::string& shell = "") {
        json params{{"script", script}};
        if (!shell.empty()) params["shell"] = shell;
        auto ctx = context(params);
        return run_step_type().run(ctx);
    }
    StepResult run_cmd(json argv) {
        auto ctx = context({{"argv", std::move(argv)}});
        return cmd_step_type().run(ctx);
    }
    std::vector<std::string> lines_of(std::string_view stream) {
        std::vector<std::string> out;
        for (auto& l : m_log)
            if (l.stream == stream) out.push_back(l.text);
        return out;
    }

    test::TempDir m_dir;
    util::CancelToken m_cancel;
    std::mutex m_mu;
    std::vector<LogLine> m_log;
};

bool have(const char* program) {
    return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_F(ProcessSteps, RunSucceedsWithStdoutAsOutput) {
    auto r = run_script("echo \"$GREETING\"; pwd");
    EXPECT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, std::filesystem::canonical(m_dir.path()).string().insert(0, "hello\n"));
    EXPECT_EQ(lines_of("stdout").front(), "hello");
}

TEST_F(ProcessSteps, RunRemovesOnlyOneTrailingNewline) {
    auto r = run_script("printf 'a\\n\\n'");
    EXPECT_EQ(r.output, "a\n");
}

TEST_F(ProcessSteps, JsonObjectOnStdoutBecomesOutputs) {
    auto r = run_script(R"(echo '{"count": 3, "name": "x", "list": [1,2]}')");
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.output, (json{{"count", 3}, {"name", "x"}, {"list", {1, 2}}}));
    EXPECT_EQ(r.outputs["count"], 3);
    EXPECT_EQ(r.outputs["name"], "x");
}

TEST_F(ProcessSteps, JsonArrayOnStdoutIsParsedButGivesNoOutputs) {
    auto r = run_script(R"(echo '  [1, "two"]')");
    EXPECT_EQ(r.output, (json{1, "two"}));
    EXPECT_TRUE(r.outputs.empty());
}

TEST_F(ProcessSteps, TextThatLooksLikeJsonButIsNotStaysText) {
    auto r = run_script("echo '[not json'");
    EXPECT_EQ(r.output, "[not json");
}

TEST_F(ProcessSteps, OutputFileSingleAndMultiLineValues) {
    auto r = run_script(
        "echo 'plain=some value' >> \"$FLOWCTL_OUTPUT\"\n"
        "printf 'notes<<EOF\\nline one\\nline=two\\nEOF\\n' >> \"$FLOWCTL_OUTPUT\"\n"
        "echo '{\"plain\": \"from stdout\", \"other\": 1}'\n");
    EXPECT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.outputs["plain"], "some value");  // the file wins over stdout
    EXPECT_EQ(r.outputs["notes"], "line one\nline=two");
    EXPECT_EQ(r.outputs["other"], 1);
}

TEST_F(ProcessSteps, OutputFileIsPrivateAndRemovedAfterwards) {
    auto r = run_script("stat -c %a \"$FLOWCTL_OUTPUT\"; echo \"$FLOWCTL_OUTPUT\" >&2");
    EXPECT_EQ(r.output, "600");
    auto path = lines_of("stderr").at(0);
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(ProcessSteps, ScriptIsNotOnTheCommandLine) {
    auto r = run_script("# secret-marker-123\ncat /proc/$$/cmdline | tr '\\0' ' '");
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.output.get<std::string>().find("secret-marker-123"), std::string::npos);
    EXPECT_NE(r.output.get<std::string>().find("-e"), std::string::npos);
}

TEST_F(ProcessSteps, DefaultShellStopsAtTheFirstFailingLine) {
    auto r = run_script("echo before\nfalse\necho after");
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.output, "before");
}

TEST_F(ProcessSteps, BashShellUsesPipefail) {
    if (!have("bash")) GTEST_SKIP() << "bash not installed";
    auto r = run_script("false | true\necho not reached", "bash");
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.output, "");
    auto ok = run_script("echo \"${BASH_VERSION:+bash}\"", "bash");
    EXPECT_EQ(ok.output, "bash");
}

TEST_F(ProcessSteps, PythonShell) {
    if (!have("python3")) GTEST_SKIP() << "python3 not installed";
    auto r = run_script("import json\nprint(json.dumps({'sum': 1 + 2}))", "python");
    EXPECT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.outputs["sum"], 3);
}

TEST_F(ProcessSteps, CustomShellTemplateAndSingleWord) {
    auto r = run_script("echo $0 \"$1\"", "sh -x {0} extra");
    EXPECT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_NE(r.output.get<std::string>().find(" extra"), std::string::npos);
    EXPECT_FALSE(lines_of("stderr").empty());  // -x traces to stderr
    auto w = run_script("false\necho survived", "dash");
    if (have("dash")) EXPECT_EQ(w.output, "survived");  // no -e: the custom shell's own rules
}

TEST_F(ProcessSteps, RunFeedsStdin) {
    auto ctx = context({{"script", "tr a-z A-Z"}, {"stdin", "shout\n"}});
    auto r = run_step_type().run(ctx);
    EXPECT_EQ(r.output, "SHOUT");
}

TEST_F(ProcessSteps, FailureMessageHasExitCodeAndLastStderrLine) {
    auto r = run_script("echo noise >&2\necho \"cp: cannot stat 'x'\" >&2\necho >&2\nexit 3");
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.error, "exit code 3: cp: cannot stat 'x'");
    auto quiet = run_script("exit 4");
    EXPECT_EQ(quiet.error, "exit code 4");
}

TEST_F(ProcessSteps, KilledBySignal) {
    auto r = run_script("kill -KILL $$");
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_FALSE(r.exit_code.has_value());
    EXPECT_EQ(r.error, "killed by signal 9 (SIGKILL)");
}

TEST_F(ProcessSteps, TimeoutAndCancel) {
    auto ctx = context({{"script", "sleep 30"}});
    ctx.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    auto r = run_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::timed_out);

    m_cancel.cancel();
    auto c = run_script("echo never");
    EXPECT_EQ(c.outcome, Outcome::cancelled);
}

TEST_F(ProcessSteps, TruncatedOutputIsMarked) {
    auto ctx = context({{"script", "head -c 5000 /dev/zero | tr '\\0' a"}});
    ctx.output_cap = 100;
    auto r = run_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.output, std::string(100, 'a') + std::string(proc::truncation_marker));
}

TEST_F(ProcessSteps, ReportsCpuTime) {
    auto r = run_script("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done");
    EXPECT_GT(r.cpu_ms, 0);
    EXPECT_GT(r.max_rss_kb, 0);
}

TEST_F(ProcessSteps, MissingScriptParamFails) {
    auto ctx = context(json::object());
    auto r = run_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("script"), std::string::npos);
}

TEST_F(ProcessSteps, CmdArgumentsAreNotSplit) {
    m_dir.write("a file with spaces.txt", "content\n");
    auto r = run_cmd({"cat", "a file with spaces.txt"});
    EXPECT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, "content");
    auto p = run_cmd({"printf", "%s|", "$HOME", "*", 42, 1.5});
    EXPECT_EQ(p.output, "$HOME|*|42|1.5|");
}

TEST_F(ProcessSteps, CmdFailureAndMissingProgram) {
    auto r = run_cmd({"cat", "no-such-file"});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.error.find("exit code 1: cat: no-such-file"), std::string::npos) << r.error;

    auto m = run_cmd({"no-such-program-xyz"});
    EXPECT_EQ(m.outcome, Outcome::failed);
    EXPECT_EQ(m.error, "command not found: no-such-program-xyz");
    EXPECT_FALSE(m.exit_code.has_value());
}

TEST_F(ProcessSteps, CmdRejectsBadArgv) {
    EXPECT_EQ(run_cmd(json::array()).outcome, Outcome::failed);
    EXPECT_EQ(run_cmd("echo hi").outcome, Outcome::failed);
    auto r = run_cmd({"echo", json::object()});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "cmd: argv[1] must be a string, not object");
}

TEST_F(ProcessSteps, CmdStdinAcceptsJsonValues) {
    auto ctx = context({{"argv", {"cat"}}, {"stdin", {{"a", 1}}}});
    auto r = cmd_step_type().run(ctx);
    EXPECT_EQ(r.output, (json{{"a", 1}}));
}

TEST(OutputFile, ParsesGithubFormat) {
    std::vector<std::string> warnings;
    auto out = parse_output_file("a=1\r\nb=x=y\n\nmulti<<END\nfirst\n\nthird\nEND\nc=<<weird\nbad line\nempty<<E\nE\n",
                                 warnings);
    EXPECT_EQ(out["a"], "1");
    EXPECT_EQ(out["b"], "x=y");
    EXPECT_EQ(out["multi"], "first\n\nthird");
    EXPECT_EQ(out["c"], "<<weird");  // '=' comes first: a plain value
    EXPECT_EQ(out["empty"], "");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("line 10"), std::string::npos);
}

TEST(OutputFile, UnterminatedBlockIsReported) {
    std::vector<std::string> warnings;
    auto out = parse_output_file("k=v\nm<<EOF\nno end", warnings);
    EXPECT_EQ(out, (json{{"k", "v"}}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("EOF"), std::string::npos);
}
