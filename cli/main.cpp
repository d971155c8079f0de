// flowctl: parse the command line, run the chosen command, map errors to exit codes.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <map>

#include <CLI/CLI.hpp>

#include "client/errors.hpp"
#include "commands/commands.hpp"
#include "exit_codes.hpp"

using namespace flowctl::cli;

namespace {

// Global options that take a value: the word after them is not the command's name.
bool takes_value(const char* arg) {
    for (const char* name : {"--state-dir", "--flows-dir", "--socket", "--url", "--token"})
        if (std::strcmp(arg, name) == 0) return true;
    return false;
}

/// The command named on the command line (the first word that is neither an option nor an
/// option's value), or null when there is none or it is unknown.
const CommandRow* chosen_command(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (std::strcmp(arg, "--") == 0) return nullptr;
        if (arg[0] == '-') {
            if (takes_value(arg)) ++i;
            continue;
        }
        for (const auto& row : command_table())
            if (row.name == arg) return &row;
        return nullptr;
    }
    return nullptr;
}

/// Leaves without running destructors when nothing needs them (no history connection to
/// close): tearing down static objects is a measurable share of a short run.
void leave_early_if_possible(int code, const Context& ctx) {
    std::fflush(stdout);
    std::fflush(stderr);
    if (!ctx.has_open_store()) ::_exit(code);
}

int run(int argc, char** argv, CLI::App& app, Context& ctx) {
    app.require_subcommand(1);
    app.fallthrough();  // global flags may also follow the command: `flowctl history --no-color`
    app.set_version_flag("--version", FLOWCTL_VERSION);
    app.add_option("--state-dir", ctx.state_dir,
                   "History directory (default $FLOWCTL_STATE_DIR, else $XDG_STATE_HOME/flowctl)");
    app.add_option("--flows-dir", ctx.flows_dir,
                   "Installed flows directory of the daemon (default $FLOWCTL_FLOWS_DIR)");
    app.add_option("--socket", ctx.socket,
                   "flowd's Unix socket (default $FLOWCTL_SOCKET, else $XDG_RUNTIME_DIR/flowctl/flowd.sock)");
    app.add_option("--url", ctx.url,
                   "Talk to flowd over TCP: http://HOST:PORT (default $FLOWCTL_URL; never autostarts)");
    app.add_option("--token", ctx.token, "API token for --url (default $FLOWCTL_TOKEN)");
    app.add_flag("--no-autostart", ctx.no_autostart, "Never start flowd for a command that needs it (exit 3 instead)");
    app.add_flag("--no-color", ctx.no_color, "Never color the output (also: NO_COLOR=1)");

    std::map<CLI::App*, CommandMain> mains;
    auto add = [&](const CommandRow& row) {
        CommandMain main_fn = row.add(Args(&app), ctx);
        mains[app.get_subcommand(std::string(row.name))] = std::move(main_fn);
    };
    ctx.argv = argv;
    const CommandRow* chosen = chosen_command(argc, argv);
    if (chosen && chosen->name == "cron") return exec_cron_helper(argv);
    if (chosen)
        add(*chosen);
    else
        for (const auto& r : command_table()) add(r);

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
    for (auto* sub : app.get_subcommands())
        if (auto it = mains.find(sub); it != mains.end()) return it->second();
    return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
    // Both live in main's frame: when the process leaves with _exit, their destructors are
    // skipped along with everything else.
    Context ctx;
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::fputs(FLOWCTL_VERSION "\n", stdout);
        leave_early_if_possible(exit_ok, ctx);
    }
    CLI::App app{"flowctl: run YAML workflows from the terminal, with history; manage the flowd daemon", "flowctl"};
    int code;
    try {
        code = run(argc, argv, app, ctx);
    } catch (const CommandError& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        code = e.exit_code;
    } catch (const flowctl::cli::client::ApiError& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        code = exit_code_for_status(e.status);
    } catch (const flowctl::cli::client::TransportError& e) {
        std::fprintf(stderr, "flowctl: lost the connection to flowd: %s\n", e.what());
        code = exit_unreachable;
    } catch (const flowctl::config::ConfigError& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        code = exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        code = exit_internal;
    }
    leave_early_if_possible(code, ctx);
    return code;
}
