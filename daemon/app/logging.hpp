#pragma once
// The daemon's log: stderr (for a terminal or the journal) and STATE_DIR/flowd.log, rotated by
// size (flowd.1.log is the newest old file).
#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace flowctl::daemon {

struct LogSettings {
    std::filesystem::path file;  // STATE_DIR/flowd.log
    uint64_t max_bytes = 0;      // flowd.log is rotated when a line would take it past this
    int max_files = 0;           // rotated files kept beside flowd.log
    spdlog::level::level_enum level = spdlog::level::info;
};

LogSettings log_settings(const config::Config& config);

/// A logger writing to stderr and the rotating file. Throws spdlog::spdlog_ex when the file
/// cannot be opened.
std::shared_ptr<spdlog::logger> make_daemon_logger(const LogSettings& settings, bool to_stderr = true);

/// Makes it spdlog's default logger (every spdlog::info() of the daemon goes there).
void install_daemon_logger(const LogSettings& settings);

}  // namespace flowctl::daemon
