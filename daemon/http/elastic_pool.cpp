#include "http/elastic_pool.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace flowctl::daemon {

struct ElasticPool::State {
    std::mutex mutex;
    std::condition_variable work;     // a job arrived or shutdown
    std::condition_variable stopped;  // a worker exited
    std::deque<std::function<void()>> jobs;
    size_t max_threads = 1;
    std::chrono::milliseconds idle_exit{30000};
    size_t threads = 0;
    size_t idle = 0;
    bool shutting_down = false;
};

namespace {

void worker(const std::shared_ptr<ElasticPool::State>& state);

}  // namespace

ElasticPool::ElasticPool(size_t max_threads, std::chrono::milliseconds idle_exit) : m_state(std::make_shared<State>()) {
    m_state->max_threads = max_threads == 0 ? 1 : max_threads;
    m_state->idle_exit = idle_exit;
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> fn) {
    std::unique_lock lock(m_state->mutex);
    m_state->jobs.push_back(std::move(fn));
    // A new thread only when nobody idle will pick the job up; past the limit jobs wait in line.
    if (m_state->idle < m_state->jobs.size() && m_state->threads < m_state->max_threads) {
        ++m_state->threads;
        std::thread([state = m_state] { worker(state); }).detach();
    } else {
        m_state->work.notify_one();
    }
}

void ElasticPool::shutdown() {
    std::unique_lock lock(m_state->mutex);
    m_state->shutting_down = true;
    m_state->work.notify_all();
    m_state->stopped.wait(lock, [&] { return m_state->threads == 0; });
}

size_t ElasticPool::threads() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->threads;
}

namespace {

void worker(const std::shared_ptr<ElasticPool::State>& state) {
    std::unique_lock lock(state->mutex);
    for (;;) {
        if (state->jobs.empty()) {
            if (state->shutting_down) break;
            ++state->idle;
            bool woke = state->work.wait_for(lock, state->idle_exit,
                                             [&] { return !state->jobs.empty() || state->shutting_down; });
            --state->idle;
            if (!woke) break;  // idle too long: give the stack back
            continue;
        }
        auto job = std::move(state->jobs.front());
        state->jobs.pop_front();
        lock.unlock();
        job();
        lock.lock();
    }
    --state->threads;
    state->stopped.notify_all();
}

}  // namespace

}  // namespace flowctl::daemon
