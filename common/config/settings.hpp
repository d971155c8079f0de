#pragma once
// Internal to the config module: every setting by its config key, with its environment
// variable and how its text becomes a Config field. One parser per setting serves the file,
// the environment and the flags alike.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace flowctl::config::detail {

/// A bad value, without its location: callers add FILE:LINE:COL, the variable or the flag.
struct ValueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Setting {
    const char* key;  // config file key, nested ones dotted: "retention.max_age"
    const char* env;  // FLOWCTL_*
    /// Parses `text` into the config; relative paths resolve against `base_dir`. Throws ValueError.
    void (*apply)(Config& c, std::string_view text, const std::filesystem::path& base_dir);
};

const std::vector<Setting>& settings();
const Setting* find_setting(std::string_view key);

/// Keys valid inside a mapping ("" for the top level, "retention" for its children), for
/// unknown-key errors and their did-you-mean.
std::vector<std::string> keys_under(std::string_view parent);
/// True for keys holding a mapping of settings ("retention").
bool is_section(std::string_view key);

/// "~" and "~/x" expand to the home directory; a relative path joins `base_dir`.
std::filesystem::path resolve_path(std::string_view text, const std::filesystem::path& base_dir);

/// The home directory: $HOME, else the password database; empty when neither knows.
std::filesystem::path home_dir();

}  // namespace flowctl::config::detail
