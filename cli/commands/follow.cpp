#include "commands/follow.hpp"

#include <csignal>
#include <cstdio>
#include <memory>
#include <set>

#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/progress.hpp"
#include "output/records.hpp"
#include "output/term.hpp"

namespace flowctl::cli {

namespace {
volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }

// No SA_RESTART: the stream's poll() returns at once and the tick handler sends the cancel.
void catch_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

bool final_status(const std::string& s) { return s != "pending" && s != "running" && !s.empty(); }

std::optional<engine::Event> to_engine_event(const json& e) {
    static const std::map<std::string, engine::Event::Kind> kinds = {
        {"execution_started", engine::Event::Kind::execution_started},
        {"step_started", engine::Event::Kind::step_started},
        {"step_log", engine::Event::Kind::step_log},
        {"step_retrying", engine::Event::Kind::step_retrying},
        {"step_finished", engine::Event::Kind::step_finished},
        {"execution_finished", engine::Event::Kind::execution_finished},
    };
    auto kind = kinds.find(str_field(e, "type"));
    if (kind == kinds.end()) return std::nullopt;
    engine::Event ev;
    ev.kind = kind->second;
    ev.execution_id = str_field(e, "execution_id");
    ev.flow_name = str_field(e, "flow");
    ev.parent_id = str_field(e, "parent_id");
    ev.step_id = str_field(e, "step");
    ev.item_index = static_cast<int>(int_field(e, "item_index", -1));
    ev.attempt = static_cast<int>(int_field(e, "attempt", 1));
    ev.status = str_field(e, "status");
    ev.message = str_field(e, "message");
    ev.ts_ms = api_time_ms(e.value("time", json()));
    ev.duration_ms = int_field(e, "duration_ms");
    return ev;
}
}  // namespace

int exit_code_for_execution(const std::string& status) { return status == "succeeded" ? exit_ok : exit_failed; }

int start_and_follow(Context& ctx, const FollowOptions& options, const std::function<std::string()>& start) {
    catch_signals();
    std::string id;
    std::unique_ptr<ProgressView> view;
    if (!ctx.quiet)
        view = std::make_unique<ProgressView>(stderr, is_tty(stderr), use_color(stderr, ctx.no_color),
                                              options.show_steps, options.step_ids);
    std::set<std::string> finished_steps;  // reported by an event, top-level execution only
    bool cancel_sent = false;
    auto on_line = [&](std::string_view line) {
        json event = json::parse(line, nullptr, false);
        if (!event.is_object()) return true;  // a heartbeat or something newer than us
        auto ev = to_engine_event(event);
        if (!ev || ev->execution_id != id) return true;  // sub-flows show in their own history, as locally
        if (ev->kind == engine::Event::Kind::step_finished && ev->item_index < 0) finished_steps.insert(ev->step_id);
        if (ev->kind == engine::Event::Kind::execution_finished && ev->execution_id == id) return false;
        if (view) view->on_event(*ev);
        return true;
    };
    auto on_tick = [&] {
        if (g_signal && !cancel_sent) {
            cancel_sent = true;
            try {
                ctx.call("POST", "/api/v1/executions/" + url_part(id) + "/cancel");
            } catch (const client::ApiError&) {
                // 409: it ended meanwhile; the stream brings the end.
            }
        }
        return true;
    };
    if (options.flow.empty()) {
        id = start();
        ctx.stream("/api/v1/events?execution=" + url_part(id) + "&format=jsonl", on_line, on_tick);
    } else {
        // Other executions of the flow may share the stream: on_line keeps to ours.
        ctx.stream("/api/v1/events?flow=" + url_part(options.flow) + "&format=jsonl", on_line, on_tick,
                   [&] { id = start(); });
    }

    // The final record: the stream may have started after some events (a quick flow), or
    // ended early (the daemon stopped). The record has every step's last state.
    json record = ctx.call("GET", "/api/v1/executions/" + url_part(id));
    std::string status = str_field(record, "status");
    if (view) {
        if (record.contains("steps") && record["steps"].is_array()) {
            for (const auto& s : record["steps"]) {
                std::string step = str_field(s, "step");
                if (int_field(s, "item_index", -1) >= 0 || finished_steps.count(step)) continue;
                if (!final_status(str_field(s, "status"))) continue;
                engine::Event ev;
                ev.kind = engine::Event::Kind::step_finished;
                ev.execution_id = id;
                ev.step_id = step;
                ev.attempt = static_cast<int>(int_field(s, "attempt", 1));
                ev.status = str_field(s, "status");
                ev.message = str_field(s, "error");
                ev.ts_ms = api_time_ms(s.value("finished_at", json()));
                ev.duration_ms = int_field(s, "duration_ms");
                finished_steps.insert(step);
                view->on_event(ev);
            }
        }
        engine::RunResult result;
        result.execution_id = id;
        result.status = status;
        result.error = str_field(record, "error");
        view->finish(result);
    }
    if (ctx.json_output())
        print_json(record);
    else if (ctx.quiet)
        std::printf("%s\n", id.c_str());
    if (!final_status(status))
        throw CommandError(exit_failed, "execution " + id + " is still " + status + " but its event stream ended");
    if (status == "cancelled" && g_signal) return 128 + g_signal;
    return exit_code_for_execution(status);
}

}  // namespace flowctl::cli
