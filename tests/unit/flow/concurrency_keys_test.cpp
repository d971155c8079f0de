// `concurrency:` and `max_active:`: the defaults each implies for the other, and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "flow_test_util.hpp"

namespace flowctl::flow::test {
namespace {

using ::testing::ElementsAre;

Loaded load_with(const std::string& top_level) { return load(top_level + "steps:\n  - id: a\n    log: hi\n"); }

TEST(ConcurrencyKeys, NeitherKeyMeansAllowWithoutLimit) {
    auto l = load_with("");
    ASSERT_TRUE(l.flow);
    EXPECT_EQ(l.flow->concurrency, "allow");
    EXPECT_EQ(l.flow->max_active, 0);
}

TEST(ConcurrencyKeys, MaxActiveAloneMeansQueue) {
    auto l = load_with("max_active: 3\n");
    ASSERT_TRUE(l.flow) << l.lines()[0];
    EXPECT_EQ(l.flow->concurrency, "queue");
    EXPECT_EQ(l.flow->max_active, 3);
}

TEST(ConcurrencyKeys, ALimitingPolicyAloneAllowsOne) {
    for (const std::string policy : {"forbid", "replace", "queue"}) {
        auto l = load_with("concurrency: " + policy + "\n");
        ASSERT_TRUE(l.flow) << policy;
        EXPECT_EQ(l.flow->concurrency, policy);
        EXPECT_EQ(l.flow->max_active, 1) << policy;
    }
}

TEST(ConcurrencyKeys, PolicyAndLimitTogether) {
    auto l = load_with("concurrency: forbid\nmax_active: 2\n");
    ASSERT_TRUE(l.flow);
    EXPECT_EQ(l.flow->concurrency, "forbid");
    EXPECT_EQ(l.flow->max_active, 2);

    auto allow = load_with("concurrency: allow\n");
    ASSERT_TRUE(allow.flow);
    EXPECT_EQ(allow.flow->concurrency, "allow");
    EXPECT_EQ(allow.flow->max_active, 0);
}

TEST(ConcurrencyKeys, AnUnknownPolicyIsReportedWithASuggestion) {
    auto l = load_with("concurrency: forbit\n");
    EXPECT_FALSE(l.flow);
    EXPECT_THAT(l.lines(), ElementsAre("flow.yaml:1:14: error: unknown concurrency policy 'forbit': use allow, "
                                       "forbid, replace, queue (did you mean 'forbid'?)"));
}

TEST(ConcurrencyKeys, APolicyMustBeAScalar) {
    auto l = load_with("concurrency: [queue]\n");
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.diags[0].line, 1);
    EXPECT_EQ(l.diags[0].col, 14);
    EXPECT_THAT(l.diags[0].message, ::testing::HasSubstr("'concurrency' must be a string"));
}

TEST(ConcurrencyKeys, MaxActiveMustBeAPositiveInteger) {
    for (const std::string bad : {"0", "-1", "two", "1.5"}) {
        auto l = load_with("concurrency: queue\nmax_active: " + bad + "\n");
        EXPECT_FALSE(l.flow) << bad;
        ASSERT_EQ(l.diags.size(), 1u) << bad;
        EXPECT_EQ(l.diags[0].line, 2);
        EXPECT_EQ(l.diags[0].col, 13);
        EXPECT_THAT(l.diags[0].message, ::testing::StartsWith("'max_active' must be an integer >= 1, got")) << bad;
    }
}

TEST(ConcurrencyKeys, AllowWithALimitIsAnError) {
    auto l = load_with("concurrency: allow\nmax_active: 2\n");
    EXPECT_FALSE(l.flow);
    EXPECT_THAT(l.lines(), ElementsAre("flow.yaml:2:13: error: 'max_active' cannot be used with 'concurrency: "
                                       "allow': allow has no limit; use queue/forbid/replace"));
}

TEST(ConcurrencyKeys, AMisspeltKeyIsSuggested) {
    auto l = load_with("max_activ: 2\n");
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_THAT(l.diags[0].message, ::testing::HasSubstr("did you mean 'max_active'?"));
}

}  // namespace
}  // namespace flowctl::flow::test
