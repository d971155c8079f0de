#pragma once
// The wall clock the scheduler fires by, and a test clock that tests move by hand. Schedules
// are wall-clock times, so the scheduler must notice when that clock jumps (settimeofday, an
// NTP step, a resume from suspend) and look again at what became due or was missed.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace flowctl::daemon {

class Clock {
public:
    enum class Wake { deadline, woken, clock_changed };
    virtual ~Clock() = default;
    /// Epoch milliseconds.
    virtual int64_t now_ms() = 0;
    /// Blocks until now_ms() >= deadline_ms (-1: no deadline), wake() is called, or the wall
    /// clock changed discontinuously. One thread waits at a time.
    virtual Wake wait_until(int64_t deadline_ms) = 0;
    /// Ends the current (or the next) wait_until() with Wake::woken; safe from any thread.
    virtual void wake() = 0;
};

/// CLOCK_REALTIME through a timerfd (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET): precise to
/// the millisecond, fires right after a resume when the deadline passed during the suspend,
/// and reports clock steps and resumes (BOOTTIME moving ahead of MONOTONIC) as clock_changed.
std::unique_ptr<Clock> make_system_clock();

/// A clock that only moves when told to: set() and advance() wake a waiter whose deadline has
/// come; jump() also reports clock_changed, as a step of the real clock would.
class ManualClock : public Clock {
public:
    explicit ManualClock(int64_t start_ms) : m_now(start_ms) {}
    int64_t now_ms() override;
    Wake wait_until(int64_t deadline_ms) override;
    void wake() override;

    void set(int64_t ms);
    void advance(int64_t ms);
    void jump(int64_t ms);
    /// How many times a waiter went to sleep (tests wait for the scheduler to be idle again).
    uint64_t waits() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    int64_t m_now;
    bool m_woken = false;
    bool m_jumped = false;
    uint64_t m_waits = 0;
};

}  // namespace flowctl::daemon
