// API tokens: only hashes of their secrets are stored.
#include "store/statements.hpp"

namespace flowctl::store {

void Store::insert_token(const TokenRecord& t) {
    auto& s = m_stmts->insert_token;
    auto u = s.use();
    s.bind(1, t.id);
    s.bind(2, t.name);
    s.bind(3, t.scope);
    s.bind(4, t.hash);
    s.bind(5, t.created_ms);
    s.bind(6, t.last_used_ms);
    s.bind(7, t.revoked_ms);
    s.run();
}

std::vector<TokenRecord> Store::list_tokens(bool include_revoked) {
    std::vector<TokenRecord> out;
    auto& s = m_stmts->list_tokens;
    auto u = s.use();
    s.bind(1, include_revoked ? 1 : 0);
    while (s.step()) out.push_back(read_token(s));
    return out;
}

std::optional<TokenRecord> Store::find_token_by_hash(std::string_view hash) {
    auto& s = m_stmts->token_by_hash;
    auto u = s.use();
    s.bind(1, hash);
    if (!s.step()) return std::nullopt;
    return read_token(s);
}

bool Store::revoke_token(std::string_view id_or_name, int64_t now_ms) {
    auto& s = m_stmts->revoke_token;
    auto u = s.use();
    s.bind(1, id_or_name);
    s.bind(2, now_ms);
    s.run();
    return sqlite3_changes(m_db) > 0;
}

void Store::touch_token(std::string_view id, int64_t now_ms) {
    auto& s = m_stmts->touch_token;
    auto u = s.use();
    s.bind(1, id);
    s.bind(2, now_ms);
    s.run();
}

}  // namespace flowctl::store
