#pragma once
// One SQLite connection per thread: store::Store is not thread-safe, and WAL lets readers run
// beside the one writer. Commits never checkpoint (a checkpoint's fsyncs can stall a busy disk
// for hundreds of milliseconds, and a scheduler or a request must not wait for that): a thread
// of its own copies the WAL back into the database every second.
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace flowctl::daemon {

class Stores {
public:
    explicit Stores(std::filesystem::path state_dir) : m_dir(std::move(state_dir)) {}
    ~Stores();  // stops the checkpoint thread
    Stores(const Stores&) = delete;
    Stores& operator=(const Stores&) = delete;

    /// The calling thread's connection, opened on first use.
    store::Store& local();
    const std::filesystem::path& state_dir() const { return m_dir; }

private:
    void checkpoint_loop();

    std::filesystem::path m_dir;
    std::mutex m_mutex;
    std::map<std::thread::id, std::unique_ptr<store::Store>> m_by_thread;
    std::condition_variable m_stop_cv;
    bool m_stopping = false;
    std::thread m_checkpointer;
};

}  // namespace flowctl::daemon
