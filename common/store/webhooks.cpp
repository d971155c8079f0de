// Webhooks: delivery ids seen (for dedupe) and the requests each hook received (for its stats).
#include "store/statements.hpp"

namespace flowctl::store {

namespace {

#define FLOWCTL_WEBHOOK_REQUEST_COLUMNS \
    "id, hook_id, received_ms, status, remote_addr, user_agent, delivery_id, execution_id, error"

WebhookRequestRecord read_webhook_request(const detail::Stmt& s) {
    WebhookRequestRecord r;
    r.id = s.col_int(0);
    r.hook_id = s.col_text(1);
    r.received_ms = s.col_int(2);
    r.status = static_cast<int>(s.col_int(3));
    r.remote_addr = s.col_text(4);
    r.user_agent = s.col_text(5);
    r.delivery_id = s.col_text(6);
    r.execution_id = s.col_text(7);
    r.error = s.col_text(8);
    return r;
}

}  // namespace

std::optional<std::string> Store::find_delivery(std::string_view hook_id, std::string_view delivery_id,
                                                int64_t since_ms) {
    auto& s = m_stmts->cached(
        "SELECT execution_id FROM webhook_deliveries WHERE hook_id = ?1 AND delivery_id = ?2 AND received_ms >= ?3",
        "find webhook delivery");
    auto u = s.use();
    s.bind(1, hook_id);
    s.bind(2, delivery_id);
    s.bind(3, since_ms);
    if (!s.step()) return std::nullopt;
    return s.col_text(0);
}

void Store::record_delivery(std::string_view hook_id, std::string_view delivery_id, std::string_view execution_id,
                            int64_t received_ms) {
    auto& s = m_stmts->cached(
        "INSERT OR REPLACE INTO webhook_deliveries (hook_id, delivery_id, execution_id, received_ms) "
        "VALUES (?1, ?2, ?3, ?4)",
        "record webhook delivery");
    auto u = s.use();
    s.bind(1, hook_id);
    s.bind(2, delivery_id);
    s.bind(3, execution_id);
    s.bind(4, received_ms);
    s.run();
}

void Store::insert_webhook_request(const WebhookRequestRecord& r) {
    auto& s = m_stmts->cached(
        "INSERT INTO webhook_requests "
        "(hook_id, received_ms, status, remote_addr, user_agent, delivery_id, execution_id, error) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        "record webhook request");
    auto u = s.use();
    s.bind(1, r.hook_id);
    s.bind(2, r.received_ms);
    s.bind(3, r.status);
    s.bind(4, r.remote_addr);
    s.bind(5, r.user_agent);
    s.bind(6, r.delivery_id);
    s.bind(7, r.execution_id);
    s.bind(8, r.error);
    s.run();
}

std::vector<WebhookRequestRecord> Store::webhook_requests(std::string_view hook_id, int limit) {
    auto& s = m_stmts->cached("SELECT " FLOWCTL_WEBHOOK_REQUEST_COLUMNS
                              " FROM webhook_requests WHERE hook_id = ?1 ORDER BY id DESC LIMIT ?2",
                              "list webhook requests");
    auto u = s.use();
    s.bind(1, hook_id);
    s.bind(2, limit);
    std::vector<WebhookRequestRecord> out;
    while (s.step()) out.push_back(read_webhook_request(s));
    return out;
}

std::map<std::string, WebhookStats> Store::webhook_stats() {
    std::map<std::string, WebhookStats> out;
    {
        auto& s = m_stmts->cached(
            "SELECT hook_id, count(*), sum(execution_id != ''), sum(execution_id = ''), max(id) "
            "FROM webhook_requests GROUP BY hook_id",
            "webhook request stats");
        auto u = s.use();
        while (s.step()) {
            auto& st = out[s.col_text(0)];
            st.total = s.col_int(1);
            st.accepted = s.col_int(2);
            st.rejected = s.col_int(3);
        }
    }
    {
        // A duplicate delivery answers with the same execution: count each execution once.
        auto& s = m_stmts->cached(
            "SELECT r.hook_id, "
            "  sum(e.status = 'succeeded'), sum(e.status IN ('failed', 'timed_out', 'interrupted')) "
            "FROM (SELECT DISTINCT hook_id, execution_id FROM webhook_requests WHERE execution_id != '') r "
            "JOIN executions e ON e.id = r.execution_id GROUP BY r.hook_id",
            "webhook execution stats");
        auto u = s.use();
        while (s.step()) {
            auto& st = out[s.col_text(0)];
            st.succeeded = s.col_int(1);
            st.failed = s.col_int(2);
        }
    }
    {
        auto& s = m_stmts->cached("SELECT " FLOWCTL_WEBHOOK_REQUEST_COLUMNS
                                  " FROM webhook_requests WHERE id IN (SELECT max(id) FROM webhook_requests "
                                  "GROUP BY hook_id)",
                                  "last webhook requests");
        auto u = s.use();
        while (s.step()) {
            auto r = read_webhook_request(s);
            out[r.hook_id].last = std::move(r);
        }
    }
    return out;
}

int64_t Store::prune_webhooks(int64_t deliveries_before_ms, int keep_requests) {
    int64_t removed = 0;
    {
        auto& s = m_stmts->cached("DELETE FROM webhook_deliveries WHERE received_ms < ?1", "prune webhook deliveries");
        auto u = s.use();
        s.bind(1, deliveries_before_ms);
        s.run();
        removed += sqlite3_changes(m_db);
    }
    {
        // The index on (hook_id, id) serves both the ranking and the delete.
        auto& s = m_stmts->cached(
            "DELETE FROM webhook_requests WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
            "(PARTITION BY hook_id ORDER BY id DESC) AS rank FROM webhook_requests) WHERE rank > ?1)",
            "prune webhook requests");
        auto u = s.use();
        s.bind(1, keep_requests);
        s.run();
        removed += sqlite3_changes(m_db);
    }
    return removed;
}

}  // namespace flowctl::store
