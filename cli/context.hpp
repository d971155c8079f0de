#pragma once
#include <memory>
#include <stdexcept>
#include <string>

#include "store/store.hpp"

namespace flowctl::cli {

/// Options every command shares, and the history store opened on first use.
struct Context {
    std::string state_dir;         // --state-dir; empty: FLOWCTL_STATE_DIR / XDG default
    std::string output = "table";  // -o table|json
    bool no_color = false;
    bool quiet = false;  // -q: ids only

    /// Opens the history (and turns executions whose process died into `interrupted`).
    store::Store& store();
    bool json_output() const { return output == "json"; }

private:
    std::unique_ptr<store::Store> m_store;
};

/// An error a command reports to the user with a given exit code ("flowctl: <message>").
struct CommandError : std::runtime_error {
    CommandError(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
    int exit_code;
};

}  // namespace flowctl::cli
