// resolve_inputs: conversions, defaults and errors; secrets in the record.
#include <gmock/gmock.h>

#include "engine_fixture.hpp"

namespace flowctl::engine::test {
namespace {

using ::testing::HasSubstr;

class InputsTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        m_flow = load(R"(
name: inputs
inputs:
  count: {type: number, default: 1}
  verbose: {type: boolean, default: false}
  config: {type: object}
  targets: {type: array}
  name: {type: string, required: true}
  token: {type: string, secret: true}
steps:
  - id: a
    log: "${{ inputs.count }} ${{ inputs.verbose }} ${{ inputs.name }}"
outputs:
  count: ${{ inputs.count }}
)");
    }

    std::string error_of(const json& given) {
        try {
            resolve_inputs(m_flow, given);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }

    flow::Flow m_flow;
};

TEST_F(InputsTest, StringsFromTheCommandLineAreConverted) {
    json got = resolve_inputs(m_flow, {{"count", "3"},
                                       {"verbose", "true"},
                                       {"config", R"({"a": [1]})"},
                                       {"targets", "[\"x\", \"y\"]"},
                                       {"name", "n"}});
    EXPECT_EQ(got["count"], 3);
    EXPECT_TRUE(got["count"].is_number_integer());
    EXPECT_EQ(got["verbose"], true);
    EXPECT_EQ(got["config"], json::parse(R"({"a": [1]})"));
    EXPECT_EQ(got["targets"], json({"x", "y"}));
    EXPECT_EQ(got["name"], "n");

    EXPECT_EQ(resolve_inputs(m_flow, {{"count", "2.5"}, {"name", "n"}})["count"], 2.5);
    for (const char* t : {"1", "yes", "on", "TRUE"})
        EXPECT_EQ(resolve_inputs(m_flow, {{"verbose", t}, {"name", "n"}})["verbose"], true) << t;
    for (const char* f : {"0", "no", "off", "False"})
        EXPECT_EQ(resolve_inputs(m_flow, {{"verbose", f}, {"name", "n"}})["verbose"], false) << f;
}

TEST_F(InputsTest, DefaultsApplyAndTypedValuesPass) {
    json got = resolve_inputs(m_flow, {{"name", "n"}, {"count", 7}, {"config", {{"k", 1}}}});
    EXPECT_EQ(got["count"], 7);
    EXPECT_EQ(got["verbose"], false);
    EXPECT_EQ(got["config"]["k"], 1);
    EXPECT_TRUE(got["targets"].is_null());
}

TEST_F(InputsTest, ProblemsAreInputErrors) {
    EXPECT_THAT(error_of(json::object()), HasSubstr("missing required input 'name'"));
    EXPECT_THAT(error_of({{"name", "n"}, {"cont", "3"}}), HasSubstr("unknown input 'cont' (did you mean 'count'?)"));
    EXPECT_THAT(error_of({{"name", "n"}, {"count", "three"}}),
                HasSubstr("input 'count' must be a number, got 'three'"));
    EXPECT_THAT(error_of({{"name", "n"}, {"verbose", "maybe"}}), HasSubstr("input 'verbose' must be a boolean"));
    EXPECT_THAT(error_of({{"name", "n"}, {"config", "[1]"}}), HasSubstr("input 'config' must be an object"));
    EXPECT_THAT(error_of({{"name", "n"}, {"targets", "{oops"}}), HasSubstr("input 'targets' must be an array"));
    EXPECT_THAT(error_of({{"name", 5}}), HasSubstr("input 'name' must be a string"));
    EXPECT_THAT(error_of({{"name", "n"}, {"count", true}}), HasSubstr("input 'count' must be a number"));
}

TEST_F(InputsTest, RunFlowRejectsBadInputsBeforeRecordingAnything) {
    auto o = options();
    o.inputs = {{"count", "x"}};
    EXPECT_THROW(run(m_flow, o), InputError);
    EXPECT_TRUE(m_store->list_executions({}).empty());
}

TEST_F(InputsTest, SecretInputsAreRedactedInTheRecord) {
    auto o = options();
    o.inputs = {{"name", "n"}, {"token", "hunter2"}, {"count", "4"}};
    auto r = run(m_flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.outputs["count"], 4);
    auto rec = m_store->get_execution(r.execution_id);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->inputs["token"], "***");
    EXPECT_EQ(rec->inputs["count"], 4);
    EXPECT_EQ(rec->inputs["name"], "n");
}

}  // namespace
}  // namespace flowctl::engine::test
