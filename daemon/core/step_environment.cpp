// clean_step_environment(): what a step run by the daemon starts from. The daemon may be
// started from a login shell, systemd or cron; steps must not depend on which.
#include <pwd.h>
#include <unistd.h>

#include <string_view>
#include <vector>

#include "core/execution_manager.hpp"
#include "util/environment.hpp"

namespace flowctl::daemon {
namespace {

constexpr const char* standard_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool is_kept(std::string_view name) {
    static constexpr std::string_view kept[] = {"PATH", "HOME", "USER",   "LOGNAME",        "SHELL",
                                                "LANG", "TZ",   "TMPDIR", "XDG_RUNTIME_DIR"};
    for (auto k : kept)
        if (name == k) return true;
    return name.starts_with("LC_");
}

/// HOME, USER, LOGNAME and SHELL from the password database when the daemon's own
/// environment lacks them (e.g. started by a bare `env -i` or an init system).
void fill_from_passwd(std::map<std::string, std::string>& env) {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) != 0 || !found) return;
    if (!env.count("HOME") && pw.pw_dir && *pw.pw_dir) env["HOME"] = pw.pw_dir;
    if (!env.count("USER") && pw.pw_name && *pw.pw_name) env["USER"] = pw.pw_name;
    if (!env.count("LOGNAME") && pw.pw_name && *pw.pw_name) env["LOGNAME"] = pw.pw_name;
    if (!env.count("SHELL") && pw.pw_shell && *pw.pw_shell) env["SHELL"] = pw.pw_shell;
}

}  // namespace

std::map<std::string, std::string> clean_step_environment() {
    std::map<std::string, std::string> env;
    for (auto& [name, value] : util::current_environment())
        if (is_kept(name)) env.emplace(name, value);
    if (env["PATH"].empty()) env["PATH"] = standard_path;
    fill_from_passwd(env);
    return env;
}

}  // namespace flowctl::daemon
