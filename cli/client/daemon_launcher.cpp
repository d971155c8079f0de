#include "client/daemon_launcher.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "client/endpoint.hpp"

extern char** environ;

namespace flowctl::cli::client {

namespace {
bool executable(const std::filesystem::path& p) { return ::access(p.c_str(), X_OK) == 0; }
}  // namespace

std::filesystem::path find_flowd() {
    if (const char* env = std::getenv("FLOWCTL_FLOWD"); env && *env) return env;
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        std::filesystem::path dir = std::filesystem::path(self).parent_path();
        // Installed side by side, or in a build tree (build/cli/flowctl, build/daemon/flowd).
        for (const auto& candidate : {dir / "flowd", dir.parent_path() / "daemon" / "flowd"})
            if (executable(candidate)) return candidate;
    }
    if (const char* path = std::getenv("PATH")) {
        std::string_view rest(path);
        while (!rest.empty()) {
            auto colon = rest.find(':');
            std::string_view dir = rest.substr(0, colon);
            if (!dir.empty() && executable(std::filesystem::path(dir) / "flowd"))
                return std::filesystem::path(dir) / "flowd";
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    return {};
}

LaunchResult launch_flowd(const std::filesystem::path& flowd, const std::vector<std::string>& args,
                          const std::filesystem::path& socket, std::chrono::milliseconds wait) {
    std::vector<std::string> argv_storage{flowd.string()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own session: the terminal's Ctrl-C and hang-up never reach it. Default signal
    // dispositions and an empty mask, whatever this process had set.
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, flowd.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot start " + flowd.string() + ": " + std::strerror(rc));

    LaunchResult result;
    result.pid = pid;
    auto deadline = std::chrono::steady_clock::now() + wait;
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
        if (unix_socket_accepting(socket)) {
            result.ready = true;
            break;
        }
        if (result.exit_status < 0) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) result.exit_status = status;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    return result;
}

bool wait_until_gone(const std::filesystem::path& socket, std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (unix_socket_accepting(socket)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace flowctl::cli::client
