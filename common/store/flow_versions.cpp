// Flow definitions the daemon has seen, and which flows are enabled.
#include "store/statements.hpp"
#include "store/transaction.hpp"
#include "util/time.hpp"

namespace flowctl::store {

namespace {

FlowVersionRecord read_flow_version(const detail::Stmt& s) {
    FlowVersionRecord v;
    v.id = s.col_int(0);
    v.flow_name = s.col_text(1);
    v.hash = s.col_text(2);
    v.path = s.col_text(3);
    v.created_ms = s.col_int(4);
    v.content = s.col_text(5);
    return v;
}

}  // namespace

int64_t Store::record_flow_version(const std::string& flow_name, const std::string& hash, const std::string& path,
                                   const std::string& content, int64_t now_ms) {
    // Two daemon threads loading the same file must not both add it.
    detail::OwnTransaction tx(*this);
    {
        auto& s = m_stmts->newest_flow_version;
        auto u = s.use();
        s.bind(1, flow_name);
        if (s.step() && s.col_text(1) == hash) {
            int64_t id = s.col_int(0);
            tx.commit();
            return id;
        }
    }
    auto& s = m_stmts->insert_flow_version;
    {
        auto u = s.use();
        s.bind(1, flow_name);
        s.bind(2, hash);
        s.bind(3, path);
        s.bind(4, now_ms);
        s.bind(5, content);
        s.run();
    }
    int64_t id = sqlite3_last_insert_rowid(m_db);
    tx.commit();
    return id;
}

std::optional<FlowVersionRecord> Store::flow_version(int64_t id) {
    auto& s = m_stmts->flow_version;
    auto u = s.use();
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_flow_version(s);
}

std::vector<FlowVersionRecord> Store::flow_versions(std::string_view flow_name, int limit) {
    std::vector<FlowVersionRecord> out;
    auto& s = m_stmts->flow_versions;
    auto u = s.use();
    s.bind(1, flow_name);
    s.bind(2, limit > 0 ? int64_t{limit} : int64_t{-1});
    while (s.step()) out.push_back(read_flow_version(s));
    return out;
}

void Store::set_flow_enabled(const std::string& flow_name, bool enabled) {
    auto& s = m_stmts->set_flow_enabled;
    auto u = s.use();
    s.bind(1, flow_name);
    s.bind(2, enabled ? 1 : 0);
    s.bind(3, util::now_ms());
    s.run();
}

std::map<std::string, bool> Store::flow_enabled_states() {
    std::map<std::string, bool> out;
    auto& s = m_stmts->flow_enabled_states;
    auto u = s.use();
    while (s.step()) out[s.col_text(0)] = s.col_int(1) != 0;
    return out;
}

}  // namespace flowctl::store
