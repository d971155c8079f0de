#include "engine/history_writer.hpp"

namespace flowctl::engine {

void HistoryWriter::touch() {
    if (!m_first_unflushed) m_first_unflushed = Clock::now();
}

void HistoryWriter::step_run(const store::StepRunRecord& r) {
    std::string key =
        r.execution_id + '\n' + r.step_id + '\n' + std::to_string(r.item_index) + '\n' + std::to_string(r.attempt);
    auto [it, inserted] = m_run_index.try_emplace(key, m_runs.size());
    if (inserted)
        m_runs.push_back(r);
    else
        m_runs[it->second] = r;
    touch();
}

void HistoryWriter::log(store::LogRecord l) {
    m_logs.push_back(std::move(l));
    touch();
}

void HistoryWriter::execution(const store::ExecutionRecord& e) {
    m_execution = e;
    touch();
}

std::optional<HistoryWriter::Clock::time_point> HistoryWriter::deadline() const {
    if (!m_first_unflushed) return std::nullopt;
    return *m_first_unflushed + m_interval;
}

void HistoryWriter::flush_if_due() {
    if (m_first_unflushed && Clock::now() >= *m_first_unflushed + m_interval) flush();
}

void HistoryWriter::flush() {
    if (!m_first_unflushed) return;
    try {
        m_store.begin();
        for (const auto& r : m_runs) m_store.upsert_step_run(r);
        for (const auto& l : m_logs) m_store.insert_log(l);
        if (m_execution) m_store.update_execution(*m_execution);
        m_store.commit();
    } catch (...) {
        try {
            if (m_store.in_transaction()) m_store.rollback();
        } catch (...) {
        }
        throw;
    }
    m_runs.clear();
    m_run_index.clear();
    m_logs.clear();
    m_execution.reset();
    m_first_unflushed.reset();
}

}  // namespace flowctl::engine
