// ExecutionManager against a real flows directory, a real history database and real
// processes: queueing, priorities, limits, cancellation, retries, draining, callbacks, events.
#include "core/execution_manager.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/callback_sender.hpp"
#include "core/run_queue.hpp"
#include "http/api_error.hpp"
#include "support/http_server.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> lines_of(const std::filesystem::path& p) {
    std::vector<std::string> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

/// The HTTP status of the ApiError `f` throws (0 when it throws none).
template <typename F>
int api_status(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const ApiError& e) {
        if (message) *message = e.what();
        return e.status;
    }
    return 0;
}

class ExecutionManagerTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(flows_dir());
        m_stores = std::make_unique<Stores>(m_dir.path() / "state");
    }
    void TearDown() override {
        m_manager.reset();  // before the registry and stores it uses
        m_registry.reset();
    }

    std::filesystem::path flows_dir() const { return m_dir.path() / "flows"; }
    std::filesystem::path file(const std::string& name) const { return m_dir.path() / name; }
    std::string path_of(const std::string& name) const { return file(name).string(); }

    void write_flow(const std::string& name, const std::string& yaml) {
        std::ofstream(flows_dir() / (name + ".yaml")) << "name: " << name << "\n" << yaml;
    }

    ExecutionManager& make_manager(int max_concurrent = 4, bool start = true) {
        m_registry = std::make_unique<FlowRegistry>(flows_dir(), *m_stores);
        m_registry->load_all();
        m_config.max_concurrent = max_concurrent;
        m_manager =
            std::make_unique<ExecutionManager>(m_config, *m_registry, m_bus, *m_stores, clean_step_environment());
        if (start) m_manager->start();
        return *m_manager;
    }

    std::string submit(const std::string& flow, json inputs = json::object(), int priority = 0) {
        RunRequest r;
        r.flow = flow;
        r.inputs = std::move(inputs);
        r.priority = priority;
        return m_manager->submit(r).execution_id;
    }

    store::ExecutionRecord wait(const std::string& id, std::chrono::milliseconds timeout = 20s) {
        return m_manager->wait(id, timeout);
    }

    store::Store& store() { return m_stores->local(); }

    /// Waits until `pred` holds (polling), up to `timeout`.
    template <typename P>
    bool eventually(P pred, std::chrono::milliseconds timeout = 10s) {
        auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (pred()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return pred();
    }

    flowctl::test::TempDir m_dir;
    config::Config m_config;
    EventBus m_bus;
    std::unique_ptr<Stores> m_stores;
    std::unique_ptr<FlowRegistry> m_registry;
    std::unique_ptr<ExecutionManager> m_manager;
};

TEST_F(ExecutionManagerTest, SubmitRunsTheFlowAndRecordsItsVersion) {
    write_flow("hello", R"(
inputs:
  who: {type: string, default: world}
  token: {type: string, secret: true}
steps:
  - id: greet
    run: echo "hello ${{ inputs.who }}"
outputs:
  said: ${{ steps.greet.output }}
)");
    auto& m = make_manager();
    RunRequest r;
    r.flow = "hello";
    r.inputs = {{"who", "there"}, {"token", "s3cret"}};
    r.trigger_data = {{"source", "test"}};
    std::string id = m.submit(r).execution_id;

    auto pending = store().get_execution(id);
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->trigger, "api");
    EXPECT_EQ(pending->inputs["token"], "***");

    auto done = wait(id);
    EXPECT_EQ(done.status, "succeeded") << done.error;
    EXPECT_EQ(done.id, id);
    EXPECT_EQ(done.flow_name, "hello");
    EXPECT_EQ(done.version_id, m_registry->get("hello")->version_id);
    EXPECT_GT(done.version_id, 0);
    EXPECT_EQ(done.def_hash, m_registry->get("hello")->hash);
    EXPECT_EQ(done.trigger_data["source"], "test");
    EXPECT_EQ(done.inputs["who"], "there");
    EXPECT_EQ(done.inputs["token"], "***");
    EXPECT_EQ(done.owner_pid, static_cast<int>(::getpid()));
    EXPECT_THAT(done.outputs["said"].dump(), HasSubstr("hello there"));
    EXPECT_EQ(m.finished_total(), 1u);
    EXPECT_EQ(m.running(), 0u);
    EXPECT_EQ(m.queued(), 0u);
}

TEST_F(ExecutionManagerTest, AQueuedRunKeepsTheVersionItWasSubmittedWith) {
    write_flow("edit", "steps:\n  - id: a\n    run: echo first >> " + path_of("out") + "\n");
    auto& m = make_manager();
    int64_t first_version = m_registry->get("edit")->version_id;
    RunRequest r;
    r.flow = "edit";
    r.scheduled_ms = util::now_ms() + 600;
    std::string id = m.submit(r).execution_id;

    write_flow("edit", "steps:\n  - id: a\n    run: echo second >> " + path_of("out") + "\n");
    m_registry->reload();
    ASSERT_NE(m_registry->get("edit")->version_id, first_version);

    auto done = wait(id);
    EXPECT_EQ(done.status, "succeeded") << done.error;
    EXPECT_EQ(done.version_id, first_version);
    EXPECT_THAT(lines_of(file("out")), ElementsAre("first"));
}

TEST_F(ExecutionManagerTest, HigherPriorityStartsFirstThenFirstComeFirstServed) {
    write_flow("mark", R"(
inputs:
  tag: {type: string, required: true}
steps:
  - id: mark
    run: echo ${{ inputs.tag }} >> )" +
                           path_of("order") + "\n");
    auto& m = make_manager(1, false);
    std::vector<std::string> ids = {submit("mark", {{"tag", "low"}}, 0), submit("mark", {{"tag", "high1"}}, 5),
                                    submit("mark", {{"tag", "mid"}}, 1), submit("mark", {{"tag", "high2"}}, 5),
                                    submit("mark", {{"tag", "low2"}}, 0)};
    EXPECT_EQ(m.queued(), 5u);
    m.start();
    for (const auto& id : ids) EXPECT_EQ(wait(id).status, "succeeded");
    EXPECT_THAT(lines_of(file("order")), ElementsAre("high1", "high2", "mid", "low", "low2"));
}

TEST_F(ExecutionManagerTest, AScheduledRunWaitsForItsTime) {
    write_flow("later", "steps:\n  - id: a\n    run: 'true'\n");
    auto& m = make_manager();
    RunRequest r;
    r.flow = "later";
    r.scheduled_ms = util::now_ms() + 800;
    std::string id = m.submit(r).execution_id;
    std::string now_id = submit("later");  // not held up by the one that waits

    EXPECT_EQ(wait(now_id).status, "succeeded");
    EXPECT_EQ(store().get_execution(id)->status, "pending");
    EXPECT_EQ(m.queued(), 1u);
    auto done = wait(id);
    EXPECT_EQ(done.status, "succeeded");
    EXPECT_EQ(done.scheduled_ms, r.scheduled_ms);
    EXPECT_GE(done.started_ms, r.scheduled_ms);
}

TEST_F(ExecutionManagerTest, NoMoreThanMaxConcurrentRunAtOnce) {
    write_flow("busy", "steps:\n  - id: a\n    run: echo start >> " + path_of("log") + "; sleep 0.3; echo end >> " +
                           path_of("log") + "\n");
    auto& m = make_manager(2);
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(submit("busy"));
    size_t most_running = 0;
    for (int i = 0; i < 40; ++i) {
        most_running = std::max(most_running, m.running());
        std::this_thread::sleep_for(20ms);
    }
    for (const auto& id : ids) EXPECT_EQ(wait(id).status, "succeeded");
    EXPECT_LE(most_running, 2u);

    int at_once = 0, peak = 0;
    for (const auto& line : lines_of(file("log"))) {
        at_once += line == "start" ? 1 : -1;
        peak = std::max(peak, at_once);
    }
    EXPECT_EQ(peak, 2);  // the limit is reached, never passed
    EXPECT_EQ(m.finished_total(), 6u);
}

TEST_F(ExecutionManagerTest, CancelAQueuedRunRecordsItAtOnce) {
    write_flow("nap", "steps:\n  - id: nap\n    run: sleep 30\n");
    auto& m = make_manager(1);
    std::string running = submit("nap");
    std::string queued = submit("nap");
    ASSERT_TRUE(eventually([&] { return m.running() == 1; }));

    m.cancel(queued);
    auto rec = wait(queued, 0ms);
    EXPECT_EQ(rec.status, "cancelled");
    EXPECT_THAT(rec.error, HasSubstr("before it started"));
    EXPECT_EQ(rec.started_ms, 0);
    EXPECT_EQ(m.queued(), 0u);
    EXPECT_EQ(api_status([&] { m.cancel(queued); }), 409);

    auto start = std::chrono::steady_clock::now();
    m.cancel(running);
    auto done = wait(running, 15s);
    EXPECT_EQ(done.status, "cancelled");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
    EXPECT_EQ(store().step_runs(running).at(0).status, "cancelled");
    EXPECT_EQ(api_status([&] { m.cancel(running); }), 409);
    EXPECT_EQ(api_status([&] { m.cancel("0000000000zzzzzz"); }), 404);
}

TEST_F(ExecutionManagerTest, ARunTheEngineCannotStartStillEndsFailed) {
    write_flow("hello", "steps:\n  - id: a\n    run: echo hi\n");
    auto& m = make_manager();
    RunRequest r;
    r.flow = "hello";
    r.scheduled_ms = util::now_ms() + 400;
    std::string id = m.submit(r).execution_id;
    // Someone else takes the row out of `pending`: the engine's mark_started() then throws.
    auto row = *store().get_execution(id);
    row.status = "running";
    store().update_execution(row);

    auto done = wait(id);
    EXPECT_EQ(done.status, "failed");
    EXPECT_THAT(done.error, HasSubstr("internal error"));
    EXPECT_GT(done.finished_ms, 0);
    EXPECT_EQ(m.running(), 0u);
    EXPECT_EQ(m.finished_total(), 1u);
}

TEST_F(ExecutionManagerTest, UnknownDisabledAndBrokenFlowsAndBadRequestsAreRefused) {
    write_flow("typed", "inputs:\n  n: {type: number, required: true}\nsteps:\n  - id: a\n    run: 'true'\n");
    write_flow("off", "steps:\n  - id: a\n    run: 'true'\n");
    std::ofstream(flows_dir() / "broken.yaml") << "name: broken\nsteps:\n  - id: a\n    nosuchtype: 1\n";
    auto& m = make_manager();
    ASSERT_TRUE(m_registry->set_enabled("off", false));

    std::string message;
    EXPECT_EQ(api_status([&] { submit("nope"); }), 404);
    EXPECT_EQ(api_status([&] { submit("off"); }, &message), 409);
    EXPECT_THAT(message, HasSubstr("disabled"));
    EXPECT_EQ(api_status([&] { submit("broken"); }), 409);
    EXPECT_EQ(api_status([&] { submit("typed", {{"n", "many"}}); }, &message), 422);
    EXPECT_THAT(message, HasSubstr("input 'n' must be a number"));
    EXPECT_EQ(api_status([&] { submit("typed"); }, &message), 422);
    EXPECT_THAT(message, HasSubstr("missing required input 'n'"));

    RunRequest r;
    r.flow = "typed";
    r.inputs = {{"n", 1}};
    r.callback_url = "file:///etc/passwd";
    EXPECT_EQ(api_status([&] { m.submit(r); }), 422);

    int64_t total = 0;
    store().list_executions(store::HistoryFilter{}, &total);
    EXPECT_EQ(total, 0);  // nothing refused was recorded
    EXPECT_EQ(api_status([&] { m.wait("0000000000zzzzzz", 0ms); }), 404);
}

TEST_F(ExecutionManagerTest, RetryRunsAgainWithOverriddenInputs) {
    write_flow("picky", R"(
inputs:
  word: {type: string, required: true}
  key: {type: string, secret: true}
steps:
  - id: check
    run: test "${{ inputs.word }}" = good && test "${{ inputs.key }}" = k
)");
    auto& m = make_manager();
    std::string first = submit("picky", {{"word", "bad"}, {"key", "k"}});
    ASSERT_EQ(wait(first).status, "failed");

    std::string message;
    EXPECT_EQ(api_status([&] { m.retry(first, "", {{"word", "good"}}); }, &message), 422);
    EXPECT_THAT(message, HasSubstr("'key'"));

    std::string second = m.retry(first, "", {{"word", "good"}, {"key", "k"}}).execution_id;
    auto done = wait(second);
    EXPECT_EQ(done.status, "succeeded") << done.error;
    EXPECT_EQ(done.retry_of, first);
    EXPECT_EQ(done.retry_from, "");
    EXPECT_EQ(done.trigger, "retry");
    EXPECT_EQ(done.inputs["word"], "good");
    EXPECT_EQ(done.inputs["key"], "***");

    EXPECT_EQ(api_status([&] { m.retry("0000000000zzzzzz", "", json::object()); }), 404);
    EXPECT_EQ(api_status([&] { m.retry(first, "no-such-step", {{"key", "k"}}); }), 422);
}

TEST_F(ExecutionManagerTest, RetryFromAStepReusesTheStepsBeforeIt) {
    write_flow("two", "steps:\n  - id: prepare\n    run: echo ran >> " + path_of("prepared") +
                          "\n  - id: use\n    needs: [prepare]\n    run: test -e " + path_of("fixed") + "\n");
    auto& m = make_manager();
    std::string first = submit("two");
    ASSERT_EQ(wait(first).status, "failed");

    std::ofstream(file("fixed")) << "";
    std::string second = m.retry(first, "use", json::object()).execution_id;
    auto done = wait(second);
    EXPECT_EQ(done.status, "succeeded") << done.error;
    EXPECT_EQ(done.retry_from, "use");
    EXPECT_THAT(lines_of(file("prepared")), ElementsAre("ran"));  // not run again

    std::map<std::string, std::string> status;
    for (const auto& s : store().step_runs(second)) status[s.step_id] = s.status;
    EXPECT_EQ(status["prepare"], "succeeded");
    EXPECT_EQ(status["use"], "succeeded");
}

TEST_F(ExecutionManagerTest, RetryOfARunThatHasNotEndedIsAConflict) {
    write_flow("nap", "steps:\n  - id: nap\n    run: sleep 30\n");
    auto& m = make_manager();
    std::string id = submit("nap");
    EXPECT_EQ(api_status([&] { m.retry(id, "", json::object()); }), 409);
    m.cancel(id);
    EXPECT_EQ(wait(id).status, "cancelled");
}

TEST_F(ExecutionManagerTest, DrainCancelsWhatOutlivesTheGraceAndWhatNeverStarted) {
    write_flow("nap", "steps:\n  - id: nap\n    run: sleep 30\n");
    write_flow("quick", "steps:\n  - id: a\n    run: sleep 0.2\n");
    auto& m = make_manager(2);
    std::string long_one = submit("nap");
    std::string short_one = submit("quick");
    RunRequest later;
    later.flow = "quick";
    later.scheduled_ms = util::now_ms() + 60000;
    std::string queued = m.submit(later).execution_id;
    ASSERT_TRUE(eventually([&] { return m.running() == 2; }));

    auto start = std::chrono::steady_clock::now();
    m.drain(700ms);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 600ms);
    EXPECT_LT(took, 10s);

    EXPECT_EQ(store().get_execution(short_one)->status, "succeeded");  // finished within the grace
    EXPECT_EQ(store().get_execution(long_one)->status, "cancelled");
    auto never = *store().get_execution(queued);
    EXPECT_EQ(never.status, "cancelled");
    EXPECT_EQ(never.error, "daemon stopped before it started");
    for (const char* status : {"pending", "running"}) {
        store::HistoryFilter f;
        f.status = status;
        int64_t total = -1;
        store().list_executions(f, &total);
        EXPECT_EQ(total, 0) << status;
    }
    EXPECT_EQ(m.running(), 0u);
    EXPECT_EQ(m.queued(), 0u);
    EXPECT_EQ(api_status([&] { submit("quick"); }), 503);
}

TEST_F(ExecutionManagerTest, TheResultIsPostedToTheCallbackUrl) {
    flowctl::test::HttpServer server;
    server.on("POST", "/hook",
              [](const flowctl::test::HttpRequest&, flowctl::test::HttpReply& reply) { reply.body = "ok"; });
    server.start();
    write_flow("hello", "steps:\n  - id: a\n    run: echo hi\n");
    auto& m = make_manager();
    RunRequest r;
    r.flow = "hello";
    r.callback_url = server.base_url() + "/hook";
    std::string id = m.submit(r).execution_id;
    EXPECT_EQ(wait(id).status, "succeeded");

    ASSERT_TRUE(eventually([&] { return !server.requests().empty(); }));
    auto req = server.requests().front();
    EXPECT_EQ(req.method, "POST");
    EXPECT_THAT(req.header("content-type"), HasSubstr("application/json"));
    json body = json::parse(req.body);
    EXPECT_EQ(body["execution"]["id"], id);
    EXPECT_EQ(body["execution"]["status"], "succeeded");
    EXPECT_EQ(body["execution"]["flow"], "hello");
}

TEST(CallbackSenderTest, RetriesAFailingReceiverWithBackoff) {
    flowctl::test::HttpServer server;
    int calls = 0;
    server.on("POST", "/flaky", [&](const flowctl::test::HttpRequest&, flowctl::test::HttpReply& reply) {
        reply.status = ++calls < 3 ? 500 : 204;
    });
    server.start();
    CallbackSender sender({3, 2000ms, 50ms});
    sender.post(server.base_url() + "/flaky", R"({"execution": {}})");
    sender.shutdown(std::chrono::steady_clock::now() + 10s);
    ASSERT_EQ(server.requests().size(), 3u);
    EXPECT_EQ(server.requests().back().body, R"({"execution": {}})");
    EXPECT_EQ(sender.in_flight(), 0u);
}

TEST(CallbackSenderTest, OnlyHttpUrlsAreCallbacks) {
    EXPECT_TRUE(is_http_url("http://127.0.0.1:9/x"));
    EXPECT_TRUE(is_http_url("HTTPS://example.com"));
    EXPECT_FALSE(is_http_url("ftp://example.com"));
    EXPECT_FALSE(is_http_url("http://"));
    EXPECT_FALSE(is_http_url("example.com/hook"));
}

TEST_F(ExecutionManagerTest, EventsOfOneExecutionArriveInOrder) {
    write_flow("talk", "steps:\n  - id: say\n    run: echo hello-events\n");
    auto& m = make_manager();
    auto sub = m_bus.subscribe(EventFilter{"", "talk", true});
    std::string id = submit("talk");

    std::vector<json> events;
    json e;
    while (sub->next(e, 10s)) {
        events.push_back(e);
        if (e["type"] == "execution_finished") break;
    }
    std::vector<std::string> types;
    for (const auto& ev : events) {
        types.push_back(ev["type"]);
        EXPECT_EQ(ev["execution_id"], id);
        EXPECT_EQ(ev["flow"], "talk");
    }
    ASSERT_GE(types.size(), 5u);
    EXPECT_EQ(types[0], "execution_queued");
    EXPECT_EQ(types[1], "execution_started");
    EXPECT_EQ(types[2], "step_started");
    EXPECT_EQ(types[types.size() - 2], "step_finished");
    EXPECT_EQ(types.back(), "execution_finished");
    EXPECT_EQ(events.back()["status"], "succeeded");
    EXPECT_EQ(events[2]["step"], "say");
    EXPECT_EQ(events[2]["attempt"], 1);
    auto log = std::find_if(events.begin(), events.end(), [](const json& ev) { return ev["type"] == "step_log"; });
    ASSERT_NE(log, events.end());
    EXPECT_EQ((*log)["message"], "hello-events");
    EXPECT_TRUE(events.back()["duration_ms"].is_number());
    for (size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i]["seq"], events[i - 1]["seq"]);
    m.wait(id, 5s);
}

TEST(RunQueueTest, PriorityThenArrivalAndNotBeforeTimes) {
    RunQueue q;
    q.push({"a", 0, 0, ""});
    q.push({"b", 2, 0, ""});
    q.push({"c", 9, 5000, ""});  // the best, but not due yet
    q.push({"d", 2, 0, ""});
    EXPECT_EQ(q.next_due_after(1000), 5000);
    std::vector<std::string> order;
    while (auto r = q.pop_ready(1000)) order.push_back(r->execution_id);
    EXPECT_THAT(order, ElementsAre("b", "d", "a"));
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(q.pop_ready(5000)->execution_id, "c");
    q.push({"e", 0, 0, ""});
    EXPECT_TRUE(q.remove("e"));
    EXPECT_FALSE(q.remove("e"));
    EXPECT_TRUE(q.empty());
}

TEST(StepEnvironmentTest, OnlyTheBasicsAreInherited) {
    ::setenv("TMOUT", "5", 1);
    ::setenv("LC_TIME", "C", 1);
    auto env = clean_step_environment();
    ::unsetenv("TMOUT");
    EXPECT_EQ(env.count("TMOUT"), 0u);
    EXPECT_EQ(env["LC_TIME"], "C");
    EXPECT_FALSE(env["PATH"].empty());
    EXPECT_FALSE(env["HOME"].empty());
    for (const auto& [name, value] : env)
        EXPECT_TRUE(name == "PATH" || name == "HOME" || name == "USER" || name == "LOGNAME" || name == "SHELL" ||
                    name == "LANG" || name == "TZ" || name == "TMPDIR" || name == "XDG_RUNTIME_DIR" ||
                    name.starts_with("LC_"))
            << name;
}

}  // namespace
}  // namespace flowctl::daemon
