// A small deterministic fuzz run over the fuzz corpus, so every test run (and every sanitizer
// build) exercises broken input: a flow comes back exactly when there are no errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "flow_test_util.hpp"
#include "support/temp_dir.hpp"

namespace flowctl::flow::test {
namespace {

namespace fs = std::filesystem;

TEST(FlowMutation, MutatedCorpusFilesGiveAFlowOrErrorsNeverBoth) {
    fs::path corpus = fs::path(FLOWCTL_SOURCE_DIR) / "tests/fuzz/corpus/flow";
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(corpus)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 20u);
    const std::string alphabet = "[]{}:-,&*!|>'\"#%@`\n \t${}.0a\xff";
    uint64_t state = 0x9E3779B97F4A7C15u;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    size_t valid = 0;
    for (const auto& file : files) {
        const std::string seed = flowctl::test::read_file(file);
        for (int round = 0; round < 200; ++round) {
            std::string text = seed;
            int edits = 1 + static_cast<int>(next() % 4);
            for (int e = 0; e < edits && !text.empty(); ++e) {
                size_t at = next() % text.size();
                switch (next() % 4) {
                    case 0:
                        text[at] = alphabet[next() % alphabet.size()];
                        break;
                    case 1:
                        text.insert(at, 1, alphabet[next() % alphabet.size()]);
                        break;
                    case 2:
                        text.erase(at, 1 + next() % 8);
                        break;
                    default:
                        text.insert(at, text.substr(next() % text.size(), 1 + next() % 16));
                        break;
                }
            }
            std::vector<util::Diagnostic> diags;
            auto flow = load_flow(text, "m.yaml", diags);
            ASSERT_NE(flow.has_value(), util::has_errors(diags)) << text;
            for (const auto& d : diags) ASSERT_FALSE(d.message.empty()) << text;
            if (flow) ++valid;
        }
    }
    EXPECT_GT(valid, 0u);  // some mutations stay valid: the corpus is not all broken
}

}  // namespace
}  // namespace flowctl::flow::test
