#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "steps/types.hpp"

using namespace flowctl;
using namespace flowctl::steps;
using namespace std::chrono_literals;

namespace {

struct Logged {
    LogLevel level;
    std::string stream;
    std::string text;
};

class LogSleepSteps : public ::testing::Test {
protected:
    StepContext context(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        ctx.cwd = "/";
        ctx.cancel = &m_cancel;
        ctx.log = [this](LogLevel level, std::string_view stream, std::string_view text) {
            std::lock_guard lock(m_mutex);
            m_logged.push_back({level, std::string(stream), std::string(text)});
        };
        return ctx;
    }
    std::vector<Logged> logged() {
        std::lock_guard lock(m_mutex);
        return m_logged;
    }

    util::CancelToken m_cancel;
    std::mutex m_mutex;
    std::vector<Logged> m_logged;
};

long long ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

TEST_F(LogSleepSteps, LogWritesTheMessageAtInfoByDefault) {
    auto ctx = context({{"message", "deploying 1.2.3"}});
    StepResult r = log_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.output, "deploying 1.2.3");
    auto lines = logged();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].level, LogLevel::info);
    EXPECT_EQ(lines[0].stream, "step");
    EXPECT_EQ(lines[0].text, "deploying 1.2.3");
}

TEST_F(LogSleepSteps, LogUsesTheGivenLevel) {
    for (auto [name, level] : {std::pair{"debug", LogLevel::debug}, std::pair{"warn", LogLevel::warn},
                               std::pair{"error", LogLevel::error}}) {
        m_logged.clear();
        auto ctx = context({{"message", "m"}, {"level", name}});
        EXPECT_EQ(log_step_type().run(ctx).outcome, Outcome::succeeded);
        ASSERT_EQ(logged().size(), 1u);
        EXPECT_EQ(logged()[0].level, level) << name;
    }
}

TEST_F(LogSleepSteps, LogWritesNonStringsAsJson) {
    auto ctx = context({{"message", {{"count", 3}, {"ok", true}}}});
    StepResult r = log_step_type().run(ctx);
    EXPECT_EQ(r.output, R"({"count":3,"ok":true})");
    EXPECT_EQ(logged().at(0).text, R"({"count":3,"ok":true})");

    auto ctx2 = context({{"message", 42}});
    EXPECT_EQ(log_step_type().run(ctx2).output, "42");
}

TEST_F(LogSleepSteps, LogRejectsAnUnknownLevel) {
    auto ctx = context({{"message", "m"}, {"level", "loud"}});
    StepResult r = log_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("loud"), std::string::npos);
    EXPECT_TRUE(logged().empty());
}

TEST_F(LogSleepSteps, LogSchemaNamesMessageAsPrimaryAndLevelAsSibling) {
    const StepSchema& s = log_step_type().schema();
    EXPECT_EQ(s.type, "log");
    EXPECT_EQ(s.primary, "message");
    EXPECT_EQ(s.sibling_params, std::vector<std::string>{"level"});
}

TEST_F(LogSleepSteps, SleepWaitsForTheDuration) {
    auto ctx = context({{"duration", "150ms"}});
    auto start = std::chrono::steady_clock::now();
    StepResult r = sleep_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_TRUE(r.output.is_null());
    EXPECT_GE(ms_since(start), 140);
}

TEST_F(LogSleepSteps, SleepAcceptsANumberOfSeconds) {
    auto ctx = context({{"duration", 0.1}});
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(sleep_step_type().run(ctx).outcome, Outcome::succeeded);
    EXPECT_GE(ms_since(start), 90);
}

TEST_F(LogSleepSteps, CancellingATenSecondSleepReturnsAtOnce) {
    auto ctx = context({{"duration", "10s"}});
    std::thread canceller([this] {
        std::this_thread::sleep_for(100ms);
        m_cancel.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    StepResult r = sleep_step_type().run(ctx);
    canceller.join();
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_LT(ms_since(start), 1000);
}

TEST_F(LogSleepSteps, SleepPastTheDeadlineTimesOut) {
    auto ctx = context({{"duration", "10s"}});
    ctx.deadline = std::chrono::steady_clock::now() + 200ms;
    auto start = std::chrono::steady_clock::now();
    StepResult r = sleep_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::timed_out);
    EXPECT_GE(ms_since(start), 190);
    EXPECT_LT(ms_since(start), 2000);
}

TEST_F(LogSleepSteps, SleepRejectsABadDuration) {
    auto ctx = context({{"duration", "soon"}});
    StepResult r = sleep_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("duration"), std::string::npos);
}

}  // namespace
