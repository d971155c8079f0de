// flowctl list: the flows installed in the daemon, with their status and last run.
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
struct ListArgs {
    std::string tag, status, search, sort;
    int limit = 50;
    int offset = 0;
};

std::string list_target(const ListArgs& a) {
    std::string target = "/api/v1/flows?limit=" + std::to_string(a.limit) + "&offset=" + std::to_string(a.offset);
    if (!a.tag.empty()) target += "&tag=" + url_part(a.tag);
    if (!a.status.empty()) target += "&status=" + url_part(a.status);
    if (!a.search.empty()) target += "&search=" + url_part(a.search);
    if (!a.sort.empty()) target += "&sort=" + url_part(a.sort);
    return target;
}

std::string triggers_cell(const json& triggers) {
    std::string cell;
    if (triggers.is_array())
        for (const auto& t : triggers) cell += (cell.empty() ? "" : ",") + str_field(t, "type");
    return cell.empty() ? "-" : cell;
}

std::string flow_status_color(const std::string& status) {
    if (status == "ok") return "succeeded";
    if (status == "invalid" || status == "broken") return "failed";
    return "skipped";  // disabled
}
}  // namespace

CommandMain add_list(Args app, Context& ctx) {
    auto a = std::make_shared<ListArgs>();
    auto cmd = app.subcommand("list", "List the flows installed in the daemon");
    cmd.option("--tag", a->tag, "Only flows with this tag");
    cmd.option("--status", a->status, "Only flows in this status").one_of({"ok", "invalid", "broken", "disabled"});
    cmd.option("--search", a->search, "Only flows whose name or description contains this");
    cmd.option("--sort", a->sort, "name, -name, last_run, -last_run or runs")
        .one_of({"name", "-name", "last_run", "-last_run", "runs"});
    cmd.option("--limit", a->limit, "At most N flows (default 50)").range(1, 100000);
    cmd.option("--offset", a->offset, "Skip the first N").non_negative();
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        json page = ctx.call("GET", list_target(*a));
        const json& flows = page["flows"];
        if (ctx.json_output()) {
            print_json(page);
            return exit_ok;
        }
        if (ctx.quiet) {
            for (const auto& f : flows) std::printf("%s\n", str_field(f, "name").c_str());
            return exit_ok;
        }
        bool color = use_color(stdout, ctx.no_color);
        int64_t now = util::now_ms();
        Table table({"NAME", "STATUS", "STEPS", "TRIGGERS", "LAST RUN", "RUNS"});
        for (const auto& f : flows) {
            std::string status = str_field(f, "status");
            const json& stats = f.contains("stats") ? f["stats"] : json::object();
            std::string last = "-";
            if (stats.contains("last_run") && stats["last_run"].is_object()) {
                const json& run = stats["last_run"];
                int64_t at = api_time_ms(run.value("started_at", json()));
                if (!at) at = api_time_ms(run.value("created_at", json()));
                std::string run_status = str_field(run, "status");
                last = (at ? util::format_ago(at, now) + " " : "") + color_status(run_status, color);
            }
            table.add_row({str_field(f, "name"), color_as(status, flow_status_color(status), color),
                           std::to_string(int_field(f, "steps")), triggers_cell(f.value("triggers", json())), last,
                           std::to_string(int_field(stats, "runs_total"))});
            auto errors = api_diagnostics(f.value("errors", json()));
            if (!errors.empty()) table.add_note(dim(util::format_diagnostic(errors.front()), color));
        }
        if (table.empty()) {
            std::fprintf(stderr, "no flows%s\n",
                         a->tag.empty() && a->status.empty() && a->search.empty()
                             ? " installed (add one with flowctl apply -f FILE)"
                             : " match");
            return exit_ok;
        }
        table.print(stdout, color);
        int64_t total = int_field(page, "total");
        if (total > static_cast<int64_t>(flows.size()) + a->offset)
            std::fprintf(stderr, "%s\n",
                         dim("showing " + std::to_string(flows.size()) + " of " + std::to_string(total) +
                                 " (use --limit / --offset)",
                             color)
                             .c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
