// flowctl cron: execs the flowctl-cron helper with the whole command line (see
// cron_tool/main.cpp for why it is a program of its own).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "commands/commands.hpp"
#include "exit_codes.hpp"

namespace flowctl::cli {

namespace {

bool executable(const std::filesystem::path& p) { return ::access(p.c_str(), X_OK) == 0; }

/// $FLOWCTL_CRON_HELPER, else flowctl-cron next to flowctl (build tree, or installed in the
/// same bin directory), else in LIBEXECDIR/flowctl relative to it.
std::filesystem::path find_helper() {
    if (const char* env = std::getenv("FLOWCTL_CRON_HELPER"); env && *env) return env;
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return {};
    self[n] = '\0';
    const auto dir = std::filesystem::path(self).parent_path();
    for (const auto& candidate : {dir / "flowctl-cron", dir.parent_path() / "libexec" / "flowctl" / "flowctl-cron"})
        if (executable(candidate)) return candidate;
    return {};
}

}  // namespace

int exec_cron_helper(char** argv) {
    const auto helper = find_helper();
    if (helper.empty())
        throw CommandError(exit_internal, "flowctl-cron was not found next to flowctl; reinstall flowctl");
    ::execv(helper.c_str(), argv);
    throw CommandError(exit_internal, "cannot run " + helper.string() + ": " + std::strerror(errno));
}

CommandMain add_cron(Args app, Context& ctx) {
    // Only for the command list of `flowctl --help`: main() hands `flowctl cron ...` to the
    // helper before parsing anything.
    app.subcommand("cron", "Show when a cron expression fires, in a time zone (no daemon needed)")
        .app()
        ->allow_extras();
    return [&ctx]() -> int { return exec_cron_helper(ctx.argv); };
}

}  // namespace flowctl::cli
