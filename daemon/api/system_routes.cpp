// Health, statistics, Prometheus metrics and the OpenAPI document.
#include <chrono>
#include <filesystem>
#include <sstream>

#include "api/process_info.hpp"
#include "api/route_groups.hpp"
#include "proc/process.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

int64_t uptime_s(const Services& s) {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.started).count();
}

struct FlowCounts {
    int64_t total = 0, ok = 0, invalid = 0, broken = 0, disabled = 0;
};

FlowCounts count_flows(const FlowRegistry& flows) {
    FlowCounts c;
    for (const auto& e : flows.list()) {
        ++c.total;
        const std::string status = e.status();
        if (status == "ok") ++c.ok;
        if (status == "invalid") ++c.invalid;
        if (status == "broken") ++c.broken;
        if (status == "disabled") ++c.disabled;
    }
    return c;
}

json database_health(Services& s) {
    json out = {{"ok", false}, {"path", nullptr}, {"size_bytes", 0}, {"query_ms", nullptr}};
    try {
        auto& store = s.stores.local();
        out["path"] = store.db_path().string();
        std::error_code ec;
        const auto size = std::filesystem::file_size(store.db_path(), ec);
        out["size_bytes"] = ec ? 0 : size;
        // A cheap query that touches the executions index.
        const auto start = std::chrono::steady_clock::now();
        store::HistoryFilter probe;
        probe.limit = 1;
        store.list_executions(probe);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        out["query_ms"] = std::chrono::duration<double, std::milli>(elapsed).count();
        out["ok"] = true;
    } catch (const std::exception& e) {
        out["error"] = e.what();
    }
    return out;
}

void detailed_health(Services& s, httplib::Response& res) {
    const json database = database_health(s);
    const FlowCounts flows = count_flows(s.flows);
    const bool watching = s.flows.watching();
    const auto loads = load_average();
    const size_t queued = s.executions.queued();
    reply(res, 200,
          {{"status", database["ok"].get<bool>() && watching ? "ok" : "degraded"},
           {"version", FLOWCTL_VERSION},
           {"uptime_s", uptime_s(s)},
           {"database", database},
           {"scheduler",
            {{"ok", true},
             {"queued", queued},
             {"running", s.executions.running()},
             {"max_concurrent", s.config.max_concurrent},
             {"time_triggers", s.triggers ? s.triggers->scheduler().status().size() : 0},
             {"file_watches", s.triggers ? s.triggers->watches() : 0}}},
           {"watcher",
            {{"ok", watching},
             {"dir", s.flows.dir().string()},
             {"flows", flows.total},
             {"invalid", flows.invalid + flows.broken}}},
           {"queue_depth", queued},
           {"rss_bytes", resident_memory_bytes()},
           {"load_average", loads},
           {"event_subscribers", s.events.subscribers()}});
}

void stats(Services& s, httplib::Response& res) {
    const FlowCounts f = count_flows(s.flows);
    const auto e = s.stores.local().execution_stats(util::now_ms());
    reply(res, 200,
          {{"flows",
            {{"total", f.total}, {"ok", f.ok}, {"invalid", f.invalid}, {"broken", f.broken}, {"disabled", f.disabled}}},
           {"executions",
            {{"total", e.total},
             {"today", e.today},
             {"this_week", e.this_week},
             {"this_month", e.this_month},
             {"by_status", e.by_status},
             {"success_rate", e.success_rate},
             {"avg_duration_ms", e.avg_duration_ms}}}});
}

/// Prometheus text exposition format 0.0.4.
class MetricsText {
public:
    MetricsText() { m_out.precision(12); }
    void metric(const char* name, const char* type, const char* help) {
        m_out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    }
    template <typename T>
    void sample(const std::string& name, T value, const std::string& labels = "") {
        m_out << name;
        if (!labels.empty()) m_out << '{' << labels << '}';
        m_out << ' ' << value << '\n';
    }
    std::string str() const { return m_out.str(); }

private:
    std::ostringstream m_out;
};

std::string metrics_text(Services& s) {
    const FlowCounts f = count_flows(s.flows);
    const ServerMetrics* http = s.server_metrics;
    auto load = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
    MetricsText m;
    m.metric("flowd_up", "gauge", "1 while the daemon is serving.");
    m.sample("flowd_up", 1);
    m.metric("flowd_uptime_seconds", "gauge", "Seconds since the daemon started.");
    m.sample("flowd_uptime_seconds", uptime_s(s));
    m.metric("flowd_flows", "gauge", "Installed flows by status.");
    m.sample("flowd_flows", f.ok, "status=\"ok\"");
    m.sample("flowd_flows", f.invalid, "status=\"invalid\"");
    m.sample("flowd_flows", f.broken, "status=\"broken\"");
    m.sample("flowd_flows", f.disabled, "status=\"disabled\"");
    m.metric("flowd_executions_running", "gauge", "Executions running now.");
    m.sample("flowd_executions_running", s.executions.running());
    m.metric("flowd_executions_queued", "gauge", "Executions waiting for a slot or their scheduled time.");
    m.sample("flowd_executions_queued", s.executions.queued());
    m.metric("flowd_executions_finished_total", "counter", "Executions finished since the daemon started.");
    m.sample("flowd_executions_finished_total", s.executions.finished_total());
    m.metric("flowd_http_requests_total", "counter", "HTTP requests served.");
    m.sample("flowd_http_requests_total", http ? load(http->requests) : 0);
    m.metric("flowd_http_errors_total", "counter", "HTTP responses with an error status, by class.");
    m.sample("flowd_http_errors_total", http ? load(http->errors_4xx) : 0, "class=\"4xx\"");
    m.sample("flowd_http_errors_total", http ? load(http->errors_5xx) : 0, "class=\"5xx\"");
    m.metric("flowd_http_request_duration_seconds", "summary", "Time spent answering HTTP requests.");
    m.sample("flowd_http_request_duration_seconds_sum",
             http ? static_cast<double>(load(http->latency_us_total)) / 1e6 : 0.0);
    m.sample("flowd_http_request_duration_seconds_count", http ? load(http->requests) : 0);
    m.metric("flowd_resident_memory_bytes", "gauge", "Resident set size of the daemon.");
    m.sample("flowd_resident_memory_bytes", resident_memory_bytes());
    m.metric("flowd_flow_reloads_total", "counter", "Flow files (re)loaded since the daemon started.");
    m.sample("flowd_flow_reloads_total", s.flows.reloads());
    m.metric("flowd_orphans_reaped_total", "counter", "Orphaned descendant processes reaped.");
    m.sample("flowd_orphans_reaped_total", proc::orphans_reaped());
    return m.str();
}

}  // namespace

void add_system_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/health", Scope::read, [&s](Request&, auto& res) {
                    reply(res, 200, {{"status", "ok"}, {"version", FLOWCTL_VERSION}, {"uptime_s", uptime_s(s)}});
                }});
    router.add({"GET", "/api/v1/health/detailed", Scope::read, [&s](Request&, auto& res) { detailed_health(s, res); }});
    router.add({"GET", "/api/v1/stats", Scope::read, [&s](Request&, auto& res) { stats(s, res); }});
    router.add({"GET", "/metrics", Scope::read, [&s](Request&, auto& res) {
                    res.status = 200;
                    res.set_content(metrics_text(s), "text/plain; version=0.0.4; charset=utf-8");
                }});
    router.add({"GET", "/api/v1/openapi.json", Scope::read, [](Request&, auto& res) {
                    res.status = 200;
                    res.set_content(std::string(openapi_json), "application/json");
                }});
}

}  // namespace flowctl::daemon
