// Truthiness, string conversion and the coercion rules behind == and <.
#include <cmath>
#include <limits>

#include "expr_test_helpers.hpp"

using namespace flowctl;
using namespace flowctl::expr;
using flowctl::expr::test::eval;

namespace {

const double nan_value = std::numeric_limits<double>::quiet_NaN();

TEST(Truthy, FalsyValuesAreExactlyTheDocumentedOnes) {
    for (const json& v : {json(false), json(0), json(0.0), json(-0.0), json(nan_value), json(""), json(nullptr)})
        EXPECT_FALSE(truthy(v)) << v.dump();
    for (const json& v : {json(true), json(1), json(-1), json(0.5), json("0"), json("false"), json(" "), json::array(),
                          json::object(), json(std::numeric_limits<double>::infinity())})
        EXPECT_TRUE(truthy(v)) << v.dump();
}

TEST(ToString, ConvertsEachKind) {
    struct Case {
        json value;
        std::string expected;
    };
    const Case cases[] = {
        {json(nullptr), ""},
        {json(true), "true"},
        {json(false), "false"},
        {json(3), "3"},
        {json(3.0), "3"},
        {json(2.5), "2.5"},
        {json(0.1 + 0.2), "0.3"},
        {json(1e21), "1E+21"},
        {json(1e-7), "1E-07"},
        {json(-0.0), "0"},
        {json(-9.2), "-9.2"},
        {json(123456789012345.0), "123456789012345"},
        {json(nan_value), "NaN"},
        {json(std::numeric_limits<double>::infinity()), "Infinity"},
        {json(-std::numeric_limits<double>::infinity()), "-Infinity"},
        {json(int64_t{1234567890123456789}), "1234567890123456789"},  // integers stay exact
        {json("as is"), "as is"},
        {json::array({1, 2}), "Array"},
        {json::object({{"a", 1}}), "Object"},
    };
    for (const auto& c : cases) EXPECT_EQ(to_string(c.value), c.expected) << c.value.dump();
}

TEST(Equality, CoercionTable) {
    struct Case {
        const char* expr;
        bool expected;
    };
    const Case cases[] = {
        // same types
        {"1 == 1.0", true},
        {"1 == 2", false},
        {"'abc' == 'ABC'", true},
        {"'abc' == 'abd'", false},
        {"true == true", true},
        {"true == false", false},
        {"null == null", true},
        {"NaN == NaN", false},
        {"NaN != NaN", true},
        // different types go through numbers
        {"'1' == 1", true},
        {"' 1 ' == 1", true},
        {"'1.0' == 1", true},
        {"'abc' == 0", false},
        {"null == 0", true},
        {"null == false", true},
        {"null == ''", true},
        {"true == 1", true},
        {"false == 0", true},
        {"true == '1'", true},
        {"true == 'true'", false},  // 'true' is NaN as a number
        {"'' == 0", true},
        {"'0x10' == 16", true},
        {"'0o17' == 15", true},
        {"'1e3' == 1000", true},
        {"0xff == 255", true},
        {"-9.2 == '-9.2'", true},
        {"inputs.list == 0", false},    // arrays are NaN as numbers
        {"inputs.nested == 0", false},  // objects too
        {"inputs.list != 0", true},
        // arrays and objects: deep equality (deliberate: GitHub compares identities)
        {"inputs.list == inputs.list", true},
        {"fromJSON('[1, \"A\"]') == fromJSON('[1.0, \"a\"]')", true},
        {"fromJSON('{\"a\": [1]}') == fromJSON('{\"a\": [1]}')", true},
        {"fromJSON('{\"a\": [1]}') == fromJSON('{\"a\": [2]}')", false},
        {"fromJSON('[]') == fromJSON('{}')", false},
        {"inputs.missing == null", true},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), json(c.expected)) << c.expr;
}

TEST(Equality, LargeIntegersCompareExactly) {
    json ctx = {
        {"a", int64_t{9007199254740993}}, {"b", int64_t{9007199254740992}}, {"u", uint64_t{18446744073709551615ULL}}};
    EXPECT_EQ(eval("a == b", ctx), json(false));
    EXPECT_EQ(eval("a > b", ctx), json(true));
    EXPECT_EQ(eval("u > a", ctx), json(true));
}

TEST(Ordering, CoercionTable) {
    struct Case {
        const char* expr;
        bool expected;
    };
    const Case cases[] = {
        {"1 < 2", true},
        {"2 < 1", false},
        {"2 <= 2", true},
        {"3 > 2", true},
        {"2 >= 3", false},
        {"'a' < 'B'", true},  // case-insensitive
        {"'B' > 'a'", true},
        {"'abc' <= 'ABC'", true},
        {"'abc' >= 'ABC'", true},
        {"'a' < '_'", true},  // ordinal on upper-cased text, as .NET OrdinalIgnoreCase
        {"'ab' < 'abc'", true},
        {"'10' < 9", false},   // string vs number: numeric
        {"'10' < '9'", true},  // both strings: text order
        {"true > false", true},
        {"null < 1", true},
        {"null >= null", true},
        {"'abc' < 1", false},  // NaN makes every comparison false
        {"'abc' >= 1", false},
        {"NaN <= NaN", false},
        {"inputs.list > 0", false},
        {"inputs.list <= 0", false},
    };
    for (const auto& c : cases) EXPECT_EQ(eval(c.expr), json(c.expected)) << c.expr;
}

TEST(Numbers, LiteralForms) {
    EXPECT_EQ(eval("1e3"), json(1000));
    EXPECT_EQ(eval("0xff"), json(255));
    EXPECT_EQ(eval("-9.2"), json(-9.2));
    EXPECT_EQ(eval("+5"), json(5));
    EXPECT_EQ(eval(".5"), json(0.5));
    EXPECT_EQ(eval("1.5e-1"), json(0.15));
    EXPECT_TRUE(std::isinf(eval("1e999").get<double>()));
    EXPECT_EQ(eval("1e-999"), json(0));
    EXPECT_TRUE(std::isnan(eval("NaN").get<double>()));
}

TEST(Numbers, IntegralResultsAreIntegerJson) {
    EXPECT_TRUE(eval("3").is_number_integer());
    EXPECT_TRUE(eval("3.0").is_number_integer());
    EXPECT_TRUE(eval("2.5").is_number_float());
    EXPECT_EQ(eval("toJSON(3)"), json("3"));
    EXPECT_EQ(eval("toJSON(3.0)"), json("3"));
}

}  // namespace
