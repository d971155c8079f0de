#pragma once
// Internal to the config module: reading the YAML config file into a Config. The only part
// of the module that uses yaml-cpp, and only called when the file exists.
#include <filesystem>

#include "config/config.hpp"

namespace flowctl::config::detail {

/// Applies every setting in `file` to `c`; relative paths resolve against the file's
/// directory. Throws ConfigError with FILE:LINE:COL.
void apply_config_file(Config& c, const std::filesystem::path& file);

}  // namespace flowctl::config::detail
