#pragma once
// Buffers history writes of a running flow and flushes them in one short transaction, so a
// run holds the database lock only briefly (other processes write the same file).
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.hpp"

namespace flowctl::engine {

class HistoryWriter {
public:
    using Clock = std::chrono::steady_clock;
    HistoryWriter(store::Store& store, std::chrono::milliseconds interval) : m_store(store), m_interval(interval) {}

    /// Later writes of the same attempt replace earlier unflushed ones.
    void step_run(const store::StepRunRecord& r);
    void log(store::LogRecord l);
    void execution(const store::ExecutionRecord& e);

    /// When the oldest unflushed write is due; nullopt when nothing is waiting.
    std::optional<Clock::time_point> deadline() const;
    void flush_if_due();
    /// Writes everything now. Throws StoreError (after rolling back).
    void flush();

private:
    void touch();

    store::Store& m_store;
    std::chrono::milliseconds m_interval;
    std::optional<Clock::time_point> m_first_unflushed;
    std::vector<store::StepRunRecord> m_runs;
    std::unordered_map<std::string, size_t> m_run_index;
    std::vector<store::LogRecord> m_logs;
    std::optional<store::ExecutionRecord> m_execution;
};

}  // namespace flowctl::engine
