// flowctl cron EXPR: when a schedule fires, in a time zone (like systemd-analyze calendar).
// Works without the daemon: it only reads the tz database. Built into the flowctl-cron helper
// (cron_tool/main.cpp), which links the time zone library; flowctl itself execs it.
#include <cstdio>
#include <memory>

#include "cron_tool/cron_command.hpp"
#include "commands/common.hpp"
#include "zoned/zoned.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {
namespace {

struct CronOptions {
    std::string expression;
    std::string zone;  // "" = the local zone
    int count = 5;
    std::string from;  // "" = now
    std::string gap = "shift";
    std::string repeat = "once";
};

// "in 11h 20min": the largest unit and the next one unless it is 0, as systemd-analyze does.
std::string relative(int64_t seconds) {
    const int64_t amounts[] = {seconds / 86'400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60};
    const char* const units[] = {"d", "h", "min", "s"};
    size_t first = 0;
    while (first < 3 && amounts[first] == 0) ++first;
    std::string out = "in " + std::to_string(amounts[first]) + units[first];
    if (first < 3 && amounts[first + 1] != 0) out += " " + std::to_string(amounts[first + 1]) + units[first + 1];
    return out;
}

// Whether the offset changes on the local calendar day of `at`: such days are where the
// DST rules decide the fire times.
bool on_transition_day(const cron::TimeZone& zone, int64_t at) {
    const std::string day = zone.format(at, "%Y-%m-%d");
    for (const auto& change : zone.transitions(at - 2 * 86'400, at + 2 * 86'400))
        if (zone.format(change.at_sec - 1, "%Y-%m-%d") == day || zone.format(change.at_sec, "%Y-%m-%d") == day)
            return true;
    return false;
}

cron::ZonedSchedule make_schedule(const CronOptions& o) {
    std::string error;
    auto spec = cron::parse_cron(o.expression, &error);
    if (!spec) throw CommandError(exit_usage, error);
    auto zone = cron::TimeZone::load(o.zone, &error);
    if (!zone) throw CommandError(exit_usage, error);
    return {*spec, *zone, o.gap == "skip" ? cron::DstGap::skip : cron::DstGap::shift,
            o.repeat == "twice" ? cron::DstRepeat::twice : cron::DstRepeat::once};
}

int64_t start_time(const CronOptions& o, const cron::TimeZone& zone) {
    if (o.from.empty()) return util::now_ms() / 1000;
    auto t = zone.parse_local(o.from);
    if (!t)
        throw CommandError(exit_usage, "--from: '" + o.from +
                                           "' is not a time like 2026-03-29 02:30 (local to --tz) or "
                                           "2026-03-29T02:30:00+01:00");
    return *t;
}

json fire_json(const cron::TimeZone& zone, int64_t at) {
    return {{"local", zone.format(at, "%Y-%m-%dT%H:%M:%S%Ez")},
            {"utc", cron::TimeZone::utc().format(at, "%Y-%m-%dT%H:%M:%SZ")},
            {"epoch_ms", at * 1000},
            {"offset", zone.format(at, "%Ez")},
            {"abbreviation", zone.abbreviation(at)},
            {"dst_transition_day", on_transition_day(zone, at)}};
}

void print_table(const cron::ZonedSchedule& s, int64_t from, const std::vector<int64_t>& fires, bool color) {
    const auto& zone = s.zone;
    const char* local_format = "%a %Y-%m-%d %H:%M:%S %Z (UTC%Ez)";
    std::printf(" Expression: %s\n", s.spec.source.c_str());
    std::printf("Description: %s\n", cron::describe(s.spec).c_str());
    std::printf("  Time zone: %s\n", zone.name().c_str());
    std::printf("       From: %s\n", zone.format(from, local_format).c_str());
    if (fires.empty()) {
        std::printf("Next elapse: never\n");
        return;
    }
    for (size_t i = 0; i < fires.size(); ++i) {
        const int64_t at = fires[i];
        std::string line = zone.format(at, local_format) + "  " +
                           cron::TimeZone::utc().format(at, "%Y-%m-%d %H:%M:%S UTC") + "  " +
                           dim(relative(at - from), color);
        if (on_transition_day(zone, at)) line += "  " + bold("DST change that day", color);
        std::printf("%s%s\n", i == 0 ? "Next elapse: " : "             ", line.c_str());
    }
}

}  // namespace

CommandMain add_cron_preview(Args app, Context& ctx) {
    auto o = std::make_shared<CronOptions>();
    auto cmd = app.subcommand("cron", "Show when a cron expression fires, in a time zone (no daemon needed)");
    cmd.option("expression", o->expression, "Cron expression, e.g. '30 2 * * *' or @daily (quote it)").required();
    cmd.option("--tz", o->zone, "IANA time zone, e.g. Europe/Berlin (default: the local zone)");
    cmd.option("-n,--count", o->count, "How many fire times to show (default 5)").range(1, 1000);
    cmd.option("--from", o->from, "Start after this time: local to --tz (2026-03-29 02:30) or RFC 3339 (default now)");
    cmd.option("--dst-gap", o->gap, "Fixed times skipped by a DST change: shift (fire when the gap ends) or skip")
        .one_of({"shift", "skip"});
    cmd.option("--dst-repeat", o->repeat, "Fixed times repeated by a DST change: once or twice")
        .one_of({"once", "twice"});
    add_output_flags(cmd, ctx);

    return [o, &ctx]() -> int {
        const cron::ZonedSchedule schedule = make_schedule(*o);
        const int64_t from = start_time(*o, schedule.zone);
        const auto fires = cron::next_fires(schedule, from, o->count);
        if (ctx.json_output()) {
            json next = json::array();
            for (int64_t at : fires) next.push_back(fire_json(schedule.zone, at));
            print_json({{"expression", schedule.spec.source},
                        {"description", cron::describe(schedule.spec)},
                        {"timezone", schedule.zone.name()},
                        {"from", schedule.zone.format(from, "%Y-%m-%dT%H:%M:%S%Ez")},
                        {"next", next}});
        } else if (ctx.quiet) {
            for (int64_t at : fires) std::printf("%s\n", schedule.zone.format(at, "%Y-%m-%dT%H:%M:%S%Ez").c_str());
        } else {
            print_table(schedule, from, fires, use_color(stdout, ctx.no_color));
        }
        return exit_ok;
    };
}

}  // namespace flowctl::cli
