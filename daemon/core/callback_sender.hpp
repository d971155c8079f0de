#pragma once
// POSTs an execution's result to its callback_url on background threads, so a slow or dead
// receiver never holds up the dispatcher. Each callback gets a few attempts with backoff;
// failures are logged and otherwise dropped.
#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "util/cancel.hpp"

namespace flowctl::daemon {

struct CallbackPolicy {
    int attempts = 3;
    std::chrono::milliseconds timeout{10000};  // per attempt
    std::chrono::milliseconds backoff{1000};   // before the 2nd attempt, doubled after each
};

/// True for an absolute http:// or https:// URL (the only schemes a callback may use).
bool is_http_url(const std::string& url);

class CallbackSender {
public:
    explicit CallbackSender(CallbackPolicy policy = {});
    ~CallbackSender();  // shutdown() now
    CallbackSender(const CallbackSender&) = delete;
    CallbackSender& operator=(const CallbackSender&) = delete;

    /// Starts POSTing `json_body` (Content-Type: application/json) to `url`; returns at once.
    void post(const std::string& url, std::string json_body);
    /// Lets callbacks in flight finish until `deadline`, then abandons the rest; joins every thread.
    void shutdown(std::chrono::steady_clock::time_point deadline);
    /// Callbacks not finished yet.
    size_t in_flight() const;

private:
    struct Job {
        std::thread thread;
        bool done = false;
    };
    void send(const std::string& url, const std::string& body);
    void reap_locked(std::unique_lock<std::mutex>& lock);

    CallbackPolicy m_policy;
    util::CancelToken m_stop;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::list<Job> m_jobs;
    bool m_closed = false;
};

}  // namespace flowctl::daemon
