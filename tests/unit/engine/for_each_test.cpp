// for_each: items as units, outputs in item order, per-step parallelism.
#include "engine_fixture.hpp"

namespace flowctl::engine::test {
namespace {

TEST_F(EngineTest, ForEachOverAListKeepsOutputsInItemOrder) {
    auto flow = load(R"(
name: fanout
steps:
  - id: each
    for_each: [c, a, b]
    run: |
      sleep 0.$((3 - ${{ index }}))
      echo "${{ item }}-${{ index }}-$FLOWCTL_ITEM_INDEX"
    outputs:
      upper: ${{ format('<{0}>', item) }}
  - id: joined
    needs: each
    log: ${{ join(steps.each.output, ',') }}
outputs:
  all: ${{ steps.each.output }}
  upper: ${{ steps.each.outputs.*.upper }}
  codes: ${{ steps.each.exit_code }}
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["all"], json({"c-0-0", "a-1-1", "b-2-2"}));
    EXPECT_EQ(r.outputs["upper"], json({"<c>", "<a>", "<b>"}));
    EXPECT_EQ(r.outputs["codes"], json({0, 0, 0}));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(status_of(r.execution_id, "each", i), "succeeded") << i;
    bool seen = false;
    for (const auto& l : m_store->logs(r.execution_id, "joined")) seen = seen || l.message == "c-0-0,a-1-1,b-2-2";
    EXPECT_TRUE(seen);
}

TEST_F(EngineTest, ForEachOverAnExpressionRespectsMaxParallel) {
    auto flow = load(R"(
name: serial-items
steps:
  - id: each
    for_each: ${{ fromJSON('[1,2,3]') }}
    max_parallel: 1
    run: |
      sleep 0.2
      echo ${{ item }}
outputs:
  all: ${{ steps.each.output }}
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["all"], json({"1", "2", "3"}));
    std::vector<store::StepRunRecord> items;
    for (int i = 0; i < 3; ++i) {
        auto rr = runs(r.execution_id, "each", i);
        ASSERT_EQ(rr.size(), 1u);
        items.push_back(rr[0]);
    }
    for (int i = 1; i < 3; ++i) EXPECT_GE(items[i].started_ms, items[i - 1].finished_ms) << "item " << i;
}

TEST_F(EngineTest, ForEachItemsRunInParallelUpToTheFlowLimit) {
    auto flow = load(R"(
name: parallel-items
max_parallel: 2
steps:
  - id: each
    for_each: [1, 2, 3, 4]
    sleep: 300ms
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    double wall = seconds_since(t0);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_GE(wall, 0.55);  // two rounds of two
    EXPECT_LT(wall, 1.1);
}

TEST_F(EngineTest, ForEachOverAnEmptyListSucceedsWithEmptyOutputs) {
    auto flow = load(R"(
name: empty
steps:
  - id: each
    for_each: ${{ fromJSON('[]') }}
    log: never
  - id: after
    needs: each
    log: "${{ toJSON(steps.each.outputs) }}"
outputs:
  all: ${{ steps.each.outputs }}
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["all"], json::array());
    EXPECT_EQ(status_of(r.execution_id, "each"), "succeeded");
    EXPECT_EQ(status_of(r.execution_id, "after"), "succeeded");
}

TEST_F(EngineTest, ForEachOverAnObjectFailsClearly) {
    auto flow = load(R"(
name: not-a-list
steps:
  - id: each
    for_each: "${{ fromJSON('{\"a\": 1}') }}"
    log: never
)");
    auto r = run(flow);
    EXPECT_EQ(r.status, "failed");
    auto rr = runs(r.execution_id, "each");
    ASSERT_EQ(rr.size(), 1u);
    EXPECT_EQ(rr[0].status, "failed");
    EXPECT_NE(rr[0].error.find("for_each must be a list, got an object"), std::string::npos) << rr[0].error;
}

TEST_F(EngineTest, AFailingItemCancelsItsRunningSiblings) {
    auto flow = load(R"(
name: item-fails
steps:
  - id: each
    for_each: [1, 2, 3]
    run: |
      if [ "${{ item }}" = 2 ]; then sleep 0.2; exit 4; fi
      sleep 30
)");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    EXPECT_LT(seconds_since(t0), 5.0);
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(status_of(r.execution_id, "each", 1), "failed");
    EXPECT_EQ(status_of(r.execution_id, "each", 0), "cancelled");
    EXPECT_EQ(status_of(r.execution_id, "each", 2), "cancelled");
    EXPECT_NE(r.error.find("step 'each' (item 1) failed: exit code 4"), std::string::npos) << r.error;
}

TEST_F(EngineTest, ItemsRetryOnTheirOwn) {
    auto flow = load(R"(
name: item-retry
steps:
  - id: each
    for_each: [a, b]
    retry: {attempts: 2, delay: 10ms}
    run: |
      if [ "${{ item }}" = b ] && [ ! -f seen ]; then touch seen; exit 1; fi
      echo ok
)");
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(runs(r.execution_id, "each", 0).size(), 1u);
    auto b = runs(r.execution_id, "each", 1);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].status, "failed");
    EXPECT_EQ(b[1].status, "succeeded");
}

}  // namespace
}  // namespace flowctl::engine::test
