// flowctl schedule add|list|show|set|enable|disable|rm: ad hoc schedules of installed flows,
// kept by the daemon beside the schedules written in flow files.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct ScheduleArgs {
    std::string flow, id, cron, tz, every, at, jitter, catchup, catchup_window, description;
    int max_catchup = -1;
    std::vector<std::string> inputs;
    bool disabled = false;
};

/// The request body from the flags that were given.
json schedule_body(const ScheduleArgs& a) {
    json body = json::object();
    if (!a.cron.empty()) body["cron"] = a.cron;
    if (!a.tz.empty()) body["timezone"] = a.tz;
    if (!a.every.empty()) body["every"] = a.every;
    if (!a.at.empty()) body["at"] = a.at;
    if (!a.jitter.empty()) body["jitter"] = a.jitter;
    if (!a.catchup.empty()) body["catchup"] = a.catchup;
    if (!a.catchup_window.empty()) body["catchup_window"] = a.catchup_window;
    if (a.max_catchup >= 0) body["max_catchup"] = a.max_catchup;
    if (!a.description.empty()) body["description"] = a.description;
    if (!a.inputs.empty()) body["inputs"] = parse_key_values(a.inputs);
    return body;
}

std::string when_text(const json& s) {
    std::string type = str_field(s, "type");
    if (type == "cron") {
        std::string tz = str_field(s, "timezone");
        return "cron " + str_field(s, "cron") + (tz.empty() ? "" : " " + tz);
    }
    if (type == "interval")
        return "every " + (s["every"].is_string() ? s["every"].get<std::string>() : s["every"].dump());
    return "at " + str_field(s, "at");
}

void print_one(Context& ctx, const json& r, const char* verb) {
    const json& s = r["schedule"];
    if (ctx.json_output())
        print_json(r);
    else if (ctx.quiet)
        std::printf("%s\n", str_field(s, "id").c_str());
    else {
        int64_t next = api_time_ms(s.value("next_run_at", json()));
        std::printf(
            "schedule %s %s: %s %s%s\n", str_field(s, "id").c_str(), verb, str_field(s, "flow").c_str(),
            when_text(s).c_str(),
            next ? (", next " + util::format_local(next) + " (" + util::format_relative(next, util::now_ms()) + ")")
                       .c_str()
                 : "");
    }
}

int list(Context& ctx, const ScheduleArgs& a) {
    json r = ctx.call("GET", "/api/v1/schedules" + (a.flow.empty() ? std::string() : "?flow=" + url_part(a.flow)));
    const json& list = r["schedules"];
    if (ctx.json_output()) {
        print_json(r);
        return exit_ok;
    }
    if (ctx.quiet) {
        for (const auto& s : list) std::printf("%s\n", str_field(s, "id").c_str());
        return exit_ok;
    }
    if (list.empty()) {
        std::fprintf(stderr, "no ad hoc schedules (add one with flowctl schedule add FLOW --cron EXPR)\n");
        return exit_ok;
    }
    bool color = use_color(stdout, ctx.no_color);
    int64_t now = util::now_ms();
    Table table({"ID", "FLOW", "WHEN", "ENABLED", "NEXT", "LAST", "DESCRIPTION"});
    for (const auto& s : list) {
        int64_t next = api_time_ms(s.value("next_run_at", json()));
        std::string last = "-";
        if (s.contains("last_run") && s["last_run"].is_object()) {
            const json& run = s["last_run"];
            std::string status = str_field(run, "execution_status");
            if (status.empty()) status = str_field(run, "outcome");
            last = util::format_ago(api_time_ms(run.value("scheduled_at", json())), now) + " " +
                   color_status(status, color);
        }
        table.add_row({str_field(s, "id"), str_field(s, "flow"), when_text(s), s.value("enabled", true) ? "yes" : "no",
                       next ? util::format_local(next) + " (" + util::format_relative(next, now) + ")" : "-", last,
                       str_field(s, "description")});
    }
    table.print(stdout, color);
    return exit_ok;
}
}  // namespace

CommandMain add_schedule(Args app, Context& ctx) {
    auto a = std::make_shared<ScheduleArgs>();
    auto cmd = app.subcommand("schedule", "Ad hoc schedules of installed flows (kept by the daemon)");
    cmd.require_subcommand();

    auto timing = [&a](Args c) {
        c.option("--cron", a->cron, "Cron expression (5 or 6 fields, or @daily, ...)");
        c.option("--tz", a->tz, "IANA time zone of the cron expression (default: the system's)");
        c.option("--every", a->every, "Run at this interval instead (e.g. 15m)");
        c.option("--at", a->at, "Run once at this time (RFC 3339)");
        c.option("--jitter", a->jitter, "Delay each run by a fixed random amount up to this (e.g. 30s)");
        c.option("--catchup", a->catchup, "Runs missed while flowd was down: none, latest or all")
            .one_of({"none", "latest", "all"});
        c.option("--catchup-window", a->catchup_window, "Only catch up runs missed within this long (e.g. 6h)");
        c.option("--max-catchup", a->max_catchup, "At most this many caught-up runs with --catchup all").non_negative();
        c.option("-i,--input", a->inputs, "Input for the runs, KEY=VALUE (repeatable)");
        c.option("--description", a->description, "What the schedule is for");
    };

    auto add = cmd.subcommand("add", "Schedule an installed flow: --cron EXPR [--tz ZONE], --every D or --at TIME");
    add.option("flow", a->flow, "Flow name").required();
    timing(add);
    add.flag("--disabled", a->disabled, "Create it disabled");
    add_output_flags(add, ctx);

    auto ls = cmd.subcommand("list", "List ad hoc schedules with their next and last run");
    ls.option("flow", a->flow, "Only this flow's schedules");
    add_output_flags(ls, ctx);

    auto show = cmd.subcommand("show", "Show one schedule");
    show.option("id", a->id, "Schedule id").required();
    add_output_flags(show, ctx);

    auto set = cmd.subcommand("set", "Change a schedule (only the options given)");
    set.option("id", a->id, "Schedule id").required();
    timing(set);
    add_output_flags(set, ctx);

    auto enable = cmd.subcommand("enable", "Enable a schedule");
    enable.option("id", a->id, "Schedule id").required();
    add_output_flags(enable, ctx);
    auto disable = cmd.subcommand("disable", "Disable a schedule (its runs stop until enabled)");
    disable.option("id", a->id, "Schedule id").required();
    add_output_flags(disable, ctx);

    auto rm = cmd.subcommand("rm", "Delete a schedule");
    rm.option("id", a->id, "Schedule id").required();
    add_output_flags(rm, ctx);

    return [=, &ctx]() -> int {
        if (add.parsed()) {
            json body = schedule_body(*a);
            int timings = !a->cron.empty() + !a->every.empty() + !a->at.empty();
            if (timings != 1) throw CommandError(exit_usage, "give exactly one of --cron, --every or --at");
            if (a->disabled) body["enabled"] = false;
            print_one(ctx, ctx.call("POST", "/api/v1/flows/" + url_part(a->flow) + "/schedules", body), "created");
            return exit_ok;
        }
        if (ls.parsed()) return list(ctx, *a);
        const std::string path = "/api/v1/schedules/" + url_part(a->id);
        if (show.parsed()) {
            json r = ctx.call("GET", path);
            if (ctx.json_output() || ctx.quiet) {
                print_one(ctx, r, "");
                return exit_ok;
            }
            print_json(r["schedule"]);
            return exit_ok;
        }
        if (set.parsed()) {
            json body = schedule_body(*a);
            if (body.empty()) throw CommandError(exit_usage, "nothing to change: give --cron, --every, --at, -i, ...");
            print_one(ctx, ctx.call("PATCH", path, body), "updated");
            return exit_ok;
        }
        if (enable.parsed()) {
            print_one(ctx, ctx.call("POST", path + "/enable"), "enabled");
            return exit_ok;
        }
        if (disable.parsed()) {
            print_one(ctx, ctx.call("POST", path + "/disable"), "disabled");
            return exit_ok;
        }
        json r = ctx.call("DELETE", path);
        if (ctx.json_output())
            print_json(r);
        else
            std::printf("%s\n", ctx.quiet ? a->id.c_str() : ("schedule " + a->id + " deleted").c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
