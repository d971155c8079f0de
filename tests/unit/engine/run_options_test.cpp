// RunOptions for queued and retried runs: a chosen id, a pending row, reused steps, and the
// events of sub-flows reaching the caller.
#include <unistd.h>

#include <fstream>

#include "engine_fixture.hpp"
#include "util/time.hpp"

namespace flowctl::engine::test {
namespace {

int count_lines(const std::filesystem::path& file, const std::string& word) {
    std::ifstream in(file);
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line == word;
    return n;
}

class RunOptionsTest : public EngineTest {
protected:
    std::vector<Event> m_events;

    RunOptions listening() {
        RunOptions o = options();
        o.on_event = [this](const Event& e) { m_events.push_back(e); };
        return o;
    }

    std::vector<Event> events_of(const std::string& execution) const {
        std::vector<Event> out;
        for (const auto& e : m_events)
            if (e.execution_id == execution) out.push_back(e);
        return out;
    }
};

TEST_F(RunOptionsTest, UsesTheIdTheCallerChose) {
    auto flow = load("name: chosen\nsteps:\n  - id: hello\n    log: hi\n");
    RunOptions o = listening();
    o.execution_id = "20300101T000000-chosen01";
    o.retry_of = "20290101T000000-original";
    o.retry_from = "hello";
    auto r = run(flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.execution_id, o.execution_id);
    auto row = m_store->get_execution(o.execution_id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->status, "succeeded");
    EXPECT_EQ(row->retry_of, o.retry_of);
    EXPECT_EQ(row->retry_from, "hello");
    EXPECT_EQ(status_of(o.execution_id, "hello"), "succeeded");
    ASSERT_FALSE(m_events.empty());
    for (const auto& e : m_events) {
        EXPECT_EQ(e.execution_id, o.execution_id);
        EXPECT_EQ(e.flow_name, "chosen");
        EXPECT_EQ(e.parent_id, "");
    }
}

TEST_F(RunOptionsTest, APendingRowIsMarkedStartedAndKeepsItsQueueFields) {
    auto flow = load("name: queued\nsteps:\n  - id: hello\n    log: hi\n");
    const int64_t now = util::now_ms();
    const int64_t version = m_store->record_flow_version("queued", flow.hash, flow.source_path, flow.source_text, now);
    store::ExecutionRecord pending;
    pending.id = "20300101T000000-queued01";
    pending.flow_name = "queued";
    pending.status = "pending";
    pending.trigger = "api";
    pending.created_ms = now - 5000;
    pending.priority = 7;
    pending.scheduled_ms = now - 1000;
    pending.callback_url = "http://127.0.0.1:9/hook";
    pending.version_id = version;
    m_store->insert_execution(pending);

    RunOptions o = listening();
    o.execution_id = pending.id;
    o.row_exists = true;
    o.trigger = "api";
    auto r = run(flow, o);
    ASSERT_EQ(r.status, "succeeded") << r.error;
    EXPECT_EQ(r.execution_id, pending.id);

    auto row = m_store->get_execution(pending.id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->status, "succeeded");
    EXPECT_EQ(row->priority, 7);
    EXPECT_EQ(row->scheduled_ms, pending.scheduled_ms);
    EXPECT_EQ(row->callback_url, pending.callback_url);
    EXPECT_EQ(row->version_id, version);
    EXPECT_EQ(row->created_ms, pending.created_ms);
    EXPECT_GE(row->started_ms, now);
    EXPECT_GT(row->finished_ms, 0);
    EXPECT_EQ(row->owner_pid, static_cast<int>(::getpid()));
    EXPECT_EQ(status_of(pending.id, "hello"), "succeeded");
    ASSERT_FALSE(m_events.empty());
    EXPECT_EQ(m_events.front().kind, Event::Kind::execution_started);
    EXPECT_EQ(m_events.front().execution_id, pending.id);
}

TEST_F(RunOptionsTest, AMissingPendingRowIsAStoreError) {
    auto flow = load("name: queued\nsteps:\n  - id: hello\n    log: hi\n");
    RunOptions o = options();
    o.execution_id = "20300101T000000-nothere1";
    o.row_exists = true;
    EXPECT_THROW(run(flow, o), store::StoreError);
}

class RetryFromStep : public RunOptionsTest {
protected:
    std::filesystem::path m_runs = m_dir.path() / "runs.txt";
    std::filesystem::path m_ok = m_dir.path() / "ok";

    flow::Flow pipeline() {
        return load(R"(
name: pipeline
env:
  RUNS: )" + m_runs.string() +
                    R"(
  OK: )" + m_ok.string() +
                    R"(
steps:
  - id: fetch
    cmd: [sh, -c, 'echo fetch >> "$RUNS"; echo "{\"version\": \"v7\"}"']
  - id: each
    for_each: [a, b]
    cmd: [sh, -c, 'echo each >> "$RUNS"; echo "item-$0"', '${{ item }}']
  - id: never
    if: ${{ false }}
    log: never
  - id: build
    needs: [fetch, each]
    cmd: [sh, -c, 'echo build >> "$RUNS"; test -f "$OK" || exit 3; echo "$0"', "built-${{ steps.fetch.outputs.version }}-${{ join(steps.each.output, '+') }}"]
  - id: ship
    needs: build
    log: shipping ${{ steps.build.output }}
outputs:
  built: ${{ steps.build.output }}
)");
    }
};

TEST_F(RetryFromStep, ReusesUpstreamResultsWithoutRunningThem) {
    auto flow = pipeline();
    auto first = run(flow);
    ASSERT_EQ(first.status, "failed");
    ASSERT_EQ(status_of(first.execution_id, "build"), "failed");
    ASSERT_EQ(status_of(first.execution_id, "ship"), "skipped");

    auto reuse = reusable_steps(flow, *m_store, first.execution_id, "build");
    std::vector<std::string> ids;
    for (const auto& [id, step] : reuse) ids.push_back(id);
    EXPECT_EQ(ids, (std::vector<std::string>{"each", "fetch", "never"}));
    EXPECT_EQ(reuse["fetch"].status, "succeeded");
    EXPECT_EQ(reuse["fetch"].outputs["version"], "v7");
    EXPECT_EQ(reuse["fetch"].from_execution, first.execution_id);
    EXPECT_EQ(reuse["each"].output, json::array({"item-a", "item-b"}));
    EXPECT_EQ(reuse["never"].status, "skipped");

    std::ofstream(m_ok).put('\n');
    RunOptions o = listening();
    o.reuse = reuse;
    o.retry_of = first.execution_id;
    o.retry_from = "build";
    auto second = run(flow, o);
    ASSERT_EQ(second.status, "succeeded") << second.error;
    // The downstream step saw the reused outputs as if the steps had run.
    EXPECT_EQ(second.outputs["built"], "built-v7-item-a+item-b");
    EXPECT_EQ(count_lines(m_runs, "fetch"), 1);
    EXPECT_EQ(count_lines(m_runs, "each"), 2);
    EXPECT_EQ(count_lines(m_runs, "build"), 2);

    auto fetch = runs(second.execution_id, "fetch");
    ASSERT_EQ(fetch.size(), 1u);
    EXPECT_EQ(fetch[0].status, "succeeded");
    EXPECT_EQ(fetch[0].attempt, 1);
    EXPECT_EQ(fetch[0].duration_ms, 0);
    EXPECT_EQ(fetch[0].outputs["version"], "v7");
    auto each = runs(second.execution_id, "each");
    ASSERT_EQ(each.size(), 1u);
    EXPECT_EQ(each[0].output, json::array({"item-a", "item-b"}));
    EXPECT_TRUE(runs(second.execution_id, "each", 0).empty());
    EXPECT_EQ(status_of(second.execution_id, "never"), "skipped");
    EXPECT_EQ(status_of(second.execution_id, "ship"), "succeeded");

    bool logged = false;
    for (const auto& l : m_store->logs(second.execution_id, "fetch"))
        logged = logged || (l.stream == "engine" && l.message == "reused from execution " + first.execution_id);
    EXPECT_TRUE(logged);

    std::vector<std::string> fetch_events;
    for (const auto& e : events_of(second.execution_id))
        if (e.step_id == "fetch")
            fetch_events.push_back((e.kind == Event::Kind::step_started ? "started " : "finished ") + e.status);
    EXPECT_EQ(fetch_events, (std::vector<std::string>{"started running", "finished succeeded"}));

    auto row = m_store->get_execution(second.execution_id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->retry_of, first.execution_id);
    EXPECT_EQ(row->retry_from, "build");

    // A retry of the retry finds the reused steps, the for_each one by its own row.
    auto again = reusable_steps(flow, *m_store, second.execution_id, "ship");
    EXPECT_EQ(again.size(), 4u);
    EXPECT_EQ(again["each"].output, json::array({"item-a", "item-b"}));
    EXPECT_EQ(again["build"].output, "built-v7-item-a+item-b");
}

TEST_F(RetryFromStep, NothingDownstreamOrUnsuccessfulIsReused) {
    auto flow = pipeline();
    auto first = run(flow);
    ASSERT_EQ(first.status, "failed");
    // From the first step: everything but the independent skipped step runs again.
    auto from_fetch = reusable_steps(flow, *m_store, first.execution_id, "fetch");
    ASSERT_EQ(from_fetch.size(), 2u);
    EXPECT_TRUE(from_fetch.count("each"));
    EXPECT_TRUE(from_fetch.count("never"));
    // From the last step: the failed `build` is not reused either.
    auto from_ship = reusable_steps(flow, *m_store, first.execution_id, "ship");
    EXPECT_FALSE(from_ship.count("build"));
    EXPECT_FALSE(from_ship.count("ship"));
    EXPECT_EQ(from_ship.size(), 3u);
    EXPECT_TRUE(reusable_steps(flow, *m_store, first.execution_id, "").empty());
    try {
        reusable_steps(flow, *m_store, first.execution_id, "nope");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "no step 'nope' in flow 'pipeline'");
    }
}

TEST_F(RetryFromStep, ForEachStepWithItemsNeverStartedIsNotReused) {
    auto flow = load(R"(
name: stopped
steps:
  - id: fail
    cmd: [sh, -c, 'exit 1']
  - id: each
    for_each: [1, 2, 3, 4]
    max_parallel: 1
    cmd: [sleep, '0.2']
  - id: last
    needs: [fail, each]
    log: never
)");
    auto first = run(flow);
    ASSERT_EQ(first.status, "failed");
    // fail_fast stopped `each`: items that never started leave a row of the step's own.
    auto each = runs(first.execution_id, "each");
    ASSERT_EQ(each.size(), 1u);
    EXPECT_EQ(each[0].status, "cancelled");
    auto reuse = reusable_steps(flow, *m_store, first.execution_id, "last");
    EXPECT_FALSE(reuse.count("each"));
    EXPECT_FALSE(reuse.count("fail"));
}

TEST_F(RunOptionsTest, SubflowEventsCarryTheirOwnExecutionFlowAndParent) {
    m_dir.write("grandchild.yaml", "name: grandchild\nsteps:\n  - id: deepest\n    log: deep\n");
    m_dir.write("child.yaml", R"(
name: child
steps:
  - id: inner
    log: inside
  - id: deeper
    needs: inner
    flow: grandchild.yaml
)");
    auto flow = load(R"(
name: parent
steps:
  - id: sub
    flow: child.yaml
  - id: after
    needs: sub
    log: done
)");
    auto r = run(flow, listening());
    ASSERT_EQ(r.status, "succeeded") << r.error;
    auto children = m_store->children(r.execution_id);
    ASSERT_EQ(children.size(), 1u);
    const std::string child = children[0].id;
    auto grandchildren = m_store->children(child);
    ASSERT_EQ(grandchildren.size(), 1u);
    const std::string grandchild = grandchildren[0].id;

    auto kinds = [](const std::vector<Event>& events) {
        std::vector<std::string> out;
        for (const auto& e : events)
            if (e.kind == Event::Kind::execution_started || e.kind == Event::Kind::execution_finished ||
                (e.kind == Event::Kind::step_finished && e.item_index < 0))
                out.push_back(e.step_id.empty() ? (e.kind == Event::Kind::execution_started ? "start" : "end")
                                                : e.step_id);
        return out;
    };
    for (const auto& e : events_of(child)) {
        EXPECT_EQ(e.flow_name, "child");
        EXPECT_EQ(e.parent_id, r.execution_id);
    }
    for (const auto& e : events_of(grandchild)) {
        EXPECT_EQ(e.flow_name, "grandchild");
        EXPECT_EQ(e.parent_id, child);
    }
    for (const auto& e : events_of(r.execution_id)) {
        EXPECT_EQ(e.flow_name, "parent");
        EXPECT_EQ(e.parent_id, "");
    }
    EXPECT_EQ(kinds(events_of(child)), (std::vector<std::string>{"start", "inner", "deeper", "end"}));
    EXPECT_EQ(kinds(events_of(grandchild)), (std::vector<std::string>{"start", "deepest", "end"}));

    // In order: the sub-flow ends before the step that ran it.
    auto position = [&](const std::string& execution, Event::Kind kind, const std::string& step) {
        for (size_t i = 0; i < m_events.size(); ++i)
            if (m_events[i].execution_id == execution && m_events[i].kind == kind && m_events[i].step_id == step)
                return static_cast<long>(i);
        return -1L;
    };
    const long child_end = position(child, Event::Kind::execution_finished, "");
    const long grandchild_end = position(grandchild, Event::Kind::execution_finished, "");
    ASSERT_GE(child_end, 0);
    ASSERT_GE(grandchild_end, 0);
    EXPECT_LT(grandchild_end, position(child, Event::Kind::step_finished, "deeper"));
    EXPECT_LT(position(r.execution_id, Event::Kind::step_started, "sub"), child_end);
    EXPECT_LT(child_end, position(r.execution_id, Event::Kind::step_finished, "sub"));
}

}  // namespace
}  // namespace flowctl::engine::test
