// Interrupted executions, process identity, crash safety and several writers at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "store/store.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

using namespace flowctl::store;

namespace {

ExecutionRecord running_execution(std::string id, int pid, int64_t start) {
    ExecutionRecord e;
    e.id = std::move(id);
    e.flow_name = "f";
    e.status = "running";
    e.created_ms = flowctl::util::now_ms() - 1000;
    e.started_ms = e.created_ms;
    e.owner_pid = pid;
    e.owner_start = start;
    return e;
}

StepRunRecord step(std::string exec, std::string id, std::string status) {
    StepRunRecord s;
    s.execution_id = std::move(exec);
    s.step_id = std::move(id);
    s.status = std::move(status);
    s.started_ms = flowctl::util::now_ms() - 500;
    return s;
}

std::string integrity_check(const std::filesystem::path& db_path) {
    sqlite3* db = nullptr;
    std::string out = "cannot open";
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
}

// Runs fn in a child process; returns the child's pid. The child exits 0 when fn returns,
// 1 when it throws; it never returns into the test framework.
template <typename Fn>
pid_t run_child(Fn fn) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int code = 0;
        try {
            fn();
        } catch (...) {
            code = 1;
        }
        ::_exit(code);
    }
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(StoreProcess, StartTimeIdentifiesLiveProcesses) {
    int64_t mine = Store::process_start_time(::getpid());
    EXPECT_GT(mine, 0);
    EXPECT_EQ(Store::process_start_time(::getpid()), mine);
    EXPECT_EQ(Store::process_start_time(0), 0);
    EXPECT_EQ(Store::process_start_time(-5), 0);

    pid_t gone = run_child([] {});
    ASSERT_EQ(wait_exit_code(gone), 0);
    EXPECT_EQ(Store::process_start_time(gone), 0);
}

TEST(StoreProcess, StartTimeParsesCommandNamesWithSpacesAndParens) {
    int ready[2], done[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(done), 0);
    pid_t child = run_child([&] {
        char c = 0;
        if (::read(done[0], &c, 1) != 1) throw 1;  // wait until the parent read the plain name
        ::prctl(PR_SET_NAME, "a) b (c) d", 0, 0, 0);
        if (::write(ready[1], "x", 1) != 1) throw 1;
        if (::read(done[0], &c, 1) != 1) throw 1;
    });
    int64_t before = Store::process_start_time(child);
    EXPECT_GT(before, 0);
    char c = 0;
    ASSERT_EQ(::write(done[1], "x", 1), 1);
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    EXPECT_NE(flowctl::test::read_file("/proc/" + std::to_string(child) + "/stat").find("(a) b (c) d)"),
              std::string::npos);
    EXPECT_EQ(Store::process_start_time(child), before);
    ASSERT_EQ(::write(done[1], "x", 1), 1);
    EXPECT_EQ(wait_exit_code(child), 0);
    for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

TEST(StoreRecovery, ExecutionOfAnExitedProcessIsInterrupted) {
    flowctl::test::TempDir dir;
    pid_t child = run_child([&] {
        Store store(dir.path());
        store.insert_execution(running_execution("e1", ::getpid(), Store::process_start_time(::getpid())));
        store.upsert_step_run(step("e1", "working", "running"));
        store.upsert_step_run(step("e1", "waiting", "pending"));
        store.upsert_step_run(step("e1", "done", "succeeded"));
    });
    ASSERT_EQ(wait_exit_code(child), 0);

    Store store(dir.path());
    EXPECT_EQ(store.recover_interrupted(), 1);
    auto e = store.get_execution("e1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status, "interrupted");
    EXPECT_EQ(e->error, "the process running it (pid " + std::to_string(child) + ") exited without finishing it");
    EXPECT_GT(e->finished_ms, 0);
    EXPECT_GE(e->duration_ms, 1000);
    auto runs = store.step_runs("e1");
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_EQ(runs[0].status, "interrupted");
    EXPECT_EQ(runs[1].status, "interrupted");
    EXPECT_EQ(runs[2].status, "succeeded");  // finished steps keep their result
    EXPECT_EQ(integrity_check(store.db_path()), "ok");

    EXPECT_EQ(store.recover_interrupted(), 0);  // already done
}

TEST(StoreRecovery, WriterKilledMidTransactionLeavesAReadableDatabase) {
    flowctl::test::TempDir dir;
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = run_child([&] {
        Store store(dir.path());
        store.insert_execution(running_execution("e1", ::getpid(), Store::process_start_time(::getpid())));
        store.upsert_step_run(step("e1", "s", "running"));
        store.begin();
        for (int i = 0; i < 2000; ++i) {
            LogRecord l;
            l.execution_id = "e1";
            l.step_id = "s";
            l.message = "uncommitted line " + std::to_string(i) + std::string(200, '.');
            store.insert_log(l);
        }
        auto done = step("e1", "s", "succeeded");
        store.upsert_step_run(done);
        if (::write(ready[1], "x", 1) != 1) throw 1;
        ::pause();  // killed here, inside the transaction
    });
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    EXPECT_EQ(wait_exit_code(child), 128 + SIGKILL);
    ::close(ready[0]);
    ::close(ready[1]);

    EXPECT_EQ(integrity_check(dir.path() / "history.db"), "ok");
    Store store(dir.path());
    EXPECT_EQ(store.recover_interrupted(), 1);
    EXPECT_EQ(store.get_execution("e1")->status, "interrupted");
    auto runs = store.step_runs("e1");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "interrupted");  // the uncommitted "succeeded" never landed
    EXPECT_TRUE(store.logs("e1").empty());
    EXPECT_EQ(integrity_check(store.db_path()), "ok");
}

TEST(StoreRecovery, ExecutionOfALiveOwnerIsLeftAlone) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(running_execution("mine", ::getpid(), Store::process_start_time(::getpid())));
    store.upsert_step_run(step("mine", "s", "running"));
    EXPECT_EQ(store.recover_interrupted(), 0);
    EXPECT_EQ(store.get_execution("mine")->status, "running");
    EXPECT_EQ(store.step_runs("mine")[0].status, "running");
}

TEST(StoreRecovery, ReusedPidOrNoOwnerCountsAsGone) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    // Our pid exists, but this record claims a process that started at another time.
    store.insert_execution(running_execution("reused", ::getpid(), Store::process_start_time(::getpid()) + 1));
    auto pending = running_execution("orphan", 0, 0);
    pending.status = "pending";
    pending.started_ms = 0;
    store.insert_execution(pending);
    auto finished = running_execution("finished", 0, 0);
    finished.status = "succeeded";
    store.insert_execution(finished);

    EXPECT_EQ(store.recover_interrupted(), 2);
    EXPECT_EQ(store.get_execution("reused")->status, "interrupted");
    auto orphan = store.get_execution("orphan");
    EXPECT_EQ(orphan->status, "interrupted");
    EXPECT_EQ(orphan->duration_ms, 0);  // never started
    EXPECT_EQ(store.get_execution("finished")->status, "succeeded");
}

TEST(StoreRecovery, RecoveringInsideACallersTransactionJoinsIt) {
    flowctl::test::TempDir dir;
    Store store(dir.path());
    store.insert_execution(running_execution("orphan", 0, 0));
    store.begin();
    EXPECT_EQ(store.recover_interrupted(), 1);
    store.rollback();
    EXPECT_EQ(store.get_execution("orphan")->status, "running");
}

TEST(StoreConcurrency, TwoConnectionsInterleaveTransactions) {
    flowctl::test::TempDir dir;
    Store a(dir.path());
    Store b(dir.path());
    for (int i = 0; i < 20; ++i) {
        Store& first = i % 2 ? a : b;
        Store& second = i % 2 ? b : a;
        first.begin();
        first.insert_execution(running_execution("x" + std::to_string(i), 0, 0));
        // A reader is never blocked by a writer in WAL mode, and does not see its writes yet.
        EXPECT_FALSE(second.get_execution("x" + std::to_string(i)));
        first.commit();
        EXPECT_TRUE(second.get_execution("x" + std::to_string(i)));
        second.begin();
        second.update_execution(running_execution("x" + std::to_string(i), 1, 1));
        second.commit();
    }
    int64_t total = 0;
    a.list_executions({}, &total);
    EXPECT_EQ(total, 20);
}

TEST(StoreConcurrency, ConcurrentProcessesOpenAndWriteTheSameFile) {
    flowctl::test::TempDir dir;
    constexpr int k_writers = 4;
    constexpr int k_transactions = 50;
    pid_t children[k_writers];
    // All open a database that does not exist yet: creation and migration race too.
    for (int w = 0; w < k_writers; ++w) {
        children[w] = run_child([&, w] {
            Store store(dir.path());
            for (int t = 0; t < k_transactions; ++t) {
                std::string id = "w" + std::to_string(w) + "-" + std::to_string(t);
                store.begin();
                store.insert_execution(running_execution(id, 0, 0));
                store.upsert_step_run(step(id, "s", "succeeded"));
                LogRecord l;
                l.execution_id = id;
                l.message = "line";
                store.insert_log(l);
                store.commit();
            }
        });
    }
    for (pid_t c : children) EXPECT_EQ(wait_exit_code(c), 0);

    Store store(dir.path());
    int64_t total = 0;
    store.list_executions({}, &total);
    EXPECT_EQ(total, k_writers * k_transactions);
    EXPECT_EQ(integrity_check(store.db_path()), "ok");
}
