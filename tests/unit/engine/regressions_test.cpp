// Behaviour found missing in review: per-item env, continue_on_error items, sub-flow timeouts.
#include "engine_fixture.hpp"

namespace flowctl::engine::test {

TEST_F(EngineTest, ForEachEnvIsRenderedPerItem) {
    auto flow = load(R"(steps:
  - id: each
    for_each: [a, b, c]
    env:
      NAME: item-${{ item }}-${{ index }}
    run: printf '%s' "$NAME"
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    for (int i = 0; i < 3; ++i) {
        auto item = runs(r.execution_id, "each", i);
        ASSERT_EQ(item.size(), 1u);
        EXPECT_EQ(item[0].output, "item-" + std::string(1, static_cast<char>('a' + i)) + "-" + std::to_string(i));
    }
}

TEST_F(EngineTest, ContinueOnErrorItemsDoNotStopTheirSiblings) {
    auto flow = load(R"(steps:
  - id: each
    for_each: [1, 2, 3, 4]
    max_parallel: 1
    continue_on_error: true
    run: test ${{ item }} -ne 2
  - id: after
    needs: each
    log: done
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(status_of(r.execution_id, "each", 1), "failed");
    EXPECT_EQ(status_of(r.execution_id, "each", 2), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "each", 3), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "after"), "succeeded");
}

TEST_F(EngineTest, SubflowStepTimeoutStopsTheSubflow) {
    m_dir.write("child.yaml", "steps:\n  - id: nap\n    sleep: 30s\n");
    auto flow = load(R"(steps:
  - id: call
    flow: child.yaml
    timeout: 300ms
)");
    auto start = std::chrono::steady_clock::now();
    auto r = run(flow);
    EXPECT_LT(seconds_since(start), 5.0);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "call"), "timed_out");
    auto children = m_store->children(r.execution_id);
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0].status, "timed_out");
}

}  // namespace flowctl::engine::test
