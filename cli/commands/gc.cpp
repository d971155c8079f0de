// flowctl gc: apply the history retention policy in the daemon now.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"

namespace flowctl::cli {

namespace {
std::string mib(int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}
}  // namespace

CommandMain add_gc(Args app, Context& ctx) {
    auto dry_run = std::make_shared<bool>(false);
    auto cmd = app.subcommand("gc", "Remove old executions from the history (retention policy of the config)");
    cmd.flag("--dry-run", *dry_run, "Only count what would be removed");
    add_output_flags(cmd, ctx);

    return [dry_run, &ctx]() -> int {
        json r = ctx.call("POST", "/api/v1/gc", {{"dry_run", *dry_run}});
        if (ctx.json_output()) {
            print_json(r);
            return exit_ok;
        }
        std::string counts = std::to_string(int_field(r, "executions")) + " executions, " +
                             std::to_string(int_field(r, "step_runs")) + " step runs, " +
                             std::to_string(int_field(r, "logs")) + " log lines";
        if (*dry_run)
            std::printf("would remove %s (database %s)\n", counts.c_str(), mib(int_field(r, "bytes_before")).c_str());
        else
            std::printf("removed %s (database %s -> %s)\n", counts.c_str(), mib(int_field(r, "bytes_before")).c_str(),
                        mib(int_field(r, "bytes_after")).c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
