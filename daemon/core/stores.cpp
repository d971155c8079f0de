#include "core/stores.hpp"

#include <spdlog/spdlog.h>

namespace flowctl::daemon {

namespace {
constexpr auto k_checkpoint_every = std::chrono::seconds(1);
}

Stores::~Stores() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_stop_cv.notify_all();
    if (m_checkpointer.joinable()) m_checkpointer.join();
}

store::Store& Stores::local() {
    std::lock_guard lock(m_mutex);
    auto& slot = m_by_thread[std::this_thread::get_id()];
    if (!slot) {
        slot = std::make_unique<store::Store>(m_dir);
        slot->no_auto_checkpoint();
        if (!m_checkpointer.joinable()) m_checkpointer = std::thread([this] { checkpoint_loop(); });
    }
    return *slot;
}

void Stores::checkpoint_loop() {
    std::unique_ptr<store::Store> own;
    std::unique_lock lock(m_mutex);
    while (!m_stop_cv.wait_for(lock, k_checkpoint_every, [this] { return m_stopping; })) {
        lock.unlock();
        try {
            if (!own) own = std::make_unique<store::Store>(m_dir);
            own->checkpoint();
        } catch (const std::exception& e) {
            spdlog::warn("history checkpoint failed (tried again in a second): {}", e.what());
        }
        lock.lock();
    }
}

}  // namespace flowctl::daemon
