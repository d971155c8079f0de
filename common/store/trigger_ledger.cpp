// The schedule ledger: one row per due slot of a time trigger, and when each trigger was armed.
#include "store/statements.hpp"
#include "store/transaction.hpp"

namespace flowctl::store {

namespace {

constexpr const char* k_insert_slot =
    "INSERT OR IGNORE INTO trigger_slots (flow_name, trigger_key, scheduled_ms, outcome, reason, execution_id, "
    "recorded_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* k_last_slot =
    "SELECT max(scheduled_ms) FROM trigger_slots WHERE flow_name = ?1 AND trigger_key = ?2";
constexpr const char* k_slots =
    "SELECT id, flow_name, trigger_key, scheduled_ms, outcome, reason, execution_id, recorded_ms FROM trigger_slots "
    "WHERE flow_name = ?1 AND (?2 = '' OR trigger_key = ?2) ORDER BY scheduled_ms DESC, id DESC LIMIT ?3";
constexpr const char* k_arm =
    "INSERT INTO trigger_state (flow_name, trigger_key, armed_ms) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (flow_name, trigger_key) DO NOTHING";
constexpr const char* k_armed = "SELECT armed_ms FROM trigger_state WHERE flow_name = ?1 AND trigger_key = ?2";

}  // namespace

bool Store::insert_slot(const SlotRecord& slot) {
    auto& s = m_stmts->cached(k_insert_slot, "insert_slot");
    auto u = s.use();
    s.bind(1, slot.flow_name);
    s.bind(2, slot.trigger_key);
    s.bind(3, slot.scheduled_ms);
    s.bind(4, slot.outcome);
    s.bind(5, slot.reason);
    s.bind(6, slot.execution_id);
    s.bind(7, slot.recorded_ms);
    s.run();
    return sqlite3_changes(m_db) > 0;
}

std::optional<int64_t> Store::last_slot_ms(std::string_view flow_name, std::string_view trigger_key) {
    auto& s = m_stmts->cached(k_last_slot, "last_slot_ms");
    auto u = s.use();
    s.bind(1, flow_name);
    s.bind(2, trigger_key);
    if (!s.step() || s.col_is_null(0)) return std::nullopt;
    return s.col_int(0);
}

std::vector<SlotRecord> Store::slots(std::string_view flow_name, std::string_view trigger_key, int limit) {
    auto& s = m_stmts->cached(k_slots, "slots");
    auto u = s.use();
    s.bind(1, flow_name);
    s.bind(2, trigger_key);
    s.bind(3, limit);
    std::vector<SlotRecord> out;
    while (s.step()) {
        SlotRecord r;
        r.id = s.col_int(0);
        r.flow_name = s.col_text(1);
        r.trigger_key = s.col_text(2);
        r.scheduled_ms = s.col_int(3);
        r.outcome = s.col_text(4);
        r.reason = s.col_text(5);
        r.execution_id = s.col_text(6);
        r.recorded_ms = s.col_int(7);
        out.push_back(std::move(r));
    }
    return out;
}

int64_t Store::arm_trigger(std::string_view flow_name, std::string_view trigger_key, int64_t now_ms) {
    detail::OwnTransaction tx(*this);
    {
        auto& s = m_stmts->cached(k_arm, "arm_trigger");
        auto u = s.use();
        s.bind(1, flow_name);
        s.bind(2, trigger_key);
        s.bind(3, now_ms);
        s.run();
    }
    int64_t armed = now_ms;
    {
        auto& s = m_stmts->cached(k_armed, "armed_ms");
        auto u = s.use();
        s.bind(1, flow_name);
        s.bind(2, trigger_key);
        if (s.step()) armed = s.col_int(0);
    }
    tx.commit();
    return armed;
}

}  // namespace flowctl::store
