#pragma once
#include <filesystem>
#include <string>

namespace flowctl::util {

/// The state directory: the explicit value if given, else $FLOWCTL_STATE_DIR,
/// else $XDG_STATE_HOME/flowctl, else ~/.local/state/flowctl.
std::filesystem::path state_dir(const std::string& explicit_dir = "");

/// Creates the directory (and parents) with mode 0700 when missing.
void ensure_private_dir(const std::filesystem::path& dir);

}  // namespace flowctl::util
