// GET /api/v1/events: the live event stream, as JSON lines or Server-Sent Events.
#include <chrono>
#include <memory>
#include <optional>

#include "api/api_json.hpp"
#include "api/route_groups.hpp"
#include "http/api_error.hpp"

namespace flowctl::daemon {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto heartbeat_after = std::chrono::seconds(15);
// How long one call of the content provider waits for an event: bounds how late a server
// shutdown or a vanished client is noticed.
constexpr auto poll_interval = std::chrono::milliseconds(500);

struct Stream {
    std::shared_ptr<Subscription> subscription;
    bool sse = false;
    std::string execution_id;              // the stream ends when this execution ends
    std::optional<json> already_finished;  // its final event, when it had ended before the stream
    Clock::time_point last_write = Clock::now();

    bool write(httplib::DataSink& sink, const std::string& text) {
        last_write = Clock::now();
        return sink.write(text.data(), text.size());
    }
    bool write_event(httplib::DataSink& sink, const json& event) {
        return write(sink, sse ? "data: " + event.dump() + "\n\n" : event.dump() + "\n");
    }
    bool write_ping(httplib::DataSink& sink) { return write(sink, sse ? ": ping\n\n" : "{\"type\":\"ping\"}\n"); }
    bool ends_stream(const json& event) const {
        return !execution_id.empty() && event.value("type", "") == "execution_finished" &&
               event.value("execution_id", "") == execution_id;
    }

    /// One call of the chunked content provider: false drops the connection.
    bool pump(httplib::DataSink& sink) {
        if (already_finished) {
            if (!write_event(sink, *already_finished)) return false;
            sink.done();
            return true;
        }
        json event;
        if (subscription->next(event, poll_interval)) {
            if (!write_event(sink, event)) return false;
            if (ends_stream(event)) sink.done();
            return true;
        }
        if (subscription->closed()) {  // the daemon is shutting down
            sink.done();
            return true;
        }
        if (Clock::now() - last_write >= heartbeat_after) return write_ping(sink);
        return sink.is_writable();
    }
};

/// The execution_finished event of an execution that ended before anyone subscribed.
json finished_event(const store::ExecutionRecord& e) {
    return {{"seq", 0},
            {"time", time_or_null(e.finished_ms)},
            {"type", "execution_finished"},
            {"execution_id", e.id},
            {"flow", e.flow_name},
            {"parent_id", e.parent_id.empty() ? json(nullptr) : json(e.parent_id)},
            {"step", nullptr},
            {"item_index", nullptr},
            {"attempt", nullptr},
            {"status", e.status},
            {"message", e.error.empty() ? json(nullptr) : json(e.error)},
            {"duration_ms", e.duration_ms}};
}

void stream_events(Services& s, Request& req, httplib::Response& res) {
    const std::string format = req.query("format").value_or("jsonl");
    if (format != "jsonl" && format != "sse") throw bad_request("format must be jsonl or sse, got '" + format + "'");
    EventFilter filter;
    filter.flow = req.query("flow").value_or("");
    filter.include_logs = req.query_bool("logs", true);
    std::optional<std::string> execution = req.query("execution");
    if (execution) filter.execution_id = find_execution(s.stores.local(), *execution).id;

    auto stream = std::make_shared<Stream>();
    stream->sse = format == "sse";
    stream->execution_id = filter.execution_id;
    // Subscribe before looking at the execution, so its end cannot fall between the two.
    stream->subscription = s.events.subscribe(filter);
    if (!filter.execution_id.empty()) {
        const auto record = find_execution(s.stores.local(), filter.execution_id);
        if (is_final_status(record.status)) stream->already_finished = finished_event(record);
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        stream->sse ? "text/event-stream" : "application/x-ndjson",
        [stream](size_t, httplib::DataSink& sink) { return stream->pump(sink); },
        [stream](bool) { stream->subscription->close(); });
}

}  // namespace

void add_events_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/events", Scope::read, [&s](Request& req, auto& res) { stream_events(s, req, res); }});
}

}  // namespace flowctl::daemon
