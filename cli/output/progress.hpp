#pragma once
// What `flowctl run` shows while a flow runs: on a terminal a compact live view (log lines
// scroll above a block of step states that is redrawn in place); otherwise plain lines.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "flow/model.hpp"

namespace flowctl::cli {

class ProgressView {
public:
    /// live: redraw in place (a terminal); steps: false prints only the final line.
    ProgressView(std::FILE* out, bool live, bool color, bool steps, const flow::Flow& flow);
    /// For a run in the daemon: the flow's step ids, in file order.
    ProgressView(std::FILE* out, bool live, bool color, bool steps, const std::vector<std::string>& step_ids);
    ~ProgressView();
    ProgressView(const ProgressView&) = delete;
    ProgressView& operator=(const ProgressView&) = delete;

    void on_event(const engine::Event& event);
    /// Stops the live view and prints the final line.
    void finish(const engine::RunResult& result);

private:
    struct StepState {
        std::string status = "pending";
        std::chrono::steady_clock::time_point started;
        int64_t duration_ms = 0;
        int attempt = 1;
        int items_done = 0;
        int items_running = 0;
        std::string error;
    };

    void print_plain(const engine::Event& event);
    void erase_block();
    void draw_block();
    void ticker();
    std::string label(const engine::Event& event) const;

    std::FILE* m_out;
    bool m_live;
    bool m_show_steps;
    bool m_color;
    std::vector<std::string> m_order;
    std::map<std::string, StepState> m_steps;
    int m_block_lines = 0;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop = false;
    std::thread m_ticker;
};

}  // namespace flowctl::cli
