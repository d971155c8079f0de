#pragma once
// History retention on a timer: store.gc() with the configured policy, once shortly after
// start and then every gc_interval, on a thread of its own (with its own connection).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "core/stores.hpp"
#include "store/store.hpp"

namespace flowctl::daemon {

/// The policy of the configuration; both limits 0 means nothing to collect.
store::GcPolicy gc_policy(const config::Config& config);

/// One collection, logged: what it removed at info level, nothing to do at debug level.
store::GcResult run_gc(store::Store& store, const store::GcPolicy& policy);

class GcTimer {
public:
    /// Does nothing when config.gc_interval is 0 or the policy has no limit.
    GcTimer(const config::Config& config, Stores& stores,
            std::chrono::milliseconds first_run = std::chrono::seconds(10));
    ~GcTimer();  // stop()
    GcTimer(const GcTimer&) = delete;
    GcTimer& operator=(const GcTimer&) = delete;

    void stop();
    uint64_t runs() const;

private:
    void loop(std::chrono::milliseconds first_run);

    const config::Config& m_config;
    Stores& m_stores;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stopping = false;
    uint64_t m_runs = 0;
    std::thread m_thread;
};

}  // namespace flowctl::daemon
