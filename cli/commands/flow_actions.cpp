// flowctl delete|enable|disable NAME: change an installed flow.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"

namespace flowctl::cli {

namespace {
/// One subcommand that sends METHOD /api/v1/flows/NAME[SUFFIX] and reports `done`.
CommandMain add_flow_action(Args app, Context& ctx, const char* command, const char* help, const char* method,
                            const char* suffix, const char* done) {
    auto name = std::make_shared<std::string>();
    auto cmd = app.subcommand(command, help);
    cmd.option("name", *name, "The flow's name").required();
    add_output_flags(cmd, ctx);
    return [=, &ctx]() -> int {
        json answer = ctx.call(method, "/api/v1/flows/" + url_part(*name) + suffix);
        if (ctx.json_output())
            print_json(answer);
        else if (ctx.quiet)
            std::printf("%s\n", name->c_str());
        else
            std::printf("flow %s %s\n", name->c_str(), done);
        return exit_ok;
    };
}
}  // namespace

CommandMain add_delete(Args app, Context& ctx) {
    return add_flow_action(app, ctx, "delete", "Remove an installed flow (its file; the history stays)", "DELETE", "",
                           "deleted");
}

CommandMain add_enable(Args app, Context& ctx) {
    return add_flow_action(app, ctx, "enable", "Let a flow's triggers fire again", "POST", "/enable", "enabled");
}

CommandMain add_disable(Args app, Context& ctx) {
    return add_flow_action(app, ctx, "disable", "Disable a flow: its triggers stop firing and runs are refused", "POST",
                           "/disable", "disabled");
}

}  // namespace flowctl::cli
