// flowd: the flowctl daemon (see flowd(8)).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "app/config_json.hpp"
#include "app/daemon.hpp"
#include "app/lock_file.hpp"
#include "app/signals.hpp"
#include "config/config.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // could not start (already running, socket or port taken, ...)
constexpr int exit_usage = 2;    // bad flags or configuration

}  // namespace

int main(int argc, char** argv) {
    using namespace flowctl;
    // Before any thread exists, so that every thread inherits the mask and the signals reach
    // only the main thread's sigwait().
    daemon::block_daemon_signals();

    CLI::App app{"flowd: the flowctl daemon (HTTP API on a Unix socket, flows directory, executions)", "flowd"};
    app.set_version_flag("--version", std::string("flowd ") + FLOWCTL_VERSION);
    config::Overrides overrides;
    auto setting = [&](const std::string& flag, const std::string& key, const std::string& help) {
        app.add_option_function<std::string>(
            flag, [&overrides, key](const std::string& value) { overrides[key] = value; }, help);
    };
    setting("--config", "config", "Configuration file (default $FLOWCTL_CONFIG, else ~/.config/flowctl/config.yaml)");
    setting("--state-dir", "state_dir", "History, lock and log directory");
    setting("--flows-dir", "flows_dir", "Directory of flow files");
    setting("--socket", "socket", "Unix socket path");
    setting("--listen", "listen", "Also serve the API on TCP HOST:PORT (token required)");
    setting("--log-level", "log_level", "trace, debug, info, warn or error");
    setting("--drain-grace", "drain_grace", "On SIGTERM, how long running executions may finish (e.g. 30s)");
    setting("--kill-grace", "kill_grace", "Between a step's SIGTERM and SIGKILL (e.g. 5s)");
    setting("--max-concurrent", "max_concurrent", "Executions running at once");
    bool check_config = false;
    app.add_flag("--check-config", check_config, "Print the effective configuration as JSON and exit");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }

    config::Config config;
    try {
        config = config::load(overrides);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "flowd: %s\n", e.what());
        return exit_usage;
    }
    if (check_config) {
        std::printf("%s\n", daemon::config_json(config).dump(2).c_str());
        return exit_ok;
    }

    try {
        daemon::Daemon flowd(config);
        return flowd.run();
    } catch (const daemon::AlreadyRunning& e) {
        std::fprintf(stderr, "flowd: %s\n", e.what());
        return exit_failure;
    } catch (const std::exception& e) {
        // Once logging is set up the daemon's logger writes to stderr and the log file.
        if (spdlog::default_logger()->name() == "flowd") {
            spdlog::critical("cannot start: {}", e.what());
        } else {
            std::fprintf(stderr, "flowd: %s\n", e.what());
        }
        return exit_failure;
    }
}
