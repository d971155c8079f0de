#pragma once
// One SQLite connection per thread: store::Store is not thread-safe, and WAL lets readers run
// beside the one writer.
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
    /// The calling thread's connection, opened on first use.
    store::Store& local();
    const std::filesystem::path& state_dir() const { return m_dir; }

private:
    std::filesystem::path m_dir;
    std::mutex m_mutex;
    std::map<std::thread::id, std::unique_ptr<store::Store>> m_by_thread;
};

}  // namespace flowctl::daemon
