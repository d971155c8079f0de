// flowctl webhooks [ID]: the flows' webhook triggers and how their requests went.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {

std::string joined(const json& list) {
    std::string out;
    if (list.is_array())
        for (const auto& item : list)
            if (item.is_string()) out += (out.empty() ? "" : ",") + item.get<std::string>();
    return out.empty() ? "-" : out;
}

std::string status_cell(int status, bool color) {
    return color_as(std::to_string(status), status < 400 ? "succeeded" : "failed", color);
}

/// "3m ago 202" for the last request, "-" when none.
std::string last_cell(const json& request, int64_t now, bool color) {
    if (!request.is_object()) return "-";
    const int64_t at = api_time_ms(request.value("time", json()));
    return (at ? util::format_ago(at, now) + " " : "") +
           status_cell(static_cast<int>(int_field(request, "status")), color);
}

void print_list(const json& hooks, bool color) {
    const int64_t now = util::now_ms();
    Table table({"ID", "FLOW", "METHODS", "SIGNED", "TOTAL", "OK", "FAILED", "LAST"});
    for (const auto& h : hooks) {
        const json& stats = h.contains("stats") ? h["stats"] : json::object();
        table.add_row({str_field(h, "id"), str_field(h, "flow"), joined(h.value("methods", json())),
                       h.value("signed", false) ? "yes" : color_as("no", "failed", color),
                       std::to_string(int_field(stats, "total")), std::to_string(int_field(stats, "succeeded")),
                       std::to_string(int_field(stats, "failed")),
                       last_cell(h.value("last_request", json()), now, color)});
    }
    table.print(stdout, color);
}

void print_detail(const json& h, bool color) {
    const int64_t now = util::now_ms();
    auto field = [&](const char* name, const std::string& value) {
        std::printf("%s %s\n", bold(std::string(name) + ":", color).c_str(), value.c_str());
    };
    const json& stats = h.contains("stats") ? h["stats"] : json::object();
    field("Webhook", str_field(h, "id"));
    field("Flow", str_field(h, "flow"));
    field("URL path", str_field(h, "url_path"));
    field("Methods", joined(h.value("methods", json())));
    field("Response", str_field(h, "response"));
    field("Signed", h.value("signed", false) ? "yes (X-Signature-256)" : "no");
    field("Allowed IPs", h.value("allowed_ips", json::array()).empty() ? "any" : joined(h["allowed_ips"]));
    field("Requests", std::to_string(int_field(stats, "total")) + " (" + std::to_string(int_field(stats, "accepted")) +
                          " accepted, " + std::to_string(int_field(stats, "rejected")) + " rejected)");
    field("Runs", std::to_string(int_field(stats, "succeeded")) + " succeeded, " +
                      std::to_string(int_field(stats, "failed")) + " failed");
    const json& recent = h.contains("recent") && h["recent"].is_array() ? h["recent"] : json::array();
    if (recent.empty()) return;
    std::printf("\n");
    Table table({"TIME", "STATUS", "FROM", "DELIVERY", "EXECUTION", "ERROR"});
    for (const auto& r : recent) {
        const int64_t at = api_time_ms(r.value("time", json()));
        std::string from = str_field(r, "remote_addr");
        table.add_row({at ? util::format_ago(at, now) : "-",
                       status_cell(static_cast<int>(int_field(r, "status")), color),
                       from.empty() ? "unix socket" : from, str_field(r, "delivery_id"), str_field(r, "execution_id"),
                       str_field(r, "error")});
    }
    table.print(stdout, color);
}

}  // namespace

CommandMain add_webhooks(Args app, Context& ctx) {
    auto id = std::make_shared<std::string>();
    auto cmd = app.subcommand("webhooks", "List the flows' webhooks with their request stats, or show one");
    cmd.option("id", *id, "A webhook id: its details and recent requests");
    add_output_flags(cmd, ctx);

    return [id, &ctx]() -> int {
        const bool color = use_color(stdout, ctx.no_color);
        if (!id->empty()) {
            json hook = ctx.call("GET", "/api/v1/webhooks/" + url_part(*id));
            if (ctx.json_output()) {
                print_json(hook);
            } else if (ctx.quiet) {
                std::printf("%s\n", str_field(hook, "url_path").c_str());
            } else {
                print_detail(hook, color);
            }
            return exit_ok;
        }
        json page = ctx.call("GET", "/api/v1/webhooks");
        const json& hooks = page["webhooks"];
        if (ctx.json_output()) {
            print_json(page);
            return exit_ok;
        }
        if (ctx.quiet) {
            for (const auto& h : hooks) std::printf("%s\n", str_field(h, "id").c_str());
            return exit_ok;
        }
        if (hooks.empty()) {
            std::fprintf(stderr, "no webhooks (add a 'webhook' trigger to a flow)\n");
            return exit_ok;
        }
        print_list(hooks, color);
        return exit_ok;
    };
}

}  // namespace flowctl::cli
