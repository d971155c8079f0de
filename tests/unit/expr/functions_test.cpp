// The built-in functions, including their edge cases and error messages.
#include "expr_test_helpers.hpp"

using namespace flowctl;
using namespace flowctl::expr;
using flowctl::expr::test::eval;
using flowctl::expr::test::eval_error;

namespace {

struct Case {
    const char* expr;
    json expected;
};

void check(std::initializer_list<Case> cases) {
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), c.expected) << c.expr;
}

TEST(Functions, Contains) {
    check({
        {"contains('Hello world', 'WORLD')", true},
        {"contains('Hello world', 'xyz')", false},
        {"contains('abc', '')", true},
        {"contains(123, 2)", true},  // numbers as strings
        {"contains(true, 'ru')", true},
        {"contains(null, '')", true},
        {"contains(inputs.list, 'B')", true},  // array: loose equality, case-insensitive
        {"contains(inputs.list, 'd')", false},
        {"contains(fromJSON('[1, 2]'), '2')", true},
        {"contains(fromJSON('[[1]]'), fromJSON('[1]'))", true},
        {"contains(fromJSON('[]'), '')", false},
        {"contains(inputs.nested, 'deep')", false},  // objects contain nothing
        {"contains('Array', inputs.list)", false},   // a non-primitive item is never a substring
    });
}

TEST(Functions, StartsWithEndsWith) {
    check({
        {"startsWith('Hello world', 'he')", true},
        {"startsWith('Hello world', 'world')", false},
        {"startsWith('abc', '')", true},
        {"startsWith(12345, 12)", true},
        {"endsWith('Hello world', 'WORLD')", true},
        {"endsWith('Hello world', 'hello')", false},
        {"endsWith('a', 'ba')", false},
        {"endsWith(inputs.list, 'c')", false},  // arrays are not strings
        {"startsWith('Array', inputs.list)", false},
    });
}

TEST(Functions, Format) {
    check({
        {"format('Hello {0}', inputs.name)", "Hello World"},
        {"format('{0} {1} {0}', 'a', 'b')", "a b a"},
        {"format('{{literal}} {0}', 1)", "{literal} 1"},
        {"format('}}{{')", "}{"},
        {"format('{0}{1}', null, true)", "true"},
        {"format('{0}', 2.5)", "2.5"},
        {"format('{0}', inputs.list)", "Array"},
        {"format('no placeholders')", "no placeholders"},
        {"format('{0}', 'unused', fromJSON('bad'))", "unused"},  // unused arguments are not evaluated
        {"format(123)", "123"},
        {"format('{10}', 0,1,2,3,4,5,6,7,8,9,'ten')", "ten"},
    });
    EXPECT_NE(eval_error("format('{1}', 'a')").find("placeholder {1} is out of range (1 argument after"),
              std::string::npos);
    EXPECT_NE(eval_error("format('{0}')").find("out of range"), std::string::npos);
    EXPECT_NE(eval_error("format('{', 1)").find("format(): invalid format string '{'"), std::string::npos);
    EXPECT_NE(eval_error("format('a}b', 1)").find("unmatched '}' at position 1"), std::string::npos);
    EXPECT_NE(eval_error("format('{x}', 1)").find("must start a placeholder"), std::string::npos);
    EXPECT_NE(eval_error("format('{0:D2}', 1)").find("format specifiers"), std::string::npos);
    EXPECT_NE(eval_error("format('{0', 1)").find("invalid format string"), std::string::npos);
}

TEST(Functions, FormatOutputIsBounded) {
    std::string placeholders;
    for (int i = 0; i < 300; ++i) placeholders += "{0}";
    json ctx = {{"big", std::string(1 << 16, 'x')}};
    EXPECT_NE(eval_error("format('" + placeholders + "', big)", ctx).find("larger than 16 MiB"), std::string::npos);
}

TEST(Functions, Join) {
    check({
        {"join(inputs.list)", "a,b,c"},
        {"join(inputs.list, ', ')", "a, b, c"},
        {"join(inputs.list, '')", "abc"},
        {"join(fromJSON('[1, true, null, 2.5]'), '-')", "1-true--2.5"},
        {"join(fromJSON('[[1], {}]'))", "Array,Object"},
        {"join(fromJSON('[]'), '-')", ""},
        {"join('solo', '-')", "solo"},
        {"join(5)", "5"},
        {"join(null)", ""},
        {"join(inputs.nested)", ""},
        {"join(inputs.list, inputs.list)", "a,b,c"},  // a non-primitive separator falls back to ','
        {"join(steps.*.outcome, ' ')", "success failure success"},
    });
}

TEST(Functions, ToJson) {
    check({
        {"toJSON(3)", "3"},
        {"toJSON(2.5)", "2.5"},
        {"toJSON('a\"b')", "\"a\\\"b\""},
        {"toJSON(null)", "null"},
        {"toJSON(true)", "true"},
        {"toJSON(inputs.list)", "[\n  \"a\",\n  \"b\",\n  \"c\"\n]"},
        {"toJSON(inputs.nested)", "{\n  \"deep\": {\n    \"value\": 42\n  }\n}"},
        {"toJSON(fromJSON('{}'))", "{}"},
        {"toJSON(fromJSON('[]'))", "[]"},
    });
}

TEST(Functions, FromJson) {
    check({
        {"fromJSON('{\"a\": [1, 2]}')", json::parse(R"({"a": [1, 2]})")},
        {"fromJSON('true')", true},
        {"fromJSON('42')", 42},
        {"fromJSON('\"s\"')", "s"},
        {"fromJSON('null')", nullptr},
        {"fromJSON(toJSON(inputs.nested))", json::parse(R"({"deep": {"value": 42}})")},
        {"fromJSON('[1,2,3]')[1]", 2},
        {"fromJSON(' 7 ')", 7},
    });
    std::string err = eval_error("fromJSON('{\"a\": }')");
    EXPECT_NE(err.find("fromJSON(): invalid JSON: parse error"), std::string::npos) << err;
    EXPECT_EQ(err.find("[json.exception"), std::string::npos) << err;
    EXPECT_NE(eval_error("fromJSON('')").find("fromJSON()"), std::string::npos);
    std::string deep(1000, '[');
    EXPECT_NE(eval_error("fromJSON('" + deep + "')").find("nested more than 512"), std::string::npos);
}

TEST(Functions, StatusFunctionsForEachStatus) {
    struct StatusCase {
        Status status;
        bool success, failure, cancelled;
    };
    const StatusCase cases[] = {
        {{false, false, false}, true, false, false}, {{true, false, false}, false, true, false},
        {{false, true, false}, false, false, false}, {{false, false, true}, false, false, true},
        {{true, true, false}, false, true, false},   {{true, false, true}, false, true, true},
        {{false, true, true}, false, false, true},   {{true, true, true}, false, true, true},
    };
    json ctx = json::object();
    for (const auto& c : cases) {
        SCOPED_TRACE(::testing::Message() << "failed=" << c.status.any_failed << " skipped=" << c.status.any_skipped
                                          << " cancelled=" << c.status.cancelled);
        EXPECT_EQ(eval("success()", ctx, c.status), json(c.success));
        EXPECT_EQ(eval("failure()", ctx, c.status), json(c.failure));
        EXPECT_EQ(eval("cancelled()", ctx, c.status), json(c.cancelled));
        EXPECT_EQ(eval("always()", ctx, c.status), json(true));
    }
}

}  // namespace
