#pragma once
// Running the built binaries from integration tests.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace flowctl::test {

struct CommandResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;
    std::string out;
    std::string err;
    double seconds = 0;
};

/// Runs argv to completion with extra environment variables, capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                          const std::string& cwd = "");

/// A process started in the background (its own process group), output to files.
class BackgroundCommand {
public:
    BackgroundCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
    ~BackgroundCommand();
    pid_t pid() const { return m_pid; }
    void signal(int sig) const;
    /// Waits for the exit; returns the result with captured output.
    CommandResult wait();
    /// Polls stdout+stderr until text appears (true) or the timeout passes (false).
    bool wait_for_output(const std::string& text, double timeout_seconds) const;
    std::string output() const;

private:
    pid_t m_pid = -1;
    std::string m_out_path, m_err_path;
    bool m_waited = false;
};

/// True when a process with this pid exists (and is not a zombie).
bool process_alive(pid_t pid);

}  // namespace flowctl::test
