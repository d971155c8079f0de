#include "context.hpp"

#include "client/daemon_launcher.hpp"
#include "exit_codes.hpp"

namespace flowctl::cli {

namespace {
constexpr auto autostart_wait = std::chrono::seconds(5);
}  // namespace

const config::Config& Context::config() {
    if (!m_config) {
        config::Overrides flags;
        if (!state_dir.empty()) flags["state_dir"] = state_dir;
        if (!flows_dir.empty()) flags["flows_dir"] = flows_dir;
        if (!socket.empty()) flags["socket"] = socket;
        if (!url.empty()) flags["url"] = url;
        if (!token.empty()) flags["token"] = token;
        if (no_autostart) flags["autostart"] = "false";
        m_config = config::load(flags);
    }
    return *m_config;
}

store::Store& Context::store() {
    if (!m_store) {
        m_store = std::make_unique<store::Store>(config().state_dir);
        m_store->keep_wal_short();
        m_store->recover_interrupted();
    }
    return *m_store;
}

const client::HttpClient& Context::client() {
    if (!m_client) {
        const auto& c = config();
        client::Endpoint endpoint;
        if (!c.url.empty()) {
            try {
                endpoint = client::tcp_endpoint(c.url, c.token);
            } catch (const std::invalid_argument& e) {
                throw CommandError(exit_usage, e.what());
            }
        } else {
            endpoint = client::unix_endpoint(c.socket_path);
        }
        m_client = std::make_unique<client::HttpClient>(std::move(endpoint));
    }
    return *m_client;
}

std::vector<std::string> Context::flowd_args() {
    std::vector<std::string> args;
    if (!state_dir.empty()) args.insert(args.end(), {"--state-dir", state_dir});
    if (!flows_dir.empty()) args.insert(args.end(), {"--flows-dir", flows_dir});
    // Always the resolved socket: the client waits on exactly this path.
    args.insert(args.end(), {"--socket", config().socket_path.string()});
    return args;
}

client::LaunchResult Context::start_daemon() {
    auto flowd = client::find_flowd();
    if (flowd.empty())
        throw CommandError(exit_unreachable,
                           "flowd is not running and no flowd executable was found (install it next to flowctl, "
                           "put it in PATH or set FLOWCTL_FLOWD)");
    client::LaunchResult r;
    try {
        r = client::launch_flowd(flowd, flowd_args(), config().socket_path, autostart_wait);
    } catch (const std::runtime_error& e) {
        throw CommandError(exit_unreachable, e.what());
    }
    if (!r.ready)
        throw CommandError(exit_unreachable, "flowd did not start within 5s (" + flowd.string() + "; see its log in " +
                                                 config().state_dir.string() + ")");
    m_started_daemon = true;
    return r;
}

void Context::ensure_daemon(const client::Unreachable& why) {
    const auto& c = config();
    if (!c.url.empty()) throw CommandError(exit_unreachable, std::string(why.what()));
    if (!c.autostart || m_started_daemon)
        throw CommandError(exit_unreachable, "flowd is not running (start it with `flowctl daemon start`)");
    start_daemon();
}

json Context::call(std::string_view method, const std::string& target, const json& body) {
    try {
        return client().call(method, target, body);
    } catch (const client::Unreachable& e) {
        ensure_daemon(e);
    }
    try {
        return client().call(method, target, body);
    } catch (const client::Unreachable& e) {
        throw CommandError(exit_unreachable, e.what());
    }
}

bool Context::stream(const std::string& target, const client::HttpClient::LineHandler& on_line,
                     const client::HttpClient::TickHandler& on_tick, const std::function<void()>& on_open) {
    constexpr auto tick = std::chrono::milliseconds(250);
    try {
        return client().stream_lines(target, on_line, on_tick, tick, on_open);
    } catch (const client::Unreachable& e) {
        ensure_daemon(e);
    }
    try {
        return client().stream_lines(target, on_line, on_tick, tick, on_open);
    } catch (const client::Unreachable& e) {
        throw CommandError(exit_unreachable, e.what());
    }
}

}  // namespace flowctl::cli
