// Each flow's concurrency policy in a real ExecutionManager (temp flows directory, real history
// database, real processes): forbid, replace, queue, max_active, the record hook, retries, and
// the API's answer to a skipped run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api_test_daemon.hpp"
#include "core/concurrency_policy.hpp"
#include "core/execution_manager.hpp"
#include "core/run_queue.hpp"
#include "http/api_error.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> lines_of(const std::filesystem::path& p) {
    std::vector<std::string> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

/// The most runs that were between their "start" and "end" lines at once.
int max_overlap(const std::vector<std::string>& lines) {
    int now = 0, most = 0;
    for (const auto& line : lines) {
        if (line.rfind("start", 0) == 0) most = std::max(most, ++now);
        if (line.rfind("end", 0) == 0) --now;
    }
    return most;
}

class ConcurrencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(flows_dir());
        m_stores = std::make_unique<Stores>(m_dir.path() / "state");
    }
    void TearDown() override {
        open_gate();  // lets anything still waiting end before the drain
        m_manager.reset();
        m_registry.reset();
    }

    std::filesystem::path flows_dir() const { return m_dir.path() / "flows"; }
    std::filesystem::path gate() const { return m_dir.path() / "gate"; }
    std::filesystem::path log() const { return m_dir.path() / "log"; }
    void open_gate() { std::ofstream(gate()).flush(); }

    /// A flow with input `tag` that logs "start TAG", then waits for the gate file (or sleeps
    /// `sleep` when given), then logs "end TAG". `top` goes at the top level (its policy).
    void write_flow(const std::string& name, const std::string& top, const std::string& sleep = "") {
        const std::string wait =
            sleep.empty() ? "while [ ! -e " + gate().string() + " ]; do sleep 0.02; done" : "sleep " + sleep;
        std::ofstream(flows_dir() / (name + ".yaml"))
            << "name: " << name << "\n"
            << top << "inputs:\n  tag: {type: string, default: x}\nsteps:\n  - id: work\n    run: |\n"
            << "      echo \"start ${{ inputs.tag }}\" >> " << log().string() << "\n"
            << "      " << wait << "\n"
            << "      echo \"end ${{ inputs.tag }}\" >> " << log().string() << "\n";
    }

    ExecutionManager& make_manager(int max_concurrent = 4) {
        m_registry = std::make_unique<FlowRegistry>(flows_dir(), *m_stores);
        m_registry->load_all();
        m_config.max_concurrent = max_concurrent;
        m_manager =
            std::make_unique<ExecutionManager>(m_config, *m_registry, m_bus, *m_stores, clean_step_environment());
        m_manager->start();
        return *m_manager;
    }

    Submission submit(const std::string& flow, const std::string& tag, int priority = 0) {
        RunRequest r;
        r.flow = flow;
        r.inputs = {{"tag", tag}};
        r.priority = priority;
        return m_manager->submit(r);
    }

    store::ExecutionRecord wait(const std::string& id) { return m_manager->wait(id, 20s); }
    store::ExecutionRecord record(const std::string& id) { return *m_stores->local().get_execution(id); }

    bool logged(const std::string& line) {
        for (const auto& l : lines_of(log()))
            if (l == line) return true;
        return false;
    }

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

// ---- forbid ---------------------------------------------------------------------------------

TEST_F(ConcurrencyTest, ForbidSkipsARunAtTheLimitAndRecordsWhy) {
    write_flow("nightly", "concurrency: forbid\n");
    auto& m = make_manager();
    auto sub = m_bus.subscribe(EventFilter{"", "nightly", false});
    Submission first = submit("nightly", "a");
    EXPECT_FALSE(first.skipped);
    ASSERT_TRUE(eventually([&] { return logged("start a"); }));

    RunRequest r;
    r.flow = "nightly";
    r.inputs = {{"tag", "b"}};
    r.trigger = "schedule";
    r.trigger_data = {{"slot", "02:00"}};
    Submission second = m.submit(r);
    EXPECT_TRUE(second.skipped);
    EXPECT_EQ(second.reason, "concurrency: forbid, 1 active (" + first.execution_id + ")");
    EXPECT_THAT(second.active, ElementsAre(first.execution_id));
    EXPECT_NE(second.execution_id, first.execution_id);

    auto skipped = record(second.execution_id);
    EXPECT_EQ(skipped.status, "skipped");
    EXPECT_EQ(skipped.error, second.reason);
    EXPECT_EQ(skipped.trigger, "schedule");
    EXPECT_EQ(skipped.trigger_data["slot"], "02:00");
    EXPECT_EQ(skipped.inputs["tag"], "b");
    EXPECT_GT(skipped.finished_ms, 0);
    EXPECT_EQ(skipped.started_ms, 0);
    EXPECT_EQ(m.queued(), 0u);
    EXPECT_EQ(m.running(), 1u);

    json e;
    bool saw_skip = false;
    while (!saw_skip && sub->next(e, 5s))
        saw_skip = e["type"] == "execution_finished" && e["execution_id"] == second.execution_id;
    ASSERT_TRUE(saw_skip);
    EXPECT_EQ(e["status"], "skipped");
    EXPECT_EQ(e["message"], second.reason);

    open_gate();
    EXPECT_EQ(wait(first.execution_id).status, "succeeded");
    EXPECT_FALSE(logged("start b"));
    Submission third = submit("nightly", "c");  // nothing active any more
    EXPECT_FALSE(third.skipped);
    EXPECT_EQ(wait(third.execution_id).status, "succeeded");
}

TEST_F(ConcurrencyTest, ForbidCountsQueuedRunsAndAllowsMaxActive) {
    write_flow("pair", "concurrency: forbid\nmax_active: 2\n");
    auto& m = make_manager();
    RunRequest later;
    later.flow = "pair";
    later.scheduled_ms = util::now_ms() + 60000;  // queued, not running: still active
    Submission a = m.submit(later);
    Submission b = submit("pair", "b");
    Submission c = submit("pair", "c");
    EXPECT_FALSE(a.skipped);
    EXPECT_FALSE(b.skipped);
    ASSERT_TRUE(c.skipped);
    EXPECT_EQ(c.reason, "concurrency: forbid, 2 active (" + a.execution_id + ", " + b.execution_id + ")");
    EXPECT_THAT(c.active, ElementsAre(a.execution_id, b.execution_id));

    m.cancel(a.execution_id);  // a cancelled run no longer counts
    Submission d = submit("pair", "d");
    EXPECT_FALSE(d.skipped) << d.reason;
    open_gate();
    EXPECT_EQ(wait(b.execution_id).status, "succeeded");
    EXPECT_EQ(wait(d.execution_id).status, "succeeded");
}

// ---- replace --------------------------------------------------------------------------------

TEST_F(ConcurrencyTest, ReplaceCancelsTheRunningOneAndStartsAfterItEnded) {
    write_flow("deploy", "concurrency: replace\n");
    make_manager();
    Submission a = submit("deploy", "a");
    ASSERT_TRUE(eventually([&] { return logged("start a"); }));

    Submission b = submit("deploy", "b");
    EXPECT_FALSE(b.skipped);
    EXPECT_THAT(b.replaced, ElementsAre(a.execution_id));

    auto old = wait(a.execution_id);
    EXPECT_EQ(old.status, "cancelled");
    EXPECT_EQ(old.error, "replaced by " + b.execution_id);
    ASSERT_TRUE(eventually([&] { return logged("start b"); }));
    auto fresh = record(b.execution_id);
    EXPECT_GE(fresh.started_ms, old.finished_ms);  // never both at once
    open_gate();
    EXPECT_EQ(wait(b.execution_id).status, "succeeded");
    EXPECT_THAT(lines_of(log()), ElementsAre("start a", "start b", "end b"));
}

TEST_F(ConcurrencyTest, ReplaceAlsoCancelsARunStillWaitingForItsSlot) {
    // a takes a while to end on TERM, so b is still waiting for a's slot when c comes.
    std::ofstream(flows_dir() / "deploy.yaml")
        << "name: deploy\nconcurrency: replace\ninputs:\n  tag: {type: string, default: x}\n"
        << "steps:\n  - id: work\n    run: |\n"
        << "      echo \"start ${{ inputs.tag }}\" >> " << log().string() << "\n"
        << "      trap 'sleep 0.5; exit 1' TERM\n"
        << "      while [ ! -e " << gate().string() << " ]; do sleep 0.02; done\n"
        << "      echo \"end ${{ inputs.tag }}\" >> " << log().string() << "\n";
    make_manager();
    Submission a = submit("deploy", "a");
    ASSERT_TRUE(eventually([&] { return logged("start a"); }));
    Submission b = submit("deploy", "b");
    Submission c = submit("deploy", "c");
    EXPECT_THAT(b.replaced, ElementsAre(a.execution_id));
    EXPECT_THAT(c.replaced, ElementsAre(b.execution_id));  // a is already going

    auto never = wait(b.execution_id);
    EXPECT_EQ(never.status, "cancelled");
    EXPECT_EQ(never.error, "replaced by " + c.execution_id);
    EXPECT_EQ(wait(a.execution_id).error, "replaced by " + b.execution_id);
    open_gate();
    EXPECT_EQ(wait(c.execution_id).status, "succeeded");
    EXPECT_THAT(lines_of(log()), ElementsAre("start a", "start c", "end c"));
    EXPECT_GE(record(c.execution_id).started_ms, record(a.execution_id).finished_ms);
}

// ---- queue ----------------------------------------------------------------------------------

TEST_F(ConcurrencyTest, QueueRunsThemOneAfterAnotherInQueueOrder) {
    write_flow("serial", "concurrency: queue\n");
    auto& m = make_manager();
    Submission a = submit("serial", "a");
    ASSERT_TRUE(eventually([&] { return logged("start a"); }));
    EXPECT_FALSE(a.waiting_for_slot);
    Submission b = submit("serial", "b");
    Submission c = submit("serial", "c");
    Submission d = submit("serial", "d", 5);  // jumps ahead of b and c
    EXPECT_TRUE(b.waiting_for_slot);
    EXPECT_TRUE(d.waiting_for_slot);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(record(b.execution_id).status, "pending");
    EXPECT_EQ(m.running(), 1u);
    EXPECT_EQ(m.queued(), 3u);

    open_gate();
    for (const auto& s : {a, b, c, d}) EXPECT_EQ(wait(s.execution_id).status, "succeeded");
    EXPECT_THAT(lines_of(log()),
                ElementsAre("start a", "end a", "start d", "end d", "start b", "end b", "start c", "end c"));
}

TEST_F(ConcurrencyTest, MaxActiveTwoRunsTwoAtOnceNeverThree) {
    write_flow("pairs", "max_active: 2\n", "0.3");
    auto& m = make_manager(4);
    std::vector<Submission> runs;
    for (const std::string tag : {"a", "b", "c", "d", "e"}) runs.push_back(submit("pairs", tag));
    EXPECT_FALSE(runs[1].waiting_for_slot);
    EXPECT_TRUE(runs[2].waiting_for_slot);
    for (const auto& s : runs) EXPECT_EQ(wait(s.execution_id).status, "succeeded");
    auto lines = lines_of(log());
    EXPECT_EQ(lines.size(), 10u);
    EXPECT_EQ(max_overlap(lines), 2);
    EXPECT_EQ(m.running(), 0u);
}

TEST_F(ConcurrencyTest, AFlowAtItsLimitDoesNotHoldUpOtherFlows) {
    write_flow("held", "concurrency: queue\n");
    write_flow("free", "", "0");
    auto& m = make_manager(2);
    Submission a = submit("held", "a");
    Submission b = submit("held", "b");  // waits for a's slot, with a worker free
    ASSERT_TRUE(eventually([&] { return logged("start a"); }));
    Submission other = submit("free", "other");
    EXPECT_EQ(m_manager->wait(other.execution_id, 10s).status, "succeeded");
    EXPECT_EQ(record(b.execution_id).status, "pending");
    EXPECT_EQ(record(a.execution_id).status, "running");
    open_gate();
    EXPECT_EQ(wait(b.execution_id).status, "succeeded");
    EXPECT_EQ(m.queued(), 0u);
}

TEST_F(ConcurrencyTest, AllowHasOnlyTheGlobalLimit) {
    write_flow("any", "", "0.5");
    make_manager(3);
    std::vector<Submission> runs;
    for (const std::string tag : {"a", "b", "c"}) runs.push_back(submit("any", tag));
    for (const auto& s : runs) {
        EXPECT_FALSE(s.waiting_for_slot || s.skipped);
        EXPECT_EQ(wait(s.execution_id).status, "succeeded");
    }
    EXPECT_EQ(max_overlap(lines_of(log())), 3);
}

// ---- the record hook and retries ------------------------------------------------------------

TEST_F(ConcurrencyTest, TheRecordHookRunsInTheSameTransaction) {
    write_flow("hooked", "concurrency: forbid\n");
    auto& m = make_manager();
    std::vector<std::string> seen;
    auto hook = [&](store::Store& store, const Submission& s) {
        EXPECT_TRUE(store.in_transaction());
        auto row = store.get_execution(s.execution_id);
        ASSERT_TRUE(row);
        seen.push_back(row->status + (s.skipped ? " skipped" : ""));
    };
    RunRequest r;
    r.flow = "hooked";
    r.record = hook;
    Submission first = m.submit(r);
    Submission second = m.submit(r);
    EXPECT_THAT(seen, ElementsAre("pending", "skipped skipped"));
    EXPECT_FALSE(m_stores->local().in_transaction());
    open_gate();
    EXPECT_EQ(wait(first.execution_id).status, "succeeded");
    EXPECT_EQ(record(second.execution_id).status, "skipped");
}

TEST_F(ConcurrencyTest, AThrowingRecordHookLeavesNoRowAndNoRun) {
    write_flow("hooked", "concurrency: forbid\n", "0");
    auto& m = make_manager();
    std::string attempted;
    RunRequest r;
    r.flow = "hooked";
    r.inputs = {{"tag", "never"}};
    r.record = [&](store::Store&, const Submission& s) {
        attempted = s.execution_id;
        throw std::runtime_error("ledger slot taken");
    };
    EXPECT_THROW(
        {
            try {
                m.submit(r);
            } catch (const std::runtime_error& e) {
                EXPECT_STREQ(e.what(), "ledger slot taken");
                throw;
            }
        },
        std::runtime_error);
    ASSERT_FALSE(attempted.empty());
    EXPECT_FALSE(m_stores->local().get_execution(attempted));
    EXPECT_EQ(m.queued(), 0u);
    EXPECT_EQ(m.running(), 0u);
    std::this_thread::sleep_for(300ms);
    EXPECT_THAT(lines_of(log()), IsEmpty());

    // Nothing of it is active: the next run is not skipped.
    Submission next = submit("hooked", "next");
    EXPECT_FALSE(next.skipped);
    EXPECT_EQ(wait(next.execution_id).status, "succeeded");
    store::HistoryFilter f;
    f.flow = "hooked";
    int64_t total = 0;
    m_stores->local().list_executions(f, &total);
    EXPECT_EQ(total, 1);
}

TEST_F(ConcurrencyTest, ARetryGoesThroughThePolicy) {
    write_flow("once", "concurrency: forbid\n");
    auto& m = make_manager();
    open_gate();
    Submission done = submit("once", "a");
    ASSERT_EQ(wait(done.execution_id).status, "succeeded");
    std::filesystem::remove(gate());

    Submission busy = submit("once", "b");
    ASSERT_TRUE(eventually([&] { return logged("start b"); }));
    Submission retry = m.retry(done.execution_id, "", json::object());
    EXPECT_TRUE(retry.skipped);
    EXPECT_THAT(retry.active, ElementsAre(busy.execution_id));
    auto skipped = record(retry.execution_id);
    EXPECT_EQ(skipped.status, "skipped");
    EXPECT_EQ(skipped.retry_of, done.execution_id);
    EXPECT_EQ(skipped.trigger, "retry");
    open_gate();
    EXPECT_EQ(wait(busy.execution_id).status, "succeeded");
}

// ---- the policy and the queue on their own --------------------------------------------------

TEST(ConcurrencyPolicyTest, AdmitDecidesByPolicyAndLimit) {
    flow::Flow f;
    EXPECT_EQ(active_limit(f), 0);
    EXPECT_FALSE(admit(f, {"a", "b", "c"}).skip);

    f.concurrency = "queue";  // without max_active (a flow built in code): one
    EXPECT_EQ(active_limit(f), 1);
    EXPECT_FALSE(admit(f, {}).waits);
    EXPECT_TRUE(admit(f, {"a"}).waits);

    f.concurrency = "replace";
    f.max_active = 2;
    EXPECT_THAT(admit(f, {"a"}).replace, IsEmpty());
    EXPECT_THAT(admit(f, {"a", "b"}).replace, ElementsAre("a"));
    EXPECT_THAT(admit(f, {"a", "b", "c"}).replace, ElementsAre("a", "b"));  // a shorter limit since

    f.concurrency = "forbid";
    auto a = admit(f, {"x", "y"});
    EXPECT_TRUE(a.skip);
    EXPECT_EQ(a.reason, "concurrency: forbid, 2 active (x, y)");
    EXPECT_FALSE(admit(f, {"x"}).skip);
}

TEST(RunQueueTest, EntriesItMayNotStartDoNotHoldUpTheOthers) {
    RunQueue q;
    q.push({"a1", 0, 0, "a"});
    q.push({"b1", 0, 0, "b"});
    q.push({"a2", 5, 0, "a"});
    q.push({"b2", 0, 0, "b"});
    auto not_a = [](const QueuedRun& r) { return r.flow != "a"; };
    EXPECT_EQ(q.pop_ready(0, not_a)->execution_id, "b1");
    EXPECT_EQ(q.pop_ready(0, not_a)->execution_id, "b2");
    EXPECT_FALSE(q.pop_ready(0, not_a));
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.pop_ready(0)->execution_id, "a2");  // priority first within the flow too
    EXPECT_EQ(q.pop_ready(0)->execution_id, "a1");
}

// ---- the API --------------------------------------------------------------------------------

class ConcurrencyApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<test::ApiTestDaemon>(std::map<std::string, std::string>{
            {"single.yaml", "name: single\nconcurrency: forbid\nsteps:\n  - id: wait\n    run: while [ ! -e " +
                                (gate_dir.path() / "gate").string() + " ]; do sleep 0.02; done\n"}});
        daemon->start();
        http = daemon->client(daemon->admin_secret);
    }
    void TearDown() override { std::ofstream(gate_dir.path() / "gate").flush(); }

    std::pair<int, json> post(const std::string& path, const json& body) {
        auto r = http->Post(path.c_str(), body.dump(), "application/json");
        if (!r) return {0, json()};
        return {r->status, json::parse(r->body, nullptr, false)};
    }

    flowctl::test::TempDir gate_dir;
    std::unique_ptr<test::ApiTestDaemon> daemon;
    std::unique_ptr<httplib::Client> http;
};

TEST_F(ConcurrencyApiTest, ASkippedRunIsAConflictNamingTheActiveOnes) {
    auto [status, first] = post("/api/v1/flows/single/executions", {{"trigger", "manual"}});
    ASSERT_EQ(status, 202) << first.dump();
    const std::string first_id = first["execution"]["id"];
    EXPECT_EQ(first["execution"]["trigger"], "manual");

    auto [refused, error] = post("/api/v1/flows/single/executions", json::object());
    EXPECT_EQ(refused, 409);
    EXPECT_EQ(error["error"]["code"], "concurrency_limit");
    EXPECT_EQ(error["error"]["message"], "concurrency: forbid, 1 active (" + first_id + ")");
    EXPECT_EQ(error["error"]["details"]["active"], json::array({first_id}));
    const std::string skipped_id = error["error"]["details"]["execution_id"];
    auto skipped = daemon->stores->local().get_execution(skipped_id);
    ASSERT_TRUE(skipped);
    EXPECT_EQ(skipped->status, "skipped");
    EXPECT_EQ(skipped->trigger, "api");

    auto listed = http->Get("/api/v1/executions?status=skipped");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200);
    EXPECT_EQ(json::parse(listed->body)["total"], 1);
}

TEST_F(ConcurrencyApiTest, TheTriggerFieldIsManualOrApi) {
    auto [status, error] = post("/api/v1/flows/single/executions", {{"trigger", "schedule"}});
    EXPECT_EQ(status, 422);
    EXPECT_EQ(error["error"]["code"], "invalid");
    EXPECT_EQ(error["error"]["details"]["field"], "trigger");
    EXPECT_EQ(daemon->executions->queued() + daemon->executions->running(), 0u);
}

}  // namespace
}  // namespace flowctl::daemon
