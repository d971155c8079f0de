// flowctl logs EXEC: the log lines of an execution, in order.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct LogsArgs {
    std::string id, step, level;
};
}  // namespace

CommandMain add_logs(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<LogsArgs>();
    auto* cmd = app.add_subcommand("logs", "Print the log lines of an execution");
    cmd->add_option("execution", a->id, "Execution id or a unique prefix")->required();
    cmd->add_option("--step", a->step, "Only this step");
    cmd->add_option("--level", a->level, "Only this level and above")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        auto e = find_execution(ctx, a->id);
        auto lines = ctx.store().logs(e.id, a->step, a->level);
        if (ctx.json_output()) {
            json out = json::array();
            for (const auto& l : lines) out.push_back(to_json(l));
            print_json(out);
            return exit_ok;
        }
        bool color = use_color(stdout, ctx.no_color);
        for (const auto& l : lines) {
            std::string where = l.step_id.empty() ? "flow" : l.step_id;
            if (l.item_index >= 0) where += "[" + std::to_string(l.item_index) + "]";
            std::string level = l.level == "info" ? ""
                                                  : color_as(l.level,
                                                             l.level == "warn"    ? "running"
                                                             : l.level == "error" ? "failed"
                                                                                  : "skipped",
                                                             color) +
                                                        " ";
            std::printf("%s %s %s%s\n", dim(util::format_local(l.ts_ms).substr(11), color).c_str(),
                        bold("[" + where + "]", color).c_str(), level.c_str(), l.message.c_str());
        }
        return exit_ok;
    };
}

}  // namespace flowctl::cli
