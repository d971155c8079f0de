#pragma once
// The queue of executions waiting to start: higher priority first, then first come first
// served, and none before its not-before time. A later, higher-priority entry that is not yet
// due does not hold back an earlier one that is, and an entry its caller may not start yet
// (its flow is at its limit of running executions) does not hold back the others.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace flowctl::daemon {

struct QueuedRun {
    std::string execution_id;
    int priority = 0;
    int64_t not_before_ms = 0;  // epoch ms; 0: now
    std::string flow;           // the flow's name, for per-flow limits
};

class RunQueue {
public:
    void push(const QueuedRun& run);
    /// The best entry that may start at `now_ms` and that `may_start` (when given) accepts,
    /// removed from the queue.
    std::optional<QueuedRun> pop_ready(int64_t now_ms, const std::function<bool(const QueuedRun&)>& may_start = {});
    /// Removes an entry; false when it is not queued.
    bool remove(const std::string& execution_id);
    /// Removes and returns every entry, best first.
    std::vector<QueuedRun> take_all();
    /// The earliest not-before time of the entries not due at `now_ms` (to sleep until then).
    std::optional<int64_t> next_due_after(int64_t now_ms) const;

    size_t size() const { return m_entries.size(); }
    bool empty() const { return m_entries.empty(); }

private:
    struct Entry {
        QueuedRun run;
        uint64_t seq = 0;
        bool operator<(const Entry& o) const {
            if (run.priority != o.run.priority) return run.priority > o.run.priority;
            return seq < o.seq;
        }
    };
    std::set<Entry> m_entries;
    uint64_t m_next_seq = 0;
};

}  // namespace flowctl::daemon
