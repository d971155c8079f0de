// Templates, render_value() and if: conditions.
#include "expr_test_helpers.hpp"

using namespace flowctl;
using namespace flowctl::expr;
using flowctl::expr::test::sample_contexts;

namespace {

json render_text(std::string_view text, const json& contexts = sample_contexts(), Status status = {}) {
    ParseError error;
    auto t = parse_template(text, &error);
    if (!t) {
        ADD_FAILURE() << "template error in `" << text << "` at " << error.offset << ": " << error.message;
        return json();
    }
    return render(*t, EvalContext{&contexts, status});
}

ParseError template_error(std::string_view text) {
    ParseError error;
    if (parse_template(text, &error)) ADD_FAILURE() << "expected an error for `" << text << "`";
    return error;
}

bool condition(std::string_view text, Status status = {}) {
    json ctx = sample_contexts();
    return evaluate_condition(text, EvalContext{&ctx, status});
}

TEST(Template, InterpolatesIntoText) {
    EXPECT_EQ(render_text("a ${{ 1 }} b"), json("a 1 b"));
    EXPECT_EQ(render_text("Hello ${{ inputs.name }}!"), json("Hello World!"));
    EXPECT_EQ(render_text("${{ inputs.count }}${{ inputs.flag }}"), json("3true"));
    EXPECT_EQ(render_text("[${{ inputs.missing }}]"), json("[]"));
    EXPECT_EQ(render_text("${{ inputs.list }} and ${{ inputs.nested }}"), json("Array and Object"));
    EXPECT_EQ(render_text("no expressions"), json("no expressions"));
    EXPECT_EQ(render_text(""), json(""));
    EXPECT_EQ(render_text("$ {{ x }} ${ {"), json("$ {{ x }} ${ {"));
    EXPECT_EQ(render_text("${{ 'a' }}}"), json("a}"));
}

TEST(Template, SingleExpressionKeepsItsType) {
    EXPECT_EQ(render_text("${{ inputs.list }}"), json::array({"a", "b", "c"}));
    EXPECT_EQ(render_text("  ${{ inputs.count }}\n"), json(3));
    EXPECT_EQ(render_text("${{ inputs.flag }}"), json(true));
    EXPECT_EQ(render_text("${{ inputs.missing }}"), json(nullptr));
    EXPECT_EQ(render_text("x${{ inputs.count }}"), json("x3"));

    auto t = parse_template(" ${{ 1 }} ");
    ASSERT_TRUE(t);
    EXPECT_TRUE(t->single_expression());
    EXPECT_FALSE(parse_template("${{ 1 }}${{ 2 }}")->single_expression());
    EXPECT_FALSE(parse_template("a ${{ 1 }}")->single_expression());
    EXPECT_FALSE(parse_template("plain")->single_expression());
}

TEST(Template, PartsRecordOffsets) {
    auto t = parse_template("ab${{ x }}cd");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->parts.size(), 3u);
    EXPECT_EQ(t->parts[0].text, "ab");
    EXPECT_EQ(t->parts[1].offset, 2u);
    ASSERT_TRUE(t->parts[1].expr);
    EXPECT_EQ(t->parts[1].expr->source, " x ");
    EXPECT_EQ(t->parts[2].text, "cd");
    EXPECT_EQ(t->parts[2].offset, 10u);
}

TEST(Template, ClosingBracesInsideQuotesDoNotClose) {
    EXPECT_EQ(render_text("${{ 'a}}b' }}"), json("a}}b"));
    EXPECT_EQ(render_text("x ${{ format('{{0}}}}', 1) }} y"), json("x {0}} y"));
    EXPECT_EQ(render_text("${{ 'it''s }}' }}"), json("it's }}"));
}

TEST(Template, ErrorsPointIntoTheText) {
    ParseError e = template_error("abc ${{ inputs.name");
    EXPECT_EQ(e.offset, 4u);
    EXPECT_NE(e.message.find("unclosed '${{'"), std::string::npos);

    e = template_error("ok ${{ 'a }} ");  // the quote swallows the closing braces
    EXPECT_EQ(e.offset, 3u);

    e = template_error("x ${{ a == ) }}");
    EXPECT_EQ(e.offset, 11u);
    EXPECT_EQ(e.message, "unexpected ')'");

    e = template_error("${{ }}");
    EXPECT_EQ(e.message, "empty expression");

    e = template_error("${{ contain('a', 'b') }}");
    EXPECT_EQ(e.offset, 4u);
    EXPECT_NE(e.message.find("did you mean 'contains'"), std::string::npos);
}

TEST(Template, HasTemplate) {
    EXPECT_TRUE(has_template("a ${{ b }}"));
    EXPECT_TRUE(has_template("${{"));
    EXPECT_FALSE(has_template("$ {{"));
    EXPECT_FALSE(has_template("{{ x }}"));
}

TEST(Template, RenderErrorsNameTheExpression) {
    try {
        render_text("v=${{ fromJSON('nope') }}");
        FAIL() << "expected EvalError";
    } catch (const EvalError& e) {
        EXPECT_NE(std::string(e.what()).find("${{ fromJSON('nope') }}: fromJSON(): invalid JSON"), std::string::npos)
            << e.what();
    }
}

TEST(RenderValue, RendersNestedStringsAndLeavesKeysAlone) {
    json ctx = sample_contexts();
    json input = json::parse(R"({
        "${{ inputs.name }}": "key untouched",
        "greeting": "Hello ${{ inputs.name }}",
        "count": "${{ inputs.count }}",
        "items": ["${{ inputs.list }}", "x-${{ inputs.list[0] }}", 5, null, true],
        "nested": {"deeper": {"path": "${{ steps.build.outputs.artifact }}"}},
        "plain": "no template here {{ }}"
    })");
    json out = render_value(input, EvalContext{&ctx, {}});
    EXPECT_EQ(out["${{ inputs.name }}"], "key untouched");
    EXPECT_EQ(out["greeting"], "Hello World");
    EXPECT_EQ(out["count"], 3);
    EXPECT_EQ(out["items"], json::parse(R"([["a", "b", "c"], "x-a", 5, null, true])"));
    EXPECT_EQ(out["nested"]["deeper"]["path"], "app.tar");
    EXPECT_EQ(out["plain"], "no template here {{ }}");
    EXPECT_EQ(render_value(json(7), EvalContext{&ctx, {}}), json(7));
}

TEST(RenderValue, ErrorsIncludeTheFailingText) {
    json ctx = sample_contexts();
    try {
        render_value(json{{"a", {"ok", "bad ${{ a == }}"}}}, EvalContext{&ctx, {}});
        FAIL() << "expected EvalError";
    } catch (const EvalError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("'bad ${{ a == }}'"), std::string::npos) << m;
        EXPECT_NE(m.find("unexpected end of expression"), std::string::npos) << m;
    }
    EXPECT_THROW(render_value(json{{"a", "${{ format('{9}') }}"}}, EvalContext{&ctx, {}}), EvalError);
}

TEST(Condition, FormsOfWritingIt) {
    EXPECT_TRUE(condition("inputs.count > 2"));
    EXPECT_TRUE(condition("${{ inputs.count > 2 }}"));
    EXPECT_TRUE(condition("  ${{ inputs.count > 2 }}  "));
    EXPECT_FALSE(condition("${{ inputs.count < 2 }}"));
    EXPECT_TRUE(condition("true"));
    EXPECT_FALSE(condition("false"));
    EXPECT_TRUE(condition(""));
    EXPECT_TRUE(condition("   "));
    EXPECT_TRUE(condition("steps.build.outputs.artifact"));  // truthy string
    EXPECT_FALSE(condition("inputs.empty"));
    EXPECT_FALSE(condition("inputs.missing"));
    EXPECT_TRUE(condition("!inputs.missing"));
}

TEST(Condition, ImplicitSuccessUnlessAStatusFunctionIsUsed) {
    Status failed{true, false, false};
    Status skipped{false, true, false};
    Status cancelled{false, false, true};
    EXPECT_FALSE(condition("", failed));
    EXPECT_FALSE(condition("true", failed));
    EXPECT_FALSE(condition("true", skipped));
    EXPECT_FALSE(condition("${{ true }}", cancelled));
    EXPECT_TRUE(condition("always()", failed));
    EXPECT_TRUE(condition("${{ always() }}", cancelled));
    EXPECT_TRUE(condition("failure()", failed));
    EXPECT_FALSE(condition("failure()"));
    EXPECT_TRUE(condition("cancelled()", cancelled));
    EXPECT_TRUE(condition("!cancelled()", skipped));  // runs after a skipped dependency
    EXPECT_FALSE(condition("success()", skipped));
    EXPECT_TRUE(condition("success() || failure()", failed));
    EXPECT_TRUE(condition("always() && inputs.flag", failed));
    // Without a status function the condition is not even evaluated when success() is false.
    EXPECT_FALSE(condition("fromJSON('not json')", failed));
}

TEST(Condition, ErrorsAreEvalErrors) {
    EXPECT_THROW(condition("inputs.count >"), EvalError);
    EXPECT_THROW(condition("${{ inputs.count"), EvalError);
    EXPECT_THROW(condition("fromJSON('nope')"), EvalError);
    try {
        condition("${{ inputs.name }} == 'World'");
        FAIL() << "expected EvalError";
    } catch (const EvalError& e) {
        EXPECT_NE(std::string(e.what()).find("mixes text"), std::string::npos) << e.what();
    }
    try {
        condition("a ==");
        FAIL() << "expected EvalError";
    } catch (const EvalError& e) {
        EXPECT_NE(std::string(e.what()).find("unexpected end of expression (at offset 4)"), std::string::npos)
            << e.what();
    }
}

}  // namespace
