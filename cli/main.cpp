// flowctl: parse the command line, run the chosen command, map errors to exit codes.
#include <cstdio>
#include <exception>
#include <map>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "exit_codes.hpp"

using namespace flowctl::cli;

int main(int argc, char** argv) {
    Context ctx;
    CLI::App app{"flowctl: run YAML workflows from the terminal, with history", "flowctl"};
    app.require_subcommand(1);
    app.fallthrough();  // global flags may also follow the command: `flowctl history --no-color`
    app.set_version_flag("--version", FLOWCTL_VERSION);
    app.add_option("--state-dir", ctx.state_dir,
                   "History directory (default $FLOWCTL_STATE_DIR, else $XDG_STATE_HOME/flowctl)")
        ->envname("FLOWCTL_STATE_DIR");
    app.add_flag("--no-color", ctx.no_color, "Never color the output (also: NO_COLOR=1)");

    std::map<CLI::App*, CommandMain> mains;
    for (const auto& row : command_table()) {
        CommandMain main_fn = row.add(app, ctx);
        mains[app.get_subcommand(std::string(row.name))] = std::move(main_fn);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    }
    try {
        for (auto* sub : app.get_subcommands())
            if (auto it = mains.find(sub); it != mains.end()) return it->second();
        return exit_usage;
    } catch (const CommandError& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        return e.exit_code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        return exit_internal;
    }
}
