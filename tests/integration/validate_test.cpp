#include <filesystem>
#include <regex>

#include "cli_fixture.hpp"

namespace flowctl::test {

TEST_F(CliTest, EveryExampleFlowValidates) {
    std::vector<std::string> args{"validate"};
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(FLOWCTL_SOURCE_DIR) + "/flows"))
        if (entry.path().extension() == ".yaml") args.push_back(entry.path().string());
    ASSERT_GT(args.size(), 7u);
    auto r = flowctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(CliTest, BrokenFileReportsEveryProblemWithLineAndColumn) {
    auto file = dir.write("broken.yaml", R"(name: broken
steps:
  - id: a
    run: echo hi
    neds: [b]
  - id: a
    log: again
  - id: c
    needs: [zz]
    log: ${{ steps.nope.output }}
  - id: d
    sleep: 5 parsecs
  - id: e
    log: ${{ inputs.missing + }}
)");
    auto r = flowctl({"validate", file.string()});
    EXPECT_EQ(r.exit_code, 1);
    auto expect_line = [&](int line, const std::string& word) {
        std::regex re("broken\\.yaml:" + std::to_string(line) + ":[0-9]+: error: [^\\n]*" + word);
        EXPECT_TRUE(std::regex_search(r.out, re)) << "line " << line << " '" << word << "' in:\n" << r.out;
    };
    expect_line(5, "neds");
    expect_line(5, "needs");  // did-you-mean
    expect_line(6, "duplicate");
    expect_line(9, "zz");
    expect_line(10, "nope");
    expect_line(12, "parsecs");
    expect_line(14, "");
}

TEST_F(CliTest, CycleNamesTheSteps) {
    auto file = dir.write("cycle.yaml", R"(steps:
  - id: a
    needs: c
    log: a
  - id: b
    needs: a
    log: b
  - id: c
    needs: b
    log: c
)");
    auto r = flowctl({"validate", file.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("cycle"), std::string::npos) << r.out;
    // Either direction (runs-before or needs), any starting step.
    bool named = false;
    for (const char* cycle : {"a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c", "a -> c -> b -> a",
                              "c -> b -> a -> c", "b -> a -> c -> b"})
        named = named || r.out.find(cycle) != std::string::npos;
    EXPECT_TRUE(named) << r.out;
}

TEST_F(CliTest, ValidateExitCodes) {
    EXPECT_EQ(flowctl({"validate"}).exit_code, 2);
    EXPECT_EQ(flowctl({"validate", "--bogus", "x.yaml"}).exit_code, 2);
    auto missing = flowctl({"validate", (dir.path() / "nope.yaml").string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.out.find("nope.yaml"), std::string::npos);
}

TEST_F(CliTest, GarbageNeverCrashesTheValidator) {
    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
    auto r = flowctl({"validate", dir.write("garbage.yaml", garbage).string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::string deep(20000, '[');
    r = flowctl({"validate", dir.write("deep.yaml", deep).string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("deep.yaml"), std::string::npos);
}

TEST_F(CliTest, ValidateJsonOutput) {
    auto r = flowctl({"validate", "-o", "json", example("hello.yaml")});
    EXPECT_EQ(r.exit_code, 0);
    auto report = json::parse(r.out);
    ASSERT_EQ(report.size(), 1u);
    EXPECT_EQ(report[0]["valid"], true);
}

}  // namespace flowctl::test
