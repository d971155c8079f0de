// Large flows finish with bounded threads and linear scheduling.
#include <dirent.h>

#include "engine_fixture.hpp"

namespace flowctl::engine::test {
namespace {

int thread_count() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/task")) {
        while (auto* e = ::readdir(d)) n += e->d_name[0] != '.';
        ::closedir(d);
    }
    return n;
}

TEST_F(EngineTest, TenThousandIndependentLogStepsComplete) {
    std::string yaml = "name: wide\nsteps:\n";
    for (int i = 0; i < 10000; ++i)
        yaml += "  - id: s" + std::to_string(i) + "\n    log: step " + std::to_string(i) + "\n";
    auto flow = load(yaml);
    int max_threads = 0;
    auto o = options();
    o.on_event = [&](const Event& e) {
        if (e.kind == Event::Kind::step_started && e.step_id.back() == '0')
            max_threads = std::max(max_threads, thread_count());
    };
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_LT(seconds_since(t0), 60.0);
    EXPECT_LE(max_threads, 16 + 4);  // the pool (max_parallel 16) plus the test's own threads
    auto steps = m_store->step_runs(r.execution_id);
    EXPECT_EQ(steps.size(), 10000u);
    EXPECT_EQ(m_store->logs(r.execution_id, "s9999").size(), 1u);
}

TEST_F(EngineTest, TenThousandStepChainCompletes) {
    std::string yaml = "name: chain\nsteps:\n  - id: s0\n    log: first\n";
    for (int i = 1; i < 10000; ++i)
        yaml += "  - id: s" + std::to_string(i) + "\n    needs: s" + std::to_string(i - 1) + "\n    log: x\n";
    auto flow = load(yaml);
    auto t0 = std::chrono::steady_clock::now();
    auto r = run(flow);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_LT(seconds_since(t0), 60.0);
    EXPECT_EQ(m_store->step_runs(r.execution_id).size(), 10000u);
}

}  // namespace
}  // namespace flowctl::engine::test
