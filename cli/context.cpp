#include "context.hpp"

#include "util/paths.hpp"

namespace flowctl::cli {

store::Store& Context::store() {
    if (!m_store) {
        m_store = std::make_unique<store::Store>(util::state_dir(state_dir));
        m_store->keep_wal_short();
        m_store->recover_interrupted();
    }
    return *m_store;
}

}  // namespace flowctl::cli
