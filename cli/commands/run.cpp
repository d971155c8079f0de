// flowctl run FILE: load, check inputs, run through the engine, record history.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "engine/engine.hpp"
#include "exit_codes.hpp"
#include "flow/parser.hpp"
#include "output/progress.hpp"
#include "output/records.hpp"
#include "output/term.hpp"
#include "util/environment.hpp"

namespace flowctl::cli {

namespace {
util::CancelToken* g_cancel = nullptr;
volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
    g_signal = sig;
    if (g_cancel) g_cancel->cancel();  // async-signal-safe: an atomic store and a write()
}

json read_input_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw CommandError(exit_usage, "cannot read input file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    json value = json::parse(ss.str(), nullptr, false);
    if (value.is_discarded() || !value.is_object())
        throw CommandError(exit_usage, "input file " + path + " must hold a JSON object");
    return value;
}

struct RunArgs {
    std::string file;
    std::vector<std::string> inputs;
    std::string input_file;
    bool no_progress = false;
};
}  // namespace

CommandMain add_run(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Run a flow file and record it in the history");
    cmd->add_option("file", args->file, "The flow file (YAML)")->required();
    cmd->add_option("-i,--input", args->inputs, "An input as key=value (repeatable)");
    cmd->add_option("--input-file", args->input_file, "Inputs from a JSON object file (-i overrides)");
    cmd->add_flag("--no-progress", args->no_progress, "Print no progress, only the result");
    add_output_flags(cmd, ctx);

    return [args, &ctx]() -> int {
        std::vector<util::Diagnostic> diags;
        auto flow = flow::load_flow_file(args->file, diags);
        print_diagnostics(diags, stderr, ctx);
        if (!flow) return exit_failed;

        json given = args->input_file.empty() ? json::object() : read_input_file(args->input_file);
        for (const auto& kv : args->inputs) {
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw CommandError(exit_usage, "input '" + kv + "' must be key=value");
            given[kv.substr(0, eq)] = kv.substr(eq + 1);
        }

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
        if (view) options.on_event = [&](const engine::Event& e) { view->on_event(e); };

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
