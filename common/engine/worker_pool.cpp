#include "engine/worker_pool.hpp"

#include <system_error>

namespace flowctl::engine {

bool WorkerPool::submit(std::function<void()> job) {
    std::unique_lock lock(m_mutex);
    m_jobs.push_back(std::move(job));
    if (m_jobs.size() > m_idle && m_threads.size() < m_max) {
        try {
            m_threads.emplace_back([this] { loop(); });
        } catch (const std::system_error&) {
            if (m_threads.empty()) {
                m_jobs.pop_back();
                return false;
            }
            // The threads there are will get to it.
        }
    }
    lock.unlock();
    m_cv.notify_one();
    return true;
}

void WorkerPool::loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        ++m_idle;
        m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
        --m_idle;
        if (m_jobs.empty()) return;  // stopping, nothing left
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        lock.lock();
    }
}

void WorkerPool::shutdown() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        threads.swap(m_threads);
    }
    m_cv.notify_all();
    for (auto& t : threads) t.join();
}

}  // namespace flowctl::engine
