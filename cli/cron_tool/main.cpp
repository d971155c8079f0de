// flowctl-cron: the `flowctl cron` command as a program of its own. It needs the time zone
// library (cctz), whose shared C++ runtime would cost every other flowctl call about 0.8 ms
// at start-up; flowctl execs this helper with its own command line instead (git does the
// same with its git-* programs).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cron_tool/cron_command.hpp"
#include "exit_codes.hpp"

using namespace flowctl::cli;

int main(int argc, char** argv) {
    CLI::App app{"flowctl: run YAML workflows from the terminal, with history; manage the flowd daemon", "flowctl"};
    Context ctx;
    app.require_subcommand(1);
    app.fallthrough();
    app.add_flag("--no-color", ctx.no_color, "Never color the output (also: NO_COLOR=1)");
    CommandMain run = add_cron_preview(Args(&app), ctx);
    try {
        app.parse(argc, argv);
        return run();
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    } catch (const CommandError& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        return e.exit_code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        return exit_failed;
    }
}
