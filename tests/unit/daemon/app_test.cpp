// The daemon's life in-process: the instance lock, the log file, signals, history GC on a
// timer, flow change events, and a whole Daemon started and stopped on temp directories.
#include <gtest/gtest.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "app/config_json.hpp"
#include "app/daemon.hpp"
#include "app/flow_events.hpp"
#include "app/gc_timer.hpp"
#include "app/lock_file.hpp"
#include "app/logging.hpp"
#include "app/signals.hpp"
#include "core/stores.hpp"
#include "support/temp_dir.hpp"
#include "unix_exchange.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

using unix_http::connect_unix;

using namespace std::chrono_literals;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename Predicate>
bool eventually(std::chrono::milliseconds timeout, Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

// Keeps spdlog's default logger across a test that installs the daemon's.
class DefaultLoggerGuard {
public:
    DefaultLoggerGuard() : m_saved(spdlog::default_logger()) {}
    ~DefaultLoggerGuard() { spdlog::set_default_logger(m_saved); }

private:
    std::shared_ptr<spdlog::logger> m_saved;
};

TEST(InstanceLock, RefusesASecondInstanceAndNamesTheFirst) {
    test::TempDir dir;
    auto path = dir.path() / "flowd.lock";
    {
        InstanceLock first(path);
        EXPECT_EQ(slurp(path), std::to_string(::getpid()) + "\n");
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);

        // Another open file description on the same file: flock() conflicts as with another process.
        try {
            InstanceLock second(path);
            FAIL() << "second lock taken";
        } catch (const AlreadyRunning& e) {
            EXPECT_EQ(std::string(e.what()), "flowd is already running (pid " + std::to_string(::getpid()) + ")");
            EXPECT_EQ(e.pid, ::getpid());
        }
        EXPECT_EQ(slurp(path), std::to_string(::getpid()) + "\n") << "the refused instance left the pid alone";
    }
    // Released: no stale pid left, and the next instance gets it.
    EXPECT_EQ(slurp(path), "");
    InstanceLock again(path);
    EXPECT_EQ(slurp(path), std::to_string(::getpid()) + "\n");
}

TEST(InstanceLock, UnusableDirectoryIsAClearError) {
    test::TempDir dir;
    try {
        InstanceLock lock(dir.path() / "missing" / "flowd.lock");
        FAIL();
    } catch (const AlreadyRunning&) {
        FAIL() << "not an AlreadyRunning";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
    }
}

TEST(Logging, SettingsComeFromTheConfig) {
    config::Config c;
    c.state_dir = "/var/tmp/s";
    c.log_max_bytes = 512 * 1024;
    c.log_max_files = 5;
    c.log_level = "warn";
    auto s = log_settings(c);
    EXPECT_EQ(s.file, std::filesystem::path("/var/tmp/s/flowd.log"));
    EXPECT_EQ(s.max_bytes, 512u * 1024u);
    EXPECT_EQ(s.max_files, 5);
    EXPECT_EQ(s.level, spdlog::level::warn);
    c.log_level = "debug";
    EXPECT_EQ(log_settings(c).level, spdlog::level::debug);
}

TEST(Logging, FileRotatesBySizeKeepingMaxFiles) {
    test::TempDir dir;
    LogSettings s;
    s.file = dir.path() / "flowd.log";
    s.max_bytes = 2000;
    s.max_files = 2;
    s.level = spdlog::level::info;
    auto logger = make_daemon_logger(s, false);
    logger->debug("below the level");
    for (int i = 0; i < 200; ++i) logger->info("line {} of the rotation test", i);
    logger->flush();

    EXPECT_TRUE(std::filesystem::exists(dir.path() / "flowd.log"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "flowd.1.log"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "flowd.2.log"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "flowd.3.log"));
    for (const char* name : {"flowd.log", "flowd.1.log", "flowd.2.log"}) {
        EXPECT_LE(std::filesystem::file_size(dir.path() / name), 2000u) << name;
    }
    auto current = slurp(dir.path() / "flowd.log");
    EXPECT_NE(current.find("[info] line 199 of the rotation test"), std::string::npos) << current;
    EXPECT_EQ(current.find("below the level"), std::string::npos);
}

TEST(Signals, WaitReturnsABlockedSignalSentToThisThread) {
    sigset_t old;
    pthread_sigmask(SIG_SETMASK, nullptr, &old);
    block_daemon_signals();
    // Thread-directed, so that no other thread of the test process can take it.
    ASSERT_EQ(pthread_kill(pthread_self(), SIGHUP), 0);
    EXPECT_EQ(wait_for_daemon_signal(), SIGHUP);
    ASSERT_EQ(pthread_kill(pthread_self(), SIGTERM), 0);
    EXPECT_EQ(wait_for_daemon_signal(), SIGTERM);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST(ConfigJson, KeysAsInTheConfigFile) {
    config::Config c;
    c.state_dir = "/s";
    c.socket_path = "/r/flowd.sock";
    c.drain_grace = 90s;
    c.token = "secret";
    auto j = config_json(c);
    EXPECT_EQ(j["state_dir"], "/s");
    EXPECT_EQ(j["socket"], "/r/flowd.sock");
    EXPECT_EQ(j["drain_grace"], "1m30s");
    EXPECT_EQ(j["retention"]["max_age"], "30d");
    EXPECT_EQ(j["retention"]["max_executions"], 10000);
    EXPECT_EQ(j["max_body"], 1u << 20);
    EXPECT_EQ(j["config_file"], nullptr);
    EXPECT_EQ(j["token"], "(set)") << "the secret is never printed";
}

TEST(FlowEvents, ChangesBecomeStreamEvents) {
    FlowEntry entry;
    entry.name = "backup";
    entry.path = "/f/backup.yaml";
    entry.version_id = 3;
    auto loaded = flow_event_json(entry, FlowChange::added);
    ASSERT_TRUE(loaded);
    EXPECT_EQ((*loaded)["type"], "flow_loaded");
    EXPECT_EQ((*loaded)["flow"], "backup");
    EXPECT_EQ((*loaded)["execution_id"], nullptr);
    EXPECT_TRUE(loaded->contains("duration_ms"));
    EXPECT_EQ((*flow_event_json(entry, FlowChange::updated))["type"], "flow_loaded");
    EXPECT_EQ((*flow_event_json(entry, FlowChange::removed))["type"], "flow_removed");
    EXPECT_FALSE(flow_event_json(entry, FlowChange::disabled));

    entry.errors.push_back({"/f/backup.yaml", 4, 3, util::Severity::error, "unknown key 'stpes'"});
    auto invalid = flow_event_json(entry, FlowChange::invalid);
    ASSERT_TRUE(invalid);
    EXPECT_EQ((*invalid)["type"], "flow_invalid");
    EXPECT_EQ((*invalid)["message"], "/f/backup.yaml:4:3: error: unknown key 'stpes'");
}

store::ExecutionRecord finished_execution(const std::string& id, int64_t at_ms) {
    store::ExecutionRecord e;
    e.id = id;
    e.flow_name = "old";
    e.flow_path = "/f/old.yaml";
    e.def_hash = "h";
    e.status = "succeeded";
    e.created_ms = at_ms;
    e.started_ms = at_ms;
    e.finished_ms = at_ms + 10;
    e.duration_ms = 10;
    return e;
}

TEST(GcTimer, CollectsSoonAfterStartWithTheConfiguredRetention) {
    test::TempDir dir;
    Stores stores(dir.path());
    auto now = util::now_ms();
    auto& store = stores.local();
    store.insert_execution(finished_execution("00000000000000old1", now - 10 * 86'400'000LL));
    store.insert_execution(finished_execution("00000000000000old2", now - 9 * 86'400'000LL));
    store.insert_execution(finished_execution("00000000000000new1", now - 60'000));

    config::Config c;
    c.retention_max_age = std::chrono::hours(24 * 7);
    c.retention_max_executions = 0;
    c.gc_interval = 1h;
    GcTimer timer(c, stores, 10ms);
    ASSERT_TRUE(eventually(5s, [&] { return timer.runs() == 1; }));
    timer.stop();

    store::HistoryFilter all;
    all.limit = 100;
    auto left = store.list_executions(all);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].id, "00000000000000new1");
}

TEST(GcTimer, IntervalZeroMeansNoTimer) {
    test::TempDir dir;
    Stores stores(dir.path());
    config::Config c;
    c.gc_interval = 0ms;
    GcTimer timer(c, stores, 1ms);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(timer.runs(), 0u);
}

std::string unix_get(const std::filesystem::path& socket, const std::string& target) {
    return unix_http::unix_exchange(socket, "GET", target);
}

TEST(Daemon, StartsServesAndStopsInProcess) {
    DefaultLoggerGuard logger_guard;
    test::TempDir dir;
    test::TempDir socket_dir;  // short: sun_path holds 108 bytes
    config::Config c;
    c.state_dir = dir.path() / "state";
    c.flows_dir = dir.path() / "flows";
    c.socket_path = socket_dir.path() / "run" / "flowd.sock";
    c.listen = "127.0.0.1:0";
    c.drain_grace = 2s;
    c.log_level = "debug";
    dir.write("flows/hello.yaml", "name: hello\nsteps:\n  - id: a\n    run: echo hi\n");
    dir.write("flows/broken.yaml", "name: broken\nstpes: []\n");

    Daemon flowd(c);
    flowd.start();
    EXPECT_EQ(slurp(c.state_dir / "flowd.lock"), std::to_string(::getpid()) + "\n");
    ASSERT_GT(flowd.tcp_port(), 0);

    auto health = unix_get(c.socket_path, "/api/v1/health");
    EXPECT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
    EXPECT_NE(health.find("\"status\":\"ok\""), std::string::npos) << health;

    httplib::Client tcp("127.0.0.1", flowd.tcp_port());
    auto unauthorized = tcp.Get("/api/v1/flows");
    ASSERT_TRUE(unauthorized);
    EXPECT_EQ(unauthorized->status, 401);

    // The same state directory cannot be served twice.
    Daemon second(c);
    EXPECT_THROW(second.start(), AlreadyRunning);

    flowd.shutdown("test");
    EXPECT_FALSE(std::filesystem::exists(c.socket_path));
    EXPECT_LT(connect_unix(c.socket_path), 0);

    spdlog::default_logger()->flush();
    auto log = slurp(c.state_dir / "flowd.log");
    EXPECT_NE(log.find("flowd ready on " + c.socket_path.string()), std::string::npos) << log;
    EXPECT_NE(log.find("broken.yaml"), std::string::npos) << "an invalid flow file is reported: " << log;
    EXPECT_NE(log.find("GET /api/v1/health 200"), std::string::npos) << "requests are logged at debug: " << log;
    EXPECT_NE(log.find("flowd stopped"), std::string::npos) << log;
}

}  // namespace
}  // namespace flowctl::daemon
