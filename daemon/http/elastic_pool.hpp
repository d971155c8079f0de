#pragma once
// A request thread pool that grows with demand up to a limit and shrinks when idle, so an idle
// daemon holds a handful of threads (and their stacks) instead of the limit.
#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace flowctl::daemon {

class ElasticPool : public httplib::TaskQueue {
public:
    explicit ElasticPool(size_t max_threads, std::chrono::milliseconds idle_exit = std::chrono::seconds(30));
    ~ElasticPool() override;
    void enqueue(std::function<void()> fn) override;
    /// Runs what is queued, then waits for every worker to exit.
    void shutdown() override;
    size_t threads() const;

    struct State;  // shared with the (detached) workers, so it outlives them

private:
    std::shared_ptr<State> m_state;
};

}  // namespace flowctl::daemon
