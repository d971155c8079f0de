#include "core/event_bus.hpp"

#include <algorithm>

#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

std::string string_field(const json& event, const char* key) {
    auto it = event.find(key);
    return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool Subscription::next(json& out, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, timeout, [&] { return m_closed || m_dropped > 0 || !m_queue.empty(); });
    if (m_closed) return false;
    if (m_dropped > 0) {
        // The reader learns it lost events before it reads the ones that were kept.
        out = {{"type", "lagged"}, {"dropped", m_dropped}};
        m_dropped = 0;
        return true;
    }
    if (m_queue.empty()) return false;
    out = std::move(m_queue.front());
    m_queue.pop_front();
    return true;
}

void Subscription::close() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_queue.clear();
    }
    m_cv.notify_all();
}

bool Subscription::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

std::shared_ptr<Subscription> EventBus::subscribe(EventFilter filter) {
    auto sub = std::make_shared<Subscription>();
    sub->m_filter = std::move(filter);
    std::lock_guard lock(m_mutex);
    prune_locked();
    m_subs.push_back(sub);
    return sub;
}

void EventBus::publish(json event) {
    if (!event.is_object()) return;
    if (!event.contains("time")) event["time"] = util::format_rfc3339(util::now_ms());

    std::lock_guard lock(m_mutex);
    // Sequence numbers are taken under the lock so every subscriber sees them in order.
    if (!event.contains("seq")) event["seq"] = ++m_seq;

    const std::string type = string_field(event, "type");
    const std::string id = string_field(event, "execution_id");
    const std::string parent = string_field(event, "parent_id");
    if (!id.empty() && !parent.empty() && type != "execution_finished" && !m_roots.count(id)) {
        auto it = m_roots.find(parent);
        m_roots[id] = it != m_roots.end() ? it->second : parent;
        m_parents[id] = parent;
    }

    bool any_closed = false;
    for (auto& weak : m_subs) {
        auto sub = weak.lock();
        if (!sub) {
            any_closed = true;
            continue;
        }
        if (!matches_locked(sub->m_filter, event, type, id)) continue;
        {
            std::lock_guard sub_lock(sub->m_mutex);
            if (sub->m_closed) {
                any_closed = true;
                continue;
            }
            sub->m_queue.push_back(event);
            while (sub->m_queue.size() > std::max<size_t>(m_limit, 1)) {
                sub->m_queue.pop_front();
                ++sub->m_dropped;
            }
        }
        sub->m_cv.notify_one();
    }
    if (any_closed) prune_locked();

    // A top-level execution that ended takes its sub-flows' entries with it.
    if (type == "execution_finished" && !id.empty() && parent.empty()) forget_tree_locked(id);
}

void EventBus::close_all() {
    std::vector<std::shared_ptr<Subscription>> subs;
    {
        std::lock_guard lock(m_mutex);
        for (auto& weak : m_subs)
            if (auto sub = weak.lock()) subs.push_back(std::move(sub));
        m_subs.clear();
    }
    for (auto& sub : subs) sub->close();
}

size_t EventBus::subscribers() const {
    std::lock_guard lock(m_mutex);
    size_t n = 0;
    for (const auto& weak : m_subs)
        if (auto sub = weak.lock(); sub && !sub->closed()) ++n;
    return n;
}

bool EventBus::matches_locked(const EventFilter& filter, const json& event, const std::string& type,
                              const std::string& id) const {
    if (!filter.include_logs && type == "step_log") return false;
    if (!filter.flow.empty() && string_field(event, "flow") != filter.flow) return false;
    if (filter.execution_id.empty()) return true;
    // The execution itself or any execution it started, however deep.
    for (std::string cur = id; !cur.empty();) {
        if (cur == filter.execution_id) return true;
        auto it = m_parents.find(cur);
        if (it == m_parents.end()) break;
        cur = it->second;
    }
    return false;
}

void EventBus::prune_locked() {
    std::erase_if(m_subs, [](const std::weak_ptr<Subscription>& weak) {
        auto sub = weak.lock();
        return !sub || sub->closed();
    });
}

void EventBus::forget_tree_locked(const std::string& root) {
    for (auto it = m_roots.begin(); it != m_roots.end();) {
        if (it->second == root) {
            m_parents.erase(it->first);
            it = m_roots.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace flowctl::daemon
