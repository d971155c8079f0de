#pragma once
// Glob matching for the file step: shell-style segments (fnmatch) plus `**` for any depth.
#include <filesystem>
#include <string>
#include <vector>

namespace flowctl::steps {

/// Every existing path matching `pattern` (relative patterns start at `base`), as sorted,
/// absolute paths without duplicates. `*`, `?` and `[...]` match within one path segment and
/// skip names starting with '.' unless the pattern segment starts with '.' too; a `**`
/// segment matches zero or more directories (not hidden ones, and symlinks are not entered).
/// Unreadable directories are skipped.
std::vector<std::string> glob_paths(const std::string& pattern, const std::filesystem::path& base);

}  // namespace flowctl::steps
