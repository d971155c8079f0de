// flowctl daemon start|stop|status|reload: the local flowd.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "client/daemon_launcher.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "util/duration.hpp"

namespace flowctl::cli {

namespace {
bool process_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

const std::filesystem::path& local_socket(Context& ctx, const char* command) {
    if (!ctx.config().url.empty())
        throw CommandError(exit_usage, std::string("flowctl daemon ") + command +
                                           " manages the local flowd: it does not work with --url");
    return ctx.config().socket_path;
}

int start(Context& ctx, bool foreground) {
    const auto& socket = local_socket(ctx, "start");
    if (int pid = client::unix_socket_owner_pid(socket)) {
        std::printf("flowd is already running (pid %d, socket %s)\n", pid, socket.c_str());
        return exit_ok;
    }
    if (foreground) {
        auto flowd = client::find_flowd();
        if (flowd.empty())
            throw CommandError(exit_failed, "no flowd executable found (put it in PATH or set FLOWCTL_FLOWD)");
        std::vector<std::string> args{flowd.string()};
        for (auto& a : ctx.flowd_args()) args.push_back(a);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::fflush(stdout);
        std::fflush(stderr);
        ::execv(flowd.c_str(), argv.data());
        throw CommandError(exit_failed, "cannot run " + flowd.string() + ": " + std::strerror(errno));
    }
    ctx.start_daemon();
    int pid = client::unix_socket_owner_pid(socket);
    std::printf("flowd started (pid %d, socket %s)\n", pid, socket.c_str());
    return exit_ok;
}

int stop(Context& ctx) {
    if (!ctx.config().url.empty()) {
        ctx.client().call("POST", "/api/v1/daemon/stop");
        std::printf("flowd at %s is stopping\n", ctx.config().url.c_str());
        return exit_ok;
    }
    const auto& socket = ctx.config().socket_path;
    int pid = client::unix_socket_owner_pid(socket);
    if (!pid) {
        std::printf("flowd is not running\n");
        return exit_ok;
    }
    try {
        ctx.client().call("POST", "/api/v1/daemon/stop");
    } catch (const client::Unreachable&) {
        // It went away on its own meanwhile.
    }
    // Running executions may use the drain grace; the socket goes first, then the process.
    auto wait = ctx.config().drain_grace + std::chrono::seconds(5);
    auto deadline = std::chrono::steady_clock::now() + wait;
    bool gone = client::wait_until_gone(socket, wait);
    while (gone && process_alive(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!gone || process_alive(pid))
        throw CommandError(exit_failed, "flowd (pid " + std::to_string(pid) + ") is still running after " +
                                            util::format_duration(std::chrono::duration_cast<util::Millis>(wait)));
    std::printf("flowd stopped (pid %d)\n", pid);
    return exit_ok;
}

int status(Context& ctx) {
    json health;
    try {
        health = ctx.client().call("GET", "/api/v1/health/detailed");
    } catch (const client::Unreachable& e) {
        if (ctx.json_output())
            print_json({{"status", "stopped"}, {"socket", ctx.config().socket_path.string()}});
        else
            std::printf("flowd is not running (%s)\n", ctx.client().endpoint().describe().c_str());
        return exit_unreachable;
    }
    int pid = ctx.config().url.empty() ? client::unix_socket_owner_pid(ctx.config().socket_path) : 0;
    if (ctx.json_output()) {
        health["pid"] = pid ? json(pid) : json(nullptr);
        health["socket"] = ctx.client().endpoint().describe();
        print_json(health);
        return exit_ok;
    }
    const int64_t up_s = int_field(health, "uptime_s");
    const std::string uptime = up_s < 1 ? "<1s" : util::format_duration(util::Millis(up_s * 1000));
    const json& db = health.value("database", json::object());
    const json& sched = health.value("scheduler", json::object());
    const json& watch = health.value("watcher", json::object());
    std::printf("flowd %s (%s%s), version %s, up %s\n", str_field(health, "status").c_str(),
                pid ? ("pid " + std::to_string(pid) + ", ").c_str() : "", ctx.client().endpoint().describe().c_str(),
                str_field(health, "version").c_str(), uptime.c_str());
    std::printf("flows:      %lld (%lld invalid) in %s\n", static_cast<long long>(int_field(watch, "flows")),
                static_cast<long long>(int_field(watch, "invalid")), str_field(watch, "dir").c_str());
    std::printf("executions: %lld running, %lld queued (at most %lld at once)\n",
                static_cast<long long>(int_field(sched, "running")), static_cast<long long>(int_field(sched, "queued")),
                static_cast<long long>(int_field(sched, "max_concurrent")));
    std::printf("history:    %s (%.1f MiB)\n", str_field(db, "path").c_str(),
                static_cast<double>(int_field(db, "size_bytes")) / (1024.0 * 1024.0));
    return exit_ok;
}

int reload(Context& ctx) {
    json r = ctx.call("POST", "/api/v1/daemon/reload");
    if (ctx.json_output())
        print_json(r);
    else
        std::printf("reloaded: %lld flows (%lld invalid)\n", static_cast<long long>(int_field(r, "flows")),
                    static_cast<long long>(int_field(r, "invalid")));
    return exit_ok;
}
}  // namespace

CommandMain add_daemon(Args app, Context& ctx) {
    auto foreground = std::make_shared<bool>(false);
    auto cmd = app.subcommand("daemon", "Start, stop, inspect or reload the local flowd");
    cmd.require_subcommand();
    auto start_cmd = cmd.subcommand("start", "Start flowd in the background and wait until it is ready");
    start_cmd.flag("--foreground", *foreground, "Run flowd in this terminal instead (until Ctrl-C)");
    auto stop_cmd = cmd.subcommand("stop", "Stop flowd: running executions get the drain grace to finish");
    auto status_cmd = cmd.subcommand("status", "Is flowd running? pid, uptime, flows, executions (exit 3 if not)");
    add_output_flags(status_cmd, ctx);
    auto reload_cmd = cmd.subcommand("reload", "Rescan the flows directory now");
    add_output_flags(reload_cmd, ctx);

    return [=, &ctx]() -> int {
        if (start_cmd.parsed()) return start(ctx, *foreground);
        if (stop_cmd.parsed()) return stop(ctx);
        if (status_cmd.parsed()) return status(ctx);
        return reload(ctx);
    };
}

}  // namespace flowctl::cli
