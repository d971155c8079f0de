#include "flow/timezone.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "util/spellcheck.hpp"

namespace flowctl::flow::detail {

namespace fs = std::filesystem;

namespace {

fs::path zone_dir() {
    const char* dir = std::getenv("TZDIR");
    return (dir && *dir) ? fs::path(dir) : fs::path("/usr/share/zoneinfo");
}

bool safe_name(std::string_view name) {
    if (name.empty() || name.size() > 128 || name.front() == '/') return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+'))
            return false;  // also rules out ".." path tricks
    return true;
}

}  // namespace

bool time_zone_exists(std::string_view name) {
    if (!safe_name(name)) return false;
    std::error_code ec;
    return fs::is_regular_file(zone_dir() / std::string(name), ec);
}

std::optional<std::string> suggest_time_zone(std::string_view name) {
    std::vector<std::string> zones;
    std::error_code ec;
    fs::path root = zone_dir();
    fs::recursive_directory_iterator it(root, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::string rel = it->path().lexically_relative(root).string();
        if (it->is_directory(ec)) {
            // posix/ and right/ repeat every zone; lowercase files are tables, not zones.
            if (rel == "posix" || rel == "right") it.disable_recursion_pending();
            continue;
        }
        if (!rel.empty() && std::isupper(static_cast<unsigned char>(rel[0])) && rel.find('.') == std::string::npos)
            zones.push_back(rel);
    }
    return util::did_you_mean(name, zones);
}

}  // namespace flowctl::flow::detail
