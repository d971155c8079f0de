// `flow:` steps: child executions with inputs, outputs and a parent id.
#include "engine_fixture.hpp"

namespace flowctl::engine::test {
namespace {

TEST_F(EngineTest, SubflowTakesInputsAndReturnsOutputs) {
    m_dir.write("child.yaml", R"(
name: child
inputs:
  who: {type: string, required: true}
  times: {type: number, default: 1}
steps:
  - id: greet
    run: echo "hello ${{ inputs.who }} x${{ inputs.times }}"
outputs:
  greeting: ${{ steps.greet.output }}
)");
    auto flow = load(R"(
name: parent
steps:
  - id: sub
    flow: child.yaml
    inputs:
      who: world
      times: 2
  - id: use
    needs: sub
    run: echo "child said ${{ steps.sub.outputs.greeting }}"
outputs:
  said: ${{ steps.use.output }}
  child: ${{ steps.sub.outputs.execution_id }}
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["said"], "child said hello world x2");
    auto children = m_store->children(r.execution_id);
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0].parent_id, r.execution_id);
    EXPECT_EQ(children[0].flow_name, "child");
    EXPECT_EQ(children[0].status, "succeeded");
    EXPECT_EQ(children[0].trigger, "flow");
    EXPECT_EQ(children[0].outputs["greeting"], "hello world x2");
    EXPECT_EQ(r.outputs["child"], children[0].id);
}

TEST_F(EngineTest, SubflowInputErrorsFailTheStep) {
    m_dir.write("child.yaml", R"(
name: child
inputs:
  who: {type: string, required: true}
steps:
  - id: greet
    log: hi
)");
    auto flow = load(R"(
name: parent
steps:
  - id: sub
    flow: child.yaml
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    auto sub = runs(r.execution_id, "sub");
    ASSERT_EQ(sub.size(), 1u);
    EXPECT_NE(sub[0].error.find("missing required input 'who'"), std::string::npos) << sub[0].error;
}

TEST_F(EngineTest, AFlowRunningItselfStopsAtTheDepthLimit) {
    auto flow = load(R"(
name: recursive
steps:
  - id: again
    flow: flow.yaml
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_NE(r.error.find("sub-flows nested deeper than 16 levels"), std::string::npos) << r.error;
}

TEST_F(EngineTest, UnloadableSubflowReportsItsDiagnostics) {
    m_dir.write("broken.yaml", "name: broken\nsteps: 3\n");
    auto flow = load(R"(
name: parent
steps:
  - id: sub
    flow: broken.yaml
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    EXPECT_NE(r.error.find("broken.yaml"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("steps"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace flowctl::engine::test
