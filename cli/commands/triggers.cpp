// flowctl triggers [FLOW] and flowctl triggers explain FLOW: every trigger with its next and
// last firing, and a flow's schedule ledger (what happened to each slot, and why).
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
struct TriggersArgs {
    std::string flow;
    int last = 10;
    int next = 5;
};

std::string when_cell(const json& t, const char* key, int64_t now) {
    int64_t at = api_time_ms(t.value(key, json()));
    if (!at) return "-";
    return util::format_local(at) + " (" + util::format_relative(at, now) + ")";
}

std::string result_color(const std::string& result) {
    if (result == "started") return "running";
    if (result == "skipped_catchup" || result == "missed") return "failed";
    return result;
}

int list(Context& ctx, const TriggersArgs& a) {
    json r = ctx.call("GET", "/api/v1/triggers" + (a.flow.empty() ? std::string() : "?flow=" + url_part(a.flow)));
    const json& triggers = r["triggers"];
    if (ctx.json_output()) {
        print_json(r);
        return exit_ok;
    }
    if (ctx.quiet) {
        for (const auto& t : triggers)
            std::printf("%s\t%s\n", str_field(t, "flow").c_str(), str_field(t, "key").c_str());
        return exit_ok;
    }
    if (triggers.empty()) {
        std::fprintf(stderr, "no triggers%s\n", a.flow.empty() ? " (add `triggers:` to a flow file)" : "");
        return exit_ok;
    }
    bool color = use_color(stdout, ctx.no_color);
    int64_t now = util::now_ms();
    Table table({"FLOW", "KIND", "WHEN", "NEXT", "LAST", "RESULT"});
    for (const auto& t : triggers) {
        std::string kind = str_field(t, "kind");
        if (!str_field(t, "schedule_id").empty()) kind += " " + str_field(t, "schedule_id");
        std::string result = str_field(t, "last_result");
        std::string state = t.value("enabled", true) ? (t.value("active", false) ? "" : " (inactive)") : " (disabled)";
        table.add_row({str_field(t, "flow"), kind + state, str_field(t, "description"),
                       when_cell(t, "next_fire_at", now), when_cell(t, "last_fire_at", now),
                       result.empty() ? "-" : color_as(result, result_color(result), color)});
        if (!str_field(t, "problem").empty()) table.add_note(dim(str_field(t, "problem"), color));
    }
    table.print(stdout, color);
    return exit_ok;
}

int explain(Context& ctx, const TriggersArgs& a) {
    json r = ctx.call("GET", "/api/v1/flows/" + url_part(a.flow) + "/triggers?last=" + std::to_string(a.last) +
                                 "&next=" + std::to_string(a.next));
    if (ctx.json_output()) {
        print_json(r);
        return exit_ok;
    }
    bool color = use_color(stdout, ctx.no_color);
    const json& triggers = r["triggers"];
    if (triggers.empty()) {
        std::printf("%s has no triggers: it runs only when asked (flowctl run %s)\n", a.flow.c_str(), a.flow.c_str());
        return exit_ok;
    }
    bool first = true;
    for (const auto& t : triggers) {
        if (!first) std::printf("\n");
        first = false;
        std::string head = str_field(t, "kind") + "  " + str_field(t, "description");
        std::printf("%s\n", bold(head, color).c_str());
        if (!str_field(t, "meaning").empty()) std::printf("  %s\n", str_field(t, "meaning").c_str());
        std::printf("  key: %s", str_field(t, "key").c_str());
        if (!str_field(t, "catchup").empty()) std::printf("   catchup: %s", str_field(t, "catchup").c_str());
        if (!t.value("enabled", true))
            std::printf("   (disabled)");
        else if (!t.value("active", false))
            std::printf("   (not active)");
        std::printf("\n");
        if (!str_field(t, "problem").empty()) std::printf("  problem: %s\n", str_field(t, "problem").c_str());

        const json& next = t.value("next", json::array());
        if (!next.empty()) {
            std::printf("  next:\n");
            for (const auto& n : next) {
                int64_t at = api_time_ms(n.value("at", json()));
                std::string local = str_field(n, "local");
                std::string line = "    " + local.substr(0, 19) + " " + str_field(n, "abbreviation") + " (UTC" +
                                   (local.size() > 19 ? local.substr(19) : "") + ")   " +
                                   util::format_rfc3339(at).substr(0, 19) + "Z";
                if (n.value("dst_transition_day", false))
                    line += "   " + color_as("DST change that day", "running", color);
                std::printf("%s\n", line.c_str());
            }
        }
        const json& slots = t.value("slots", json::array());
        if (!slots.empty()) {
            std::printf("  last slots:\n");
            Table table({"    SCHEDULED (UTC)", "OUTCOME", "EXECUTION", "WHY"});
            for (const auto& s : slots) {
                std::string outcome = str_field(s, "outcome");
                std::string exec = str_field(s, "execution_id");
                std::string status = str_field(s, "execution_status");
                if (!status.empty()) exec += " " + color_status(status, color);
                table.add_row({"    " + str_field(s, "scheduled_at"), color_as(outcome, result_color(outcome), color),
                               exec.empty() ? "-" : exec, str_field(s, "reason")});
            }
            table.print(stdout, color);
        } else if (str_field(t, "kind") != "watch" && str_field(t, "kind") != "webhook" &&
                   str_field(t, "kind") != "manual") {
            std::printf("  no slots recorded yet\n");
        } else if (!str_field(t, "last_execution_id").empty()) {
            std::printf("  last run: %s %s\n", str_field(t, "last_execution_id").c_str(),
                        color_status(str_field(t, "last_result"), color).c_str());
        }
    }
    return exit_ok;
}
}  // namespace

CommandMain add_triggers(Args app, Context& ctx) {
    auto a = std::make_shared<TriggersArgs>();
    auto cmd = app.subcommand("triggers", "List every trigger with its next and last firing");
    cmd.option("flow", a->flow, "Only this flow's triggers");
    add_output_flags(cmd, ctx);
    auto e =
        cmd.subcommand("explain", "Show a flow's last schedule slots with what happened and why, and the next ones");
    e.option("flow", a->flow, "Flow name").required();
    e.option("--last", a->last, "Slots to show per trigger (default 10)").range(1, 1000);
    e.option("--next", a->next, "Next firings to show per trigger (default 5)").range(0, 100);
    add_output_flags(e, ctx);

    return [a, e, &ctx]() -> int { return e.parsed() ? explain(ctx, *a) : list(ctx, *a); };
}

}  // namespace flowctl::cli
