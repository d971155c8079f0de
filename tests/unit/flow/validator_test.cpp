// Validator rules one by one: exact messages and positions.
#include <gtest/gtest.h>

#include "flow_test_util.hpp"

namespace flowctl::flow::test {
namespace {

using Lines = std::vector<std::string>;

TEST(FlowValidator, ExpressionErrorsPointAtTheColumnInPlainAndQuotedScalars) {
    EXPECT_EQ(load("steps:\n  - id: a\n    log: ${{ 1 + }}\n").lines(),
              Lines{"flow.yaml:3:16: error: invalid expression: unexpected '+'"});
    EXPECT_EQ(load("steps:\n  - id: a\n    log: \"x ${{ 1 + }}\"\n").lines(),
              Lines{"flow.yaml:3:19: error: invalid expression: unexpected '+'"});
    // A block scalar is reported at its start: columns inside it are not reliable.
    EXPECT_EQ(load("steps:\n  - id: a\n    log: |\n      x ${{ 1 + }}\n").lines(),
              Lines{"flow.yaml:3:10: error: invalid expression: unexpected '+'"});
}

TEST(FlowValidator, TransitiveNeedsAllowStepReferences) {
    auto l = load(R"(steps:
  - id: a
    log: a
  - id: b
    needs: a
    log: b
  - id: c
    needs: b
    log: ${{ steps.a.outputs.x }} ${{ steps['b'].outputs.y }}
)");
    EXPECT_TRUE(l.flow) << testing::PrintToString(l.lines());
}

TEST(FlowValidator, StepReferencesNeedADependency) {
    EXPECT_EQ(load("steps:\n  - id: a\n    log: a\n  - id: b\n    log: ${{ steps.a.outputs.x }}\n").lines(),
              Lines{"flow.yaml:5:14: error: step 'b' uses steps.a but does not depend on it: add 'a' to needs"});
    EXPECT_EQ(load("steps:\n  - id: a\n    log: ${{ steps.a.outputs.x }}\n").lines(),
              Lines{"flow.yaml:3:14: error: step 'a' cannot use its own steps.a: it has not run yet"});
    EXPECT_EQ(load("steps:\n  - id: a\n    log: a\n    outputs:\n      x: ${{ steps.a.output }}\n").lines(),
              Lines{"flow.yaml:5:14: error: step 'a' cannot use its own steps.a: use 'result' in outputs"});
}

TEST(FlowValidator, ContextsAllowedWhereTheyExist) {
    auto l = load(R"(inputs:
  n: 1
env:
  A: ${{ inputs.n }} ${{ secrets.token }} ${{ flow.name }} ${{ execution.id }} ${{ trigger.kind }}
steps:
  - id: a
    for_each: ${{ inputs.list }}
    log: ${{ item }} ${{ index }} ${{ env.A }}
    outputs:
      code: ${{ result.exit_code }}
outputs:
  all: ${{ steps.a.outputs.code }}
)");
    EXPECT_EQ(l.lines(), Lines{"flow.yaml:7:19: error: inputs.list is not a declared input"});
}

TEST(FlowValidator, FlowLevelPlacesCannotUseSteps) {
    auto l = load(R"(inputs:
  region: eu
defaults:
  env: {X: "${{ steps.a.outputs.x }}"}
triggers:
  - interval: {every: 5m, inputs: {region: "${{ steps.a.outputs.r }}"}}
steps:
  - id: a
    log: a
)");
    EXPECT_EQ(l.lines(),
              (Lines{
                  "flow.yaml:4:17: error: steps.a cannot be used in defaults: no step has run when it is evaluated",
                  "flow.yaml:6:49: error: steps.a cannot be used in a trigger's inputs: no step has run when "
                  "it is evaluated",
              }));
}

TEST(FlowValidator, ParamsBesideTheTypeKey) {
    EXPECT_EQ(
        load("steps:\n  - id: a\n    http: http://x\n    method: POST\n").lines(),
        Lines{"flow.yaml:4:5: error: 'method' is a parameter of http: write it under 'http:' (http: {method: ...})"});
    EXPECT_EQ(load("steps:\n  - id: a\n    run: {script: x, shell: sh}\n    shell: bash\n").lines(),
              Lines{"flow.yaml:4:5: error: parameter 'shell' is set both under 'run:' and beside it"});
    EXPECT_EQ(load("steps:\n  - id: a\n    http: {method: GET}\n").lines(),
              Lines{"flow.yaml:3:5: error: step 'a': http needs parameter 'url'"});
}

TEST(FlowValidator, TemplatesPassAnyParamType) {
    auto l = load(
        "inputs:\n  d: 5s\nsteps:\n  - id: a\n    sleep: ${{ inputs.d }}\n  - id: b\n    cmd: ${{ fromJSON('[1]') "
        "}}\n");
    EXPECT_TRUE(l.flow) << testing::PrintToString(l.lines());
}

TEST(FlowValidator, CyclesAreNamedInOrderOncePerCycle) {
    auto l = load(R"(steps:
  - id: deploy
    needs: test
    log: d
  - id: build
    needs: deploy
    log: b
  - id: test
    needs: build
    log: t
)");
    EXPECT_EQ(l.lines(), Lines{"flow.yaml:3:12: error: dependency cycle: deploy -> test -> build -> deploy"});
}

TEST(FlowValidator, ConditionWithoutTemplateMarkersIsChecked) {
    EXPECT_EQ(
        load("steps:\n  - id: a\n    log: a\n  - id: b\n    if: steps.a.outputs.ok == 'yes'\n    log: b\n").lines(),
        Lines{"flow.yaml:5:9: error: step 'b' uses steps.a but does not depend on it: add 'a' to needs"});
}

TEST(FlowValidator, InputShorthandsAndTypesAreChecked) {
    EXPECT_EQ(load("inputs:\n  n: {type: number, default: '3'}\nsteps:\n  - id: a\n    log: a\n").lines(),
              Lines{"flow.yaml:2:30: error: the default of input 'n' must be a number, got '3'"});
    EXPECT_EQ(load("inputs:\n  n: {type: strng}\nsteps:\n  - id: a\n    log: a\n").lines(),
              Lines{"flow.yaml:2:13: error: unknown input type 'strng': use string, number, boolean, object, array "
                    "(did you mean 'string'?)"});
}

TEST(FlowValidator, MissingOrEmptyStepsAreErrors) {
    EXPECT_EQ(load("name: x\n").lines(), Lines{"flow.yaml:1:1: error: missing 'steps': a flow needs a list of steps"});
    EXPECT_EQ(load("steps: []\n").lines(),
              Lines{"flow.yaml:1:8: error: 'steps' is empty: a flow needs at least one step"});
    EXPECT_EQ(load("steps: {a: 1}\n").lines(),
              Lines{"flow.yaml:1:8: error: 'steps' must be a list of steps, got a mapping"});
}

TEST(FlowValidator, ForEachMustBeAListOrAnExpression) {
    EXPECT_EQ(load("steps:\n  - id: a\n    for_each: abc\n    log: x\n").lines(),
              Lines{"flow.yaml:3:15: error: 'for_each' must be a list or a ${{ }} expression, got 'abc'"});
}

TEST(FlowValidator, TimeZonesComeFromTheSystemDatabase) {
    auto ok = load(
        "triggers:\n  - schedule: {cron: '0 9 * * 1-5', timezone: America/New_York}\nsteps:\n  - id: a\n    log: x\n");
    EXPECT_TRUE(ok.flow) << testing::PrintToString(ok.lines());
    EXPECT_EQ(
        load(
            "triggers:\n  - schedule: {cron: '0 9 * * *', timezone: ../../etc/passwd}\nsteps:\n  - id: a\n    log: x\n")
            .lines(),
        Lines{"flow.yaml:2:45: error: unknown time zone '../../etc/passwd'"});
}

}  // namespace
}  // namespace flowctl::flow::test
