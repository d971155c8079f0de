#include <gtest/gtest.h>

#include "steps/types.hpp"

using namespace flowctl;
using namespace flowctl::steps;

namespace {

class FlowStepTest : public ::testing::Test {
protected:
    StepContext context(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        ctx.cwd = "/srv/project";
        ctx.flow_dir = "/flows/main";
        ctx.cancel = &m_cancel;
        ctx.run_subflow = [this](const SubflowRequest& request) {
            m_requests.push_back(request);
            return m_reply;
        };
        return ctx;
    }

    util::CancelToken m_cancel;
    std::vector<SubflowRequest> m_requests;
    SubflowResult m_reply;
};

TEST_F(FlowStepTest, RunsTheSubflowRelativeToTheFlowDirectory) {
    m_reply = {"01jexec000000abcdef", "succeeded", "", {{"version", "1.2.3"}}};
    auto ctx = context({{"path", "../lib/deploy.yaml"}, {"inputs", {{"env", "prod"}}}});
    StepResult r = flow_step_type().run(ctx);

    ASSERT_EQ(m_requests.size(), 1u);
    EXPECT_EQ(m_requests[0].path, "/flows/lib/deploy.yaml");
    EXPECT_EQ(m_requests[0].inputs, (json{{"env", "prod"}}));
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.outputs["version"], "1.2.3");
    EXPECT_EQ(r.outputs["execution_id"], "01jexec000000abcdef");
    EXPECT_EQ(r.output, (json{{"version", "1.2.3"}}));
}

TEST_F(FlowStepTest, AbsolutePathsAreKept) {
    m_reply.status = "succeeded";
    auto ctx = context({{"path", "/srv/flows/x.yaml"}});
    flow_step_type().run(ctx);
    ASSERT_EQ(m_requests.size(), 1u);
    EXPECT_EQ(m_requests[0].path, "/srv/flows/x.yaml");
    EXPECT_EQ(m_requests[0].inputs, json::object());
}

TEST_F(FlowStepTest, AFailedSubflowFailsTheStepWithItsExecutionId) {
    m_reply = {"01jexecfail", "failed", "step build failed", {{"partial", true}}};
    auto ctx = context({{"path", "build.yaml"}});
    StepResult r = flow_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "sub-flow build.yaml failed (execution 01jexecfail): step build failed");
    EXPECT_EQ(r.outputs["partial"], true);
    EXPECT_EQ(r.outputs["execution_id"], "01jexecfail");
}

TEST_F(FlowStepTest, CancelledAndTimedOutSubflowsKeepTheirOutcome) {
    m_reply.status = "cancelled";
    auto ctx = context({{"path", "a.yaml"}});
    EXPECT_EQ(flow_step_type().run(ctx).outcome, Outcome::cancelled);
    m_reply.status = "timed_out";
    EXPECT_EQ(flow_step_type().run(ctx).outcome, Outcome::timed_out);
}

TEST_F(FlowStepTest, FailsWhenSubflowsAreNotAvailable) {
    auto ctx = context({{"path", "a.yaml"}});
    ctx.run_subflow = nullptr;
    StepResult r = flow_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "sub-flows are not available here");
}

TEST_F(FlowStepTest, InputsMustBeAnObject) {
    auto ctx = context({{"path", "a.yaml"}, {"inputs", "x=1"}});
    StepResult r = flow_step_type().run(ctx);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("inputs"), std::string::npos);
    EXPECT_TRUE(m_requests.empty());
}

}  // namespace
