#pragma once
#include <atomic>

namespace flowctl::util {

/// A one-shot cancellation signal that blocking code can poll() on: fd() becomes readable
/// once cancel() was called. cancel() is async-signal-safe (an atomic store and a write()).
class CancelToken {
public:
    CancelToken();
    ~CancelToken();
    CancelToken(const CancelToken&) = delete;
    CancelToken& operator=(const CancelToken&) = delete;

    void cancel() noexcept;
    bool cancelled() const noexcept { return m_cancelled.load(std::memory_order_acquire); }
    int fd() const noexcept { return m_fd; }

    /// Sleeps up to ms milliseconds; returns false when cancelled first.
    bool sleep_for(long long ms) const;

private:
    std::atomic<bool> m_cancelled{false};
    int m_fd = -1;
};

}  // namespace flowctl::util
