// Broken flow files in testdata/ and the exact diagnostics they produce (broken_X.yaml ->
// broken_X.expected, one formatted diagnostic per line). FLOWCTL_UPDATE_GOLDEN=1 rewrites the
// expected files from the current output, for review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "flow_test_util.hpp"
#include "support/temp_dir.hpp"

namespace flowctl::flow::test {
namespace {

namespace fs = std::filesystem;

fs::path testdata() { return fs::path(FLOWCTL_SOURCE_DIR) / "tests/unit/flow/testdata"; }

std::vector<fs::path> broken_files() {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(testdata())) {
        const auto name = entry.path().filename().string();
        if (name.rfind("broken_", 0) == 0 && entry.path().extension() == ".yaml") out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(FlowGolden, EveryBrokenFileReportsExactlyItsExpectedDiagnostics) {
    auto files = broken_files();
    ASSERT_GE(files.size(), 10u);
    const bool update = std::getenv("FLOWCTL_UPDATE_GOLDEN") != nullptr;
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        std::vector<util::Diagnostic> diags;
        // The file name as the path keeps the expected output independent of the checkout.
        auto flow = load_flow(flowctl::test::read_file(file), file.filename().string(), diags);
        EXPECT_FALSE(flow.has_value());
        std::string actual;
        for (const auto& d : diags) actual += util::format_diagnostic(d) + "\n";
        fs::path expected_path = file;
        expected_path.replace_extension(".expected");
        if (update) {
            std::ofstream(expected_path) << actual;
            continue;
        }
        ASSERT_TRUE(fs::exists(expected_path));
        EXPECT_EQ(actual, flowctl::test::read_file(expected_path));
    }
}

TEST(FlowGolden, LoadFlowFileReadsFromDiskWithThePathInDiagnostics) {
    fs::path file = testdata() / "broken_cycles.yaml";
    std::vector<util::Diagnostic> diags;
    EXPECT_FALSE(load_flow_file(file.string(), diags));
    ASSERT_FALSE(diags.empty());
    EXPECT_EQ(diags[0].file, file.string());
}

TEST(FlowGolden, MissingFileIsADiagnostic) {
    flowctl::test::TempDir dir;
    std::vector<util::Diagnostic> diags;
    auto path = (dir.path() / "nope.yaml").string();
    EXPECT_FALSE(load_flow_file(path, diags));
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(util::format_diagnostic(diags[0]), path + ": error: cannot open the file: No such file or directory");
}

TEST(FlowGolden, LoadFlowFileLoadsAValidFile) {
    flowctl::test::TempDir dir;
    auto path = dir.write("hello.yml", "steps:\n  - id: hi\n    log: hello\n");
    std::vector<util::Diagnostic> diags;
    auto flow = load_flow_file(path.string(), diags);
    ASSERT_TRUE(flow);
    EXPECT_TRUE(diags.empty());
    EXPECT_EQ(flow->name, "hello");
    EXPECT_EQ(flow->source_path, path.string());
}

}  // namespace
}  // namespace flowctl::flow::test
