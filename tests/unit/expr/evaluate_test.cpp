// Evaluation: operators, precedence, property access and errors.
#include "expr_test_helpers.hpp"

using namespace flowctl;
using namespace flowctl::expr;
using flowctl::expr::test::eval;
using flowctl::expr::test::sample_contexts;

namespace {

TEST(Literals, EvaluateToTheirValues) {
    EXPECT_EQ(eval("null"), json(nullptr));
    EXPECT_EQ(eval("true"), json(true));
    EXPECT_EQ(eval("false"), json(false));
    EXPECT_EQ(eval("'it''s'"), json("it's"));
    EXPECT_EQ(eval("''"), json(""));
    EXPECT_EQ(eval("'a}}b'"), json("a}}b"));
}

TEST(Logical, AndOrYieldOperandValues) {
    struct Case {
        const char* expr;
        json expected;
    };
    const Case cases[] = {
        {"'a' && 'b'", "b"},
        {"'' && 'b'", ""},
        {"0 && 'b'", 0},
        {"null && 'b'", nullptr},
        {"'a' || 'b'", "a"},
        {"'' || 'b'", "b"},
        {"'' || 0", 0},
        {"null || false", false},
        {"inputs.missing || 'default'", "default"},
        {"inputs.list && inputs.count", 3},
        {"1 && 2 && 3", 3},
        {"1 && 0 && 3", 0},
        {"0 || '' || 'x' || 'y'", "x"},
        {"!0", true},
        {"!'a'", false},
        {"!!'a'", true},
        {"!inputs.list", false},  // an empty or non-empty array is truthy
        {"!fromJSON('[]')", false},
        {"!fromJSON('{}')", false},
        {"!null", true},
        {"!NaN", true},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), c.expected) << c.expr;
}

TEST(Logical, ShortCircuitSkipsErrors) {
    EXPECT_EQ(eval("false && fromJSON('not json')"), json(false));
    EXPECT_EQ(eval("true || fromJSON('not json')"), json(true));
    EXPECT_THROW(eval("true && fromJSON('not json')"), EvalError);
}

TEST(Precedence, FollowsGitHubOrder) {
    struct Case {
        const char* expr;
        json expected;
    };
    const Case cases[] = {
        {"true || false && false", true},  // && binds tighter than ||
        {"(true || false) && false", false},
        {"1 == 1 && 2 == 3", false},  // == binds tighter than &&
        {"1 < 2 == true", true},      // < binds tighter than ==
        {"true == 1 < 2", true},
        {"!false == true", true},  // ! binds tighter than ==
        {"!(1 == 2)", true},
        {"!inputs.flag || inputs.count", 3},  // (!inputs.flag) || inputs.count
        {"!inputs.list[0]", false},           // index binds tighter than !
        {"2 > 1 > 0", true},                  // (2 > 1) > 0: true > 0
        {"'b' == 'B' == true", true},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), c.expected) << c.expr;
}

TEST(Access, PropertiesAndIndexes) {
    struct Case {
        const char* expr;
        json expected;
    };
    const Case cases[] = {
        {"inputs.name", "World"},
        {"INPUTS.NAME", "World"},  // case-insensitive fallback
        {"inputs.mixed-case", "mc"},
        {"inputs.Mixed-Case", "mc"},
        {"steps.my-step.outputs.x", "1"},
        {"inputs['name']", "World"},
        {"inputs['NAME']", "World"},
        {"inputs[format('na{0}', 'me')]", "World"},
        {"inputs.nested.deep.value", 42},
        {"inputs.nested['deep']['value']", 42},
        {"inputs.list[0]", "a"},
        {"inputs.list[2]", "c"},
        {"inputs.list[1.9]", "b"},  // floor
        {"inputs.list['1']", "b"},  // string converted to a number
        {"inputs.list[true]", "b"},
        {"inputs.list[3]", nullptr},  // out of range
        {"inputs.list[-1]", nullptr},
        {"inputs.list['x']", nullptr},
        {"inputs.list.length", nullptr},  // no such property on an array
        {"inputs.missing", nullptr},
        {"inputs.missing.deeper[0].x", nullptr},  // missing all the way down
        {"inputs.name.length", nullptr},          // indexing a string
        {"inputs.count[0]", nullptr},             // indexing a number
        {"null[0]", nullptr},
        {"nosuchcontext.x", nullptr},
        {"fromJSON('{\"a\": {\"b\": 5}}').a.b", 5},  // access on a function result
        {"(inputs).name", "World"},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), c.expected) << c.expr;
}

TEST(Access, ExactKeyWinsOverCaseInsensitiveMatch) {
    json ctx = {{"x", {{"key", 1}, {"KEY", 2}, {"Other", 3}}}};
    EXPECT_EQ(eval("x.key", ctx), json(1));
    EXPECT_EQ(eval("x.KEY", ctx), json(2));
    EXPECT_EQ(eval("x.other", ctx), json(3));
}

TEST(Access, WildcardFiltersLikeGitHub) {
    struct Case {
        const char* expr;
        json expected;
    };
    const Case cases[] = {
        {"steps.*.outcome", json::array({"success", "failure", "success"})},
        {"steps.*.outputs.artifact", json::array({"app.tar", "report.xml"})},  // missing ones are dropped
        {"matrix.*.os", json::array({"linux", "mac", "win"})},
        {"matrix[*].v", json::array({1, 2})},
        {"inputs.list.*", json::array({"a", "b", "c"})},
        {"item.tags.*", json::array({"t1", "t2"})},
        {"matrix.*.*", json::array({"linux", 1, "mac", 2, "win"})},
        {"matrix.*[0]", json::array()},    // integer index on objects finds nothing
        {"inputs.name.*", json::array()},  // wildcard on a scalar: empty list
        {"inputs.missing.*", json::array()},
        {"(steps.*).outcome", json::array({"success", "failure", "success"})},
        {"fromJSON('[[1, 2], [3]]').*[0]", json::array({1, 3})},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), c.expected) << c.expr;
    EXPECT_EQ(eval("contains(steps.*.outcome, 'FAILURE')"), json(true));
}

TEST(Evaluate, WorksWithoutContexts) {
    auto e = parse("inputs.x || 'none'");
    ASSERT_TRUE(e);
    EXPECT_EQ(evaluate(*e, EvalContext{}), json("none"));
}

TEST(Evaluate, EmptyExprIsAnError) { EXPECT_THROW(evaluate(Expr{}, EvalContext{}), EvalError); }

TEST(Evaluate, ExprIsCheapToCopyAndReusable) {
    auto e = parse("inputs.count > 2");
    ASSERT_TRUE(e);
    Expr copy = *e;
    json ctx = sample_contexts();
    EXPECT_EQ(evaluate(copy, EvalContext{&ctx, {}}), json(true));
    ctx["inputs"]["count"] = 1;
    EXPECT_EQ(evaluate(*e, EvalContext{&ctx, {}}), json(false));
    EXPECT_EQ(copy.source, "inputs.count > 2");
}

TEST(Evaluate, DeeplyNestedValuesAreRefusedNotCrashed) {
    json deep = json::array();
    json* cur = &deep;
    for (int i = 0; i < 1500; ++i) {
        cur->push_back(json::array());
        cur = &(*cur)[0];
    }
    json ctx = {{"a", deep}, {"b", deep}};
    EXPECT_THROW(eval("a == b", ctx), EvalError);
}

}  // namespace
