// flowctl cancel ID: stop an execution running or queued in the daemon.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/term.hpp"

namespace flowctl::cli {

CommandMain add_cancel(Args app, Context& ctx) {
    auto id = std::make_shared<std::string>();
    auto cmd = app.subcommand("cancel", "Cancel an execution running or queued in the daemon");
    cmd.option("execution", *id, "Execution id or a unique prefix").required();
    add_output_flags(cmd, ctx);

    return [id, &ctx]() -> int {
        json answer = ctx.call("POST", "/api/v1/executions/" + url_part(*id) + "/cancel");
        const json& e = answer["execution"];
        if (ctx.json_output())
            print_json(answer);
        else if (ctx.quiet)
            std::printf("%s\n", str_field(e, "id").c_str());
        else
            std::printf("execution %s %s\n", str_field(e, "id").c_str(),
                        color_status(str_field(e, "status"), use_color(stdout, ctx.no_color)).c_str());
        return exit_ok;
    };
}

}  // namespace flowctl::cli
