// Aggregates over top-level executions: per flow, and over the whole history.
#include <ctime>

#include "store/statements.hpp"

namespace flowctl::store {

namespace {

// Local midnight starting the day `days_back` days before the day of `t`, or the first of
// its month. mktime normalises a negative day of month and picks the right DST offset.
int64_t local_midnight_ms(int64_t now_ms, int days_back, bool first_of_month) {
    std::time_t t = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_mday = first_of_month ? 1 : tm.tm_mday - days_back;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1000;
}

int days_since_monday(int64_t now_ms) {
    std::time_t t = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    return (tm.tm_wday + 6) % 7;
}

bool is_finished_status(const std::string& status) { return status != "pending" && status != "running"; }

}  // namespace

std::map<std::string, FlowStats> Store::flow_stats() {
    std::map<std::string, FlowStats> out;
    std::map<std::string, std::string> last_ids;
    {
        auto& s = m_stmts->flow_stats;
        auto u = s.use();
        while (s.step()) {
            FlowStats& f = out[s.col_text(0)];
            f.total = s.col_int(1);
            f.succeeded = s.col_int(2);
            f.failed = s.col_int(3);
            f.cancelled = s.col_int(4);
            f.avg_duration_ms = s.col_double(5);
            last_ids[s.col_text(0)] = s.col_text(7);
        }
    }
    for (const auto& [name, id] : last_ids) out[name].last = get_execution(id);
    return out;
}

ExecutionStats Store::execution_stats(int64_t now_ms) {
    const int64_t today = local_midnight_ms(now_ms, 0, false);
    const int64_t week = local_midnight_ms(now_ms, days_since_monday(now_ms), false);
    const int64_t month = local_midnight_ms(now_ms, 0, true);

    ExecutionStats out;
    int64_t succeeded = 0, finished = 0, duration_sum = 0, durations = 0;
    auto& s = m_stmts->execution_stats;
    auto u = s.use();
    s.bind(1, today);
    s.bind(2, week);
    s.bind(3, month);
    while (s.step()) {
        std::string status = s.col_text(0);
        int64_t count = s.col_int(1);
        out.by_status[status] = count;
        out.total += count;
        out.today += s.col_int(2);
        out.this_week += s.col_int(3);
        out.this_month += s.col_int(4);
        duration_sum += s.col_int(5);
        durations += s.col_int(6);
        if (is_finished_status(status)) finished += count;
        if (status == "succeeded") succeeded = count;
    }
    out.success_rate = finished > 0 ? static_cast<double>(succeeded) / static_cast<double>(finished) : 0.0;
    out.avg_duration_ms = durations > 0 ? static_cast<double>(duration_sum) / static_cast<double>(durations) : 0.0;
    return out;
}

}  // namespace flowctl::store
