// Schema v2: migration from v1, daemon state (queue, flow versions, enabled flags, tokens),
// statistics, retention and concurrent connections from several threads.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/records_json.hpp"
#include "store/store.hpp"
#include "raw_db.hpp"
#include "support/temp_dir.hpp"

using flowctl::json;
using namespace flowctl::store;

namespace {

using flowctl::store::test::RawDb;

// The schema as the first release wrote it.
constexpr const char* k_v1_schema = R"sql(
CREATE TABLE executions (
    id TEXT PRIMARY KEY, flow_name TEXT NOT NULL, flow_path TEXT NOT NULL DEFAULT '',
    def_hash TEXT NOT NULL DEFAULT '', parent_id TEXT NOT NULL DEFAULT '',
    trigger TEXT NOT NULL DEFAULT 'manual', trigger_data TEXT, inputs TEXT, status TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL DEFAULT 0,
    started_ms INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0, cpu_ms INTEGER NOT NULL DEFAULT 0,
    max_rss_kb INTEGER NOT NULL DEFAULT 0, outputs TEXT, owner_pid INTEGER NOT NULL DEFAULT 0,
    owner_start INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_status ON executions(status);
CREATE INDEX executions_flow_started ON executions(flow_name, started_ms);
CREATE INDEX executions_started ON executions(started_ms);
CREATE INDEX executions_parent ON executions(parent_id);
CREATE TABLE step_runs (
    execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE, step_id TEXT NOT NULL,
    item_index INTEGER NOT NULL DEFAULT -1, attempt INTEGER NOT NULL DEFAULT 1, status TEXT NOT NULL,
    started_ms INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0, exit_code INTEGER, output TEXT, outputs TEXT,
    error TEXT NOT NULL DEFAULT '', cpu_ms INTEGER NOT NULL DEFAULT 0, max_rss_kb INTEGER NOT NULL DEFAULT 0,
    UNIQUE (execution_id, step_id, item_index, attempt)
);
CREATE TABLE logs (
    id INTEGER PRIMARY KEY, execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    step_id TEXT NOT NULL DEFAULT '', item_index INTEGER NOT NULL DEFAULT -1, ts_ms INTEGER NOT NULL,
    level TEXT NOT NULL DEFAULT 'info', stream TEXT NOT NULL DEFAULT 'step', message TEXT NOT NULL
);
CREATE INDEX logs_execution ON logs(execution_id, id);
PRAGMA user_version = 1;
)sql";

ExecutionRecord execution(std::string id, std::string flow, int64_t started_ms, std::string status = "succeeded",
                          std::string parent = "") {
    ExecutionRecord e;
    e.id = std::move(id);
    e.flow_name = std::move(flow);
    e.status = std::move(status);
    e.parent_id = std::move(parent);
    e.created_ms = started_ms;
    e.started_ms = started_ms;
    if (e.status != "running" && e.status != "pending") {
        e.finished_ms = started_ms + 100;
        e.duration_ms = 100;
    }
    return e;
}

LogRecord log_line(std::string exec, std::string step, std::string level, std::string message) {
    LogRecord l;
    l.execution_id = std::move(exec);
    l.step_id = std::move(step);
    l.level = std::move(level);
    l.message = std::move(message);
    l.ts_ms = 1000;
    return l;
}

StepRunRecord step_run(std::string exec, std::string step) {
    StepRunRecord s;
    s.execution_id = std::move(exec);
    s.step_id = std::move(step);
    s.status = "succeeded";
    return s;
}

std::vector<std::string> ids(const std::vector<ExecutionRecord>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.id);
    return out;
}

std::vector<std::string> messages(const std::vector<LogRecord>& v) {
    std::vector<std::string> out;
    for (const auto& l : v) out.push_back(l.message);
    return out;
}

// Sets TZ for one test: a POSIX rule, so no time zone database is needed.
class ScopedTimeZone {
public:
    explicit ScopedTimeZone(const char* tz) {
        if (const char* old = std::getenv("TZ")) m_old = old;
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~ScopedTimeZone() {
        if (m_old)
            ::setenv("TZ", m_old->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }

private:
    std::optional<std::string> m_old;
};
constexpr const char* k_berlin = "CET-1CEST,M3.5.0,M10.5.0/3";

constexpr int64_t k_day = 86'400'000;

}  // namespace

TEST(StoreV2Schema, V1DatabaseIsUpgradedInPlaceKeepingItsHistory) {
    flowctl::test::TempDir dir;
    {
        RawDb raw(dir.path() / "history.db");
        raw.exec("PRAGMA journal_mode = WAL");
        raw.exec(k_v1_schema);
        raw.exec(
            "INSERT INTO executions (id, flow_name, status, started_ms, finished_ms, trigger) "
            "VALUES ('old1', 'backup', 'succeeded', 1000, 2000, 'manual')");
        raw.exec("INSERT INTO step_runs (execution_id, step_id, status) VALUES ('old1', 's', 'succeeded')");
        raw.exec("INSERT INTO logs (execution_id, ts_ms, message) VALUES ('old1', 1500, 'kept')");
    }
    Store store(dir.path());
    RawDb raw(store.db_path());
    EXPECT_EQ(raw.text("PRAGMA user_version"), "3");
    for (const char* table : {"flow_versions", "flow_state", "tokens"})
        EXPECT_EQ(raw.text(std::string("SELECT name FROM sqlite_master WHERE type='table' AND name='") + table + "'"),
                  table);
    for (const char* index : {"executions_trigger_started", "flow_versions_name", "tokens_active_name"})
        EXPECT_EQ(raw.text(std::string("SELECT name FROM sqlite_master WHERE type='index' AND name='") + index + "'"),
                  index);
    EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");

    auto old = store.get_execution("old1");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->flow_name, "backup");
    EXPECT_EQ(old->version_id, 0);
    EXPECT_EQ(old->priority, 0);
    EXPECT_EQ(old->scheduled_ms, 0);
    EXPECT_EQ(old->retry_of, "");
    EXPECT_EQ(old->callback_url, "");
    EXPECT_EQ(store.step_runs("old1").size(), 1u);
    EXPECT_EQ(messages(store.logs("old1")), std::vector<std::string>{"kept"});

    // The upgraded file takes new records, and reopening does not migrate again.
    auto e = execution("new1", "backup", 3000);
    e.priority = 5;
    store.insert_execution(e);
    Store again(dir.path());
    EXPECT_EQ(again.get_execution("new1")->priority, 5);
}

TEST(StoreV2Schema, FreshDatabaseUsesIncrementalVacuum) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    RawDb raw(store.db_path());
    EXPECT_EQ(raw.text("PRAGMA user_version"), "3");
    EXPECT_EQ(raw.text("PRAGMA auto_vacuum"), "2");
}

TEST(StoreV2Schema, ConnectionsWaitForLocksAtLeastFiveSeconds) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    RawDb raw(store.db_path());
    raw.exec("BEGIN IMMEDIATE");
    raw.exec("INSERT INTO flow_state (flow_name, enabled) VALUES ('held', 0)");
    // The writer lets go after 300 ms; without a busy timeout this would fail at once.
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        raw.exec("COMMIT");
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_NO_THROW(store.set_flow_enabled("other", false));
    release.join();
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
    EXPECT_EQ(store.flow_enabled_states(), (std::map<std::string, bool>{{"held", false}, {"other", false}}));
}

TEST(StoreV2Records, NewExecutionFieldsRoundTripThroughEveryRead) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto parent = execution("p1", "deploy", 1000, "running");
    parent.version_id = 7;
    parent.priority = -3;
    parent.scheduled_ms = 5000;
    parent.retry_of = "p0";
    parent.retry_from = "build";
    parent.callback_url = "http://127.0.0.1:9/done";
    store.insert_execution(parent);
    auto child = execution("c1", "sub", 1100, "running", "p1");
    child.version_id = 8;
    store.insert_execution(child);

    auto check = [](const ExecutionRecord& e) {
        EXPECT_EQ(e.version_id, 7);
        EXPECT_EQ(e.priority, -3);
        EXPECT_EQ(e.scheduled_ms, 5000);
        EXPECT_EQ(e.retry_of, "p0");
        EXPECT_EQ(e.retry_from, "build");
        EXPECT_EQ(e.callback_url, "http://127.0.0.1:9/done");
    };
    check(*store.get_execution("p1"));
    check(*store.get_execution("p"));  // prefix lookup reads the same columns
    HistoryFilter top;
    top.top_level_only = true;
    auto listed = store.list_executions(top);
    ASSERT_EQ(listed.size(), 1u);
    check(listed[0]);
    auto children = store.children("p1");
    ASSERT_EQ(children.size(), 1u);
    EXPECT_EQ(children[0].version_id, 8);

    parent.status = "succeeded";
    parent.finished_ms = 2000;
    parent.priority = 4;
    parent.callback_url = "";
    store.update_execution(parent);
    auto updated = store.get_execution("p1");
    EXPECT_EQ(updated->status, "succeeded");
    EXPECT_EQ(updated->priority, 4);
    EXPECT_EQ(updated->callback_url, "");
    EXPECT_EQ(updated->retry_of, "p0");
}

TEST(StoreV2Records, HistoryFiltersByTriggerAloneAndWithOthers) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto add = [&](std::string id, std::string flow, std::string trigger, int64_t t, std::string status) {
        auto e = execution(std::move(id), std::move(flow), t, std::move(status));
        e.trigger = std::move(trigger);
        store.insert_execution(e);
    };
    add("a", "f", "manual", 1000, "succeeded");
    add("b", "f", "schedule", 2000, "failed");
    add("c", "g", "schedule", 3000, "succeeded");
    add("d", "f", "api", 4000, "succeeded");

    HistoryFilter f;
    f.trigger = "schedule";
    int64_t total = 0;
    EXPECT_EQ(ids(store.list_executions(f, &total)), (std::vector<std::string>{"c", "b"}));
    EXPECT_EQ(total, 2);
    f.flow = "f";
    EXPECT_EQ(ids(store.list_executions(f, &total)), std::vector<std::string>{"b"});
    EXPECT_EQ(total, 1);
    f.flow.reset();
    f.status = "succeeded";
    f.since_ms = 2500;
    EXPECT_EQ(ids(store.list_executions(f)), std::vector<std::string>{"c"});
    f = {};
    f.trigger = "webhook";
    EXPECT_TRUE(store.list_executions(f, &total).empty());
    EXPECT_EQ(total, 0);
}

TEST(StoreV2Records, LogPagesCountAndFollowByIdCursor) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(execution("e", "f", 1000));
    store.insert_execution(execution("other", "f", 1000));
    for (int i = 0; i < 10; ++i)
        store.insert_log(log_line("e", i % 2 ? "b" : "a", i % 3 ? "info" : "error", "m" + std::to_string(i)));
    store.insert_log(log_line("other", "a", "error", "elsewhere"));

    LogFilter f;
    f.execution_id = "e";
    int64_t total = 0;
    auto all = store.logs(f, &total);
    EXPECT_EQ(total, 10);
    ASSERT_EQ(all.size(), 10u);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].id, all[i - 1].id);

    f.limit = 3;
    f.offset = 4;
    EXPECT_EQ(messages(store.logs(f, &total)), (std::vector<std::string>{"m4", "m5", "m6"}));
    EXPECT_EQ(total, 10);  // without limit and offset

    // Following: only lines after the last one seen.
    LogFilter follow;
    follow.execution_id = "e";
    follow.after_id = all[7].id;
    EXPECT_EQ(messages(store.logs(follow, &total)), (std::vector<std::string>{"m8", "m9"}));
    EXPECT_EQ(total, 2);
    store.insert_log(log_line("e", "a", "info", "m10"));
    follow.after_id = all[9].id;
    EXPECT_EQ(messages(store.logs(follow)), std::vector<std::string>{"m10"});

    LogFilter errors_of_a;
    errors_of_a.execution_id = "e";
    errors_of_a.step = "a";
    errors_of_a.min_level = "error";
    EXPECT_EQ(messages(store.logs(errors_of_a, &total)), (std::vector<std::string>{"m0", "m6"}));
    EXPECT_EQ(total, 2);

    f = {};
    f.execution_id = "e";
    f.limit = 0;
    EXPECT_TRUE(store.logs(f, &total).empty());
    EXPECT_EQ(total, 11);
    f.min_level = "loud";
    EXPECT_THROW(store.logs(f), StoreError);
}

TEST(StoreV2Records, PendingExecutionsOldestFirstThenMarkedStarted) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto queued = [&](std::string id, int64_t created) {
        auto e = execution(std::move(id), "f", 0, "pending");
        e.created_ms = created;
        store.insert_execution(e);
    };
    queued("late", 3000);
    queued("early", 1000);
    store.insert_execution(execution("busy", "f", 500, "running"));
    queued("mid", 2000);
    EXPECT_EQ(ids(store.pending_executions()), (std::vector<std::string>{"early", "mid", "late"}));

    store.mark_started("early", 4000, 4242, 99);
    auto started = store.get_execution("early");
    EXPECT_EQ(started->status, "running");
    EXPECT_EQ(started->started_ms, 4000);
    EXPECT_EQ(started->owner_pid, 4242);
    EXPECT_EQ(started->owner_start, 99);
    EXPECT_EQ(ids(store.pending_executions()), (std::vector<std::string>{"mid", "late"}));
    // Only a queued execution can start: not twice, not a missing one.
    EXPECT_THROW(store.mark_started("early", 5000, 1, 1), StoreError);
    EXPECT_THROW(store.mark_started("nope", 5000, 1, 1), StoreError);
    EXPECT_EQ(store.get_execution("early")->started_ms, 4000);
}

TEST(StoreV2FlowVersions, ANewVersionOnlyWhenTheNewestHashDiffers) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    int64_t v1 = store.record_flow_version("deploy", "hashA", "/flows/deploy.yaml", "name: deploy # A", 1000);
    EXPECT_GT(v1, 0);
    EXPECT_EQ(store.record_flow_version("deploy", "hashA", "/flows/deploy.yaml", "name: deploy # A", 2000), v1);
    int64_t v2 = store.record_flow_version("deploy", "hashB", "/flows/deploy.yaml", "name: deploy # B", 3000);
    EXPECT_NE(v2, v1);
    // Going back to an earlier content is a change too.
    int64_t v3 = store.record_flow_version("deploy", "hashA", "/flows/deploy.yaml", "name: deploy # A", 4000);
    EXPECT_NE(v3, v1);
    EXPECT_NE(v3, v2);
    // Another flow with the same content has versions of its own.
    int64_t other = store.record_flow_version("copy", "hashA", "/flows/copy.yaml", "name: deploy # A", 5000);
    EXPECT_NE(other, v3);

    auto listed = store.flow_versions("deploy");
    ASSERT_EQ(listed.size(), 3u);
    EXPECT_EQ(listed[0].id, v3);
    EXPECT_EQ(listed[1].id, v2);
    EXPECT_EQ(listed[2].id, v1);
    EXPECT_EQ(listed[1].hash, "hashB");
    EXPECT_EQ(listed[1].created_ms, 3000);
    EXPECT_EQ(listed[1].path, "/flows/deploy.yaml");
    EXPECT_EQ(listed[1].content, "");  // listings leave the text out
    EXPECT_EQ(store.flow_versions("deploy", 1).size(), 1u);
    EXPECT_TRUE(store.flow_versions("missing").empty());

    auto full = store.flow_version(v2);
    ASSERT_TRUE(full);
    EXPECT_EQ(full->flow_name, "deploy");
    EXPECT_EQ(full->content, "name: deploy # B");
    EXPECT_FALSE(store.flow_version(9999));
}

TEST(StoreV2FlowVersions, RecordingJoinsACallersTransaction) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.begin();
    store.record_flow_version("f", "h1", "p", "c", 1);
    store.rollback();
    EXPECT_TRUE(store.flow_versions("f").empty());
}

TEST(StoreV2FlowState, FlowsAreEnabledUntilDisabled) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    EXPECT_TRUE(store.flow_enabled_states().empty());
    store.set_flow_enabled("a", false);
    store.set_flow_enabled("b", true);
    EXPECT_EQ(store.flow_enabled_states(), (std::map<std::string, bool>{{"a", false}, {"b", true}}));
    store.set_flow_enabled("a", true);
    Store reopened(dir.path());
    EXPECT_EQ(reopened.flow_enabled_states(), (std::map<std::string, bool>{{"a", true}, {"b", true}}));
}

TEST(StoreV2Stats, FlowStatsCountTopLevelExecutionsOnly) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto add = [&](std::string id, std::string flow, int64_t t, std::string status, int64_t duration,
                   std::string parent = "") {
        auto e = execution(std::move(id), std::move(flow), t, std::move(status), std::move(parent));
        if (e.finished_ms) e.duration_ms = duration;
        store.insert_execution(e);
    };
    add("a1", "alpha", 1000, "succeeded", 100);
    add("a2", "alpha", 2000, "failed", 300);
    add("a3", "alpha", 3000, "timed_out", 500);
    add("a4", "alpha", 4000, "cancelled", 700);
    add("a5", "alpha", 5000, "running", 0);
    add("s1", "alpha", 6000, "succeeded", 10'000, "a1");  // a sub-flow run of alpha: not counted
    add("b1", "beta", 1500, "interrupted", 50);
    add("b2", "beta", 900, "succeeded", 150);

    auto stats = store.flow_stats();
    ASSERT_EQ(stats.size(), 2u);
    const auto& alpha = stats.at("alpha");
    EXPECT_EQ(alpha.total, 5);
    EXPECT_EQ(alpha.succeeded, 1);
    EXPECT_EQ(alpha.failed, 2);
    EXPECT_EQ(alpha.cancelled, 1);
    EXPECT_DOUBLE_EQ(alpha.avg_duration_ms, 400.0);  // (100+300+500+700)/4, the running one left out
    ASSERT_TRUE(alpha.last);
    EXPECT_EQ(alpha.last->id, "a5");
    const auto& beta = stats.at("beta");
    EXPECT_EQ(beta.total, 2);
    EXPECT_EQ(beta.failed, 1);
    EXPECT_DOUBLE_EQ(beta.avg_duration_ms, 100.0);
    EXPECT_EQ(beta.last->id, "b1");
}

TEST(StoreV2Stats, QueuedExecutionIsTheLastRunOfItsFlow) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(execution("done", "f", 1000));
    auto queued = execution("queued", "f", 0, "pending");
    queued.created_ms = 2000;
    store.insert_execution(queued);
    EXPECT_EQ(store.flow_stats().at("f").last->id, "queued");
}

TEST(StoreV2Stats, PeriodsStartAtLocalMidnightMondayAndTheFirst) {
    ScopedTimeZone tz(k_berlin);
    flowctl::test::TempDir dir;
    Store store(dir.path());
    // Wednesday 2026-03-04 00:30 in Berlin (CET, UTC+1); Monday was the 2nd, Sunday the 1st.
    const int64_t now = 1772580600000;
    struct At {
        const char* id;
        int64_t ms;
        const char* status;
    };
    for (const At& a : {
             At{"wed-00-00", 1772578800000, "succeeded"},  // today, from its first millisecond
             At{"tue-23-59", 1772578799000, "failed"},     // this week, yesterday
             At{"mon-00-00", 1772406000000, "succeeded"},  // the week's first millisecond
             At{"sun-23-59", 1772405999000, "cancelled"},  // this month, last week
             At{"sun-00-00", 1772319600000, "succeeded"},  // the month's first millisecond
             At{"feb-28", 1772319599000, "succeeded"},     // last month
             At{"queued", 1772580000000, "pending"},       // today, not finished
         })
        store.insert_execution(execution(a.id, "f", a.ms, a.status));
    store.insert_execution(execution("sub", "f", 1772578900000, "failed", "wed-00-00"));

    auto s = store.execution_stats(now);
    EXPECT_EQ(s.today, 2);
    EXPECT_EQ(s.this_week, 4);
    EXPECT_EQ(s.this_month, 6);
    EXPECT_EQ(s.total, 7);
    EXPECT_EQ(s.by_status,
              (std::map<std::string, int64_t>{{"succeeded", 4}, {"failed", 1}, {"cancelled", 1}, {"pending", 1}}));
    EXPECT_DOUBLE_EQ(s.success_rate, 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(s.avg_duration_ms, 100.0);
}

TEST(StoreV2Stats, DayStartsAtMidnightOnTheDaylightSavingDayAndWeeksOnSunday) {
    ScopedTimeZone tz(k_berlin);
    flowctl::test::TempDir dir;
    Store store(dir.path());
    // Sunday 2026-03-29 12:00 CEST: clocks went forward at 02:00, so local midnight is 11 hours
    // before, not 12; the week began on Monday the 23rd.
    const int64_t now = 1774778400000;
    store.insert_execution(execution("midnight", "f", 1774738800000));
    store.insert_execution(execution("saturday", "f", 1774738799000));
    store.insert_execution(execution("monday", "f", 1774220400000));
    store.insert_execution(execution("last-week", "f", 1774220399000));
    auto s = store.execution_stats(now);
    EXPECT_EQ(s.today, 1);
    EXPECT_EQ(s.this_week, 3);
    EXPECT_EQ(s.this_month, 4);
}

TEST(StoreV2Stats, EmptyHistoryHasZeroRates) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    auto s = store.execution_stats(1772580600000);
    EXPECT_EQ(s.total, 0);
    EXPECT_EQ(s.success_rate, 0.0);
    EXPECT_EQ(s.avg_duration_ms, 0.0);
    EXPECT_TRUE(s.by_status.empty());
    EXPECT_TRUE(store.flow_stats().empty());
}

TEST(StoreV2Tokens, CreateFindTouchAndRevoke) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_token({"tok_1", "ci", "execute", "hash1", 1000, 0, 0});
    store.insert_token({"tok_2", "admin", "admin", "hash2", 2000, 0, 0});

    auto found = store.find_token_by_hash("hash1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, "tok_1");
    EXPECT_EQ(found->name, "ci");
    EXPECT_EQ(found->scope, "execute");
    EXPECT_EQ(found->created_ms, 1000);
    EXPECT_FALSE(store.find_token_by_hash("nope"));

    store.touch_token("tok_1", 5000);
    EXPECT_EQ(store.find_token_by_hash("hash1")->last_used_ms, 5000);

    // A second active token with the same name or the same secret is refused.
    EXPECT_THROW(store.insert_token({"tok_3", "ci", "read", "hash3", 3000, 0, 0}), StoreError);
    EXPECT_THROW(store.insert_token({"tok_4", "other", "read", "hash1", 3000, 0, 0}), StoreError);

    EXPECT_TRUE(store.revoke_token("ci", 6000));  // by name
    EXPECT_FALSE(store.revoke_token("ci", 6001));
    EXPECT_FALSE(store.find_token_by_hash("hash1"));
    EXPECT_TRUE(store.revoke_token("tok_2", 7000));  // by id
    EXPECT_FALSE(store.revoke_token("missing", 7000));
    EXPECT_TRUE(store.list_tokens().empty());

    // The name is free again once revoked.
    store.insert_token({"tok_5", "ci", "read", "hash5", 8000, 0, 0});
    auto active = store.list_tokens();
    ASSERT_EQ(active.size(), 1u);
    EXPECT_EQ(active[0].id, "tok_5");
    auto everything = store.list_tokens(/*include_revoked=*/true);
    ASSERT_EQ(everything.size(), 3u);
    EXPECT_EQ(everything[0].id, "tok_1");
    EXPECT_EQ(everything[0].revoked_ms, 6000);
    EXPECT_EQ(everything[0].last_used_ms, 5000);
    EXPECT_EQ(everything[1].revoked_ms, 7000);
    EXPECT_EQ(everything[2].revoked_ms, 0);
}

TEST(StoreV2Json, ExecutionAndLogCarryTheNewFields) {
    auto e = execution("x", "f", 1000, "pending");
    json plain = to_json(e);
    EXPECT_TRUE(plain["version_id"].is_null());
    EXPECT_EQ(plain["priority"], 0);
    EXPECT_TRUE(plain["scheduled_at"].is_null());
    EXPECT_TRUE(plain["retry_of"].is_null());
    EXPECT_TRUE(plain["retry_from"].is_null());
    EXPECT_TRUE(plain["callback_url"].is_null());

    e.version_id = 3;
    e.priority = 2;
    e.scheduled_ms = 1772580600123;
    e.retry_of = "old";
    e.retry_from = "build";
    e.callback_url = "http://h/cb";
    json full = to_json(e);
    EXPECT_EQ(full["version_id"], 3);
    EXPECT_EQ(full["priority"], 2);
    EXPECT_EQ(full["scheduled_at"], "2026-03-03T23:30:00.123Z");
    EXPECT_EQ(full["retry_of"], "old");
    EXPECT_EQ(full["retry_from"], "build");
    EXPECT_EQ(full["callback_url"], "http://h/cb");

    auto l = log_line("x", "", "info", "hello");
    l.id = 42;
    EXPECT_EQ(to_json(l)["id"], 42);
}

// ---- Retention ----

namespace {

// A top-level execution with a sub-flow and a nested sub-sub-flow, each with 2 steps and 3 logs.
void add_tree(Store& store, const std::string& id, int64_t t, const std::string& status = "succeeded") {
    store.begin();
    store.insert_execution(execution(id, "f", t, status));
    store.insert_execution(execution(id + "-sub", "g", t + 1, status, id));
    store.insert_execution(execution(id + "-subsub", "h", t + 2, status, id + "-sub"));
    for (const std::string& e : {id, id + "-sub", id + "-subsub"}) {
        store.upsert_step_run(step_run(e, "one"));
        store.upsert_step_run(step_run(e, "two"));
        for (int i = 0; i < 3; ++i) store.insert_log(log_line(e, "one", "info", std::string(200, 'x')));
    }
    store.commit();
}

std::vector<std::string> remaining(Store& store) {
    HistoryFilter f;
    f.limit = -1;
    auto out = ids(store.list_executions(f));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(StoreV2Gc, RemovesExecutionsOlderThanMaxAgeWithTheirSubFlows) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    const int64_t now = 100 * k_day;
    add_tree(store, "old", now - 40 * k_day);
    add_tree(store, "new", now - 10 * k_day);

    auto r = store.gc({.max_age_ms = 30 * k_day, .max_executions = 0}, false, now);
    EXPECT_EQ(r.executions, 3);
    EXPECT_EQ(r.step_runs, 6);
    EXPECT_EQ(r.logs, 9);
    EXPECT_GT(r.bytes_before, 0);
    EXPECT_GT(r.bytes_after, 0);
    EXPECT_EQ(remaining(store), (std::vector<std::string>{"new", "new-sub", "new-subsub"}));
    EXPECT_TRUE(store.step_runs("old-sub").empty());
    EXPECT_TRUE(store.logs("old-subsub").empty());
    EXPECT_EQ(store.logs("new-subsub").size(), 3u);
    EXPECT_EQ(RawDb(store.db_path()).text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(RawDb(store.db_path()).text("PRAGMA foreign_key_check"), "");
}

TEST(StoreV2Gc, KeepsTheNewestMaxExecutionsTopLevelRuns) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    for (int i = 0; i < 5; ++i) add_tree(store, "t" + std::to_string(i), 1000 * (i + 1));
    auto r = store.gc({.max_age_ms = 0, .max_executions = 2}, false, 10'000);
    EXPECT_EQ(r.executions, 9);
    EXPECT_EQ(r.step_runs, 18);
    EXPECT_EQ(r.logs, 27);
    EXPECT_EQ(remaining(store), (std::vector<std::string>{"t3", "t3-sub", "t3-subsub", "t4", "t4-sub", "t4-subsub"}));
    // Nothing more to do the second time.
    auto again = store.gc({.max_age_ms = 0, .max_executions = 2}, false, 10'000);
    EXPECT_EQ(again.executions, 0);
}

TEST(StoreV2Gc, NeverTouchesRunningOrQueuedExecutions) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    const int64_t now = 100 * k_day;
    add_tree(store, "ancient-running", 1000, "running");
    auto queued = execution("ancient-queued", "f", 0, "pending");
    queued.created_ms = 2000;
    store.insert_execution(queued);
    add_tree(store, "ancient-done", 3000);
    add_tree(store, "recent", now - 1000);

    auto r = store.gc({.max_age_ms = k_day, .max_executions = 1}, false, now);
    EXPECT_EQ(r.executions, 3);
    EXPECT_EQ(remaining(store),
              (std::vector<std::string>{"ancient-queued", "ancient-running", "ancient-running-sub",
                                        "ancient-running-subsub", "recent", "recent-sub", "recent-subsub"}));
    EXPECT_EQ(store.step_runs("ancient-running-sub").size(), 2u);
}

TEST(StoreV2Gc, DryRunCountsTheSameButChangesNothing) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    for (int i = 0; i < 4; ++i) add_tree(store, "t" + std::to_string(i), 1000 * (i + 1));
    RawDb raw(store.db_path());
    std::string before = raw.text("SELECT count(*) || '/' || (SELECT count(*) FROM logs) FROM executions");

    GcPolicy policy{.max_age_ms = 0, .max_executions = 1};
    auto dry = store.gc(policy, true, 10'000);
    EXPECT_EQ(dry.executions, 9);
    EXPECT_EQ(dry.step_runs, 18);
    EXPECT_EQ(dry.logs, 27);
    EXPECT_EQ(dry.bytes_after, dry.bytes_before);
    EXPECT_EQ(raw.text("SELECT count(*) || '/' || (SELECT count(*) FROM logs) FROM executions"), before);

    auto real = store.gc(policy, false, 10'000);
    EXPECT_EQ(real.executions, dry.executions);
    EXPECT_EQ(real.step_runs, dry.step_runs);
    EXPECT_EQ(real.logs, dry.logs);
}

TEST(StoreV2Gc, NoPolicyRemovesNothingAndATransactionIsRefused) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    add_tree(store, "t", 1000);
    auto r = store.gc({}, false, 100 * k_day);
    EXPECT_EQ(r.executions, 0);
    EXPECT_EQ(remaining(store).size(), 3u);
    store.begin();
    EXPECT_THROW(store.gc({.max_age_ms = 1, .max_executions = 0}, false, 100 * k_day), StoreError);
    store.rollback();
}

TEST(StoreV2Gc, FreedSpaceGoesBackToTheFileSystem) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    for (int i = 0; i < 200; ++i) add_tree(store, "t" + std::to_string(i), 1000 + i);
    auto r = store.gc({.max_age_ms = 0, .max_executions = 10}, false, 10'000);
    EXPECT_EQ(r.executions, 190 * 3);
    EXPECT_LT(r.bytes_after, r.bytes_before / 2) << r.bytes_before << " -> " << r.bytes_after;
    EXPECT_EQ(std::filesystem::file_size(store.db_path().string() + "-wal"), 0u);
    EXPECT_EQ(RawDb(store.db_path()).text("PRAGMA freelist_count"), "0");
}

TEST(StoreV2Gc, UpgradedDatabaseIsVacuumedIntoIncrementalMode) {
    flowctl::test::TempDir dir;
    {
        RawDb raw(dir.path() / "history.db");
        raw.exec("PRAGMA journal_mode = WAL");
        raw.exec(k_v1_schema);
    }
    Store store(dir.path());
    EXPECT_EQ(RawDb(store.db_path()).text("PRAGMA auto_vacuum"), "0");
    for (int i = 0; i < 100; ++i) add_tree(store, "t" + std::to_string(i), 1000 + i);
    auto r = store.gc({.max_age_ms = 0, .max_executions = 5}, false, 10'000);
    EXPECT_LT(r.bytes_after, r.bytes_before / 2) << r.bytes_before << " -> " << r.bytes_after;
    RawDb raw(store.db_path());
    EXPECT_EQ(raw.text("PRAGMA auto_vacuum"), "2");
    EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(remaining(store).size(), 15u);
}

// ---- Several connections in one process ----

TEST(StoreV2Concurrency, TwoStoresWriteFromTwoThreadsWithoutBusyErrors) {
    flowctl::test::TempDir dir;
    Store a(dir.path());
    Store b(dir.path());
    constexpr int k_rounds = 150;
    std::atomic<int> failures{0};
    std::string first_error;
    std::mutex error_mutex;
    auto writer = [&](Store& store, const std::string& name) {
        try {
            for (int i = 0; i < k_rounds; ++i) {
                std::string id = name + std::to_string(i);
                // A transaction that reads before it writes, as the engine's flushes do.
                store.begin();
                store.get_execution(id);
                auto e = execution(id, name, 1000 + i, "pending");
                store.insert_execution(e);
                store.upsert_step_run(step_run(id, "s"));
                store.insert_log(log_line(id, "s", "info", "line"));
                store.commit();
                // Single statements and read-then-write helpers, interleaved with the other thread.
                store.mark_started(id, 2000 + i, 1, 1);
                store.record_flow_version("shared", "hash" + std::to_string(i % 3), "p", "c", i);
                store.set_flow_enabled(name, i % 2 == 0);
                store.touch_token("tok", i);
                if (i % 50 == 49) store.gc({.max_age_ms = 0, .max_executions = 1000}, false, 10'000);
            }
        } catch (const std::exception& e) {
            ++failures;
            std::lock_guard lock(error_mutex);
            first_error = e.what();
        }
    };
    std::thread ta(writer, std::ref(a), "a");
    std::thread tb(writer, std::ref(b), "b");
    ta.join();
    tb.join();
    EXPECT_EQ(failures.load(), 0) << first_error;
    int64_t total = 0;
    a.list_executions({}, &total);
    EXPECT_EQ(total, 2 * k_rounds);
    EXPECT_TRUE(b.pending_executions().empty());
    // Concurrent recorders never add the same content twice in a row.
    auto versions = a.flow_versions("shared", 0);
    for (size_t i = 1; i < versions.size(); ++i) EXPECT_NE(versions[i].hash, versions[i - 1].hash);
    EXPECT_EQ(RawDb(a.db_path()).text("PRAGMA integrity_check"), "ok");
}
