#pragma once
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/daemon_launcher.hpp"
#include "client/http_client.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace flowctl::cli {

/// Options every command shares; the configuration, the history store and the daemon's API,
/// each set up on first use (a command pays only for what it touches).
struct Context {
    // Global flags: overrides of the configuration (defaults < file < FLOWCTL_* < flags).
    std::string state_dir;  // --state-dir
    std::string flows_dir;  // --flows-dir
    std::string socket;     // --socket
    std::string url;        // --url: the daemon over TCP (never autostarted)
    std::string token;      // --token: Bearer token for --url
    bool no_autostart = false;
    bool no_color = false;

    std::string output = "table";  // -o table|json
    bool quiet = false;            // -q: ids only
    char** argv = nullptr;         // the command line, for commands that hand it on

    /// Loads the configuration (throws config::ConfigError).
    const config::Config& config();
    /// Opens the history (and turns executions whose process died into `interrupted`).
    store::Store& store();
    bool json_output() const { return output == "json"; }
    bool has_open_store() const { return m_store != nullptr; }

    /// The daemon's API client, without starting anything.
    const client::HttpClient& client();
    /// Calls the API, starting flowd first when it is not running (autostart). Throws
    /// CommandError(exit_unreachable) when it cannot be reached, client::ApiError on >= 400.
    json call(std::string_view method, const std::string& target, const json& body = nullptr);
    /// Streams an API route line by line (see HttpClient::stream_lines), with autostart.
    bool stream(const std::string& target, const client::HttpClient::LineHandler& on_line,
                const client::HttpClient::TickHandler& on_tick = {}, const std::function<void()>& on_open = {});

    /// The flags flowd gets so that it uses the same directories and socket as this client.
    std::vector<std::string> flowd_args();
    /// Starts flowd and waits for its socket (up to 5 s). Throws CommandError(exit_unreachable).
    client::LaunchResult start_daemon();

private:
    void ensure_daemon(const client::Unreachable& why);

    std::optional<config::Config> m_config;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<client::HttpClient> m_client;
    bool m_started_daemon = false;
};

/// An error a command reports to the user with a given exit code ("flowctl: <message>").
struct CommandError : std::runtime_error {
    CommandError(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
    int exit_code;
};

}  // namespace flowctl::cli
