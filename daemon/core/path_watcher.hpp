#pragma once
// The watch trigger's watcher: the files that a set of globs names, followed with inotify
// (recursively where the globs reach below their base directory) and reported in debounced
// batches, one net change per path.
//
// What is reported (a "file" is anything but a directory; directories are only followed):
//   create  the path did not exist before the batch and does now (a file moved in from outside
//           the watched tree, or an editor's temp file renamed into place, is a create too)
//   modify  it existed before and still does: written, touched, or replaced by a rename (an
//           editor's atomic save, vim's rename-away-and-rewrite); each path once per batch
//   delete  it existed before and is gone
//   move    a known file renamed: its old name (also when it moved out of the watched tree), and
//           its new name when that did not exist before
// A file created and removed within one batch (a temp file) is not reported. When `move` is not
// in `events`, an old name is reported as `delete` and a new name as `create` if those are
// wanted: the path still disappeared or appeared. A batch with nothing left is not delivered.
//
// A directory deleted or moved away takes its remembered files with it (delete, or move). A
// glob's base directory that is missing is looked for every missing_dir_poll; when it is back,
// and after the kernel's event queue overflowed, the files are compared with the remembered
// ones (mtime and size) and every difference is reported: nothing is lost silently.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/json.hpp"

namespace flowctl::daemon {

struct WatchSpec {
    /// Absolute globs (see glob_match.hpp and resolve_glob). A glob without glob characters that
    /// names an existing directory, or any path ending in '/', means the files in that directory.
    std::vector<std::string> paths;
    /// Also look in every subdirectory: `/src/*.cpp` is then matched as `/src/**/*.cpp`.
    bool recursive = false;
    std::set<std::string> events = {"create", "modify", "delete", "move"};
    /// Paths never reported nor descended into. An absolute glob is matched against a path and
    /// each of its directories; a bare pattern without '/' ("*.swp", ".git", "node_modules")
    /// against each component below the watched directory.
    std::vector<std::string> ignore;
    std::chrono::milliseconds debounce{500};
    /// Files remembered (path -> mtime and size) to tell create from modify and to find what
    /// changed after an overflow; beyond it, see ChangeBatch::over_capacity.
    std::size_t max_known_files = 100000;
};

struct PathChange {
    std::string path;
    std::string event;  // create | modify | delete | move
    bool operator==(const PathChange&) const = default;
};

struct ChangeBatch {
    std::vector<PathChange> changes;  // each path once, in the order of its first change
    /// Part of the batch came from looking at the files again after the event queue
    /// overflowed or a watched directory reappeared (rather than from single events).
    bool rescanned = false;
    /// More files matched than max_known_files: create and modify are told apart by the
    /// events alone, and a rescan reports the files not remembered as created again.
    bool over_capacity = false;
};

/// A watch trigger's settings (as checked by the flow loader) as a WatchSpec; relative globs are
/// relative to `flow_dir`, and "~/" is $HOME. Bare ignore patterns (no '/') are kept as written.
WatchSpec watch_spec_from_trigger(const json& settings, const std::filesystem::path& flow_dir);

class PathWatcher {
public:
    PathWatcher(WatchSpec spec, std::function<void(ChangeBatch)> on_batch);
    ~PathWatcher();  // stop()
    PathWatcher(const PathWatcher&) = delete;
    PathWatcher& operator=(const PathWatcher&) = delete;

    /// Watches and remembers the current files (not reported), then starts the thread. Changes
    /// made after it returns are seen. Throws std::system_error when inotify is unavailable.
    void start();
    /// Wakes the thread and joins it: returns promptly, a batch still in its debounce is
    /// dropped, and no on_batch runs after it returns. Not to be called from on_batch.
    void stop();
    bool running() const { return m_running.load(); }

    /// While held, the thread reads no events (they queue in the kernel, which may overflow and
    /// then forces a rescan) and delivers nothing. For tests of the overflow path.
    void hold_reading(bool held);

    /// While a watched base directory is missing it is looked for this often.
    static constexpr std::chrono::milliseconds missing_dir_poll{200};
    /// A batch is delivered once no change came for `debounce`, and at the latest this many
    /// debounce periods after its first change (a file written continuously is still seen).
    static constexpr int max_wait_factor = 10;

private:
    class Tree;  // the inotify fd, the watched directories, the known files and the open batch

    void run();
    void wake();

    WatchSpec m_spec;
    std::function<void(ChangeBatch)> m_on_batch;
    std::unique_ptr<Tree> m_tree;
    int m_wake_fd = -1;  // eventfd: stop() and hold_reading() write it to end poll()
    std::thread m_thread;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_held{false};
};

}  // namespace flowctl::daemon
