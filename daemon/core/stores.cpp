#include "core/stores.hpp"

namespace flowctl::daemon {

store::Store& Stores::local() {
    std::lock_guard lock(m_mutex);
    auto& slot = m_by_thread[std::this_thread::get_id()];
    // The daemon is long-lived: the default checkpoint interval suits it (no keep_wal_short()).
    if (!slot) slot = std::make_unique<store::Store>(m_dir);
    return *slot;
}

}  // namespace flowctl::daemon
