#include "store/sqlite_stmt.hpp"

#include <utility>

namespace flowctl::store::detail {

void throw_sqlite(sqlite3* db, std::string_view op) {
    std::string msg = "history database: ";
    msg += op;
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : "out of memory";
    throw StoreError(msg);
}

void check(sqlite3* db, int rc, std::string_view op) {
    if (rc != SQLITE_OK) throw_sqlite(db, op);
}

void exec(sqlite3* db, const char* sql, std::string_view op) {
    check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), op);
}

int64_t query_int(sqlite3* db, const char* sql, std::string_view op) {
    Stmt s(db, sql, std::string(op));
    auto u = s.use();
    return s.step() ? s.col_int(0) : 0;
}

Stmt::Stmt(sqlite3* db, std::string_view sql, std::string op) : m_db(db), m_sql(sql), m_op(std::move(op)) {}

void Stmt::prepare() {
    int rc = sqlite3_prepare_v3(m_db, m_sql.data(), static_cast<int>(m_sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt,
                                nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
        throw_sqlite(m_db, m_op);
    }
}

Stmt::~Stmt() { sqlite3_finalize(m_stmt); }

Stmt::Stmt(Stmt&& o) noexcept
    : m_db(o.m_db), m_sql(std::move(o.m_sql)), m_stmt(std::exchange(o.m_stmt, nullptr)), m_op(std::move(o.m_op)) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(m_stmt);
        m_db = o.m_db;
        m_sql = std::move(o.m_sql);
        m_stmt = std::exchange(o.m_stmt, nullptr);
        m_op = std::move(o.m_op);
    }
    return *this;
}

void Stmt::reset() {
    // The return value repeats the last step's error, which was already reported.
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

void Stmt::bind(int i, int64_t v) { check(m_db, sqlite3_bind_int64(m_stmt, i, v), m_op); }

void Stmt::bind(int i, std::string_view v) {
    // A default string_view has a null data(), which SQLite would bind as NULL, not ''.
    const char* data = v.data() ? v.data() : "";
    check(m_db, sqlite3_bind_text64(m_stmt, i, data, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), m_op);
}

void Stmt::bind_null(int i) { check(m_db, sqlite3_bind_null(m_stmt, i), m_op); }

void Stmt::bind_json(int i, const json& v) {
    if (v.is_null()) return bind_null(i);
    bind(i, dump_json(v));
}

bool Stmt::step() {
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite(m_db, m_op);
}

void Stmt::run() {
    while (step()) {
    }
}

int64_t Stmt::col_int(int i) const { return sqlite3_column_int64(m_stmt, i); }

double Stmt::col_double(int i) const { return sqlite3_column_double(m_stmt, i); }

std::string Stmt::col_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, i));
    if (!p) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, i)));
}

bool Stmt::col_is_null(int i) const { return sqlite3_column_type(m_stmt, i) == SQLITE_NULL; }

json Stmt::col_json(int i) const {
    if (col_is_null(i)) return nullptr;
    std::string text = col_text(i);
    json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return json(std::move(text));
    return v;
}

std::string dump_json(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace flowctl::store::detail
