// Ad hoc schedules of installed flows, made through the API or `flowctl schedule`.
#include "store/statements.hpp"

namespace flowctl::store {

namespace {

#define FLOWCTL_SCHEDULE_COLUMNS "id, flow_name, spec, inputs, description, enabled, created_ms, updated_ms"

constexpr const char* k_insert =
    "INSERT INTO schedules (" FLOWCTL_SCHEDULE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* k_update =
    "UPDATE schedules SET flow_name = ?2, spec = ?3, inputs = ?4, description = ?5, enabled = ?6, updated_ms = ?8 "
    "WHERE id = ?1";
constexpr const char* k_delete = "DELETE FROM schedules WHERE id = ?1";
constexpr const char* k_get = "SELECT " FLOWCTL_SCHEDULE_COLUMNS " FROM schedules WHERE id = ?1";
constexpr const char* k_list =
    "SELECT " FLOWCTL_SCHEDULE_COLUMNS " FROM schedules WHERE ?1 = '' OR flow_name = ?1 ORDER BY created_ms, id";

void bind_schedule(detail::Stmt& s, const ScheduleRecord& r) {
    s.bind(1, r.id);
    s.bind(2, r.flow_name);
    s.bind_json(3, r.spec);
    s.bind_json(4, r.inputs);
    s.bind(5, r.description);
    s.bind(6, r.enabled ? 1 : 0);
    s.bind(7, r.created_ms);
    s.bind(8, r.updated_ms);
}

ScheduleRecord read_schedule(const detail::Stmt& s) {
    ScheduleRecord r;
    r.id = s.col_text(0);
    r.flow_name = s.col_text(1);
    r.spec = s.col_json(2);
    r.inputs = s.col_json(3);
    if (!r.inputs.is_object()) r.inputs = json::object();
    r.description = s.col_text(4);
    r.enabled = s.col_int(5) != 0;
    r.created_ms = s.col_int(6);
    r.updated_ms = s.col_int(7);
    return r;
}

}  // namespace

void Store::insert_schedule(const ScheduleRecord& r) {
    auto& s = m_stmts->cached(k_insert, "insert_schedule");
    auto u = s.use();
    bind_schedule(s, r);
    s.run();
}

bool Store::update_schedule(const ScheduleRecord& r) {
    auto& s = m_stmts->cached(k_update, "update_schedule");
    auto u = s.use();
    bind_schedule(s, r);
    s.run();
    return sqlite3_changes(m_db) > 0;
}

bool Store::delete_schedule(std::string_view id) {
    auto& s = m_stmts->cached(k_delete, "delete_schedule");
    auto u = s.use();
    s.bind(1, id);
    s.run();
    return sqlite3_changes(m_db) > 0;
}

std::optional<ScheduleRecord> Store::get_schedule(std::string_view id) {
    auto& s = m_stmts->cached(k_get, "get_schedule");
    auto u = s.use();
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_schedule(s);
}

std::vector<ScheduleRecord> Store::list_schedules(std::string_view flow_name) {
    auto& s = m_stmts->cached(k_list, "list_schedules");
    auto u = s.use();
    s.bind(1, flow_name);
    std::vector<ScheduleRecord> out;
    while (s.step()) out.push_back(read_schedule(s));
    return out;
}

}  // namespace flowctl::store
