#pragma once
// The flows directory is the source of truth: every *.yaml / *.yml directly in it is a flow,
// named by its `name:` key. Files are reloaded within a second of a save (inotify, debounced);
// an invalid edit keeps the last good version and is reported. Each distinct content becomes a
// recorded version in SQLite. Enabled/disabled is kept in SQLite by flow name.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/stores.hpp"
#include "flow/model.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::daemon {

struct FlowEntry {
    std::string name;
    std::filesystem::path path;
    std::shared_ptr<const flow::Flow> flow;  // the last good version; null when never valid
    int64_t version_id = 0;                  // of `flow`
    std::string hash;                        // of `flow`
    /// Problems of the file as it is now (FILE:LINE:COL diagnostics); empty when it loaded.
    /// Non-empty with a non-null `flow` means an edit broke it and the previous version stays live.
    std::vector<util::Diagnostic> errors;
    std::vector<util::Diagnostic> warnings;
    bool enabled = true;
    int64_t loaded_ms = 0;    // when `flow` was loaded
    int64_t modified_ms = 0;  // the file's mtime
    /// "ok" | "invalid" (broken edit, previous version live) | "broken" (never valid) | "disabled"
    std::string status() const;
};

enum class FlowChange { added, updated, invalid, removed, enabled, disabled };

struct ApplyResult {
    bool created = false;  // false: an existing flow was updated (or unchanged)
    bool changed = false;  // false: the same content was already there
    FlowEntry entry;
};

class FlowRegistry {
public:
    FlowRegistry(std::filesystem::path dir, Stores& stores);
    ~FlowRegistry();  // stops watching

    /// Creates the directory (0700) if missing and loads every file in it.
    void load_all();
    /// Starts the inotify watcher thread (debounce `debounce`); edits are applied on it.
    void start_watching(std::chrono::milliseconds debounce = std::chrono::milliseconds(150));
    void stop_watching();
    /// Rescans the whole directory now (SIGHUP, or after an inotify queue overflow).
    void reload();

    std::vector<FlowEntry> list() const;  // sorted by name
    std::optional<FlowEntry> get(std::string_view name) const;

    /// Validates `yaml_text` (diagnostics carry `display_name` as the file) and, when valid,
    /// writes it atomically (temp file + rename) as DIR/<name>.yaml, or over the file that already
    /// holds the flow of that name. Invalid: throws ApiError 422 with details.diagnostics
    /// [{file,line,col,severity,message}] and writes nothing.
    ApplyResult apply(std::string_view yaml_text, const std::string& display_name = "<request>");
    /// Removes the flow's file; false when no such flow.
    bool remove(std::string_view name);
    /// Persists the state; false when no such flow.
    bool set_enabled(std::string_view name, bool enabled);

    /// Called after each change, on the thread that made it (watcher or API).
    void on_change(std::function<void(const FlowEntry&, FlowChange)> callback);

    const std::filesystem::path& dir() const { return m_dir; }
    bool watching() const;
    uint64_t reloads() const;  // files (re)loaded since start, for /metrics

private:
    struct Impl;
    std::filesystem::path m_dir;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace flowctl::daemon
