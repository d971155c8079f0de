#include "config/settings.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "config/size.hpp"
#include "util/duration.hpp"

namespace flowctl::config::detail {

namespace {

using std::chrono::milliseconds;

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::filesystem::path parse_path(std::string_view text, const std::filesystem::path& base) {
    if (text.empty()) throw ValueError("expected a path, got an empty value");
    return resolve_path(text, base);
}

milliseconds parse_duration(std::string_view text) {
    auto d = util::parse_duration(text);
    if (!d)
        throw ValueError("invalid duration " + quoted(text) + " (expected e.g. 500ms, 30s, 5m, 1h, 30d; 0 for none)");
    return *d;
}

uint64_t parse_size(std::string_view text) {
    auto n = detail::parse_size(text);
    if (!n || *n == 0)
        throw ValueError("invalid size " + quoted(text) + " (expected e.g. 10MiB, 512KiB, 1MB or bytes)");
    return *n;
}

int64_t parse_int(std::string_view text, int64_t min, int64_t max) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        throw ValueError("expected a whole number, got " + quoted(text));
    if (value < min || value > max)
        throw ValueError(quoted(text) + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) +
                         ")");
    return value;
}

bool parse_bool(std::string_view text) {
    std::string v = lower(text);
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    throw ValueError("expected true or false (or 1/0), got " + quoted(text));
}

std::string parse_listen(std::string_view text) {
    if (text.empty()) return {};  // Unix socket only
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        throw ValueError("expected HOST:PORT (e.g. 127.0.0.1:8080), got " + quoted(text));
    try {
        parse_int(text.substr(colon + 1), 0, 65535);
    } catch (const ValueError&) {
        throw ValueError("invalid port in " + quoted(text) + " (expected HOST:PORT with a port from 0 to 65535)");
    }
    return std::string(text);
}

std::string parse_url(std::string_view text) {
    if (text.empty()) return {};
    if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0)
        throw ValueError("expected an http:// URL (e.g. http://127.0.0.1:8080), got " + quoted(text));
    return std::string(text);
}

std::string parse_log_level(std::string_view text) {
    static const char* const levels[] = {"trace", "debug", "info", "warn", "error"};
    std::string v = lower(text);
    for (const char* l : levels)
        if (v == l) return v;
    throw ValueError("unknown log level " + quoted(text) + " (expected trace, debug, info, warn or error)");
}

constexpr int64_t k_int_max = std::numeric_limits<int>::max();

const std::vector<Setting> k_settings = {
    {"state_dir", "FLOWCTL_STATE_DIR",
     [](Config& c, std::string_view t, const std::filesystem::path& b) { c.state_dir = parse_path(t, b); }},
    {"flows_dir", "FLOWCTL_FLOWS_DIR",
     [](Config& c, std::string_view t, const std::filesystem::path& b) { c.flows_dir = parse_path(t, b); }},
    {"socket", "FLOWCTL_SOCKET",
     [](Config& c, std::string_view t, const std::filesystem::path& b) { c.socket_path = parse_path(t, b); }},
    {"listen", "FLOWCTL_LISTEN",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.listen = parse_listen(t); }},
    {"log_level", "FLOWCTL_LOG_LEVEL",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.log_level = parse_log_level(t); }},
    {"log_max_size", "FLOWCTL_LOG_MAX_SIZE",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.log_max_bytes = parse_size(t); }},
    {"log_max_files", "FLOWCTL_LOG_MAX_FILES",
     [](Config& c, std::string_view t, const std::filesystem::path&) {
         c.log_max_files = static_cast<int>(parse_int(t, 1, 1000));
     }},
    {"drain_grace", "FLOWCTL_DRAIN_GRACE",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.drain_grace = parse_duration(t); }},
    {"kill_grace", "FLOWCTL_KILL_GRACE",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.kill_grace = parse_duration(t); }},
    {"max_concurrent", "FLOWCTL_MAX_CONCURRENT",
     [](Config& c, std::string_view t, const std::filesystem::path&) {
         c.max_concurrent = static_cast<int>(parse_int(t, 1, 10'000));
     }},
    {"retention.max_age", "FLOWCTL_RETENTION_MAX_AGE",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.retention_max_age = parse_duration(t); }},
    {"retention.max_executions", "FLOWCTL_RETENTION_MAX_EXECUTIONS",
     [](Config& c, std::string_view t, const std::filesystem::path&) {
         c.retention_max_executions = parse_int(t, 0, std::numeric_limits<int64_t>::max());
     }},
    {"gc_interval", "FLOWCTL_GC_INTERVAL",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.gc_interval = parse_duration(t); }},
    {"max_body", "FLOWCTL_MAX_BODY",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.max_body_bytes = parse_size(t); }},
    {"webhook_max_body", "FLOWCTL_WEBHOOK_MAX_BODY",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.webhook_max_body_bytes = parse_size(t); }},
    {"url", "FLOWCTL_URL", [](Config& c, std::string_view t, const std::filesystem::path&) { c.url = parse_url(t); }},
    {"token", "FLOWCTL_TOKEN", [](Config& c, std::string_view t, const std::filesystem::path&) { c.token = t; }},
    {"autostart", "FLOWCTL_AUTOSTART",
     [](Config& c, std::string_view t, const std::filesystem::path&) { c.autostart = parse_bool(t); }},
};

}  // namespace

const std::vector<Setting>& settings() { return k_settings; }

const Setting* find_setting(std::string_view key) {
    for (const auto& s : k_settings)
        if (key == s.key) return &s;
    return nullptr;
}

std::vector<std::string> keys_under(std::string_view parent) {
    std::vector<std::string> out;
    for (const auto& s : k_settings) {
        std::string_view key = s.key;
        auto dot = key.find('.');
        if (parent.empty()) {
            std::string top(key.substr(0, dot));
            if (std::find(out.begin(), out.end(), top) == out.end()) out.push_back(top);
        } else if (dot != std::string_view::npos && key.substr(0, dot) == parent) {
            out.emplace_back(key.substr(dot + 1));
        }
    }
    return out;
}

bool is_section(std::string_view key) {
    std::string prefix = std::string(key) + ".";
    for (const auto& s : k_settings)
        if (std::string_view(s.key).rfind(prefix, 0) == 0) return true;
    return false;
}

std::filesystem::path home_dir() {
    if (const char* home = std::getenv("HOME"); home && *home) return home;
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::string buf(size > 0 ? static_cast<size_t>(size) : 16384, '\0');
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found && found->pw_dir)
        return found->pw_dir;
    return {};
}

std::filesystem::path resolve_path(std::string_view text, const std::filesystem::path& base_dir) {
    std::filesystem::path p;
    if (text == "~" || text.rfind("~/", 0) == 0) {
        auto home = home_dir();
        if (home.empty()) throw ValueError("cannot expand '~': no home directory is known (HOME is not set)");
        p = text.size() > 2 ? home / text.substr(2) : home;
    } else {
        p = std::filesystem::path(text);
    }
    if (p.is_relative()) p = base_dir / p;
    return p.lexically_normal();
}

}  // namespace flowctl::config::detail
