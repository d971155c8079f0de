#include "core/run_queue.hpp"

#include <algorithm>

namespace flowctl::daemon {

void RunQueue::push(const QueuedRun& run) { m_entries.insert(Entry{run, m_next_seq++}); }

std::optional<QueuedRun> RunQueue::pop_ready(int64_t now_ms, const std::function<bool(const QueuedRun&)>& may_start) {
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->run.not_before_ms > now_ms) continue;
        if (may_start && !may_start(it->run)) continue;
        QueuedRun run = it->run;
        m_entries.erase(it);
        return run;
    }
    return std::nullopt;
}

bool RunQueue::remove(const std::string& execution_id) {
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
                           [&](const Entry& e) { return e.run.execution_id == execution_id; });
    if (it == m_entries.end()) return false;
    m_entries.erase(it);
    return true;
}

std::vector<QueuedRun> RunQueue::take_all() {
    std::vector<QueuedRun> out;
    out.reserve(m_entries.size());
    for (const auto& e : m_entries) out.push_back(e.run);
    m_entries.clear();
    return out;
}

std::optional<int64_t> RunQueue::next_due_after(int64_t now_ms) const {
    std::optional<int64_t> next;
    for (const auto& e : m_entries)
        if (e.run.not_before_ms > now_ms && (!next || e.run.not_before_ms < *next)) next = e.run.not_before_ms;
    return next;
}

}  // namespace flowctl::daemon
