#pragma once
// Runs a real flowd on a temp socket, state dir and flows dir, and drives it through the built
// flowctl, curl --unix-socket and cpp-httplib over TCP.
#include <gtest/gtest.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

namespace flowctl::test {

struct DaemonReply {
    int status = 0;
    json body;
    std::string text;
};

class DaemonTest : public ::testing::Test {
protected:
    TempDir dir;
    std::unique_ptr<BackgroundCommand> daemon;

    std::filesystem::path state_dir() const { return dir.path() / "state"; }
    std::filesystem::path flows_dir() const { return dir.path() / "flows"; }
    std::filesystem::path socket_path() const { return dir.path() / "run" / "flowd.sock"; }

    std::map<std::string, std::string> env() const {
        return {{"FLOWCTL_STATE_DIR", state_dir().string()},
                {"FLOWCTL_FLOWS_DIR", flows_dir().string()},
                {"FLOWCTL_SOCKET", socket_path().string()},
                {"FLOWCTL_FLOWD", FLOWD_EXE},
                {"XDG_CONFIG_HOME", (dir.path() / "config").string()},
                {"NO_COLOR", "1"},
                {"TMPDIR", dir.path().string()}};
    }

    void TearDown() override {
        if (daemon && process_alive(daemon->pid())) {
            daemon->signal(SIGKILL);
            daemon->wait();
        }
        kill_daemon_from_lock();  // one started by flowctl's autostart
    }

    /// Starts flowd in the foreground of a background process and waits until it accepts.
    void start_daemon(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {FLOWD_EXE};
        argv.insert(argv.end(), extra.begin(), extra.end());
        daemon = std::make_unique<BackgroundCommand>(argv, env());
        ASSERT_TRUE(wait_until_accepting(std::chrono::seconds(20))) << daemon->output();
    }

    bool socket_accepts() const {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::string p = socket_path().string();
        std::copy(p.begin(), p.end(), addr.sun_path);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    }
    bool wait_until_accepting(std::chrono::milliseconds timeout) const {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (socket_accepts()) return true;
            if (daemon && !process_alive(daemon->pid())) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    void kill_daemon_from_lock() const {
        std::ifstream lock(state_dir() / "flowd.lock");
        int pid = 0;
        if (lock >> pid && pid > 1 && process_alive(pid)) {
            ::kill(pid, SIGKILL);
            for (int i = 0; i < 200 && process_alive(pid); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    CommandResult flowctl(std::vector<std::string> args) const {
        args.insert(args.begin(), FLOWCTL_EXE);
        return run_command(args, env());
    }
    json flowctl_json(std::vector<std::string> args) const {
        args.push_back("-o");
        args.push_back("json");
        auto r = flowctl(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        try {
            return json::parse(r.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not JSON: " << r.out << " (" << e.what() << ")";
            return nullptr;
        }
    }

    /// An HTTP request over the Unix socket with curl.
    DaemonReply unix_request(const std::string& method, const std::string& path, const std::string& body = "") const {
        std::vector<std::string> argv = {
            "curl", "-s", "-S", "-X", method, "--unix-socket", socket_path().string(), "-w", "\n%{http_code}"};
        if (!body.empty()) {
            argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
        }
        argv.push_back("http://localhost" + path);
        auto r = run_command(argv);
        DaemonReply reply;
        auto nl = r.out.rfind('\n');
        if (nl == std::string::npos) return reply;
        reply.status = std::atoi(r.out.c_str() + nl + 1);
        reply.text = r.out.substr(0, nl);
        reply.body = json::parse(reply.text, nullptr, false);
        return reply;
    }

    std::filesystem::path write_flow(const std::string& file, const std::string& yaml) const {
        return dir.write("flows/" + file, yaml);
    }

    /// Polls fn until it returns true or the timeout passes.
    template <typename Fn>
    static bool eventually(std::chrono::milliseconds timeout, Fn fn) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        do {
            if (fn()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } while (std::chrono::steady_clock::now() < deadline);
        return fn();
    }

    static int free_tcp_port() {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        int port = ntohs(addr.sin_port);
        ::close(fd);
        return port;
    }
};

}  // namespace flowctl::test
