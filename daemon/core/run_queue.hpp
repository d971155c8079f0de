#pragma once
// The queue of executions waiting to start: higher priority first, then first come first
// served, and none before its not-before time. A later, higher-priority entry that is not yet
// due does not hold back an earlier one that is.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace flowctl::daemon {

struct QueuedRun {
    std::string execution_id;
    int priority = 0;
    int64_t not_before_ms = 0;  // epoch ms; 0: now
};

class RunQueue {
public:
    void push(const QueuedRun& run);
    /// The best entry that may start at `now_ms`, removed from the queue.
    std::optional<QueuedRun> pop_ready(int64_t now_ms);
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
