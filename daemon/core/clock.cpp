#include "core/clock.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace flowctl::daemon {

namespace {

int64_t read_clock_ms(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

/// Time spent suspended since boot: BOOTTIME counts it, MONOTONIC does not.
int64_t suspended_ms() { return read_clock_ms(CLOCK_BOOTTIME) - read_clock_ms(CLOCK_MONOTONIC); }

class SystemClock : public Clock {
public:
    SystemClock() {
        m_timer = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
        if (m_timer < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
        m_wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (m_wake < 0) {
            int err = errno;
            ::close(m_timer);
            throw std::system_error(err, std::generic_category(), "eventfd");
        }
        m_suspended = suspended_ms();
    }
    ~SystemClock() override {
        ::close(m_timer);
        ::close(m_wake);
    }

    int64_t now_ms() override { return read_clock_ms(CLOCK_REALTIME); }

    Wake wait_until(int64_t deadline_ms) override {
        // Armed even without a deadline (at the far future): CANCEL_ON_SET only reports clock
        // changes to an armed timer.
        itimerspec spec{};
        int64_t at = deadline_ms < 0 ? now_ms() + 24LL * 3600 * 1000 : deadline_ms;
        spec.it_value.tv_sec = at / 1000;
        spec.it_value.tv_nsec = (at % 1000) * 1'000'000;
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;  // 0 would disarm
        if (::timerfd_settime(m_timer, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) < 0) {
            if (errno == ECANCELED) return Wake::clock_changed;
            throw std::system_error(errno, std::generic_category(), "timerfd_settime");
        }
        for (;;) {
            pollfd fds[2] = {{m_timer, POLLIN, 0}, {m_wake, POLLIN, 0}};
            int ready = ::poll(fds, 2, -1);
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
            if (fds[1].revents & POLLIN) {
                uint64_t n;
                [[maybe_unused]] auto r = ::read(m_wake, &n, sizeof n);
                return Wake::woken;
            }
            uint64_t expirations;
            ssize_t r = ::read(m_timer, &expirations, sizeof expirations);
            if (r < 0 && errno == ECANCELED) return Wake::clock_changed;
            if (r < 0 && errno == EAGAIN) continue;
            if (resumed()) return Wake::clock_changed;
            if (deadline_ms < 0) return Wake::woken;  // the far-future stand-in: look again
            return Wake::deadline;
        }
    }

    void wake() override {
        uint64_t one = 1;
        [[maybe_unused]] auto r = ::write(m_wake, &one, sizeof one);
    }

private:
    /// True when the machine was suspended since the last look.
    bool resumed() {
        int64_t now = suspended_ms();
        bool slept = now - m_suspended > 1000;
        m_suspended = now;
        return slept;
    }

    int m_timer = -1;
    int m_wake = -1;
    int64_t m_suspended = 0;
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

int64_t ManualClock::now_ms() {
    std::lock_guard lock(m_mutex);
    return m_now;
}

Clock::Wake ManualClock::wait_until(int64_t deadline_ms) {
    std::unique_lock lock(m_mutex);
    ++m_waits;
    m_changed.notify_all();
    for (;;) {
        if (m_jumped) {
            m_jumped = false;
            return Wake::clock_changed;
        }
        if (m_woken) {
            m_woken = false;
            return Wake::woken;
        }
        if (deadline_ms >= 0 && m_now >= deadline_ms) return Wake::deadline;
        m_changed.wait(lock);
    }
}

void ManualClock::wake() {
    std::lock_guard lock(m_mutex);
    m_woken = true;
    m_changed.notify_all();
}

void ManualClock::set(int64_t ms) {
    std::lock_guard lock(m_mutex);
    m_now = ms;
    m_changed.notify_all();
}

void ManualClock::advance(int64_t ms) {
    std::lock_guard lock(m_mutex);
    m_now += ms;
    m_changed.notify_all();
}

void ManualClock::jump(int64_t ms) {
    std::lock_guard lock(m_mutex);
    m_now = ms;
    m_jumped = true;
    m_changed.notify_all();
}

uint64_t ManualClock::waits() const {
    std::lock_guard lock(m_mutex);
    return m_waits;
}

}  // namespace flowctl::daemon
