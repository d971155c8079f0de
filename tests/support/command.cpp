#include "support/command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"

extern char** environ;

namespace flowctl::test {

namespace {
std::string temp_path(const char* tag) {
    std::string p = (std::filesystem::temp_directory_path() / (std::string("flowctl-cmd-") + tag + "-XXXXXX")).string();
    int fd = ::mkstemp(p.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    return p;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const std::string& cwd,
            const std::string& out, const std::string& err) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        int o = ::open(out.c_str(), O_WRONLY | O_TRUNC);
        int e = ::open(err.c_str(), O_WRONLY | O_TRUNC);
        int n = ::open("/dev/null", O_RDONLY);
        ::dup2(n, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

void fill_status(CommandResult& r, int status) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
}
}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& cwd) {
    std::string out = temp_path("out"), err = temp_path("err");
    auto start = std::chrono::steady_clock::now();
    pid_t pid = spawn(argv, env, cwd, out, err);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CommandResult r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fill_status(r, status);
    r.out = read_file(out);
    r.err = read_file(err);
    ::unlink(out.c_str());
    ::unlink(err.c_str());
    return r;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env)
    : m_out_path(temp_path("out")), m_err_path(temp_path("err")) {
    m_pid = spawn(argv, env, "", m_out_path, m_err_path);
}

BackgroundCommand::~BackgroundCommand() {
    if (!m_waited && m_pid > 0) {
        ::kill(-m_pid, SIGKILL);
        int status;
        ::waitpid(m_pid, &status, 0);
    }
    ::unlink(m_out_path.c_str());
    ::unlink(m_err_path.c_str());
}

void BackgroundCommand::signal(int sig) const { ::kill(m_pid, sig); }

CommandResult BackgroundCommand::wait() {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_waited = true;
    CommandResult r;
    fill_status(r, status);
    r.out = read_file(m_out_path);
    r.err = read_file(m_err_path);
    return r;
}

std::string BackgroundCommand::output() const { return read_file(m_out_path) + read_file(m_err_path); }

bool BackgroundCommand::wait_for_output(const std::string& text, double timeout_seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (output().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

bool process_alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return false;
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = content.rfind(')');
    return close != std::string::npos && close + 2 < content.size() && content[close + 2] != 'Z';
}

}  // namespace flowctl::test
