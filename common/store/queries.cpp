// Reads: history listing, lookups by id prefix, step runs and logs.
#include <string>

#include "store/statements.hpp"

namespace flowctl::store {

namespace {

constexpr int k_ambiguous_shown = 5;

int level_rank(std::string_view level) {
    if (level == "debug") return 0;
    if (level == "info") return 1;
    if (level == "warn") return 2;
    if (level == "error") return 3;
    throw StoreError("unknown log level '" + std::string(level) + "' (expected debug, info, warn or error)");
}

}  // namespace

std::vector<ExecutionRecord> Store::list_executions(const HistoryFilter& f, int64_t* total) {
    namespace S = detail;
    unsigned mask = (f.flow ? S::by_flow : 0u) | (f.status ? S::by_status : 0u) | (f.since_ms ? S::by_since : 0u) |
                    (f.until_ms ? S::by_until : 0u) | (f.top_level_only ? S::top_level : 0u) |
                    (f.trigger ? S::by_trigger : 0u);
    auto bind_filters = [&](detail::Stmt& s) {
        if (f.flow) s.bind(1, *f.flow);
        if (f.status) s.bind(2, *f.status);
        if (f.since_ms) s.bind(3, *f.since_ms);
        if (f.until_ms) s.bind(4, *f.until_ms);
        if (f.trigger) s.bind(7, *f.trigger);
    };

    std::vector<ExecutionRecord> out;
    {
        auto& s = m_stmts->list(mask);
        auto u = s.use();
        bind_filters(s);
        s.bind(5, f.limit > 0 ? int64_t{f.limit} : int64_t{-1});  // SQLite: negative = no limit
        s.bind(6, f.offset > 0 ? int64_t{f.offset} : int64_t{0});
        while (s.step()) out.push_back(read_execution(s));
    }
    if (total) {
        auto& s = m_stmts->count(mask);
        auto u = s.use();
        bind_filters(s);
        *total = s.step() ? s.col_int(0) : 0;
    }
    return out;
}

std::optional<ExecutionRecord> Store::get_execution(std::string_view id_or_prefix) {
    if (id_or_prefix.empty()) return std::nullopt;
    {
        auto& s = m_stmts->execution_by_id;
        auto u = s.use();
        s.bind(1, id_or_prefix);
        if (s.step()) return read_execution(s);
    }
    // Every id starting with the prefix sorts in [prefix, prefix + 0xff): ids are ASCII.
    std::string upper(id_or_prefix);
    upper += '\xff';
    std::vector<ExecutionRecord> found;
    auto& s = m_stmts->executions_by_prefix;
    auto u = s.use();
    s.bind(1, id_or_prefix);
    s.bind(2, upper);
    s.bind(3, k_ambiguous_shown + 1);
    while (s.step()) found.push_back(read_execution(s));
    if (found.empty()) return std::nullopt;
    if (found.size() == 1) return std::move(found.front());

    std::string msg = "execution id prefix '" + std::string(id_or_prefix) + "' is ambiguous: matches ";
    for (size_t i = 0; i < found.size() && i < k_ambiguous_shown; ++i) msg += (i ? ", " : "") + found[i].id;
    if (found.size() > k_ambiguous_shown) msg += ", ...";
    throw StoreError(msg);
}

std::vector<StepRunRecord> Store::step_runs(std::string_view execution_id) {
    std::vector<StepRunRecord> out;
    auto& s = m_stmts->step_runs;
    auto u = s.use();
    s.bind(1, execution_id);
    while (s.step()) out.push_back(read_step_run(s));
    return out;
}

std::vector<LogRecord> Store::logs(std::string_view execution_id, std::string_view step, std::string_view min_level) {
    int rank = min_level.empty() ? 0 : level_rank(min_level);
    std::vector<LogRecord> out;
    auto& s = m_stmts->logs;
    auto u = s.use();
    s.bind(1, execution_id);
    s.bind(2, step);
    s.bind(3, rank);
    while (s.step()) out.push_back(read_log(s));
    return out;
}

std::vector<LogRecord> Store::logs(const LogFilter& f, int64_t* total) {
    int rank = f.min_level.empty() ? 0 : level_rank(f.min_level);
    auto bind_filters = [&](detail::Stmt& s) {
        s.bind(1, f.execution_id);
        s.bind(2, f.step);
        s.bind(3, rank);
        s.bind(4, f.after_id);
    };
    std::vector<LogRecord> out;
    {
        auto& s = m_stmts->logs_page;
        auto u = s.use();
        bind_filters(s);
        s.bind(5, f.limit >= 0 ? int64_t{f.limit} : int64_t{-1});
        s.bind(6, f.offset > 0 ? int64_t{f.offset} : int64_t{0});
        while (s.step()) out.push_back(read_log(s));
    }
    if (total) {
        auto& s = m_stmts->logs_count;
        auto u = s.use();
        bind_filters(s);
        *total = s.step() ? s.col_int(0) : 0;
    }
    return out;
}

std::vector<ExecutionRecord> Store::pending_executions() {
    std::vector<ExecutionRecord> out;
    auto& s = m_stmts->pending_executions;
    auto u = s.use();
    while (s.step()) out.push_back(read_execution(s));
    return out;
}

std::vector<ExecutionRecord> Store::children(std::string_view execution_id) {
    std::vector<ExecutionRecord> out;
    if (execution_id.empty()) return out;
    auto& s = m_stmts->children;
    auto u = s.use();
    s.bind(1, execution_id);
    while (s.step()) out.push_back(read_execution(s));
    return out;
}

}  // namespace flowctl::store
