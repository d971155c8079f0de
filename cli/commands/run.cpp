// flowctl run FILE: load, check inputs, run through the engine, record history.
// flowctl run NAME: run an installed flow in the daemon and follow it the same way.
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "client/errors.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/follow.hpp"
#include "engine/engine.hpp"
#include "exit_codes.hpp"
#include "flow/parser.hpp"
#include "output/progress.hpp"
#include "output/records.hpp"
#include "output/term.hpp"
#include "util/duration.hpp"
#include "util/environment.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
util::CancelToken* g_cancel = nullptr;
volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
    g_signal = sig;
    if (g_cancel) g_cancel->cancel();  // async-signal-safe: an atomic store and a write()
}

struct RunArgs {
    std::string file;  // a flow file, or the name of a flow installed in the daemon
    std::vector<std::string> inputs;
    std::string input_file;
    bool no_progress = false;
    // Daemon runs only.
    int priority = 0;
    std::string at;
    std::string callback;
    bool detach = false;
};

/// A file path runs locally; anything else names a flow installed in the daemon.
bool is_local_file(const std::string& arg) {
    auto ends_with = [&](std::string_view suffix) {
        return arg.size() >= suffix.size() && arg.compare(arg.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".yaml") || ends_with(".yml")) return true;
    std::error_code ec;
    return std::filesystem::is_regular_file(arg, ec);
}

/// --at: RFC 3339, a date, or "+DURATION" from now.
std::string scheduled_at(const std::string& text) {
    int64_t now = util::now_ms();
    if (!text.empty() && text[0] == '+') {
        if (auto d = util::parse_duration(text.substr(1))) return util::format_rfc3339(now + d->count());
    } else if (auto t = util::parse_time(text, now)) {
        return util::format_rfc3339(*t);
    }
    throw CommandError(exit_usage, "--at '" + text +
                                       "' is not a time: use RFC 3339 (2026-11-28T09:00:00Z), a date or +DURATION "
                                       "(+10m)");
}

/// The flow's concurrency policy skipped the run: its record says why; nothing ran.
int report_skipped(Context& ctx, const client::ApiError& e) {
    const std::string id = str_field(e.details, "execution_id");
    if (ctx.json_output() && !id.empty()) {
        print_json(ctx.call("GET", "/api/v1/executions/" + url_part(id)));
        return exit_failed;
    }
    throw CommandError(exit_failed, "run skipped" + (id.empty() ? "" : " (execution " + id + ")") + ": " + e.what());
}

int run_in_daemon(Context& ctx, const RunArgs& args, const json& inputs) {
    json body = {{"inputs", inputs}, {"trigger", "manual"}};
    if (args.priority != 0) body["priority"] = args.priority;
    if (!args.at.empty()) body["scheduled_at"] = scheduled_at(args.at);
    if (!args.callback.empty()) body["callback_url"] = args.callback;
    const std::string flow_path = "/api/v1/flows/" + url_part(args.file);
    auto queue = [&] {
        json answer = ctx.call("POST", flow_path + "/executions", body);
        return std::make_pair(answer, str_field(answer["execution"], "id"));
    };
    try {
        if (args.detach) {
            auto [answer, id] = queue();
            if (ctx.json_output())
                print_json(answer);
            else
                std::printf("%s\n", id.c_str());
            return exit_ok;
        }
        FollowOptions follow;
        follow.flow = args.file;
        follow.show_steps = !args.no_progress;
        // The step list for the progress view (and a clear 404 before anything is queued).
        json flow = ctx.call("GET", flow_path);
        if (flow.contains("steps_detail") && flow["steps_detail"].is_array())
            for (const auto& s : flow["steps_detail"]) follow.step_ids.push_back(str_field(s, "id"));
        return start_and_follow(ctx, follow, [&] { return queue().second; });
    } catch (const client::ApiError& e) {
        if (e.code != "concurrency_limit") throw;
        return report_skipped(ctx, e);
    }
}
}  // namespace

CommandMain add_run(Args app, Context& ctx) {
    auto args = std::make_shared<RunArgs>();
    auto cmd = app.subcommand("run", "Run a flow file here, or an installed flow in the daemon, and follow it");
    cmd.option("flow", args->file, "A flow file (YAML; runs here) or an installed flow's name (runs in flowd)")
        .required();
    cmd.option("-i,--input", args->inputs, "An input as key=value (repeatable)");
    cmd.option("--input-file", args->input_file, "Inputs from a JSON object file (-i overrides)");
    cmd.flag("--no-progress", args->no_progress, "Print no progress, only the result");
    cmd.option("--priority", args->priority, "Daemon runs: higher runs first among queued executions");
    cmd.option("--at", args->at, "Daemon runs: start at this time (RFC 3339, a date, or +DURATION)");
    cmd.option("--callback", args->callback, "Daemon runs: POST the result to this URL when it ends");
    cmd.flag("-d,--async", args->detach, "Daemon runs: print the execution id and return once it is queued");
    add_output_flags(cmd, ctx);

    return [args, &ctx]() -> int {
        auto given_inputs = [&] {
            json given = args->input_file.empty() ? json::object() : read_input_object(args->input_file);
            return parse_key_values(args->inputs, given);
        };
        if (!is_local_file(args->file)) return run_in_daemon(ctx, *args, given_inputs());

        std::vector<util::Diagnostic> diags;
        auto flow = flow::load_flow_file(args->file, diags);
        print_diagnostics(diags, stderr, ctx);
        if (!flow) return exit_failed;
        json given = given_inputs();

        util::CancelToken cancel;
        g_cancel = &cancel;
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
        ::sigaction(SIGHUP, &sa, nullptr);
        std::signal(SIGPIPE, SIG_IGN);

        std::unique_ptr<ProgressView> view;
        if (!ctx.quiet)
            view = std::make_unique<ProgressView>(stderr, is_tty(stderr), use_color(stderr, ctx.no_color),
                                                  !args->no_progress, *flow);

        engine::RunOptions options;
        options.inputs = given;
        options.base_env = util::current_environment();
        options.cancel = &cancel;
        // Sub-flow executions report their events too; the view shows this execution's steps.
        if (view)
            options.on_event = [&](const engine::Event& e) {
                if (e.parent_id.empty()) view->on_event(e);
            };

        engine::RunResult result;
        try {
            result = engine::run_flow(*flow, ctx.store(), options);
        } catch (const engine::InputError& e) {
            g_cancel = nullptr;
            throw CommandError(exit_usage, e.what());
        }
        g_cancel = nullptr;
        if (view) view->finish(result);

        if (ctx.json_output()) {
            auto& store = ctx.store();
            json out = to_json(*store.get_execution(result.execution_id));
            out["steps"] = json::array();
            for (const auto& s : store.step_runs(result.execution_id)) out["steps"].push_back(to_json(s));
            print_json(out);
        } else if (ctx.quiet) {
            std::printf("%s\n", result.execution_id.c_str());
        }
        if (result.status == "succeeded") return exit_ok;
        if (result.status == "cancelled" && g_signal) return 128 + g_signal;
        return exit_failed;
    };
}

}  // namespace flowctl::cli
