#pragma once
// Internal to the store module: thin RAII helpers over the SQLite C API that turn every
// error into a StoreError naming the operation.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace flowctl::store::detail {

[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view op);
/// Throws unless rc is SQLITE_OK.
void check(sqlite3* db, int rc, std::string_view op);
/// Runs SQL without results (pragmas, BEGIN/COMMIT, DDL).
void exec(sqlite3* db, const char* sql, std::string_view op);
/// Runs a query returning one integer (e.g. "PRAGMA user_version").
int64_t query_int(sqlite3* db, const char* sql, std::string_view op);

/// A prepared statement, prepared once and reused: every use resets it and clears its
/// bindings on scope exit through Stmt::Use.
class Stmt {
public:
    Stmt() = default;
    Stmt(sqlite3* db, std::string_view sql, std::string op);
    ~Stmt();
    Stmt(Stmt&& o) noexcept;
    Stmt& operator=(Stmt&& o) noexcept;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    /// Scope guard returned by use(): resets the statement and clears bindings when done.
    class Use {
    public:
        explicit Use(Stmt& s) : m_stmt(s) {}
        ~Use() { m_stmt.reset(); }
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

    private:
        Stmt& m_stmt;
    };
    /// Prepared on first use: a short flowctl process needs only a few of a Store's statements,
    /// and preparing all of them was most of its start-up.
    [[nodiscard]] Use use() {
        if (!m_stmt) prepare();
        return Use(*this);
    }

    // Bindings are 1-based, as in SQLite.
    void bind(int i, int64_t v);
    void bind(int i, int v) { bind(i, static_cast<int64_t>(v)); }
    void bind(int i, std::string_view v);
    void bind(int i, const char* v) { bind(i, std::string_view(v)); }
    void bind_null(int i);
    /// Compact JSON text; null is stored as SQL NULL. Invalid UTF-8 is replaced, never thrown.
    void bind_json(int i, const json& v);

    /// Steps once: true when a row is available, false when done. Throws on error.
    bool step();
    /// Steps a statement that returns no rows.
    void run();

    // Columns are 0-based, as in SQLite.
    int64_t col_int(int i) const;
    double col_double(int i) const;
    std::string col_text(int i) const;
    bool col_is_null(int i) const;
    /// Parses a JSON column; SQL NULL becomes null, unparseable text is kept as a string.
    json col_json(int i) const;

    const std::string& op() const { return m_op; }

private:
    void reset();
    void prepare();
    sqlite3* m_db = nullptr;
    std::string m_sql;
    sqlite3_stmt* m_stmt = nullptr;
    std::string m_op;
};

/// Compact JSON text used for every JSON column.
std::string dump_json(const json& v);

}  // namespace flowctl::store::detail
