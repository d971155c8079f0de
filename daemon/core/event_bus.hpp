#pragma once
// Live events of executions, fanned out to subscribers (the /api/v1/events stream).
// Each event is a JSON object (shape in daemon/API.md):
//   {"seq", "time", "type", "execution_id", "flow", "parent_id", "step", "item_index",
//    "attempt", "status", "message", "duration_ms"}
// type: execution_queued | execution_started | step_started | step_log | step_retrying |
//       step_finished | execution_finished | flow_loaded | flow_invalid | flow_removed
#include <condition_variable>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace flowctl::daemon {

struct EventFilter {
    std::string execution_id;  // empty: any (an execution's sub-flows match too)
    std::string flow;          // empty: any
    bool include_logs = true;  // step_log events
};

/// A subscriber's queue. Bounded: when a slow reader falls behind, the oldest events are dropped
/// and the next event read is {"type": "lagged", "dropped": N}.
class Subscription {
public:
    /// Waits up to `timeout` for the next event; false on timeout or when closed.
    bool next(json& out, std::chrono::milliseconds timeout);
    void close();
    bool closed() const;

private:
    friend class EventBus;
    EventFilter m_filter;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<json> m_queue;
    uint64_t m_dropped = 0;
    bool m_closed = false;
};

class EventBus {
public:
    explicit EventBus(size_t queue_limit = 10000) : m_limit(queue_limit) {}
    std::shared_ptr<Subscription> subscribe(EventFilter filter);
    /// Adds "seq" and "time" (when missing) and delivers to every matching subscriber.
    void publish(json event);
    /// Closes every subscription (shutdown).
    void close_all();
    size_t subscribers() const;

private:
    bool matches_locked(const EventFilter& filter, const json& event, const std::string& type,
                        const std::string& id) const;
    void prune_locked();
    void forget_tree_locked(const std::string& root);

    size_t m_limit;
    mutable std::mutex m_mutex;
    uint64_t m_seq = 0;
    std::vector<std::weak_ptr<Subscription>> m_subs;
    // execution id -> its top-level execution id, so a filter on an execution sees its sub-flows
    std::map<std::string, std::string> m_roots;
    // execution id -> the execution that started it (a filter on a sub-flow sees its own sub-flows)
    std::map<std::string, std::string> m_parents;
};

}  // namespace flowctl::daemon
