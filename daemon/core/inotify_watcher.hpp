#pragma once
// Watches one directory with inotify and reports, on a thread of its own, which file names
// changed (debounced per name: an editor's save of several steps is reported once) and when
// everything must be rescanned (the queue overflowed, or the directory went away and came back).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace flowctl::daemon {

class InotifyWatcher {
public:
    struct Handlers {
        std::function<bool(std::string_view name)> wanted;     // names worth reporting
        std::function<void(const std::string& name)> changed;  // created, written, moved or deleted
        std::function<void()> rescan;                          // look at every file again
    };

    InotifyWatcher(std::filesystem::path dir, std::chrono::milliseconds debounce, Handlers handlers);
    ~InotifyWatcher();  // stop()
    InotifyWatcher(const InotifyWatcher&) = delete;
    InotifyWatcher& operator=(const InotifyWatcher&) = delete;

    /// Starts the thread; throws std::system_error when inotify is unavailable.
    void start();
    /// Wakes the thread and joins it; returns promptly (no handler runs after it returns).
    void stop();
    bool running() const { return m_running.load(); }

    /// While the directory is missing it is looked for this often.
    static constexpr std::chrono::milliseconds missing_dir_poll{200};
    /// A file that vanished is reported this much later than the debounce, in case it reappears.
    static constexpr std::chrono::milliseconds vanish_grace{400};

private:
    void run();

    std::filesystem::path m_dir;
    std::chrono::milliseconds m_debounce;
    Handlers m_handlers;
    int m_inotify_fd = -1;
    int m_watch = -1;    // the directory's watch descriptor when start() found it
    int m_wake_fd = -1;  // eventfd: stop() writes it to end poll()
    std::thread m_thread;
    std::atomic<bool> m_running{false};
};

}  // namespace flowctl::daemon
