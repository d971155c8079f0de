#include "util/cancel.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace flowctl::util {

CancelToken::CancelToken() : m_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_fd < 0) throw std::runtime_error("eventfd failed");
}

CancelToken::~CancelToken() {
    if (m_fd >= 0) ::close(m_fd);
}

void CancelToken::cancel() noexcept {
    if (m_cancelled.exchange(true, std::memory_order_acq_rel)) return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_fd, &one, sizeof one);  // the counter stays non-zero: readable forever
}

bool CancelToken::sleep_for(long long ms) const {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + std::chrono::milliseconds(ms);
    while (!cancelled()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) return true;
        pollfd p{m_fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
        if (r < 0 && errno != EINTR) return !cancelled();
    }
    return false;
}

}  // namespace flowctl::util
