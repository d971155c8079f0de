#pragma once
// Messages from worker threads to the engine thread, which alone touches the Store.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "engine/engine.hpp"
#include "steps/step.hpp"

namespace flowctl::engine {

struct Message {
    enum class Kind { attempt_started, log, attempt_finished, retrying, unit_done, subflow_event };
    Kind kind = Kind::log;
    int unit = -1;
    int attempt = 1;
    int64_t ts_ms = 0;         // when it happened (attempt start for attempt_started/finished)
    int64_t finished_ms = 0;   // attempt_finished
    steps::StepResult result;  // attempt_finished
    steps::LogLevel level = steps::LogLevel::info;
    std::string stream;    // log
    std::string text;      // log line
    int64_t delay_ms = 0;  // retrying
    Event event{};         // subflow_event: passed on to the caller's on_event
};

class Mailbox {
public:
    void push(Message m) {
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(m));
        }
        m_cv.notify_one();
    }

    /// Waits until a message is there or `until` passes; returns every queued message.
    std::deque<Message> wait(std::chrono::steady_clock::time_point until) {
        std::unique_lock lock(m_mutex);
        m_cv.wait_until(lock, until, [&] { return !m_queue.empty(); });
        std::deque<Message> out;
        out.swap(m_queue);
        return out;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Message> m_queue;
};

}  // namespace flowctl::engine
