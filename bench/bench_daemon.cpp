// Daemon benchmarks, each next to a baseline measured in the same run:
//   1. `flowctl list` as a whole process (start, connect to flowd's socket, GET, print, exit)
//      against a /bin/true process spawned the same way (goal: median <= 1.5x);
//   2. API latency under a fixed 1,000 req/s open-loop load on loopback TCP (goal: p99 <= 2 ms),
//      latency counted from each request's scheduled time so a stall is not hidden; and wrk's
//      closed-loop throughput when wrk is installed;
//   3. flowd's resident memory, idle, with 100 flows loaded (goal: <= 15 MiB).
// Usage: bench_daemon [ROUNDS] [LOAD_SECONDS]
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace flowctl;

pid_t spawn(const std::vector<std::string>& args, bool quiet) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
        std::perror(argv[0]);
        std::exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

int spawn_and_wait(const std::vector<std::string>& args) {
    int status = 0;
    waitpid(spawn(args, true), &status, 0);
    return status;
}

std::string capture(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

bool socket_accepts(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
}

/// Open-loop load: `threads` keep-alive connections, together `rate` requests/s for `seconds`.
/// Returns latencies in ms, measured from each request's scheduled send time.
std::vector<double> fixed_rate_load(int port, const std::string& token, const std::string& path, int rate,
                                    double seconds, int threads, std::atomic<int>& errors) {
    std::vector<std::vector<double>> per_thread(threads);
    std::vector<std::thread> workers;
    auto start = Clock::now() + std::chrono::milliseconds(50);
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            httplib::Client client("127.0.0.1", port);
            client.set_keep_alive(true);
            client.set_tcp_nodelay(true);
            httplib::Headers headers = {{"X-API-Key", token}};
            auto interval = std::chrono::duration<double>(static_cast<double>(threads) / rate);
            int n = static_cast<int>(seconds * rate / threads);
            for (int i = 0; i < n; ++i) {
                auto due = start + std::chrono::duration_cast<Clock::duration>(interval * i) +
                           std::chrono::duration_cast<Clock::duration>(interval * t / threads);
                std::this_thread::sleep_until(due);
                auto res = client.Get(path.c_str(), headers);
                if (!res || res->status != 200) errors++;
                per_thread[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
            }
        });
    for (auto& w : workers) w.join();
    std::vector<double> all;
    for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
    return all;
}

std::string flow_yaml(int i) {
    return "name: flow-" + std::to_string(i) + "\ndescription: benchmark flow " + std::to_string(i) +
           "\ntags: [bench]\ninputs:\n  n: {type: number, default: 1}\nsteps:\n  - id: a\n    run: echo ${{ inputs.n "
           "}}\n  - id: b\n    needs: [a]\n    log: done\n";
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    double load_seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
    char tmpl[] = "/tmp/flowd-bench-XXXXXX";
    fs::path root = mkdtemp(tmpl);
    fs::create_directories(root / "flows");
    for (int i = 0; i < 100; ++i)
        std::ofstream(root / "flows" / ("flow-" + std::to_string(i) + ".yaml")) << flow_yaml(i);
    std::string socket = (root / "run" / "flowd.sock").string();
    setenv("FLOWCTL_STATE_DIR", (root / "state").c_str(), 1);
    setenv("FLOWCTL_FLOWS_DIR", (root / "flows").c_str(), 1);
    setenv("FLOWCTL_SOCKET", socket.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (root / "config").c_str(), 1);  // no config file
    setenv("FLOWCTL_AUTOSTART", "0", 1);
    setenv("NO_COLOR", "1", 1);
    int port = free_port();
    std::string listen = "127.0.0.1:" + std::to_string(port);
    pid_t flowd = spawn({FLOWD_EXE, "--listen", listen, "--log-level", "warn"}, true);
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (!socket_accepts(socket) && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!socket_accepts(socket)) {
        std::fprintf(stderr, "flowd did not start\n");
        kill(flowd, SIGKILL);
        return 1;
    }
    std::printf("flowd benchmarks: medians of %d rounds, 100 flows loaded\n\n", rounds);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    long idle_kib = rss_kib(flowd);  // before any request: what an idle daemon holds

    // 1. flowctl list round trip vs /bin/true, alternating so both see the same machine state.
    {
        const int n = 200;
        std::vector<std::string> list = {FLOWCTL_EXE, "list", "-q", "--limit", "10"};
        std::vector<std::string> tru = {"/bin/true"};
        if (spawn_and_wait(list) != 0) std::fprintf(stderr, "flowctl list failed\n");
        std::vector<double> a, b;
        for (int r = 0; r < rounds; ++r) {
            a.push_back(bench::seconds([&] {
                            for (int i = 0; i < n; ++i) spawn_and_wait(list);
                        }) /
                        n);
            b.push_back(bench::seconds([&] {
                            for (int i = 0; i < n; ++i) spawn_and_wait(tru);
                        }) /
                        n);
        }
        double list_ms = percentile(a, 0.5) * 1e3, true_ms = percentile(b, 0.5) * 1e3;
        std::printf("flowctl list (socket round trip) process  %8.3f ms   /bin/true process %8.3f ms   ratio %.2f\n",
                    list_ms, true_ms, list_ms / true_ms);
    }

    // 2. Latency at 1,000 req/s.
    std::string token = capture(std::string(FLOWCTL_EXE) + " token create bench --scope read 2>/dev/null");
    token = token.substr(0, token.find_first_of("\r\n"));
    for (const std::string path : {"/api/v1/health", "/api/v1/flows?limit=10"}) {
        std::atomic<int> errors{0};
        auto lat = fixed_rate_load(port, token, path, 1000, load_seconds, 4, errors);
        std::printf("GET %-24s 1000 req/s x %.0f s: p50 %.3f ms  p99 %.3f ms  max %.3f ms  errors %d\n", path.c_str(),
                    load_seconds, percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1.0), errors.load());
    }
    if (std::system("command -v wrk >/dev/null 2>&1") == 0) {
        std::string cmd = "wrk -t2 -c8 -d" + std::to_string(static_cast<int>(load_seconds)) +
                          "s --latency -H 'X-API-Key: " + token + "' http://" + listen +
                          "/api/v1/health | grep -E 'Requests/sec|  99%|  50%'";
        std::printf("wrk closed loop, 8 connections, GET /api/v1/health:\n%s", capture(cmd).c_str());
    }

    // 3. Memory with 100 flows: idle after start, and after the load above.
    std::printf("flowd RSS idle, 100 flows loaded  %8.1f MiB (goal <= 15 MiB); after the load %.1f MiB\n",
                static_cast<double>(idle_kib) / 1024.0, static_cast<double>(rss_kib(flowd)) / 1024.0);

    kill(flowd, SIGTERM);
    int status;
    waitpid(flowd, &status, 0);
    std::error_code ec;
    fs::remove_all(root, ec);
    return 0;
}
