#pragma once
// Settings shared by flowctl and flowd. Precedence, lowest first:
//   built-in defaults < config file < FLOWCTL_* environment < command-line flags.
// The config file is $FLOWCTL_CONFIG, else $XDG_CONFIG_HOME/flowctl/config.yaml (else
// ~/.config/flowctl/config.yaml); a missing file is fine, a broken one is an error.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

namespace flowctl::config {

struct Config {
    std::filesystem::path config_file;  // the file that was read (empty when none)

    // Where things live.
    std::filesystem::path state_dir;    // key state_dir,  env FLOWCTL_STATE_DIR
    std::filesystem::path flows_dir;    // key flows_dir,  env FLOWCTL_FLOWS_DIR
    std::filesystem::path socket_path;  // key socket,     env FLOWCTL_SOCKET
    // Defaults: $XDG_STATE_HOME/flowctl; $XDG_CONFIG_HOME/flowctl/flows;
    // $XDG_RUNTIME_DIR/flowctl/flowd.sock, else /tmp/flowctl-UID/flowd.sock.

    // Daemon.
    std::string listen;                  // key listen, env FLOWCTL_LISTEN: "" (Unix socket only) or HOST:PORT
    std::string log_level = "info";      // trace|debug|info|warn|error
    uint64_t log_max_bytes = 10u << 20;  // key log_max_size ("10MiB", "512KiB", bytes)
    int log_max_files = 3;
    std::chrono::milliseconds drain_grace{std::chrono::seconds(30)};           // SIGTERM: running executions may finish
    std::chrono::milliseconds kill_grace{std::chrono::seconds(5)};             // a step's TERM -> KILL
    int max_concurrent = 8;                                                    // executions running at once
    std::chrono::milliseconds retention_max_age{std::chrono::hours(24 * 30)};  // key retention.max_age; 0: off
    int64_t retention_max_executions = 10000;                                  // key retention.max_executions; 0: off
    std::chrono::milliseconds gc_interval{std::chrono::hours(1)};              // 0: no timer
    uint64_t max_body_bytes = 1u << 20;           // key max_body: larger request bodies get 413
    uint64_t webhook_max_body_bytes = 16u << 20;  // key webhook_max_body: the same for /hooks/ID

    // Client (flowctl).
    std::string url;        // key url, env FLOWCTL_URL: talk to a daemon over TCP (http://HOST:PORT)
    std::string token;      // key token, env FLOWCTL_TOKEN: sent as a Bearer token over TCP
    bool autostart = true;  // key autostart, env FLOWCTL_AUTOSTART (0/1/true/false)
};

/// A bad value or file: FILE:LINE:COL: message for the file, "FLOWCTL_X: message" for the
/// environment, "--flag: message" for flags.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Flag overrides by config key (e.g. {"state_dir", "/tmp/s"}, {"listen", "127.0.0.1:8080"}),
/// applied last. Keys are the config file keys, nested ones dotted ("retention.max_age").
/// The key "config" names the file to read instead of default_config_file() (a --config flag).
/// Relative paths from flags and the environment resolve against the working directory.
using Overrides = std::map<std::string, std::string>;

/// Builds the configuration in precedence order. Throws ConfigError.
Config load(const Overrides& flags = {});

/// The config file's path (whether or not it exists).
std::filesystem::path default_config_file();

}  // namespace flowctl::config
