// Round trips of every record type, history listing, id prefix lookup and log filters.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

using flowctl::json;
using namespace flowctl::store;

namespace {

ExecutionRecord make_execution(std::string id, std::string flow, int64_t started_ms, std::string status = "succeeded") {
    ExecutionRecord e;
    e.id = std::move(id);
    e.flow_name = std::move(flow);
    e.flow_path = "/flows/" + e.flow_name + ".yaml";
    e.status = std::move(status);
    e.created_ms = started_ms - 1;
    e.started_ms = started_ms;
    return e;
}

StepRunRecord make_step(std::string exec, std::string step, int attempt = 1, int item = -1) {
    StepRunRecord s;
    s.execution_id = std::move(exec);
    s.step_id = std::move(step);
    s.attempt = attempt;
    s.item_index = item;
    return s;
}

LogRecord make_log(std::string exec, std::string step, std::string level, std::string message, int64_t ts) {
    LogRecord l;
    l.execution_id = std::move(exec);
    l.step_id = std::move(step);
    l.level = std::move(level);
    l.message = std::move(message);
    l.ts_ms = ts;
    return l;
}

std::vector<std::string> ids(const std::vector<ExecutionRecord>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.id);
    return out;
}

}  // namespace

TEST(StoreRecords, ExecutionRoundTripsEveryField) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    ExecutionRecord e;
    e.id = "01hx000000abcdef";
    e.flow_name = "deploy";
    e.flow_path = "/srv/flows/deploy.yaml";
    e.def_hash = "3f2a";
    e.parent_id = "01hw000000zzzzzz";
    e.trigger = "schedule";
    e.trigger_data = {{"cron", "*/5 * * * *"}, {"at", 17}};
    e.inputs = {{"env", "prod"}, {"replicas", 3}, {"token", "***"}, {"list", {1, 2.5, nullptr, true}}};
    e.status = "running";
    e.error = "";
    e.created_ms = 1000;
    e.started_ms = 1001;
    e.owner_pid = 4242;
    e.owner_start = 987654321;
    store.insert_execution(e);

    auto got = store.get_execution(e.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, e.id);
    EXPECT_EQ(got->flow_name, "deploy");
    EXPECT_EQ(got->flow_path, "/srv/flows/deploy.yaml");
    EXPECT_EQ(got->def_hash, "3f2a");
    EXPECT_EQ(got->parent_id, e.parent_id);
    EXPECT_EQ(got->trigger, "schedule");
    EXPECT_EQ(got->trigger_data, e.trigger_data);
    EXPECT_EQ(got->inputs, e.inputs);
    EXPECT_EQ(got->status, "running");
    EXPECT_EQ(got->created_ms, 1000);
    EXPECT_EQ(got->started_ms, 1001);
    EXPECT_EQ(got->finished_ms, 0);
    EXPECT_EQ(got->outputs, json::object());
    EXPECT_EQ(got->owner_pid, 4242);
    EXPECT_EQ(got->owner_start, 987654321);

    e.status = "failed";
    e.error = "step 'build' failed: exit code 2";
    e.finished_ms = 5001;
    e.duration_ms = 4000;
    e.cpu_ms = 1234;
    e.max_rss_kb = 56789;
    e.outputs = {{"url", "https://example.test"}, {"count", 7}};
    store.update_execution(e);

    got = store.get_execution(e.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, "failed");
    EXPECT_EQ(got->error, "step 'build' failed: exit code 2");
    EXPECT_EQ(got->finished_ms, 5001);
    EXPECT_EQ(got->duration_ms, 4000);
    EXPECT_EQ(got->cpu_ms, 1234);
    EXPECT_EQ(got->max_rss_kb, 56789);
    EXPECT_EQ(got->outputs, e.outputs);
    EXPECT_EQ(got->inputs, e.inputs);  // untouched by the update
}

TEST(StoreRecords, UpdatingAMissingExecutionIsAnError) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    EXPECT_THROW(store.update_execution(make_execution("nope", "f", 1)), StoreError);
}

TEST(StoreRecords, DuplicateExecutionIdIsAStoreErrorNamingTheOperation) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("a1", "f", 1));
    try {
        store.insert_execution(make_execution("a1", "f", 2));
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("insert_execution"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
    }
}

TEST(StoreRecords, InvalidUtf8IsStoredNotThrown) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto e = make_execution("u1", "f", 1);
    e.outputs = {{"raw", std::string("ok \xff\xfe bytes")}};
    ASSERT_NO_THROW(store.insert_execution(e));
    auto got = store.get_execution("u1");
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->outputs["raw"].is_string());
    EXPECT_EQ(got->outputs["raw"].get<std::string>().substr(0, 3), "ok ");
}

TEST(StoreRecords, StepRunRoundTripKeepsNullVersusZeroExitCode) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("e1", "f", 1));

    auto a = make_step("e1", "fetch");
    a.status = "succeeded";
    a.started_ms = 10;
    a.finished_ms = 30;
    a.duration_ms = 20;
    a.exit_code = 0;
    a.output = "hello\n";
    a.outputs = {{"n", 1}};
    a.cpu_ms = 5;
    a.max_rss_kb = 2048;
    store.upsert_step_run(a);

    auto b = make_step("e1", "notify");
    b.status = "skipped";
    b.error = "condition was false";
    store.upsert_step_run(b);

    auto runs = store.step_runs("e1");
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].step_id, "fetch");
    EXPECT_EQ(runs[0].execution_id, "e1");
    EXPECT_EQ(runs[0].item_index, -1);
    EXPECT_EQ(runs[0].attempt, 1);
    EXPECT_EQ(runs[0].status, "succeeded");
    EXPECT_EQ(runs[0].started_ms, 10);
    EXPECT_EQ(runs[0].finished_ms, 30);
    EXPECT_EQ(runs[0].duration_ms, 20);
    ASSERT_TRUE(runs[0].exit_code.has_value());
    EXPECT_EQ(*runs[0].exit_code, 0);
    EXPECT_EQ(runs[0].output, json("hello\n"));
    EXPECT_EQ(runs[0].outputs, json({{"n", 1}}));
    EXPECT_EQ(runs[0].cpu_ms, 5);
    EXPECT_EQ(runs[0].max_rss_kb, 2048);

    EXPECT_EQ(runs[1].step_id, "notify");
    EXPECT_FALSE(runs[1].exit_code.has_value());
    EXPECT_TRUE(runs[1].output.is_null());
    EXPECT_EQ(runs[1].error, "condition was false");
}

TEST(StoreRecords, UpsertUpdatesInPlaceAndKeepsOneRowPerAttempt) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("e1", "f", 1));

    auto s = make_step("e1", "build");
    s.started_ms = 100;
    store.upsert_step_run(s);  // running
    s.status = "failed";
    s.exit_code = 3;
    s.finished_ms = 150;
    s.error = "exit code 3";
    store.upsert_step_run(s);  // same attempt: updated

    auto retry = make_step("e1", "build", 2);
    retry.started_ms = 200;
    store.upsert_step_run(retry);
    retry.status = "succeeded";
    retry.exit_code = 0;
    store.upsert_step_run(retry);

    // for_each items are separate rows too.
    store.upsert_step_run(make_step("e1", "each", 1, 0));
    store.upsert_step_run(make_step("e1", "each", 1, 1));
    store.upsert_step_run(make_step("e1", "each", 1, 1));

    auto runs = store.step_runs("e1");
    ASSERT_EQ(runs.size(), 4u);
    EXPECT_EQ(runs[0].attempt, 1);
    EXPECT_EQ(runs[0].status, "failed");
    EXPECT_EQ(runs[0].exit_code, 3);
    EXPECT_EQ(runs[0].error, "exit code 3");
    EXPECT_EQ(runs[1].attempt, 2);
    EXPECT_EQ(runs[1].status, "succeeded");
    EXPECT_EQ(runs[1].exit_code, 0);
    EXPECT_EQ(runs[2].item_index, 0);
    EXPECT_EQ(runs[3].item_index, 1);
}

TEST(StoreRecords, StepRunOfUnknownExecutionIsRefused) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    EXPECT_THROW(store.upsert_step_run(make_step("ghost", "x")), StoreError);  // foreign keys are on
}

TEST(StoreRecords, ListFiltersOrdersAndPages) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("e1", "build", 1000));
    store.insert_execution(make_execution("e2", "build", 2000, "failed"));
    store.insert_execution(make_execution("e3", "deploy", 3000));
    store.insert_execution(make_execution("e4", "build", 4000));
    store.insert_execution(make_execution("e5", "build", 4000));  // same start: id breaks the tie
    auto child = make_execution("e6", "sub", 5000);
    child.parent_id = "e3";
    store.insert_execution(child);

    int64_t total = -1;
    HistoryFilter all;
    EXPECT_EQ(ids(store.list_executions(all, &total)), (std::vector<std::string>{"e6", "e5", "e4", "e3", "e2", "e1"}));
    EXPECT_EQ(total, 6);

    HistoryFilter top;
    top.top_level_only = true;
    EXPECT_EQ(ids(store.list_executions(top, &total)), (std::vector<std::string>{"e5", "e4", "e3", "e2", "e1"}));
    EXPECT_EQ(total, 5);

    HistoryFilter by_flow;
    by_flow.flow = "build";
    by_flow.limit = 2;
    EXPECT_EQ(ids(store.list_executions(by_flow, &total)), (std::vector<std::string>{"e5", "e4"}));
    EXPECT_EQ(total, 4);  // ignores limit
    by_flow.offset = 2;
    EXPECT_EQ(ids(store.list_executions(by_flow, &total)), (std::vector<std::string>{"e2", "e1"}));
    EXPECT_EQ(total, 4);  // ignores offset
    by_flow.offset = 10;
    EXPECT_TRUE(store.list_executions(by_flow, &total).empty());
    EXPECT_EQ(total, 4);

    HistoryFilter by_status;
    by_status.status = "failed";
    EXPECT_EQ(ids(store.list_executions(by_status, &total)), (std::vector<std::string>{"e2"}));
    EXPECT_EQ(total, 1);

    HistoryFilter window;
    window.since_ms = 2000;  // inclusive
    window.until_ms = 4000;  // exclusive
    EXPECT_EQ(ids(store.list_executions(window, &total)), (std::vector<std::string>{"e3", "e2"}));
    EXPECT_EQ(total, 2);

    HistoryFilter combined;
    combined.flow = "build";
    combined.status = "succeeded";
    combined.since_ms = 1500;
    EXPECT_EQ(ids(store.list_executions(combined)), (std::vector<std::string>{"e5", "e4"}));

    HistoryFilter none;
    none.flow = "nonexistent";
    EXPECT_TRUE(store.list_executions(none, &total).empty());
    EXPECT_EQ(total, 0);
}

TEST(StoreRecords, ChildrenListsSubFlowExecutions) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("p", "parent", 1));
    auto c2 = make_execution("c2", "sub", 30);
    c2.parent_id = "p";
    auto c1 = make_execution("c1", "sub", 20);
    c1.parent_id = "p";
    store.insert_execution(c2);
    store.insert_execution(c1);
    store.insert_execution(make_execution("other", "x", 5));
    EXPECT_EQ(ids(store.children("p")), (std::vector<std::string>{"c1", "c2"}));
    EXPECT_TRUE(store.children("c1").empty());
    EXPECT_TRUE(store.children("").empty());  // top-level executions are nobody's children
}

TEST(StoreRecords, GetByUniquePrefixAmbiguousPrefixOrNone) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("abc123", "f", 1));
    store.insert_execution(make_execution("abd456", "f", 2));
    store.insert_execution(make_execution("x_%y", "f", 3));

    auto full = store.get_execution("abc123");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->id, "abc123");
    auto unique = store.get_execution("abd");
    ASSERT_TRUE(unique);
    EXPECT_EQ(unique->id, "abd456");

    try {
        store.get_execution("ab");
        FAIL() << "expected an ambiguity error";
    } catch (const StoreError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("execution id prefix 'ab' is ambiguous"), std::string::npos) << msg;
        EXPECT_NE(msg.find("abc123"), std::string::npos) << msg;
        EXPECT_NE(msg.find("abd456"), std::string::npos) << msg;
    }

    EXPECT_FALSE(store.get_execution("zz"));
    EXPECT_FALSE(store.get_execution(""));
    EXPECT_FALSE(store.get_execution("abc1234"));  // longer than any id
    // LIKE wildcards in the input are plain characters.
    EXPECT_FALSE(store.get_execution("%"));
    EXPECT_FALSE(store.get_execution("x%"));
    auto literal = store.get_execution("x_%");
    ASSERT_TRUE(literal);
    EXPECT_EQ(literal->id, "x_%y");
}

TEST(StoreRecords, LogsFilterByLevelAndStepInOrder) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(make_execution("e1", "f", 1));
    store.insert_execution(make_execution("e2", "f", 2));
    store.insert_log(make_log("e1", "", "info", "starting", 1));
    store.insert_log(make_log("e1", "a", "debug", "a-debug", 2));
    store.insert_log(make_log("e1", "a", "info", "a-info", 3));
    store.insert_log(make_log("e1", "b", "warn", "b-warn", 4));
    store.insert_log(make_log("e1", "a", "error", "a-error", 5));
    store.insert_log(make_log("e2", "a", "error", "other execution", 6));
    auto item = make_log("e1", "b", "info", "item line", 7);
    item.item_index = 3;
    item.stream = "stderr";
    store.insert_log(item);

    auto messages = [](const std::vector<LogRecord>& v) {
        std::vector<std::string> out;
        for (const auto& l : v) out.push_back(l.message);
        return out;
    };
    auto all = store.logs("e1");
    EXPECT_EQ(messages(all),
              (std::vector<std::string>{"starting", "a-debug", "a-info", "b-warn", "a-error", "item line"}));
    EXPECT_EQ(all.back().item_index, 3);
    EXPECT_EQ(all.back().stream, "stderr");
    EXPECT_EQ(all.back().ts_ms, 7);
    EXPECT_EQ(all.back().step_id, "b");
    EXPECT_EQ(all.back().execution_id, "e1");
    EXPECT_LT(all[0].id, all[1].id);

    EXPECT_EQ(messages(store.logs("e1", "a")), (std::vector<std::string>{"a-debug", "a-info", "a-error"}));
    EXPECT_EQ(messages(store.logs("e1", "", "warn")), (std::vector<std::string>{"b-warn", "a-error"}));
    EXPECT_EQ(messages(store.logs("e1", "a", "info")), (std::vector<std::string>{"a-info", "a-error"}));
    EXPECT_EQ(messages(store.logs("e1", "", "debug")).size(), 6u);
    EXPECT_TRUE(store.logs("nope").empty());
    EXPECT_THROW(store.logs("e1", "", "loud"), StoreError);
}

TEST(StoreRecords, RollbackDiscardsAndCommitKeeps) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    EXPECT_FALSE(store.in_transaction());
    store.begin();
    EXPECT_TRUE(store.in_transaction());
    store.insert_execution(make_execution("gone", "f", 1));
    store.rollback();
    EXPECT_FALSE(store.in_transaction());
    EXPECT_FALSE(store.get_execution("gone"));

    store.begin();
    store.insert_execution(make_execution("kept", "f", 1));
    store.insert_log(make_log("kept", "", "info", "hi", 1));
    store.commit();
    EXPECT_FALSE(store.in_transaction());
    Store reopened(dir.path());
    EXPECT_TRUE(reopened.get_execution("kept"));
    EXPECT_EQ(reopened.logs("kept").size(), 1u);
}
