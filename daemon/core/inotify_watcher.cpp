#include "core/inotify_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <system_error>

namespace flowctl::daemon {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t watch_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB |
                                IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

/// A file waiting for its writer to finish: reported once no event came for `debounce`, or at
/// the latest `max_wait` after its first event (a file written continuously is still seen).
struct Pending {
    Clock::time_point first;
    Clock::time_point due;
    bool graced = false;  // already given extra time because the file was missing
};

}  // namespace

InotifyWatcher::InotifyWatcher(std::filesystem::path dir, std::chrono::milliseconds debounce, Handlers handlers)
    : m_dir(std::move(dir)), m_debounce(debounce), m_handlers(std::move(handlers)) {}

InotifyWatcher::~InotifyWatcher() { stop(); }

void InotifyWatcher::start() {
    if (m_thread.joinable()) return;
    m_inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotify_fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
    m_wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wake_fd < 0) {
        int err = errno;
        ::close(m_inotify_fd);
        m_inotify_fd = -1;
        throw std::system_error(err, std::generic_category(), "eventfd");
    }
    // Watching before start() returns: a change made right after it is not missed.
    m_watch = ::inotify_add_watch(m_inotify_fd, m_dir.c_str(), watch_mask);
    m_running = true;
    m_thread = std::thread([this] { run(); });
}

void InotifyWatcher::stop() {
    if (!m_thread.joinable()) return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wake_fd, &one, sizeof one);
    m_thread.join();
    ::close(m_inotify_fd);
    ::close(m_wake_fd);
    m_inotify_fd = m_wake_fd = -1;
}

void InotifyWatcher::run() {
    const auto max_wait = std::max<std::chrono::milliseconds>(m_debounce * 5, std::chrono::milliseconds(500));
    int wd = m_watch;
    // Whatever changed before the watch existed is found by one look at everything.
    if (wd >= 0 && m_handlers.rescan) m_handlers.rescan();
    std::map<std::string, Pending> pending;
    alignas(struct inotify_event) char buffer[16384];

    for (;;) {
        int timeout_ms = -1;
        if (wd < 0) timeout_ms = static_cast<int>(missing_dir_poll.count());
        if (!pending.empty()) {
            auto next = std::min_element(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
                            return a.second.due < b.second.due;
                        })->second.due;
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
            wait = std::max<int64_t>(wait, 0);
            timeout_ms = timeout_ms < 0 ? static_cast<int>(wait) : std::min(timeout_ms, static_cast<int>(wait));
        }

        pollfd fds[2] = {{m_wake_fd, POLLIN, 0}, {m_inotify_fd, POLLIN, 0}};
        int ready = ::poll(fds, 2, timeout_ms);
        if (ready < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) break;

        bool rescan = false;
        bool dir_gone = false;
        if (fds[1].revents & POLLIN) {
            for (;;) {
                ssize_t len = ::read(m_inotify_fd, buffer, sizeof buffer);
                if (len <= 0) break;
                for (char* p = buffer; p < buffer + len;) {
                    auto* ev = reinterpret_cast<struct inotify_event*>(p);
                    p += sizeof(struct inotify_event) + ev->len;
                    if (ev->mask & IN_Q_OVERFLOW) {
                        rescan = true;
                    } else if (ev->wd == wd && (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT))) {
                        dir_gone = true;
                    } else if (ev->wd == wd && ev->len > 0) {
                        std::string name(ev->name);
                        if (m_handlers.wanted && !m_handlers.wanted(name)) continue;
                        auto now = Clock::now();
                        auto [it, fresh] = pending.try_emplace(name, Pending{now, now});
                        it->second.due = std::min(now + m_debounce, it->second.first + max_wait);
                    }
                }
            }
        }

        if (dir_gone && wd >= 0) {
            // A moved directory is still watched where it went: stop following it.
            ::inotify_rm_watch(m_inotify_fd, wd);
            wd = -1;
            rescan = true;
        }
        if (wd < 0 && std::filesystem::is_directory(m_dir)) {
            wd = ::inotify_add_watch(m_inotify_fd, m_dir.c_str(), watch_mask);
            // Files written before the watch existed are only found by looking.
            if (wd >= 0) rescan = true;
        }

        if (rescan) {
            pending.clear();
            if (m_handlers.rescan) m_handlers.rescan();
            continue;
        }
        auto now = Clock::now();
        std::vector<std::string> due;
        for (auto it = pending.begin(); it != pending.end();) {
            // An editor may move the file away and write the new one a moment later (vim's
            // backup by rename): a missing file gets one grace period before it counts as deleted.
            if (it->second.due <= now && !it->second.graced && !std::filesystem::exists(m_dir / it->first)) {
                it->second.graced = true;
                it->second.due = now + vanish_grace;
                ++it;
                continue;
            }
            if (it->second.due <= now) {
                due.push_back(it->first);
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& name : due)
            if (m_handlers.changed) m_handlers.changed(name);
    }
    m_running = false;
}

}  // namespace flowctl::daemon
