// A complete, valid flow file and the exact model it produces.
#include <gtest/gtest.h>

#include "flow_test_util.hpp"
#include "util/ids.hpp"

namespace flowctl::flow::test {
namespace {

using namespace std::chrono_literals;

const char* const full_flow = R"(name: release
description: Build and publish
tags: [ci, nightly]
inputs:
  version:
    type: string
    required: true
    description: The version to build
  count: 3
  verbose: false
  token:
    secret: true
    default: abc
  plain:
env:
  MODE: fast
  LEVEL: 2
  RATIO: 1.50
  EMPTY:
defaults:
  retry: 2
  timeout: 10m
  continue_on_error: false
  env: {SHARED: yes, MODE: slow}
  cwd: /srv
  shell: bash
timeout: 1h
max_parallel: 4
fail_fast: false
triggers:
  - manual
  - schedule: "0 3 * * *"
  - schedule: {cron: "*/5 * * * *", timezone: Europe/Paris, jitter: 30s, catchup: latest}
  - interval: 15m
  - at: 2026-11-28T15:04:05Z
  - watch: {paths: ["src/**/*.cpp"], events: [create, modify], debounce: 2s}
  - webhook: {id: release, secret_file: /run/credentials/release, methods: [POST]}
steps:
  - id: build
    name: Build it
    run: make -j4 ${{ inputs.version }}
    env: {MODE: debug}
  - id: test
    needs: build
    cmd: [ctest, --output-on-failure]
    retry: {attempts: 3, delay: 5s, backoff: exponential, max_delay: 1m}
    timeout: 90
    continue_on_error: true
    cwd: build
    outputs:
      passed: ${{ result.exit_code == 0 }}
  - id: notify
    needs: [build, test]
    if: ${{ always() }}
    log: "built ${{ steps.build.outputs.version }}"
    level: warn
  - id: fan
    needs: build
    for_each: [a, b, c]
    max_parallel: 2
    log:
      message: item ${{ item }} at ${{ index }}
outputs:
  result: ${{ steps.test.outputs.passed }}
)";

TEST(FlowModel, FullFlowBuildsTheExactModel) {
    auto l = load(full_flow, "/tmp/release.yaml");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    EXPECT_TRUE(l.diags.empty()) << testing::PrintToString(l.lines());
    const Flow& f = *l.flow;
    EXPECT_EQ(f.name, "release");
    EXPECT_EQ(f.description, "Build and publish");
    EXPECT_EQ(f.tags, (std::vector<std::string>{"ci", "nightly"}));
    EXPECT_EQ(f.timeout, util::Millis(3600000));
    EXPECT_EQ(f.max_parallel, 4);
    EXPECT_FALSE(f.fail_fast);
    EXPECT_EQ(f.source_path, "/tmp/release.yaml");
    EXPECT_EQ(f.source_text, full_flow);
    EXPECT_EQ(f.hash, util::sha256_hex(full_flow));

    // Inputs: long form, typed shorthands, and an empty one.
    EXPECT_EQ(f.input_order, (std::vector<std::string>{"version", "count", "verbose", "token", "plain"}));
    const InputSpec& version = f.inputs.at("version");
    EXPECT_EQ(version.type, "string");
    EXPECT_TRUE(version.required);
    EXPECT_FALSE(version.has_default);
    EXPECT_EQ(version.description, "The version to build");
    EXPECT_EQ(version.pos.line, 5);
    EXPECT_EQ(version.pos.col, 3);
    EXPECT_EQ(f.inputs.at("count").type, "number");
    EXPECT_EQ(f.inputs.at("count").default_value, json(3));
    EXPECT_EQ(f.inputs.at("verbose").type, "boolean");
    EXPECT_EQ(f.inputs.at("verbose").default_value, json(false));
    EXPECT_TRUE(f.inputs.at("token").secret);
    EXPECT_EQ(f.inputs.at("token").default_value, json("abc"));
    EXPECT_FALSE(f.inputs.at("plain").has_default);
    EXPECT_EQ(f.inputs.at("plain").type, "string");

    // env values are kept as written.
    EXPECT_EQ(f.env,
              (std::map<std::string, std::string>{{"MODE", "fast"}, {"LEVEL", "2"}, {"RATIO", "1.50"}, {"EMPTY", ""}}));

    ASSERT_TRUE(f.defaults.retry);
    EXPECT_EQ(f.defaults.retry->attempts, 2);
    EXPECT_EQ(f.defaults.timeout, util::Millis(600000));
    EXPECT_EQ(f.defaults.continue_on_error, false);
    EXPECT_EQ(f.defaults.cwd, "/srv");
    EXPECT_EQ(f.defaults.shell, "bash");

    ASSERT_EQ(f.steps.size(), 4u);
    const StepDef& build = f.steps[0];
    EXPECT_EQ(build.id, "build");
    EXPECT_EQ(build.name, "Build it");
    EXPECT_EQ(build.type, "run");
    EXPECT_EQ(build.params.value("script", ""), "make -j4 ${{ inputs.version }}");
    EXPECT_EQ(build.params.value("shell", ""), "bash");  // from defaults
    EXPECT_TRUE(build.needs.empty());
    EXPECT_EQ(build.retry.attempts, 2);              // from defaults
    EXPECT_EQ(build.timeout, util::Millis(600000));  // from defaults
    EXPECT_EQ(build.cwd, "/srv");
    EXPECT_EQ(build.env, (std::map<std::string, std::string>{{"MODE", "debug"}, {"SHARED", "yes"}}));
    EXPECT_EQ(build.pos.line, 39);
    EXPECT_EQ(build.key_pos.at("run").line, 41);
    EXPECT_EQ(build.key_pos.at("run").col, 5);

    const StepDef& test = f.steps[1];
    EXPECT_EQ(test.type, "cmd");
    EXPECT_EQ(test.needs, (std::vector<std::string>{"build"}));
    EXPECT_EQ(test.retry.attempts, 3);
    EXPECT_EQ(test.retry.delay, util::Millis(5000));
    EXPECT_EQ(test.retry.backoff, Backoff::exponential);
    EXPECT_EQ(test.retry.max_delay, util::Millis(60000));
    EXPECT_EQ(test.timeout, util::Millis(90000));
    EXPECT_TRUE(test.continue_on_error);
    EXPECT_EQ(test.cwd, "build");
    EXPECT_EQ(test.outputs.at("passed"), "${{ result.exit_code == 0 }}");
    EXPECT_EQ(test.name, "test");

    const StepDef& notify = f.steps[2];
    EXPECT_EQ(notify.needs, (std::vector<std::string>{"build", "test"}));
    EXPECT_EQ(notify.if_condition, "${{ always() }}");
    EXPECT_EQ(notify.params, (json{{"message", "built ${{ steps.build.outputs.version }}"}, {"level", "warn"}}));

    const StepDef& fan = f.steps[3];
    EXPECT_EQ(fan.for_each, json::array({"a", "b", "c"}));
    EXPECT_EQ(fan.max_parallel, 2);
    EXPECT_EQ(fan.params, (json{{"message", "item ${{ item }} at ${{ index }}"}}));

    EXPECT_EQ(f.outputs.at("result"), "${{ steps.test.outputs.passed }}");
    EXPECT_EQ(f.find_step("test"), &f.steps[1]);
    EXPECT_EQ(f.find_step("nope"), nullptr);

    ASSERT_EQ(f.triggers.size(), 7u);
    EXPECT_EQ(f.triggers[0].kind, "manual");
    EXPECT_EQ(f.triggers[1].kind, "schedule");
    EXPECT_EQ(f.triggers[1].spec, json("0 3 * * *"));
    EXPECT_EQ(f.triggers[2].spec,
              (json{{"cron", "*/5 * * * *"}, {"timezone", "Europe/Paris"}, {"jitter", "30s"}, {"catchup", "latest"}}));
    EXPECT_EQ(f.triggers[3].kind, "interval");
    EXPECT_EQ(f.triggers[3].spec, json("15m"));
    EXPECT_EQ(f.triggers[4].kind, "at");
    EXPECT_EQ(f.triggers[4].spec, json("2026-11-28T15:04:05Z"));
    EXPECT_EQ(f.triggers[5].spec,
              (json{{"paths", {"src/**/*.cpp"}}, {"events", {"create", "modify"}}, {"debounce", "2s"}}));
    EXPECT_EQ(f.triggers[6].kind, "webhook");
    EXPECT_EQ(f.triggers[6].pos.line, 37);
}

TEST(FlowModel, NameDefaultsToTheFileNameWithoutExtension) {
    auto l = load("steps:\n  - id: a\n    log: hi\n", "dir/nightly-backup.yaml");
    ASSERT_TRUE(l.flow);
    EXPECT_EQ(l.flow->name, "nightly-backup");
    EXPECT_EQ(l.flow->max_parallel, 16);
    EXPECT_TRUE(l.flow->fail_fast);
    EXPECT_EQ(l.flow->steps[0].retry.attempts, 1);
    EXPECT_FALSE(l.flow->steps[0].continue_on_error);
}

TEST(FlowModel, ShortAndLongParamFormsAreTheSame) {
    auto a = load("steps:\n  - id: a\n    sleep: 5s\n");
    auto b = load("steps:\n  - id: a\n    sleep: {duration: 5s}\n");
    ASSERT_TRUE(a.flow && b.flow);
    EXPECT_EQ(a.flow->steps[0].params, (json{{"duration", "5s"}}));
    EXPECT_EQ(a.flow->steps[0].params, b.flow->steps[0].params);
}

TEST(FlowModel, PlainScalarsFollowTheCoreSchemaAndQuotedOnesStayStrings) {
    auto l = load(R"(steps:
  - id: a
    log:
      message:
        int: 42
        hex: 0x1F
        oct: 0o17
        neg: -7
        float: 2.5
        exp: 1e3
        yes_bool: True
        null_value: ~
        empty:
        quoted_int: "42"
        quoted_bool: 'true'
        inf: .inf
        nan: .NaN
        word: yes
        version: 1.2.3
)");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    const json& m = l.flow->steps[0].params["message"];
    EXPECT_EQ(m["int"], json(42));
    EXPECT_EQ(m["hex"], json(31));
    EXPECT_EQ(m["oct"], json(15));
    EXPECT_EQ(m["neg"], json(-7));
    EXPECT_EQ(m["float"], json(2.5));
    EXPECT_EQ(m["exp"], json(1000.0));
    EXPECT_EQ(m["yes_bool"], json(true));
    EXPECT_TRUE(m["null_value"].is_null());
    EXPECT_TRUE(m["empty"].is_null());
    EXPECT_EQ(m["quoted_int"], json("42"));
    EXPECT_EQ(m["quoted_bool"], json("true"));
    EXPECT_EQ(m["inf"], json(".inf"));
    EXPECT_EQ(m["nan"], json(".NaN"));
    EXPECT_EQ(m["word"], json("yes"));  // YAML 1.2: not a boolean
    EXPECT_EQ(m["version"], json("1.2.3"));
}

TEST(FlowModel, IfAcceptsBooleansAndBareConditions) {
    auto l = load(R"(steps:
  - id: a
    log: x
    if: false
  - id: b
    needs: a
    log: y
    if: steps.a.outputs.n > 3 && success()
)");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    EXPECT_EQ(l.flow->steps[0].if_condition, "false");
    EXPECT_EQ(l.flow->steps[1].if_condition, "steps.a.outputs.n > 3 && success()");
}

TEST(FlowModel, NumbersWrittenForStringParamsKeepTheirText) {
    auto l = load("steps:\n  - id: a\n    log: 1.50\n");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    EXPECT_EQ(l.flow->steps[0].params["message"], json(1.5));  // log's message takes any JSON
    auto r = load("steps:\n  - id: a\n    run: 007\n");
    ASSERT_TRUE(r.flow) << testing::PrintToString(r.lines());
    EXPECT_EQ(r.flow->steps[0].params["script"], json("007"));
}

TEST(FlowModel, AliasesAreExpanded) {
    auto l = load(R"(steps:
  - id: a
    log: &msg {message: shared, level: info}
  - id: b
    log: *msg
)");
    ASSERT_TRUE(l.flow) << testing::PrintToString(l.lines());
    EXPECT_EQ(l.flow->steps[1].params, l.flow->steps[0].params);
}

TEST(FlowModel, WarningsDoNotMakeTheFlowInvalid) {
    auto l = load(R"(inputs:
  region: {required: true, default: eu}
steps:
  - id: cleanup
    if: failure()
    log: cleaning up
)");
    ASSERT_TRUE(l.flow);
    ASSERT_EQ(l.lines().size(), 2u);
    EXPECT_EQ(l.lines()[0],
              "flow.yaml:2:3: warning: input 'region' is required but has a default, which is never used");
    EXPECT_EQ(l.lines()[1],
              "flow.yaml:5:9: warning: step 'cleanup' uses failure() in 'if' but has no needs: it runs "
              "at the start, before anything can fail");
}

TEST(FlowModel, KeyListsNameEveryKey) {
    EXPECT_EQ(flow_keys().size(), 14u);
    EXPECT_NE(std::find(flow_keys().begin(), flow_keys().end(), "triggers"), flow_keys().end());
    EXPECT_NE(std::find(step_common_keys().begin(), step_common_keys().end(), "continue_on_error"),
              step_common_keys().end());
}

}  // namespace
}  // namespace flowctl::flow::test
