// `transform`: runs a jq program over a JSON value, with libjq loaded on first use.
//
// Threads: each run gets its own jq_state on its own worker thread, and nothing jq-side is
// shared between runs, so no lock is taken. This relies on libjq keeping its per-thread
// state (out-of-memory handler, dtoa context) in thread-local storage, as Debian's build
// does (compiler TLS); libjq builds that use pthread keys instead crash on every thread but
// the first (jq#2545), which a lock would not prevent. The worker thread is what lets a
// deadline or cancellation end the step while libjq is busy inside one jq_next() call: the
// step returns and the abandoned worker stops at the next result.
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "steps/jq_api.hpp"
#include "steps/param_values.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr size_t max_results = 1'000'000;
constexpr std::string_view any_json = "string|number|boolean|object|array|null";

/// One jq run, shared between the step thread and the worker (which may outlive the step).
struct Job {
    // Set before the worker starts.
    std::string program;
    std::string input_text;  // one JSON value
    std::string args_text;   // a JSON object
    size_t byte_cap = 0;

    std::atomic<bool> abandoned{false};
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;  // guarded by mutex
    // Written by the worker before done is set.
    std::vector<std::string> results;  // each result as JSON text
    std::string error;
};

/// The text of a jv message (consumed): strings as they are, other values as JSON.
std::string message_text(const jq::Api& api, jv msg) {
    if (api.get_kind(msg) == JV_KIND_STRING) {
        std::string text = api.string_value(msg);
        api.free(msg);
        return text;
    }
    jv dumped = api.dump_string(msg, 0);
    std::string text = api.string_value(dumped);
    api.free(dumped);
    return text;
}

struct ErrorSink {
    const jq::Api* api;
    std::string text;
};

void collect_error(void* data, jv msg) {
    auto* sink = static_cast<ErrorSink*>(data);
    std::string line = message_text(*sink->api, msg);
    while (!line.empty() && line.back() == '\n') {
        line.pop_back();
    }
    if (!sink->text.empty()) {
        sink->text += '\n';
    }
    sink->text += line;
}

void run_job(const jq::Api& api, Job& job) {
    jq_state* state = api.init();
    if (state == nullptr) {
        job.error = "could not start jq (jq_init failed)";
        return;
    }
    ErrorSink errors{&api, {}};
    api.set_error_cb(state, &collect_error, &errors);
    jv args = api.parse_sized(job.args_text.data(), static_cast<int>(job.args_text.size()));
    if (!api.compile_args(state, job.program.c_str(), args)) {
        job.error = errors.text.empty() ? "jq: the program does not compile" : errors.text;
        api.teardown(&state);
        return;
    }
    api.start(state, api.parse_sized(job.input_text.data(), static_cast<int>(job.input_text.size())), 0);
    size_t bytes = 0;
    std::vector<std::string> results;
    while (!job.abandoned.load(std::memory_order_relaxed)) {
        jv result = api.next(state);
        if (api.get_kind(result) == JV_KIND_INVALID) {
            if (api.invalid_has_msg(api.copy(result))) {
                job.error = "jq: error: " + message_text(api, api.invalid_get_msg(result));
            } else {
                api.free(result);
            }
            break;
        }
        jv dumped = api.dump_string(result, 0);
        std::string text(api.string_value(dumped), static_cast<size_t>(api.string_length_bytes(api.copy(dumped))));
        api.free(dumped);
        bytes += text.size();
        if (results.size() >= max_results) {
            job.error = "the jq program produced more than " + std::to_string(max_results) + " results";
            break;
        }
        if (bytes > job.byte_cap) {
            job.error =
                "the jq program's results are larger than the output cap of " + std::to_string(job.byte_cap) + " bytes";
            break;
        }
        results.push_back(std::move(text));
    }
    if (job.error.empty() && api.halted(state)) {
        // `halt` stops quietly; `halt_error` sets an exit code and a message.
        jv code = api.get_exit_code(state);
        if (api.get_kind(code) != JV_KIND_INVALID) {
            std::string code_text = message_text(api, code);
            if (code_text != "0") {
                jv msg = api.get_error_message(state);
                std::string text =
                    api.get_kind(msg) == JV_KIND_NULL ? (api.free(msg), std::string()) : message_text(api, msg);
                while (!text.empty() && text.back() == '\n') {
                    text.pop_back();
                }
                job.error = "jq halted with exit code " + code_text + (text.empty() ? "" : ": " + text);
            }
        } else {
            api.free(code);
        }
    }
    api.teardown(&state);
    job.results = std::move(results);
}

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string parse_message(const json::exception& e) {
    std::string what = e.what();
    if (size_t close = what.find("] "); what.starts_with("[json.exception") && close != std::string::npos) {
        return what.substr(close + 2);
    }
    return what;
}

std::string dump_safe(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

/// The input value as JSON text, from `input` or `input_file`; nullopt with *error set on failure.
std::optional<std::string> input_text(const StepContext& ctx, std::string* error) {
    const json& p = ctx.params;
    auto file = params::get_string(p, "input_file");
    if (!file) {
        return dump_safe(p.is_object() && p.contains("input") ? p["input"] : json(nullptr));
    }
    if (params::has(p, "input")) {
        *error = "give either 'input' or 'input_file', not both";
        return std::nullopt;
    }
    fs::path path(*file);
    if (path.is_relative()) {
        path = fs::path(ctx.cwd) / path;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot read input_file " + path.string() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return dump_safe(json::parse(text.str()));
    } catch (const json::parse_error& e) {
        *error = "input_file " + path.string() + " is not valid JSON: " + parse_message(e);
        return std::nullopt;
    }
}

StepResult run_transform(StepContext& ctx, const jq::Api& api) {
    auto job = std::make_shared<Job>();
    job->program = params::require_string(ctx.params, "program");
    job->byte_cap = ctx.output_cap;
    const json* args = params::get_object(ctx.params, "args");
    job->args_text = dump_safe(args != nullptr ? *args : json::object());
    std::string error;
    auto input = input_text(ctx, &error);
    if (!input) {
        return params::failure(error);
    }
    job->input_text = std::move(*input);

    std::thread worker;
    try {
        worker = std::thread([&api, job] {
            run_job(api, *job);
            std::lock_guard lock(job->mutex);
            job->done = true;
            job->done_cv.notify_all();
        });
    } catch (const std::system_error& e) {
        return params::failure(std::string("could not start the jq thread: ") + e.what());
    }

    std::optional<Outcome> stopped;
    {
        std::unique_lock lock(job->mutex);
        while (!job->done) {
            if (ctx.cancel != nullptr && ctx.cancel->cancelled()) {
                stopped = Outcome::cancelled;
                break;
            }
            if (ctx.deadline && steady_clock::now() >= *ctx.deadline) {
                stopped = Outcome::timed_out;
                break;
            }
            // Short waits: the cancel token has no way to wake a condition variable.
            job->done_cv.wait_for(lock, milliseconds(20));
        }
    }
    if (stopped) {
        job->abandoned = true;
        worker.detach();  // it holds its own reference to the job
        return *stopped == Outcome::cancelled
                   ? params::failure("cancelled", Outcome::cancelled)
                   : params::failure("timed out while the jq program was running", Outcome::timed_out);
    }
    worker.join();
    if (!job->error.empty()) {
        return params::failure(job->error);
    }

    json results = json::array();
    for (const auto& text : job->results) {
        results.push_back(json::parse(text, nullptr, false));  // jq's own output: valid JSON
    }
    StepResult r;
    if (results.size() == 1) {
        r.output = results[0];
        if (r.output.is_object()) {
            r.outputs = r.output;
        }
    } else {
        r.output = results;
    }
    r.outputs["results"] = std::move(results);
    return r;
}

class TransformStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "transform",
            .summary = "Reshape JSON with a jq program",
            .primary = "program",
            .params =
                {
                    params::Spec("program", "string", "The jq program, e.g. '.items | map(.price) | add'").required(),
                    params::Spec("input", std::string(any_json),
                                 "The JSON value the program reads (null when not given)"),
                    params::Spec("input_file", "string",
                                 "A JSON file to read the input from instead, relative to the "
                                 "working directory"),
                    params::Spec("args", "object", "Variables for the program: each key becomes $key"),
                },
            .sibling_params = {},
            .outputs =
                {
                    params::Spec("results", "array",
                                 "Every value the program produced; when it produced exactly "
                                 "one object, that object's fields are outputs too"),
                },
            .example =
                "- id: total\n"
                "  transform:\n"
                "    program: '.items | map(.price * $rate) | add'\n"
                "    input: ${{ steps.fetch.outputs.json }}\n"
                "    args: {rate: 1.2}\n",
        };
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        std::string why;
        const jq::Api* api = jq::load(&why);
        if (api == nullptr) {
            return params::failure("the transform step needs libjq (apt-get install libjq1): " + why);
        }
        return params::guarded([&] { return run_transform(ctx, *api); });
    }
};

}  // namespace

const StepType& transform_step_type() {
    static const TransformStep type;
    return type;
}

}  // namespace flowctl::steps
