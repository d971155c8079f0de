#include "util/paths.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>

namespace flowctl::util {

namespace {
std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}
}  // namespace

std::filesystem::path state_dir(const std::string& explicit_dir) {
    if (!explicit_dir.empty()) return explicit_dir;
    if (auto v = env_or_empty("FLOWCTL_STATE_DIR"); !v.empty()) return v;
    if (auto v = env_or_empty("XDG_STATE_HOME"); !v.empty() && v[0] == '/') return std::filesystem::path(v) / "flowctl";
    auto home = env_or_empty("HOME");
    if (home.empty()) throw std::runtime_error("cannot find a state directory: HOME is not set (use --state-dir)");
    return std::filesystem::path(home) / ".local" / "state" / "flowctl";
}

void ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
}

}  // namespace flowctl::util
