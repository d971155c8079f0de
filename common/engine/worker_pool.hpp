#pragma once
// A pool that grows on demand up to a fixed number of threads. The engine never submits
// more jobs than it allows to run at once, so the limit bounds the threads of a run.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace flowctl::engine {

class WorkerPool {
public:
    explicit WorkerPool(size_t max_threads) : m_max(max_threads < 1 ? 1 : max_threads) {}
    ~WorkerPool() { shutdown(); }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues a job; false when no thread could be started to run it.
    bool submit(std::function<void()> job);
    /// Runs the queued jobs to the end and joins every thread.
    void shutdown();

private:
    void loop();

    size_t m_max;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    std::vector<std::thread> m_threads;
    size_t m_idle = 0;
    bool m_stop = false;
};

}  // namespace flowctl::engine
