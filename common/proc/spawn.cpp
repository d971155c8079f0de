#include "proc/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "proc/child_registry.hpp"

namespace flowctl::proc {
namespace {

// What execvp uses when PATH is unset.
constexpr const char* default_path = "/bin:/usr/bin";

enum class Probe { missing, not_executable, ok };

Probe probe_executable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Probe::missing;
    if (!S_ISREG(st.st_mode)) return Probe::not_executable;
    return ::access(path.c_str(), X_OK) == 0 ? Probe::ok : Probe::not_executable;
}

std::string absolute_in(const std::string& cwd, const std::string& path) {
    std::filesystem::path p = path;
    if (p.is_absolute()) return path;
    std::error_code ec;
    std::filesystem::path base = cwd.empty() ? std::filesystem::current_path(ec) : std::filesystem::path(cwd);
    if (!base.is_absolute()) base = std::filesystem::absolute(base, ec);
    return (base / p).string();
}

std::string check_cwd(const std::string& cwd) {
    struct stat st {};
    if (::stat(cwd.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return "no such directory: " + cwd;
        return "cannot use directory " + cwd + ": " + std::strerror(errno);
    }
    if (!S_ISDIR(st.st_mode)) return "not a directory: " + cwd;
    if (::access(cwd.c_str(), X_OK) != 0) return "permission denied: " + cwd;
    return "";
}

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = UniqueFd(fds[0]);
    write_end = UniqueFd(fds[1]);
    return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// posix_spawn's C objects, destroyed on every path.
struct SpawnObjects {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    SpawnObjects() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnObjects() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnObjects(const SpawnObjects&) = delete;
    SpawnObjects& operator=(const SpawnObjects&) = delete;
};

}  // namespace

std::string find_program(const std::string& name, const std::map<std::string, std::string>& env, const std::string& cwd,
                         std::string& error) {
    if (name.empty()) {
        error = "empty command";
        return "";
    }
    if (name.find('/') != std::string::npos) {
        std::string path = absolute_in(cwd, name);
        switch (probe_executable(path)) {
            case Probe::ok:
                return path;
            case Probe::missing:
                error = "no such file: " + name;
                return "";
            case Probe::not_executable:
                error = "permission denied: " + name;
                return "";
        }
    }
    auto it = env.find("PATH");
    std::string_view search = it != env.end() ? std::string_view(it->second) : std::string_view(default_path);
    bool saw_denied = false;
    while (true) {
        size_t colon = search.find(':');
        std::string_view dir = search.substr(0, colon);
        // An empty PATH entry means the current directory, as for execvp.
        std::string candidate = absolute_in(cwd, (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name);
        Probe p = probe_executable(candidate);
        if (p == Probe::ok) return candidate;
        if (p == Probe::not_executable) saw_denied = true;
        if (colon == std::string_view::npos) break;
        search.remove_prefix(colon + 1);
    }
    error = (saw_denied ? "permission denied: " : "command not found: ") + name;
    return "";
}

std::string spawn_child(const SpawnSpec& spec, SpawnedChild& child) {
    if (spec.argv.empty()) return "empty command";
    if (!spec.cwd.empty())
        if (std::string err = check_cwd(spec.cwd); !err.empty()) return err;
    std::string error;
    std::string program = find_program(spec.argv[0], spec.env, spec.cwd, error);
    if (program.empty()) return error;

    UniqueFd out_r, out_w, err_r, err_w, in_r, in_w;
    if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || (spec.stdin_data && !make_pipe(in_r, in_w)))
        return std::string("cannot create pipes: ") + std::strerror(errno);

    SpawnObjects so;
    if (spec.stdin_data)
        posix_spawn_file_actions_adddup2(&so.actions, in_r.get(), 0);
    else
        posix_spawn_file_actions_addopen(&so.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&so.actions, out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&so.actions, err_w.get(), 2);
    if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&so.actions, spec.cwd.c_str());
    // Descriptors some library opened without O_CLOEXEC must not leak into steps.
    posix_spawn_file_actions_addclosefrom_np(&so.actions, 3);

    // Own process group so the whole tree can be signalled; default signal dispositions and an
    // empty mask, because the parent may ignore SIGPIPE/SIGINT or block signals in this thread.
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setflags(&so.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&so.attr, 0);
    posix_spawnattr_setsigdefault(&so.attr, &all);
    posix_spawnattr_setsigmask(&so.attr, &none);

    std::vector<std::string> env_strings;
    env_strings.reserve(spec.env.size());
    for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    envp.reserve(env_strings.size() + 1);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    argv.reserve(spec.argv.size() + 1);
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    pid_t pid = -1;
    int rc;
    {
        // Registered before the orphan reaper can see it (see child_registry.hpp).
        std::lock_guard lock(child_registry_mutex());
        rc = ::posix_spawn(&pid, program.c_str(), &so.actions, &so.attr, argv.data(), envp.data());
        if (rc == 0) register_child_locked(pid);
    }
    if (rc != 0) return "cannot run " + spec.argv[0] + ": " + std::strerror(rc);
    child.pid = pid;
    set_nonblocking(out_r.get());
    set_nonblocking(err_r.get());
    child.out = std::move(out_r);
    child.err = std::move(err_r);
    if (spec.stdin_data) {
        set_nonblocking(in_w.get());
        child.in = std::move(in_w);
    }
    return "";  // the child's ends are closed here, so EOF arrives when the child exits
}

}  // namespace flowctl::proc
