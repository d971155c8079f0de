#pragma once
// Internal to the store module: a write transaction of its own, or the caller's when one is
// open. BEGIN IMMEDIATE takes the write lock up front, so a read followed by a write never
// needs a lock upgrade that a concurrent writer could refuse with SQLITE_BUSY.
#include "store/store.hpp"

namespace flowctl::store::detail {

class OwnTransaction {
public:
    explicit OwnTransaction(Store& store) : m_store(store), m_own(!store.in_transaction()) {
        if (m_own) m_store.begin();
    }
    ~OwnTransaction() {
        if (m_own && !m_done) {
            try {
                m_store.rollback();
            } catch (...) {  // NOLINT(bugprone-empty-catch): closing rolls back anyway
            }
        }
    }
    OwnTransaction(const OwnTransaction&) = delete;
    OwnTransaction& operator=(const OwnTransaction&) = delete;

    void commit() {
        if (m_own) m_store.commit();
        m_done = true;
    }

private:
    Store& m_store;
    bool m_own;
    bool m_done = false;
};

}  // namespace flowctl::store::detail
