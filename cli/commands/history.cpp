// flowctl history: past executions, newest first, with filters.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct HistoryArgs {
    std::string flow, status, since, until;
    int limit = 20;
    int offset = 0;
    bool all = false;
};

int64_t parse_time_flag(const std::string& flag, const std::string& value) {
    auto t = util::parse_time(value, util::now_ms());
    if (!t)
        throw CommandError(exit_usage, flag + " '" + value +
                                           "' is not a time: use RFC 3339 (2026-11-28T09:00:00Z), a date "
                                           "(2026-11-28) or an age (90m, 2d)");
    return *t;
}
}  // namespace

std::string format_exec_duration(const store::ExecutionRecord& e, int64_t now) {
    if (e.status == "skipped") return "-";  // never ran
    if (e.finished_ms > 0) return util::format_duration(util::Millis(e.duration_ms));
    return e.started_ms ? util::format_duration(util::Millis(now - e.started_ms)) + "+" : "-";
}

CommandMain add_history(Args app, Context& ctx) {
    auto a = std::make_shared<HistoryArgs>();
    auto cmd = app.subcommand("history", "List past executions, newest first");
    cmd.option("flow", a->flow, "Only this flow (by name)");
    cmd.option("--status", a->status, "Only this status")
        .one_of({"pending", "running", "succeeded", "failed", "cancelled", "timed_out", "interrupted", "skipped"});
    cmd.option("--since", a->since, "Started at or after (RFC 3339, a date, or an age like 2h)");
    cmd.option("--until", a->until, "Started before (same forms)");
    cmd.option("--limit", a->limit, "At most N executions (default 20)").range(1, 100000);
    cmd.option("--offset", a->offset, "Skip the first N").non_negative();
    cmd.flag("--all", a->all, "Include sub-flow executions");
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        store::HistoryFilter f;
        if (!a->flow.empty()) f.flow = a->flow;
        if (!a->status.empty()) f.status = a->status;
        if (!a->since.empty()) f.since_ms = parse_time_flag("--since", a->since);
        if (!a->until.empty()) f.until_ms = parse_time_flag("--until", a->until);
        f.limit = a->limit;
        f.offset = a->offset;
        f.top_level_only = !a->all;
        int64_t total = 0;
        auto rows = ctx.store().list_executions(f, &total);

        if (ctx.json_output()) {
            json list = json::array();
            for (const auto& e : rows) list.push_back(to_json(e));
            print_json({{"executions", list}, {"total", total}, {"limit", f.limit}, {"offset", f.offset}});
            return exit_ok;
        }
        if (ctx.quiet) {
            for (const auto& e : rows) std::printf("%s\n", e.id.c_str());
            return exit_ok;
        }
        bool color = use_color(stdout, ctx.no_color);
        bool tty = is_tty(stdout);
        int64_t now = util::now_ms();
        Table table({"ID", "FLOW", "STATUS", "STARTED", "DURATION", "TRIGGER", "ERROR"});
        for (const auto& e : rows) {
            // A skipped run never started: when it was refused is what there is to show.
            const int64_t started = e.status == "skipped" ? e.created_ms : e.started_ms;
            table.add_row({e.id, e.flow_name, color_status(e.status, color),
                           tty ? util::format_ago(started, now) : util::format_local(started),
                           format_exec_duration(e, now), e.trigger, e.error});
        }
        if (table.empty()) {
            std::fprintf(stderr, "no executions match\n");
            return exit_ok;
        }
        table.print(stdout, color);
        if (total > static_cast<int64_t>(rows.size()) + f.offset)
            std::fprintf(stderr, "%s\n",
                         dim("showing " + std::to_string(rows.size()) + " of " + std::to_string(total) +
                                 " (use --limit / --offset)",
                             color)
                             .c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
