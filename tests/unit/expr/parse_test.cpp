// Parsing: accepted syntax, error messages with offsets, limits and static analysis.
#include <chrono>

#include "expr_test_helpers.hpp"

using namespace flowctl;
using namespace flowctl::expr;
using flowctl::expr::test::eval;
using flowctl::expr::test::parse_error;

namespace {

TEST(Parse, AcceptsGitHubSyntax) {
    for (const char* ok : {"steps.build.outputs.artifact",
                           "steps.my-step.outputs.x",
                           "inputs['name']",
                           "inputs.list[0]",
                           "inputs.list[inputs.count]",
                           "steps.*.outcome",
                           "inputs.list[*]",
                           "steps.build.outputs.*",
                           "!(a == b) && c || d",
                           "contains(inputs.list, 'a')",
                           "  success()  ",
                           "a.true.null",
                           "x_1.y-2",
                           "CONTAINS('a', 'A')",
                           "format('{0}', 1)",
                           "fn_result.x[ 'y' ] [0]",
                           "(a).b",
                           "'it''s'",
                           "a >= b",
                           "a<=b",
                           "a!=b",
                           "a>b",
                           "a<b"})
        EXPECT_TRUE(parse(ok)) << ok;
}

TEST(Parse, ErrorsHaveActionableMessagesAndOffsets) {
    struct Case {
        const char* source;
        size_t offset;
        const char* message;
    };
    const Case cases[] = {
        {"", 0, "empty expression"},
        {"   ", 0, "empty expression"},
        {"a == )", 5, "unexpected ')'"},
        {"(a))", 3, "unexpected ')'"},
        {"steps.", 5, "expected a property name after '.'"},
        {"steps.1", 5, "expected a property name after '.'"},
        {"'abc", 0, "unclosed string"},
        {"a == 'x", 5, "unclosed string"},
        {"\"abc\"", 0, "use single quotes"},
        {"contain('a', 'b')", 0, "unknown function 'contain' (did you mean 'contains'?)"},
        {"startwith('a', 'b')", 0, "did you mean 'startsWith'?"},
        {"frobnicate()", 0, "unknown function 'frobnicate'"},
        {"format()", 0, "format() takes at least 1 argument"},
        {"contains('a')", 0, "contains() takes 2 arguments (got 1)"},
        {"success(1)", 0, "success() takes no arguments (got 1)"},
        {"join(1, 2, 3)", 0, "join() takes 1 or 2 arguments (got 3)"},
        {"toJSON()", 0, "toJSON() takes 1 argument (got 0)"},
        {"a = b", 2, "use '=='"},
        {"a & b", 2, "use '&&'"},
        {"a | b", 2, "use '||'"},
        {"(a", 0, "unclosed '('"},
        {"a[0", 1, "unclosed '['"},
        {"a[0 1]", 4, "expected ']'"},
        {"contains(a b)", 11, "expected ',' or ')'"},
        {"contains(a,", 11, "unexpected end of expression"},
        {"contains(a", 8, "unclosed '(' in call to contains()"},
        {"contains(a,)", 11, "unexpected ')'"},
        {"a b", 2, "unexpected 'b'"},
        {"a ==", 4, "unexpected end of expression"},
        {"5abc", 0, "invalid number '5abc'"},
        {"1.2.3", 0, "invalid number"},
        {"- 1", 0, "unexpected '-'"},
        {"a $ b", 2, "unexpected character '$'"},
        {"a.*b", 3, "unexpected 'b'"},
        {"*", 0, "unexpected '*'"},
        {"!", 1, "unexpected end of expression"},
    };
    for (const auto& c : cases) {
        ParseError e = parse_error(c.source);
        EXPECT_EQ(e.offset, c.offset) << c.source << " -> " << e.message;
        EXPECT_NE(e.message.find(c.message), std::string::npos) << c.source << " -> " << e.message;
    }
}

TEST(Parse, KeywordsAreCaseSensitiveButFunctionsAreNot) {
    EXPECT_EQ(eval("true"), json(true));
    EXPECT_EQ(eval("True"), json(nullptr));  // a (missing) context named True
    EXPECT_EQ(eval("STARTSWITH('Hello', 'he')"), json(true));
}

TEST(Parse, DeepNestingIsAnErrorNotACrash) {
    for (std::string open : {"(", "!", "a[", "format("}) {
        std::string deep;
        for (int i = 0; i < 200000; ++i) deep += open;
        ParseError e = parse_error(deep);
        EXPECT_NE(e.message.find("nested too deeply"), std::string::npos) << open << ": " << e.message;
    }
    std::string chain = "a";
    for (int i = 0; i < 200000; ++i) chain += " == a";
    EXPECT_NE(parse_error(chain).message.find("nested too deeply"), std::string::npos);

    std::string ok(90, '(');
    ok += "1";
    ok += std::string(90, ')');
    EXPECT_EQ(eval(ok), json(1));
}

TEST(Parse, LongFlatExpressionsAreFineAndFast) {
    std::string ors = "a";
    std::string props = "inputs";
    for (int i = 0; i < 100000; ++i) {
        ors += " || a";
        props += ".x";
    }
    std::string big_string = "'" + std::string(1 << 20, 'x') + "' == 'x'";
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(parse(ors));
    ASSERT_TRUE(parse(props));
    ASSERT_TRUE(parse(big_string));
    EXPECT_EQ(eval(ors), json(nullptr));  // || yields the last operand
    EXPECT_EQ(eval(props), json(nullptr));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Analysis, ReferencesFollowPropertyChains) {
    auto e = parse("steps.build.outputs['size'] > inputs.count && steps[inputs.name].x || env.*.y || item");
    ASSERT_TRUE(e);
    auto refs = references(*e);
    ASSERT_EQ(refs.size(), 6u);
    EXPECT_EQ(refs[0].path, (std::vector<std::string>{"steps", "build", "outputs", "size"}));
    EXPECT_EQ(refs[0].offset, 0u);
    EXPECT_EQ(refs[1].path, (std::vector<std::string>{"inputs", "count"}));
    EXPECT_EQ(refs[1].offset, 30u);
    EXPECT_EQ(refs[2].path, (std::vector<std::string>{"steps"}));  // a computed index ends the chain
    EXPECT_EQ(refs[3].path, (std::vector<std::string>{"inputs", "name"}));
    EXPECT_EQ(refs[4].path, (std::vector<std::string>{"env"}));  // and so does a wildcard
    EXPECT_EQ(refs[5].path, (std::vector<std::string>{"item"}));
    auto refs2 = references(*parse("format('{0}', steps.my-step.outputs.x)"));
    ASSERT_EQ(refs2.size(), 1u);
    EXPECT_EQ(refs2[0].path, (std::vector<std::string>{"steps", "my-step", "outputs", "x"}));
}

TEST(Analysis, ReferencesIncludeBareContexts) {
    auto refs = references(*parse("item || index"));
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_EQ(refs[0].path, std::vector<std::string>{"item"});
    EXPECT_EQ(refs[1].path, std::vector<std::string>{"index"});
    EXPECT_EQ(refs[1].offset, 8u);
}

TEST(Analysis, FunctionsCalledAndStatusFunctions) {
    auto e = parse("success() && contains(a, 'x') && CONTAINS(b, format('{0}', 1))");
    ASSERT_TRUE(e);
    EXPECT_EQ(functions_called(*e), (std::vector<std::string>{"success", "contains", "format"}));
    EXPECT_TRUE(uses_status_function(*e));
    for (const char* s : {"failure()", "always()", "!cancelled()", "a || Always()"})
        EXPECT_TRUE(uses_status_function(*parse(s))) << s;
    EXPECT_FALSE(uses_status_function(*parse("contains(a, 'success()')")));
}

}  // namespace
