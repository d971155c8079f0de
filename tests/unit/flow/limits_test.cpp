// Hostile and huge inputs: diagnostics, never a crash, a hang or a stack overflow.
#include <gtest/gtest.h>

#include <chrono>

#include "flow_test_util.hpp"

namespace flowctl::flow::test {
namespace {

std::string chain_flow(int n) {
    std::string text = "steps:\n";
    for (int i = 0; i < n; ++i) {
        text += "  - id: s" + std::to_string(i) + "\n";
        if (i == 0)
            text += "    run: echo first\n";
        else
            text += "    run: echo ${{ steps.s0.outputs.x }}\n    needs: s" + std::to_string(i - 1) + "\n";
    }
    return text;
}

std::string wide_flow(int n) {
    std::string text = "steps:\n  - id: root\n    log: start\n";
    for (int i = 0; i < n; ++i)
        text += "  - id: w" + std::to_string(i) + "\n    needs: root\n    log: ${{ steps.root.outputs.x }}\n";
    text += "  - id: join\n    needs: [";
    for (int i = 0; i < n; ++i) text += (i ? ", w" : "w") + std::to_string(i);
    text += "]\n    log: done\n";
    return text;
}

template <typename F>
double seconds(F&& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(FlowLimits, TenThousandStepChainLoadsQuickly) {
    // Every step but the first uses steps.s0, which it reaches only through the whole chain.
    std::string text = chain_flow(10000);
    Loaded l;
    double took = seconds([&] { l = load(text); });
    ASSERT_TRUE(l.flow) << (l.diags.empty() ? "" : l.lines()[0]);
    EXPECT_EQ(l.flow->steps.size(), 10000u);
    EXPECT_LT(took, 3.0);  // well under a second in release builds; sanitizers are slower
}

TEST(FlowLimits, TenThousandStepWideFlowLoadsQuickly) {
    std::string text = wide_flow(10000);
    Loaded l;
    double took = seconds([&] { l = load(text); });
    ASSERT_TRUE(l.flow) << (l.diags.empty() ? "" : l.lines()[0]);
    EXPECT_EQ(l.flow->steps.back().needs.size(), 10000u);
    EXPECT_LT(took, 3.0);
}

TEST(FlowLimits, LongCycleIsReportedOnceWithoutRecursion) {
    std::string text = "steps:\n";
    const int n = 10000;
    for (int i = 0; i < n; ++i)
        text += "  - id: s" + std::to_string(i) + "\n    log: x\n    needs: s" + std::to_string((i + 1) % n) + "\n";
    auto l = load(text);
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.diags[0].message.rfind("dependency cycle: s0 -> s1 -> s2 -> ", 0), 0u);
    EXPECT_NE(l.diags[0].message.find("s9999 -> s0"), std::string::npos);
}

TEST(FlowLimits, DeepFlowSequenceNestingIsRefused) {
    std::string text = "steps: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
    auto l = load(text);
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.lines()[0], "flow.yaml:1:407: error: nesting deeper than 400 levels");
}

TEST(FlowLimits, DeepFlowMappingNestingIsRefused) {
    std::string text;
    for (int i = 0; i < 50000; ++i) text += "{a: ";
    text += "1" + std::string(50000, '}') + "\n";
    auto l = load(text);
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_NE(l.diags[0].message.find("nesting deeper than 400 levels"), std::string::npos);
}

TEST(FlowLimits, DeepBlockNestingIsRefused) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += std::string(static_cast<size_t>(i), ' ') + "a:\n";
    auto l = load(text);
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_NE(l.diags[0].message.find("nesting deeper than 400 levels"), std::string::npos);
}

TEST(FlowLimits, AliasBombIsStoppedByTheNodeBudget) {
    std::string text = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i < 10; ++i) {
        std::string prev = "*a" + std::to_string(i - 1);
        text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
        text += "]\n";
    }
    text = "steps:\n  - id: boom\n    log:\n      message:\n" + [&] {
        std::string indented;
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            indented += "        " + text.substr(start, end - start + 1);
            start = end + 1;
        }
        return indented;
    }();
    Loaded l;
    double took = seconds([&] { l = load(text); });
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.lines()[0],
              "flow.yaml:5:9: error: the document expands to more than 1000000 nodes (an alias repeated too often?)");
    EXPECT_LT(took, 5.0);
}

TEST(FlowLimits, RecursiveAliasIsRefused) {
    auto l = load("steps: &a\n  - *a\n");
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.lines()[0], "flow.yaml:2:5: error: an alias cannot refer to a node that contains it");
}

TEST(FlowLimits, BinaryGarbageIsADiagnostic) {
    std::string garbage;
    uint32_t x = 12345;
    for (int i = 0; i < 4096; ++i) {
        x = x * 1103515245 + 12345;
        garbage += static_cast<char>(x >> 16);
    }
    auto l = load(garbage);
    EXPECT_FALSE(l.flow);
    ASSERT_EQ(l.diags.size(), 1u);
    EXPECT_EQ(l.diags[0].line, 1);
}

TEST(FlowLimits, InvalidUtf8AndNulAndControlBytesArePointedAt) {
    auto bad = load("name: ok\nsteps: \xff\xfe\n");
    ASSERT_EQ(bad.lines().size(), 1u);
    EXPECT_EQ(bad.lines()[0], "flow.yaml:2:8: error: invalid UTF-8 (byte 0xff): flow files must be UTF-8 text");
    auto nul = load(std::string("name: a\0b\n", 10));
    ASSERT_EQ(nul.lines().size(), 1u);
    EXPECT_EQ(nul.lines()[0],
              "flow.yaml:1:8: error: the file contains a NUL byte: flow files are UTF-8 text, is it a binary file?");
    auto ctrl = load("name: \x07\n");
    ASSERT_EQ(ctrl.lines().size(), 1u);
    EXPECT_EQ(ctrl.lines()[0], "flow.yaml:1:7: error: control character 0x07 is not allowed in YAML");
    // Valid multi-byte UTF-8 is fine.
    auto ok = load("name: caf\xc3\xa9 \xe2\x9c\x93\nsteps:\n  - id: a\n    log: \xf0\x9f\x9a\x80\n");
    EXPECT_TRUE(ok.flow) << testing::PrintToString(ok.lines());
}

TEST(FlowLimits, EmptyAndCommentOnlyFilesAreDiagnostics) {
    for (const char* text : {"", "# just a comment\n", "   \n\n"}) {
        auto l = load(text);
        EXPECT_FALSE(l.flow);
        ASSERT_EQ(l.lines().size(), 1u);
        EXPECT_EQ(l.lines()[0], "flow.yaml: error: the file is empty: a flow needs at least 'steps'");
    }
}

TEST(FlowLimits, ScalarDocumentAndMultipleDocumentsAreRefused) {
    auto scalar = load("hello\n");
    ASSERT_EQ(scalar.lines().size(), 1u);
    EXPECT_EQ(scalar.lines()[0],
              "flow.yaml:1:1: error: a flow file must be a mapping with keys such as 'name' and 'steps', got 'hello'");
    auto two = load("steps: []\n---\nsteps: []\n");
    EXPECT_FALSE(two.flow);
    ASSERT_EQ(two.lines().size(), 1u);
    EXPECT_EQ(two.lines()[0],
              "flow.yaml: error: the file holds more than one YAML document ('---'): put each flow in its own file");
}

TEST(FlowLimits, ExistingDiagnosticsAreKeptAndOnlyNewOnesDecide) {
    std::vector<util::Diagnostic> diags{{"other.yaml", 1, 1, util::Severity::error, "earlier problem"}};
    auto flow = load_flow("steps:\n  - id: a\n    log: x\n", "flow.yaml", diags);
    EXPECT_TRUE(flow);
    ASSERT_EQ(diags.size(), 1u);
    EXPECT_EQ(diags[0].message, "earlier problem");
}

}  // namespace
}  // namespace flowctl::flow::test
