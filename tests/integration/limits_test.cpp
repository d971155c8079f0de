// Big inputs through the real binary: huge output, many steps. Bounded, never crashing.
#include <filesystem>

#include "cli_fixture.hpp"

namespace flowctl::test {

TEST_F(CliTest, HundredMebibyteOutputIsCappedInHistory) {
    auto flow = dir.write("big.yaml", R"(steps:
  - id: big
    run: yes 'a line of output that repeats' | head -c 104857600
  - id: after
    needs: big
    log: "kept ${{ steps.big.output != '' }}"
)");
    auto r = flowctl({"run", flow.string(), "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto exec = last_execution();
    auto big = attempts_of(exec, "big");
    ASSERT_EQ(big.size(), 1u);
    auto output = big[0]["output"].get<std::string>();
    EXPECT_LE(output.size(), (1u << 20) + 100);
    EXPECT_NE(output.find("output truncated"), std::string::npos);
    auto db = std::filesystem::file_size(dir.path() / "state" / "history.db");
    auto wal = dir.path() / "state" / "history.db-wal";
    if (std::filesystem::exists(wal)) db += std::filesystem::file_size(wal);
    EXPECT_LT(db, 16u << 20) << "history grew with the output";
    auto logs = flowctl_json({"logs", exec["id"].get<std::string>(), "--step", "big"});
    EXPECT_NE(logs.back()["message"].get<std::string>().find("not recorded"), std::string::npos);
}

TEST_F(CliTest, TenThousandStepsValidateAndRun) {
    std::string text = "name: many\nmax_parallel: 8\nsteps:\n";
    for (int i = 0; i < 10000; ++i) {
        text += "  - id: s" + std::to_string(i) + "\n    log: step " + std::to_string(i) + "\n";
        if (i % 100) text += "    needs: s" + std::to_string(i - 1) + "\n";
    }
    auto flow = dir.write("many.yaml", text);
    EXPECT_EQ(flowctl({"validate", flow.string()}).exit_code, 0);
    auto r = flowctl({"run", flow.string(), "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto exec = last_execution();
    EXPECT_EQ(exec["steps"].size(), 10000u);
}

}  // namespace flowctl::test
