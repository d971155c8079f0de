#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "steps/types.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl;
using namespace flowctl::steps;
using namespace std::chrono_literals;

namespace {

class TransformStepTest : public ::testing::Test {
protected:
    StepContext context(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        ctx.cwd = m_dir.path().string();
        ctx.flow_dir = ctx.cwd;
        ctx.cancel = &m_cancel;
        return ctx;
    }
    StepResult run(json params) {
        auto ctx = context(std::move(params));
        return transform_step_type().run(ctx);
    }

    test::TempDir m_dir;
    util::CancelToken m_cancel;
};

const json order = {{"items", {{{"name", "a"}, {"price", 2.5}}, {{"name", "b"}, {"price", 4}}}}};

TEST_F(TransformStepTest, SumsPrices) {
    StepResult r = run({{"program", ".items | map(.price) | add"}, {"input", order}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, 6.5);
    EXPECT_EQ(r.outputs["results"], (json{6.5}));
}

TEST_F(TransformStepTest, MultipleResultsBecomeAnArray) {
    StepResult r = run({{"program", ".items[] | .name"}, {"input", order}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{"a", "b"}));
    EXPECT_EQ(r.outputs["results"], (json{"a", "b"}));

    StepResult none = run({{"program", "empty"}});
    EXPECT_EQ(none.outcome, Outcome::succeeded);
    EXPECT_EQ(none.output, json::array());
}

TEST_F(TransformStepTest, ASingleObjectResultIsMergedIntoOutputs) {
    StepResult r = run({{"program", "{count: (.items | length), first: .items[0].name}"}, {"input", order}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{{"count", 2}, {"first", "a"}}));
    EXPECT_EQ(r.outputs["count"], 2);
    EXPECT_EQ(r.outputs["first"], "a");
    EXPECT_EQ(r.outputs["results"], (json::array({r.output})));
}

TEST_F(TransformStepTest, ArgsBecomeVariables) {
    StepResult r = run({{"program", "[.items[] | select(.price > $min) | .name + $suffix]"},
                        {"input", order},
                        {"args", {{"min", 3}, {"suffix", "!"}}}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{"b!"}));
}

TEST_F(TransformStepTest, InputDefaultsToNull) {
    StepResult r = run({{"program", "[., 1 + 1]"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{nullptr, 2}));
}

TEST_F(TransformStepTest, CompileErrorsCarryJqsMessage) {
    StepResult r = run({{"program", ".items | map(.price"}, {"input", order}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("syntax error"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("compile error"), std::string::npos) << r.error;

    StepResult unknown = run({{"program", "frobnicate(1)"}});
    EXPECT_EQ(unknown.outcome, Outcome::failed);
    EXPECT_NE(unknown.error.find("frobnicate/1 is not defined"), std::string::npos) << unknown.error;
}

TEST_F(TransformStepTest, RuntimeErrorsFailTheStep) {
    StepResult r = run({{"program", ".a + 1"}, {"input", {{"a", "text"}}}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("cannot be added"), std::string::npos) << r.error;

    StepResult custom = run({{"program", "error(\"bad input\")"}});
    EXPECT_EQ(custom.error, "jq: error: bad input");
}

TEST_F(TransformStepTest, ReadsTheInputFromAFileRelativeToTheWorkingDirectory) {
    m_dir.write("data/order.json", order.dump());
    StepResult r = run({{"program", ".items | length"}, {"input_file", "data/order.json"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, 2);
}

TEST_F(TransformStepTest, InvalidJsonInTheInputFileFails) {
    m_dir.write("bad.json", "{\"items\": [1, 2,]}");
    StepResult r = run({{"program", "."}, {"input_file", "bad.json"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find((m_dir.path() / "bad.json").string() + " is not valid JSON"), std::string::npos) << r.error;

    StepResult missing = run({{"program", "."}, {"input_file", "nope.json"}});
    EXPECT_EQ(missing.outcome, Outcome::failed);
    EXPECT_NE(missing.error.find("No such file or directory"), std::string::npos) << missing.error;
}

TEST_F(TransformStepTest, TooManyResultsFail) {
    auto ctx = context({{"program", "range(2000000) | 1"}});
    ctx.output_cap = 64 << 20;
    StepResult r = transform_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("more than 1000000 results"), std::string::npos) << r.error;
}

TEST_F(TransformStepTest, ResultsLargerThanTheOutputCapFail) {
    auto ctx = context({{"program", "range(100) | tostring"}});
    ctx.output_cap = 50;
    StepResult r = transform_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("output cap"), std::string::npos) << r.error;
}

TEST_F(TransformStepTest, ADeadlineEndsALongProgram) {
    // Several seconds of work inside a single result: the step must not wait for it.
    auto ctx = context({{"program", "reduce range(10000000) as $i (0; . + 1)"}});
    ctx.deadline = std::chrono::steady_clock::now() + 200ms;
    auto start = std::chrono::steady_clock::now();
    StepResult r = transform_step_type().run(ctx);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.outcome, Outcome::timed_out);
    EXPECT_LT(took, 2s);
}

TEST_F(TransformStepTest, CancellationEndsTheStep) {
    auto ctx = context({{"program", "reduce range(10000000) as $i (0; . + 1)"}});
    std::thread canceller([this] {
        std::this_thread::sleep_for(100ms);
        m_cancel.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    StepResult r = transform_step_type().run(ctx);
    canceller.join();
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
