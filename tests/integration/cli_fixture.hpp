#pragma once
// Runs the built flowctl against a private state dir in a temp dir.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

namespace flowctl::test {

class CliTest : public ::testing::Test {
protected:
    TempDir dir;

    std::map<std::string, std::string> env() const {
        return {
            {"FLOWCTL_STATE_DIR", (dir.path() / "state").string()}, {"NO_COLOR", "1"}, {"TMPDIR", dir.path().string()}};
    }
    CommandResult flowctl(std::vector<std::string> args) const {
        args.insert(args.begin(), FLOWCTL_EXE);
        return run_command(args, env());
    }
    json flowctl_json(std::vector<std::string> args) const {
        args.push_back("-o");
        args.push_back("json");
        auto r = flowctl(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out);
    }
    static std::string example(const std::string& name) { return std::string(FLOWCTL_SOURCE_DIR) + "/flows/" + name; }

    /// The steps of the newest execution, from `flowctl show -o json`.
    json last_execution() const {
        auto history = flowctl_json({"history", "--limit", "1"});
        EXPECT_EQ(history["executions"].size(), 1u);
        return flowctl_json({"show", history["executions"][0]["id"].get<std::string>()});
    }
    static std::vector<json> attempts_of(const json& exec, const std::string& step) {
        std::vector<json> out;
        for (const auto& s : exec["steps"])
            if (s["step"] == step) out.push_back(s);
        return out;
    }
};

}  // namespace flowctl::test
