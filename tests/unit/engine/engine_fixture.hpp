#pragma once
// Shared by the engine tests: flows written to a temp dir, loaded by the real parser and run
// with real step types against a real history database in the same temp dir.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "flow/parser.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"
#include "util/diagnostic.hpp"
#include "util/environment.hpp"

namespace flowctl::engine::test {

inline std::map<std::string, std::string> current_env() { return util::current_environment(); }

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override { m_store = std::make_unique<store::Store>(state_dir()); }

    std::filesystem::path state_dir() const { return m_dir.path() / "state"; }

    flow::Flow load(const std::string& yaml, const std::string& file = "flow.yaml") {
        auto path = m_dir.write(file, yaml);
        std::vector<util::Diagnostic> diags;
        auto flow = flow::load_flow_file(path.string(), diags);
        if (!flow) {
            std::string msg;
            for (const auto& d : diags) msg += util::format_diagnostic(d) + "\n";
            throw std::runtime_error("flow does not load:\n" + msg);
        }
        return *flow;
    }

    RunOptions options() const {
        RunOptions o;
        o.base_env = current_env();
        o.commit_interval = std::chrono::milliseconds(50);
        return o;
    }

    RunResult run(const flow::Flow& flow) { return run_flow(flow, *m_store, options()); }
    RunResult run(const flow::Flow& flow, const RunOptions& o) { return run_flow(flow, *m_store, o); }

    /// Attempts of one step (item -1 unless given), by attempt number.
    std::vector<store::StepRunRecord> runs(const std::string& execution, const std::string& step, int item = -1) {
        std::vector<store::StepRunRecord> out;
        for (auto& r : m_store->step_runs(execution))
            if (r.step_id == step && r.item_index == item) out.push_back(r);
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.attempt < b.attempt; });
        return out;
    }

    /// The status of the last attempt of a step ("" when it has no row).
    std::string status_of(const std::string& execution, const std::string& step, int item = -1) {
        auto r = runs(execution, step, item);
        return r.empty() ? "" : r.back().status;
    }

    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    flowctl::test::TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
};

}  // namespace flowctl::engine::test
