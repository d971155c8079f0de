// flowctl show EXEC: one execution with every step attempt.
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
std::string one_line(std::string s, size_t max) {
    for (auto& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    if (s.size() > max) s = s.substr(0, max - 3) + "...";
    return s;
}
}  // namespace

CommandMain add_show(Args app, Context& ctx) {
    auto id = std::make_shared<std::string>();
    auto cmd = app.subcommand("show", "Show an execution: status, inputs, outputs and every step attempt");
    cmd.option("execution", *id, "Execution id or a unique prefix").required();
    add_output_flags(cmd, ctx);

    return [id, &ctx]() -> int {
        auto e = find_execution(ctx, *id);
        auto& store = ctx.store();
        auto steps = store.step_runs(e.id);
        auto children = store.children(e.id);
        if (ctx.json_output()) {
            json out = to_json(e);
            out["steps"] = json::array();
            for (const auto& s : steps) out["steps"].push_back(to_json(s));
            out["children"] = json::array();
            for (const auto& c : children) out["children"].push_back(c.id);
            print_json(out);
            return exit_ok;
        }
        if (ctx.quiet) {
            std::printf("%s\n", e.id.c_str());
            return exit_ok;
        }
        bool color = use_color(stdout, ctx.no_color);
        int64_t now = util::now_ms();
        auto field = [&](const char* name, const std::string& value) {
            if (!value.empty()) std::printf("%s %s\n", bold(std::string(name) + ":", color).c_str(), value.c_str());
        };
        field("Execution", e.id);
        field("Flow", e.flow_name + (e.flow_path.empty() ? "" : " (" + e.flow_path + ")"));
        field("Status", color_status(e.status, color));
        field("Trigger", e.trigger);
        if (e.status == "skipped")  // never started
            field("Skipped", util::format_local(e.created_ms) + " (" + util::format_ago(e.created_ms, now) + ")");
        else
            field("Started", util::format_local(e.started_ms) + " (" + util::format_ago(e.started_ms, now) + ")");
        field("Duration", format_exec_duration(e, now));
        if (e.cpu_ms || e.max_rss_kb)
            field("Resources", "cpu " + util::format_duration(util::Millis(e.cpu_ms)) + ", max rss " +
                                   std::to_string(e.max_rss_kb / 1024) + " MiB");
        if (!e.parent_id.empty()) field("Parent", e.parent_id);
        if (!e.inputs.empty()) field("Inputs", e.inputs.dump(-1, ' ', false, json::error_handler_t::replace));
        if (!e.outputs.empty()) field("Outputs", e.outputs.dump(-1, ' ', false, json::error_handler_t::replace));
        field("Error", e.error);
        std::printf("\n");
        Table table({"STEP", "ATTEMPT", "STATUS", "DURATION", "EXIT", "ERROR / OUTPUT"});
        for (const auto& s : steps) {
            std::string label = s.step_id + (s.item_index >= 0 ? "[" + std::to_string(s.item_index) + "]" : "");
            std::string detail = !s.error.empty()       ? s.error
                                 : s.output.is_null()   ? ""
                                 : s.output.is_string() ? s.output.get<std::string>()
                                                        : s.output.dump(-1, ' ', false, json::error_handler_t::replace);
            table.add_row({label, std::to_string(s.attempt), color_status(s.status, color),
                           s.finished_ms ? util::format_duration(util::Millis(s.duration_ms)) : "-",
                           s.exit_code ? std::to_string(*s.exit_code) : "", one_line(detail, 80)});
        }
        table.print(stdout, color);
        for (const auto& c : children)
            std::printf("%s %s %s (%s)\n", dim("sub-flow", color).c_str(), c.id.c_str(), c.flow_name.c_str(),
                        color_status(c.status, color).c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
