#include "app/config_json.hpp"

#include "util/duration.hpp"

namespace flowctl::daemon {

json config_json(const config::Config& c) {
    auto duration = [](std::chrono::milliseconds d) { return util::format_duration(d); };
    return {
        {"config_file", c.config_file.empty() ? json(nullptr) : json(c.config_file.string())},
        {"state_dir", c.state_dir.string()},
        {"flows_dir", c.flows_dir.string()},
        {"socket", c.socket_path.string()},
        {"listen", c.listen},
        {"log_level", c.log_level},
        {"log_max_size", c.log_max_bytes},
        {"log_max_files", c.log_max_files},
        {"drain_grace", duration(c.drain_grace)},
        {"kill_grace", duration(c.kill_grace)},
        {"max_concurrent", c.max_concurrent},
        {"retention", {{"max_age", duration(c.retention_max_age)}, {"max_executions", c.retention_max_executions}}},
        {"gc_interval", duration(c.gc_interval)},
        {"max_body", c.max_body_bytes},
        {"webhook_max_body", c.webhook_max_body_bytes},
        {"url", c.url},
        {"token", c.token.empty() ? "" : "(set)"},
        {"autostart", c.autostart},
    };
}

}  // namespace flowctl::daemon
