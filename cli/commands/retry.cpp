// flowctl retry ID: run an ended execution again in the daemon, whole or from a step.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/follow.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"

namespace flowctl::cli {

namespace {
struct RetryArgs {
    std::string id, from;
    std::vector<std::string> inputs;
    bool follow = false;
    bool detach = false;  // the default; accepted for symmetry with `run -d`
    bool no_progress = false;
};
}  // namespace

CommandMain add_retry(Args app, Context& ctx) {
    auto a = std::make_shared<RetryArgs>();
    auto cmd = app.subcommand("retry", "Run an ended execution again in the daemon (prints the new id)");
    cmd.option("execution", a->id, "Execution id or a unique prefix").required();
    cmd.option("--from", a->from, "Start from this step: steps before it keep their earlier results");
    cmd.option("-i,--input", a->inputs, "Change an input: key=value (repeatable)");
    cmd.flag("-f,--follow", a->follow, "Follow the new execution until it ends (exit code as for run)");
    cmd.flag("-d,--async", a->detach, "Print the new id and return once it is queued (the default)");
    cmd.flag("--no-progress", a->no_progress, "With --follow: print no progress, only the result");
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        json body = json::object();
        if (!a->from.empty()) body["from_step"] = a->from;
        if (!a->inputs.empty()) body["inputs"] = parse_key_values(a->inputs);
        const std::string retry_path = "/api/v1/executions/" + url_part(a->id) + "/retry";
        if (!a->follow || a->detach) {
            json answer = ctx.call("POST", retry_path, body);
            if (ctx.json_output())
                print_json(answer);
            else
                std::printf("%s\n", str_field(answer["execution"], "id").c_str());
            return exit_ok;
        }
        FollowOptions follow;
        follow.show_steps = !a->no_progress;
        json original = ctx.call("GET", "/api/v1/executions/" + url_part(a->id));
        std::string flow = str_field(original, "flow");
        try {
            json detail = ctx.call("GET", "/api/v1/flows/" + url_part(flow));
            follow.flow = flow;
            if (detail.contains("steps_detail") && detail["steps_detail"].is_array())
                for (const auto& s : detail["steps_detail"]) follow.step_ids.push_back(str_field(s, "id"));
        } catch (const client::ApiError& e) {
            if (e.status != 404) throw;  // the flow was removed since: the retry will say so
        }
        return start_and_follow(ctx, follow,
                                [&] { return str_field(ctx.call("POST", retry_path, body)["execution"], "id"); });
    };
}

}  // namespace flowctl::cli
