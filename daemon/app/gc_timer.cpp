#include "app/gc_timer.hpp"

#include <spdlog/spdlog.h>

#include "util/time.hpp"

namespace flowctl::daemon {

store::GcPolicy gc_policy(const config::Config& config) {
    store::GcPolicy policy;
    policy.max_age_ms = config.retention_max_age.count();
    policy.max_executions = config.retention_max_executions;
    return policy;
}

store::GcResult run_gc(store::Store& store, const store::GcPolicy& policy) {
    auto result = store.gc(policy, false, util::now_ms());
    if (result.executions > 0) {
        spdlog::info("gc: removed {} executions ({} step runs, {} log lines); history.db {} -> {} bytes",
                     result.executions, result.step_runs, result.logs, result.bytes_before, result.bytes_after);
    } else {
        spdlog::debug("gc: nothing to remove");
    }
    return result;
}

GcTimer::GcTimer(const config::Config& config, Stores& stores, std::chrono::milliseconds first_run)
    : m_config(config), m_stores(stores) {
    auto policy = gc_policy(config);
    if (config.gc_interval.count() <= 0 || (policy.max_age_ms <= 0 && policy.max_executions <= 0)) return;
    m_thread = std::thread([this, first_run] { loop(first_run); });
}

GcTimer::~GcTimer() { stop(); }

void GcTimer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

uint64_t GcTimer::runs() const {
    std::lock_guard lock(m_mutex);
    return m_runs;
}

void GcTimer::loop(std::chrono::milliseconds first_run) {
    auto wait = first_run;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_cv.wait_for(lock, wait, [this] { return m_stopping; })) return;
        }
        try {
            run_gc(m_stores.local(), gc_policy(m_config));
        } catch (const std::exception& e) {
            spdlog::warn("gc failed: {}", e.what());
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_runs;
        }
        wait = m_config.gc_interval;
    }
}

}  // namespace flowctl::daemon
