// Whole-path figures for the README, each next to a baseline measured in the same run
// (the machine is noisy, so ratios matter more than absolute numbers). Medians of rounds.
//
//   1. durable executions/s of a 3-step flow of `log` steps through the engine, against a
//      raw SQLite loop writing the same rows, one transaction per execution, same `synchronous`;
//   2. a `cmd: [/bin/true]` step against a bare posix_spawn + waitpid of /bin/true;
//   3. a whole `flowctl run` process of a 3-step log flow (history written) against /bin/true.
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench_stats.hpp"
#include "engine/engine.hpp"
#include "flow/parser.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

extern char** environ;

using namespace flowctl;
namespace fs = std::filesystem;

namespace {

fs::path make_temp_dir() {
    std::string t = (fs::temp_directory_path() / "flowctl-bench-XXXXXX").string();
    if (!::mkdtemp(t.data())) std::abort();
    return t;
}

flow::Flow load(const std::string& path) {
    std::vector<util::Diagnostic> diags;
    auto f = flow::load_flow_file(path, diags);
    if (!f) {
        for (auto& d : diags) std::fprintf(stderr, "%s\n", util::format_diagnostic(d).c_str());
        std::exit(1);
    }
    return *f;
}

// The engine path: N executions of the flow, each durable when run_flow returns.
double engine_rate(const flow::Flow& f, const fs::path& dir, bool full, int n) {
    store::Store store(dir, full);  // a long-lived process, as the daemon will be
    engine::RunOptions opts;
    double s = bench::seconds([&] {
        for (int i = 0; i < n; ++i) engine::run_flow(f, store, opts);
    });
    return n / s;
}

void exec_sql(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::fprintf(stderr, "sqlite: %s\n", err);
        std::exit(1);
    }
}

// The baseline: the same rows (1 execution, 3 step runs, 3 logs, the final update) written
// with prepared statements, one transaction per execution.
double raw_rate(const fs::path& dir, bool full, int n) {
    { store::Store create(dir, full); }  // the same schema and pragmas
    sqlite3* db = nullptr;
    sqlite3_open((dir / "history.db").c_str(), &db);
    exec_sql(db, "PRAGMA journal_mode=WAL");
    exec_sql(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    sqlite3_stmt *ins_exec, *ins_step, *ins_log, *upd_exec;
    sqlite3_prepare_v2(db,
                       "INSERT INTO executions(id, flow_name, flow_path, def_hash, parent_id, trigger, trigger_data, "
                       "inputs, status, error, created_ms, started_ms, finished_ms, duration_ms, cpu_ms, max_rss_kb, "
                       "outputs, owner_pid, owner_start) VALUES(?,'bench','b.yaml','h','','manual','{}','{}','running',"
                       "'',?,?,0,0,0,0,'{}',1,1)",
                       -1, &ins_exec, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO step_runs(execution_id, step_id, item_index, attempt, status, started_ms, "
                       "finished_ms, duration_ms, exit_code, output, outputs, error, cpu_ms, max_rss_kb) "
                       "VALUES(?,?,-1,1,'succeeded',?,?,0,NULL,'\"hello\"','{}','',0,0)",
                       -1, &ins_step, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO logs(execution_id, step_id, item_index, ts_ms, level, stream, message) "
                       "VALUES(?,?,-1,?,'info','step','hello')",
                       -1, &ins_log, nullptr);
    sqlite3_prepare_v2(db, "UPDATE executions SET status='succeeded', finished_ms=?, duration_ms=0 WHERE id=?", -1,
                       &upd_exec, nullptr);
    const char* steps[] = {"a", "b", "c"};
    double s = bench::seconds([&] {
        for (int i = 0; i < n; ++i) {
            int64_t now = util::now_ms();
            std::string id = util::new_execution_id(now);
            exec_sql(db, "BEGIN IMMEDIATE");
            sqlite3_bind_text(ins_exec, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins_exec, 2, now);
            sqlite3_bind_int64(ins_exec, 3, now);
            sqlite3_step(ins_exec);
            sqlite3_reset(ins_exec);
            for (const char* step : steps) {
                sqlite3_bind_text(ins_step, 1, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(ins_step, 2, step, -1, SQLITE_STATIC);
                sqlite3_bind_int64(ins_step, 3, now);
                sqlite3_bind_int64(ins_step, 4, now);
                sqlite3_step(ins_step);
                sqlite3_reset(ins_step);
                sqlite3_bind_text(ins_log, 1, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(ins_log, 2, step, -1, SQLITE_STATIC);
                sqlite3_bind_int64(ins_log, 3, now);
                sqlite3_step(ins_log);
                sqlite3_reset(ins_log);
            }
            sqlite3_bind_int64(upd_exec, 1, now);
            sqlite3_bind_text(upd_exec, 2, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_step(upd_exec);
            sqlite3_reset(upd_exec);
            exec_sql(db, "COMMIT");
        }
    });
    for (auto* st : {ins_exec, ins_step, ins_log, upd_exec}) sqlite3_finalize(st);
    sqlite3_close(db);
    return n / s;
}

double spawn_and_wait(const char* path, char* const argv[]) {
    // Output to /dev/null, as in a script that only looks at the exit code.
    static posix_spawn_file_actions_t* quiet = [] {
        static posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        return &fa;
    }();
    return bench::seconds([&] {
        pid_t pid;
        if (posix_spawn(&pid, path, quiet, nullptr, argv, environ) != 0) std::abort();
        int status;
        waitpid(pid, &status, 0);
    });
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    fs::path root = make_temp_dir();
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(root / name) << text;
        return (root / name).string();
    };
    std::string log_flow = write("log3.yaml",
                                 "name: bench\nsteps:\n  - id: a\n    log: hello\n  - id: b\n    needs: a\n    log: "
                                 "hello\n  - id: c\n    needs: b\n    log: hello\n");
    std::string true_flow = write("true.yaml", "name: true\nsteps:\n  - id: t\n    cmd: [/bin/true]\n");
    std::string one_log_flow = write("log1.yaml", "name: one\nsteps:\n  - id: a\n    log: hello\n");
    auto log3 = load(log_flow), tru = load(true_flow), log1 = load(one_log_flow);

    std::printf("flowctl benchmarks: medians of %d rounds\n\n", rounds);
    int round_no = 0;
    for (bool full : {false, true}) {
        int n = full ? 200 : 1000;
        double engine = bench::median_of(
            rounds, [&] { return engine_rate(log3, root / ("e" + std::to_string(round_no++)), full, n); });
        double raw =
            bench::median_of(rounds, [&] { return raw_rate(root / ("r" + std::to_string(round_no++)), full, n); });
        std::printf(
            "durable executions/s, 3 log steps, synchronous=%-6s engine %8.0f/s   raw SQLite %8.0f/s   ratio %.2f\n",
            full ? "FULL" : "NORMAL", engine, raw, engine / raw);
    }

    // A cmd step's cost = (flow with one cmd step) - (flow with one log step): the same
    // bookkeeping, plus the process.
    {
        int n = 300;
        char* true_argv[] = {const_cast<char*>("/bin/true"), nullptr};
        double raw = bench::median_of(rounds, [&] {
            return bench::seconds([&] {
                       for (int i = 0; i < n; ++i) spawn_and_wait("/bin/true", true_argv);
                   }) /
                   n;
        });
        double with_cmd = bench::median_of(rounds, [&] {
            store::Store store(root / ("c" + std::to_string(round_no++)));
            return bench::seconds([&] {
                       for (int i = 0; i < n; ++i) engine::run_flow(tru, store, {});
                   }) /
                   n;
        });
        double with_log = bench::median_of(rounds, [&] {
            store::Store store(root / ("l" + std::to_string(round_no++)));
            return bench::seconds([&] {
                       for (int i = 0; i < n; ++i) engine::run_flow(log1, store, {});
                   }) /
                   n;
        });
        double step = with_cmd - with_log;
        std::printf(
            "cmd: [/bin/true] step                          %8.0f us   posix_spawn+wait %8.0f us   ratio %.2f\n",
            step * 1e6, raw * 1e6, step / raw);
    }

    // Whole processes: flowctl run (parse, history, 3 log steps) against /bin/true.
    {
        int n = 100;
        std::string state = (root / "proc-state").string();
        setenv("FLOWCTL_STATE_DIR", state.c_str(), 1);
        char* run_argv[] = {const_cast<char*>(FLOWCTL_EXE), const_cast<char*>("run"), log_flow.data(),
                            const_cast<char*>("--no-progress"), nullptr};
        char* true_argv[] = {const_cast<char*>("/bin/true"), nullptr};
        spawn_and_wait(FLOWCTL_EXE, run_argv);  // creates the database
        double flowctl = bench::median_of(rounds, [&] {
            return bench::seconds([&] {
                       for (int i = 0; i < n; ++i) spawn_and_wait(FLOWCTL_EXE, run_argv);
                   }) /
                   n;
        });
        double tru_proc = bench::median_of(rounds, [&] {
            return bench::seconds([&] {
                       for (int i = 0; i < n; ++i) spawn_and_wait("/bin/true", true_argv);
                   }) /
                   n;
        });
        std::printf(
            "flowctl run (3 log steps, history) process     %8.2f ms   /bin/true process %8.2f ms   ratio %.2f\n",
            flowctl * 1e3, tru_proc * 1e3, flowctl / tru_proc);
    }
    std::error_code ec;
    fs::remove_all(root, ec);
    return 0;
}
