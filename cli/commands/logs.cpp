// flowctl logs EXEC: the log lines of an execution, in order; -f follows a running one.
#include <cstdio>
#include <functional>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct LogsArgs {
    std::string id, step, level;
    bool follow = false;
};

void print_line(const store::LogRecord& l, const Context& ctx, bool color) {
    if (ctx.json_output()) {
        // Following prints one JSON object per line (the list is not known in advance).
        std::string text = to_json(l).dump(-1, ' ', false, json::error_handler_t::replace);
        std::printf("%s\n", text.c_str());
        return;
    }
    std::string where = l.step_id.empty() ? "flow" : l.step_id;
    if (l.item_index >= 0) where += "[" + std::to_string(l.item_index) + "]";
    std::string level = l.level == "info" ? ""
                                          : color_as(l.level,
                                                     l.level == "warn"    ? "running"
                                                     : l.level == "error" ? "failed"
                                                                          : "skipped",
                                                     color) +
                                                " ";
    std::printf("%s %s %s%s\n", dim(util::format_local(l.ts_ms).substr(11), color).c_str(),
                bold("[" + where + "]", color).c_str(), level.c_str(), l.message.c_str());
}

store::LogRecord log_from_api(const json& j, const std::string& execution_id) {
    store::LogRecord l;
    l.id = int_field(j, "id");
    l.execution_id = execution_id;
    l.step_id = str_field(j, "step");
    l.item_index = static_cast<int>(int_field(j, "item_index", -1));
    l.ts_ms = api_time_ms(j.value("time", json()));
    l.level = str_field(j, "level");
    l.stream = str_field(j, "stream");
    l.message = str_field(j, "message");
    return l;
}

bool ended(const std::string& status) { return status != "pending" && status != "running"; }

/// Prints lines as they are written: the event stream says when to look, the history (or,
/// over --url, the API) says what is new, by log id, so nothing is printed twice.
int follow(Context& ctx, const LogsArgs& a, std::string id, std::string status) {
    bool color = use_color(stdout, ctx.no_color);
    bool remote = !ctx.config().url.empty();
    int64_t last_id = 0;
    std::function<std::vector<store::LogRecord>()> fetch;
    if (remote) {
        fetch = [&] {
            std::string target = "/api/v1/executions/" + url_part(id) + "/logs?after=" + std::to_string(last_id);
            if (!a.step.empty()) target += "&step=" + url_part(a.step);
            if (!a.level.empty()) target += "&level=" + url_part(a.level);
            std::vector<store::LogRecord> out;
            json page = ctx.call("GET", target);
            for (const auto& l : page["logs"]) out.push_back(log_from_api(l, id));
            return out;
        };
    } else {
        fetch = [&] {
            store::LogFilter f;
            f.execution_id = id;
            f.step = a.step;
            f.min_level = a.level;
            f.after_id = last_id;
            return ctx.store().logs(f);
        };
    }
    auto print_new = [&] {
        for (const auto& l : fetch()) {
            print_line(l, ctx, color);
            last_id = std::max(last_id, l.id);
        }
        std::fflush(stdout);
    };
    print_new();
    if (ended(status)) return exit_ok;

    bool dirty = false;
    ctx.stream(
        "/api/v1/events?execution=" + url_part(id) + "&format=jsonl",
        [&](std::string_view line) {
            json event = json::parse(line, nullptr, false);
            std::string type = str_field(event, "type");
            if (type == "execution_finished" && str_field(event, "execution_id") == id) return false;
            if (type == "step_log" || type == "step_finished") dirty = true;
            return true;
        },
        [&] {
            // Lines reach the history in batches a little after their events: look on every tick.
            if (dirty || !remote) print_new();
            dirty = false;
            return true;
        });
    print_new();  // the history has everything once the execution has ended
    return exit_ok;
}
}  // namespace

CommandMain add_logs(Args app, Context& ctx) {
    auto a = std::make_shared<LogsArgs>();
    auto cmd = app.subcommand("logs", "Print the log lines of an execution");
    cmd.option("execution", a->id, "Execution id or a unique prefix").required();
    cmd.option("--step", a->step, "Only this step");
    cmd.option("--level", a->level, "Only this level and above").one_of({"debug", "info", "warn", "error"});
    cmd.flag("-f,--follow", a->follow, "Keep printing new lines until the execution ends (through flowd)");
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        if (a->follow) {
            if (!ctx.config().url.empty()) {
                json e = ctx.call("GET", "/api/v1/executions/" + url_part(a->id));
                return follow(ctx, *a, str_field(e, "id"), str_field(e, "status"));
            }
            auto e = find_execution(ctx, a->id);
            return follow(ctx, *a, e.id, e.status);
        }
        auto e = find_execution(ctx, a->id);
        auto lines = ctx.store().logs(e.id, a->step, a->level);
        if (ctx.json_output()) {
            json out = json::array();
            for (const auto& l : lines) out.push_back(to_json(l));
            print_json(out);
            return exit_ok;
        }
        bool color = use_color(stdout, ctx.no_color);
        for (const auto& l : lines) print_line(l, ctx, color);
        return exit_ok;
    };
}

}  // namespace flowctl::cli
