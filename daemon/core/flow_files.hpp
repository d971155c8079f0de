#pragma once
// The file side of the flows directory: which names are flow files, and reading and writing
// them safely.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::daemon {

/// *.yaml / *.yml, not hidden: editors' temporaries (vim's `4913`, `.x.swp`, `x~`, emacs's
/// `.#x`, `#x#`) and our own temp files are not flows.
bool is_flow_file_name(std::string_view name);

/// A flow name that can be used as a file name as it is: letters, digits, `_`, `-`, `.`,
/// not starting with a dot, at most 128 characters.
bool is_safe_flow_file_stem(std::string_view name);

/// The file's bytes, or nullopt when it cannot be read (gone, not a regular file).
std::optional<std::string> read_regular_file(const std::filesystem::path& path);

/// Modification time in epoch ms; 0 when the file is gone.
int64_t file_mtime_ms(const std::filesystem::path& path);

/// Writes `content` to a hidden temp file in the same directory, fsyncs it and renames it over
/// `path` (keeping the mode of the file it replaces), then fsyncs the directory: readers see the
/// old or the new content, never a part. Throws std::system_error.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace flowctl::daemon
