#include "app/logging.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <vector>

namespace flowctl::daemon {

LogSettings log_settings(const config::Config& config) {
    LogSettings s;
    s.file = config.state_dir / "flowd.log";
    s.max_bytes = config.log_max_bytes;
    s.max_files = config.log_max_files;
    s.level = spdlog::level::from_str(config.log_level);
    // from_str answers "off" for what it does not know; config::load only passes known names.
    if (s.level == spdlog::level::off) s.level = spdlog::level::info;
    return s;
}

std::shared_ptr<spdlog::logger> make_daemon_logger(const LogSettings& settings, bool to_stderr) {
    std::vector<spdlog::sink_ptr> sinks;
    if (to_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        settings.file.string(), static_cast<size_t>(settings.max_bytes), static_cast<size_t>(settings.max_files)));
    auto logger = std::make_shared<spdlog::logger>("flowd", sinks.begin(), sinks.end());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
    logger->set_level(settings.level);
    // Warnings and errors reach the file at once; the rest within a second.
    logger->flush_on(spdlog::level::warn);
    return logger;
}

void install_daemon_logger(const LogSettings& settings) {
    spdlog::set_default_logger(make_daemon_logger(settings));
    spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace flowctl::daemon
