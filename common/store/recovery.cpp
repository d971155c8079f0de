// Finding executions whose owning process died without finishing them.
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "store/statements.hpp"
#include "util/time.hpp"

namespace flowctl::store {

int64_t Store::process_start_time(int pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    if (!in) return 0;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string stat = ss.str();
    // "PID (COMM) STATE PPID ..." where COMM may hold spaces and parentheses: the fields
    // resume after the last ')'. starttime is field 22, i.e. the 20th after COMM.
    auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    size_t pos = close + 1;
    for (int field = 3; field <= 22; ++field) {
        while (pos < stat.size() && stat[pos] == ' ') ++pos;
        size_t end = stat.find(' ', pos);
        if (end == std::string::npos) end = stat.size();
        if (pos >= end) return 0;
        if (field == 22) {
            int64_t value = 0;
            auto [p, ec] = std::from_chars(stat.data() + pos, stat.data() + end, value);
            if (ec != std::errc() || p != stat.data() + end) return 0;
            return value;
        }
        pos = end;
    }
    return 0;
}

int Store::recover_interrupted() {
    struct Candidate {
        std::string id;
        int pid;
        int64_t start;
    };
    // The common case, nothing running, costs one indexed lookup and no write lock.
    std::vector<Candidate> dead;
    {
        auto& s = m_stmts->active_executions;
        auto u = s.use();
        while (s.step()) {
            Candidate c{s.col_text(0), static_cast<int>(s.col_int(1)), s.col_int(2)};
            if (c.pid == 0 || process_start_time(c.pid) != c.start) dead.push_back(std::move(c));
        }
    }
    if (dead.empty()) return 0;

    const bool own_transaction = !in_transaction();
    if (own_transaction) begin();
    int changed = 0;
    try {
        const int64_t now = util::now_ms();
        for (const auto& c : dead) {
            // Re-checked under the write lock: the owner may have finished it meanwhile, or
            // another process may have recovered it already.
            auto& e = m_stmts->interrupt_execution;
            {
                auto u = e.use();
                e.bind(1, c.id);
                e.bind(2, c.pid);
                e.bind(3, c.start);
                e.bind(4, "the process running it (pid " + std::to_string(c.pid) + ") exited without finishing it");
                e.bind(5, now);
                e.run();
            }
            if (sqlite3_changes(m_db) == 0) continue;
            ++changed;
            auto& st = m_stmts->interrupt_steps;
            auto u = st.use();
            st.bind(1, c.id);
            st.bind(2, now);
            st.run();
        }
        if (own_transaction) commit();
    } catch (...) {
        if (own_transaction) rollback();
        throw;
    }
    return changed;
}

}  // namespace flowctl::store
