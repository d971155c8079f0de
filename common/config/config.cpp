// Settings in precedence order: defaults, the config file, FLOWCTL_* variables, flags.
#include "config/config.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "config/config_file.hpp"
#include "config/settings.hpp"

namespace flowctl::config {

namespace {

using detail::home_dir;

/// An XDG base directory variable counts only when absolute (XDG Base Directory spec).
std::filesystem::path xdg_dir(const char* variable, const char* fallback_under_home) {
    if (const char* v = std::getenv(variable); v && v[0] == '/') return v;
    auto home = home_dir();
    return home.empty() ? std::filesystem::path() : home / fallback_under_home;
}

std::filesystem::path default_socket() {
    if (const char* v = std::getenv("XDG_RUNTIME_DIR"); v && v[0] == '/')
        return std::filesystem::path(v) / "flowctl" / "flowd.sock";
    return std::filesystem::path("/tmp") / ("flowctl-" + std::to_string(::getuid())) / "flowd.sock";
}

// The same directory util::state_dir() picks when FLOWCTL_STATE_DIR is unset; that variable
// is applied later, above the config file.
Config defaults() {
    Config c;
    if (auto state = xdg_dir("XDG_STATE_HOME", ".local/state"); !state.empty()) c.state_dir = state / "flowctl";
    if (auto config = xdg_dir("XDG_CONFIG_HOME", ".config"); !config.empty())
        c.flows_dir = config / "flowctl" / "flows";
    c.socket_path = default_socket();
    return c;
}

std::filesystem::path current_dir() {
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    return ec ? std::filesystem::path("/") : cwd;
}

bool file_exists(const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

std::string flag_name(const std::string& key) {
    std::string flag = "--" + key;
    for (auto& ch : flag)
        if (ch == '_' || ch == '.') ch = '-';
    return flag;
}

}  // namespace

std::filesystem::path default_config_file() {
    if (const char* v = std::getenv("FLOWCTL_CONFIG"); v && *v) return v;
    auto dir = xdg_dir("XDG_CONFIG_HOME", ".config");
    return dir.empty() ? std::filesystem::path() : dir / "flowctl" / "config.yaml";
}

Config load(const Overrides& flags) {
    Config c = defaults();

    // The file: a missing default one is fine, a missing file asked for by name is not.
    std::filesystem::path file;
    bool named = false;
    if (auto it = flags.find("config"); it != flags.end() && !it->second.empty()) {
        file = detail::resolve_path(it->second, current_dir());
        named = true;
    } else {
        file = default_config_file();
        const char* env = std::getenv("FLOWCTL_CONFIG");
        named = env && *env;
    }
    // Paths in the file resolve against its directory, which must not depend on a later chdir.
    if (!file.empty() && file.is_relative()) file = current_dir() / file;
    // Only a file that exists costs a parse: flowctl loads the configuration on every start.
    if (!file.empty() && file_exists(file))
        detail::apply_config_file(c, file);
    else if (named)
        throw ConfigError(file.string() + ": error: config file not found" +
                          (flags.count("config") ? "" : " (named by FLOWCTL_CONFIG)"));

    const auto cwd = current_dir();
    for (const auto& s : detail::settings()) {
        const char* value = std::getenv(s.env);
        if (!value || !*value) continue;  // set but empty counts as unset
        try {
            s.apply(c, value, cwd);
        } catch (const detail::ValueError& e) {
            throw ConfigError(std::string(s.env) + ": " + e.what());
        }
    }

    for (const auto& [key, value] : flags) {
        if (key == "config") continue;
        const auto* s = detail::find_setting(key);
        if (!s) throw ConfigError(flag_name(key) + ": unknown setting '" + key + "'");
        try {
            s->apply(c, value, cwd);
        } catch (const detail::ValueError& e) {
            throw ConfigError(flag_name(key) + ": " + e.what());
        }
    }
    return c;
}

}  // namespace flowctl::config
