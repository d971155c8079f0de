#include <gtest/gtest.h>

#include "steps/types.hpp"

using namespace flowctl;
using namespace flowctl::steps;

TEST(Registry, ListsEveryStepTypeInOrder) {
    std::vector<std::string> names;
    for (const StepType* t : all_step_types()) names.push_back(t->schema().type);
    EXPECT_EQ(names, (std::vector<std::string>{"run", "cmd", "http", "log", "sleep", "file", "transform", "flow"}));
}

TEST(Registry, FindsByName) {
    EXPECT_EQ(find_step_type("run"), &run_step_type());
    EXPECT_EQ(find_step_type("flow"), &flow_step_type());
    EXPECT_EQ(find_step_type("nope"), nullptr);
    EXPECT_EQ(find_step_type(""), nullptr);
}

TEST(Registry, ProcessSchemasDescribeTheirParams) {
    const auto& run = run_step_type().schema();
    EXPECT_EQ(run.primary, "script");
    EXPECT_EQ(run.sibling_params, (std::vector<std::string>{"shell", "stdin"}));
    EXPECT_FALSE(run.example.empty());
    const auto& cmd = cmd_step_type().schema();
    EXPECT_EQ(cmd.primary, "argv");
    EXPECT_EQ(cmd.sibling_params, (std::vector<std::string>{"stdin"}));
}

TEST(Names, LogLevelsAndOutcomes) {
    EXPECT_EQ(to_string(LogLevel::warn), "warn");
    EXPECT_EQ(parse_log_level("WARNING"), LogLevel::warn);
    EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
    EXPECT_EQ(parse_log_level("loud"), std::nullopt);
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
        EXPECT_EQ(parse_log_level(to_string(level)), level);
    EXPECT_EQ(to_string(Outcome::timed_out), "timed_out");
    EXPECT_EQ(to_string(Outcome::succeeded), "succeeded");
}

TEST(JsonSchema, DescribesTheLongForm) {
    auto param = [](std::string name, std::string type, std::string description = "", bool required = false) {
        ParamSpec p;
        p.name = std::move(name);
        p.type = std::move(type);
        p.description = std::move(description);
        p.required = required;
        return p;
    };
    StepSchema s;
    s.type = "demo";
    s.summary = "A demo step";
    s.params = {param("url", "string", "Where to go", true), param("timeout", "duration", "How long to wait"),
                param("body", "string|object"), param("method", "string")};
    s.params[3].enum_values = {"GET", "POST"};
    s.params[3].default_value = "GET";
    json j = to_json_schema(s);
    EXPECT_EQ(j["type"], "object");
    EXPECT_EQ(j["description"], "A demo step");
    EXPECT_EQ(j["additionalProperties"], false);
    EXPECT_EQ(j["required"], (json{"url"}));
    EXPECT_EQ(j["properties"]["url"], (json{{"type", "string"}, {"description", "Where to go"}}));
    EXPECT_EQ(j["properties"]["timeout"]["type"], (json{"string", "number"}));
    EXPECT_NE(j["properties"]["timeout"]["description"].get<std::string>().find("How long to wait ("),
              std::string::npos);
    EXPECT_EQ(j["properties"]["body"]["type"], (json{"string", "object"}));
    EXPECT_EQ(j["properties"]["method"]["enum"], (json{"GET", "POST"}));
    EXPECT_EQ(j["properties"]["method"]["default"], "GET");
    EXPECT_TRUE(j.contains("$schema"));
}

TEST(JsonSchema, RunSchemaRequiresScript) {
    json j = to_json_schema(run_step_type().schema());
    EXPECT_EQ(j["required"], (json{"script"}));
    EXPECT_EQ(j["properties"]["shell"]["type"], "string");
    EXPECT_EQ(j["properties"].size(), 3u);
}
