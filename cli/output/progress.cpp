#include "output/progress.hpp"

#include <algorithm>

#include "output/term.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
constexpr size_t max_block_steps = 15;  // beyond this the block shows running steps and a count

const char* status_mark(const std::string& status) {
    if (status == "succeeded") return "ok";
    if (status == "failed") return "FAIL";
    if (status == "timed_out") return "TIMEOUT";
    if (status == "running") return "..";
    if (status == "skipped") return "skip";
    if (status == "cancelled") return "cancel";
    return "  ";
}

bool is_final(const std::string& status) { return status != "pending" && status != "running"; }
}  // namespace

namespace {
std::vector<std::string> step_ids_of(const flow::Flow& flow) {
    std::vector<std::string> ids;
    for (const auto& step : flow.steps) ids.push_back(step.id);
    return ids;
}
}  // namespace

ProgressView::ProgressView(std::FILE* out, bool live, bool color, bool steps, const flow::Flow& flow)
    : ProgressView(out, live, color, steps, step_ids_of(flow)) {}

ProgressView::ProgressView(std::FILE* out, bool live, bool color, bool steps, const std::vector<std::string>& step_ids)
    : m_out(out), m_live(live && steps), m_show_steps(steps), m_color(color) {
    for (const auto& id : step_ids) {
        m_order.push_back(id);
        m_steps[id] = {};
    }
    if (m_live) m_ticker = std::thread([this] { ticker(); });
}

ProgressView::~ProgressView() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_ticker.joinable()) m_ticker.join();
}

std::string ProgressView::label(const engine::Event& e) const {
    std::string l = e.step_id;
    if (e.item_index >= 0) l += "[" + std::to_string(e.item_index) + "]";
    return l;
}

void ProgressView::on_event(const engine::Event& e) {
    std::lock_guard lock(m_mutex);
    if (!e.step_id.empty() && m_steps.count(e.step_id)) {
        auto& s = m_steps[e.step_id];
        switch (e.kind) {
            case engine::Event::Kind::step_started:
                if (e.item_index >= 0) {
                    ++s.items_running;
                } else {
                    s.attempt = e.attempt;
                }
                if (s.status != "running") s.started = std::chrono::steady_clock::now();
                s.status = "running";
                break;
            case engine::Event::Kind::step_finished:
                if (e.item_index >= 0) {
                    s.items_running = std::max(0, s.items_running - 1);
                    ++s.items_done;
                } else {
                    s.status = e.status;
                    s.duration_ms = e.duration_ms;
                    s.error = e.message;
                }
                break;
            default:
                break;
        }
        // A for_each step ends with one step_finished without an item index.
    }
    if (!m_show_steps) return;
    if (!m_live) {
        print_plain(e);
        return;
    }
    if (e.kind == engine::Event::Kind::step_log || e.kind == engine::Event::Kind::step_retrying ||
        (e.kind == engine::Event::Kind::step_finished && e.item_index < 0 && !e.message.empty() &&
         e.status != "succeeded")) {
        erase_block();
        std::string prefix = label(e) + " | ";
        std::string text = e.kind == engine::Event::Kind::step_retrying ? "retrying: " + e.message : e.message;
        std::fprintf(m_out, "%s%s\n", dim(prefix, m_color).c_str(), text.c_str());
        draw_block();
    } else {
        erase_block();
        draw_block();
    }
}

void ProgressView::print_plain(const engine::Event& e) {
    std::string ts = util::format_local(e.ts_ms ? e.ts_ms : util::now_ms()).substr(11);
    switch (e.kind) {
        case engine::Event::Kind::execution_started:
            std::fprintf(m_out, "%s execution %s started\n", ts.c_str(), e.execution_id.c_str());
            break;
        case engine::Event::Kind::step_started:
            if (e.attempt > 1)
                std::fprintf(m_out, "%s [%s] attempt %d started\n", ts.c_str(), label(e).c_str(), e.attempt);
            else
                std::fprintf(m_out, "%s [%s] started\n", ts.c_str(), label(e).c_str());
            break;
        case engine::Event::Kind::step_log:
            std::fprintf(m_out, "%s [%s] %s\n", ts.c_str(), label(e).c_str(), e.message.c_str());
            break;
        case engine::Event::Kind::step_retrying:
            std::fprintf(m_out, "%s [%s] retrying: %s\n", ts.c_str(), label(e).c_str(), e.message.c_str());
            break;
        case engine::Event::Kind::step_finished:
            std::fprintf(m_out, "%s [%s] %s in %s%s%s\n", ts.c_str(), label(e).c_str(), e.status.c_str(),
                         util::format_duration(util::Millis(e.duration_ms)).c_str(), e.message.empty() ? "" : ": ",
                         e.message.c_str());
            break;
        case engine::Event::Kind::execution_finished:
            break;  // finish() prints the summary
    }
    std::fflush(m_out);
}

void ProgressView::erase_block() {
    if (m_block_lines > 0) std::fprintf(m_out, "\033[%dA\033[J", m_block_lines);
    m_block_lines = 0;
}

void ProgressView::draw_block() {
    auto now = std::chrono::steady_clock::now();
    int done = 0;
    std::vector<const std::string*> shown;
    for (const auto& id : m_order) {
        const auto& s = m_steps[id];
        if (is_final(s.status)) ++done;
        if (m_order.size() <= max_block_steps || s.status == "running") shown.push_back(&id);
    }
    if (shown.size() > max_block_steps) shown.resize(max_block_steps);
    size_t width = 0;
    for (const auto* id : shown) width = std::max(width, id->size());
    for (const auto* id : shown) {
        const auto& s = m_steps[*id];
        std::string mark = status_mark(s.status);
        std::string time;
        if (s.status == "running")
            time = util::format_duration(std::chrono::duration_cast<util::Millis>(now - s.started));
        else if (is_final(s.status) && s.status != "skipped")
            time = util::format_duration(util::Millis(s.duration_ms));
        std::string extra;
        if (s.items_done || s.items_running)
            extra =
                "  " + std::to_string(s.items_done) + " items done, " + std::to_string(s.items_running) + " running";
        if (s.status == "running" && s.attempt > 1) extra += "  attempt " + std::to_string(s.attempt);
        std::string padded = *id + std::string(width - id->size(), ' ');
        // Pad before coloring so escape codes don't break alignment.
        mark += std::string(mark.size() < 7 ? 7 - mark.size() : 0, ' ');
        std::fprintf(m_out, " %s %s  %s%s\n", color_as(mark, s.status, m_color).c_str(), padded.c_str(),
                     dim(time, m_color).c_str(), extra.c_str());
        ++m_block_lines;
    }
    // Overall progress bar.
    const int bar_width = 24;
    int total = static_cast<int>(m_order.size());
    int filled = total ? done * bar_width / total : bar_width;
    std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(bar_width - filled), '-') + "]";
    std::fprintf(m_out, " %s %d/%d steps  %s\n", bar.c_str(), done, total,
                 util::format_duration(std::chrono::duration_cast<util::Millis>(now - m_start)).c_str());
    ++m_block_lines;
    std::fflush(m_out);
}

void ProgressView::ticker() {
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        m_cv.wait_for(lock, std::chrono::milliseconds(200));
        if (m_stop) break;
        erase_block();
        draw_block();
    }
}

void ProgressView::finish(const engine::RunResult& result) {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_ticker.joinable()) m_ticker.join();
    auto elapsed = std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - m_start);
    if (m_live) {
        erase_block();
        draw_block();
    }
    std::fprintf(m_out, "%s %s in %s (execution %s)%s%s\n", bold("flow", m_color).c_str(),
                 color_status(result.status, m_color).c_str(), util::format_duration(elapsed).c_str(),
                 result.execution_id.c_str(), result.error.empty() ? "" : ": ", result.error.c_str());
    std::fflush(m_out);
}

}  // namespace flowctl::cli
