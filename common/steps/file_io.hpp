#pragma once
// Low-level file I/O for the file step: atomic replacement, appending, capped reads.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace flowctl::steps::file_io {

/// "cannot WHAT PATH: REASON", the form of every file step error.
std::string fail_text(std::string_view what, const std::filesystem::path& path, int err);
std::string fail_text(std::string_view what, const std::filesystem::path& path, const std::error_code& ec);

/// Writes through a temporary file in the same directory, fsync()ed and renamed over the
/// target, so readers see the old content or the new one, never a part. A replaced file
/// keeps its permissions unless `mode` is given. Returns an error message, empty on success.
std::string atomic_write(const std::filesystem::path& path, const std::string& data, std::optional<mode_t> mode);

/// Appends, creating the file when missing. Returns an error message, empty on success.
std::string append(const std::filesystem::path& path, const std::string& data, std::optional<mode_t> mode);

struct ReadResult {
    std::string data;
    int err = 0;           // errno of the failure (EISDIR for a directory)
    bool too_big = false;  // larger than the cap: nothing read
    long long size = 0;    // the file's size
};

/// Reads a whole file of at most `cap` bytes.
ReadResult read_capped(const std::filesystem::path& path, size_t cap);

}  // namespace flowctl::steps::file_io
