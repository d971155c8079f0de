// The watch trigger's watcher against real inotify in temp dirs: editors' saves, bursts, new
// subdirectories, ignore globs and the events filter, renames, a base directory that goes away
// and comes back, a real queue overflow, and a prompt stop.
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/path_watcher.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl::daemon;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using flowctl::json;
using flowctl::test::TempDir;

namespace {

void write(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

/// Collects the batches, from the watcher's thread.
class Batches {
public:
    std::function<void(ChangeBatch)> sink() {
        return [this](ChangeBatch batch) {
            {
                std::lock_guard lock(m_mutex);
                m_batches.push_back(std::move(batch));
            }
            m_changed.notify_all();
        };
    }

    /// Waits until `count` batches arrived; false on timeout.
    bool wait_for(size_t count, std::chrono::milliseconds limit = 5000ms) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, limit, [&] { return m_batches.size() >= count; });
    }

    /// Waits until every path in `paths` was reported (in any batch).
    bool wait_for_paths(const std::vector<std::string>& paths, std::chrono::milliseconds limit = 10000ms) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, limit, [&] {
            auto seen = last_events_locked();
            return std::all_of(paths.begin(), paths.end(), [&](const auto& p) { return seen.contains(p); });
        });
    }

    std::vector<ChangeBatch> all() {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }

    /// Each reported path with the event it was last reported with.
    std::map<std::string, std::string> last_events() {
        std::lock_guard lock(m_mutex);
        return last_events_locked();
    }

private:
    std::map<std::string, std::string> last_events_locked() const {
        std::map<std::string, std::string> out;
        for (const auto& batch : m_batches)
            for (const auto& change : batch.changes) out[change.path] = change.event;
        return out;
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<ChangeBatch> m_batches;
};

/// Debounce long enough that a few file operations in a row stay in one batch on a busy machine.
WatchSpec spec_for(const std::string& glob, std::chrono::milliseconds debounce = 200ms) {
    WatchSpec spec;
    spec.paths = {glob};
    spec.debounce = debounce;
    return spec;
}

std::vector<PathChange> changes(std::initializer_list<std::pair<fs::path, std::string>> list) {
    std::vector<PathChange> out;
    for (const auto& [path, event] : list) out.push_back({path.string(), event});
    return out;
}

}  // namespace

namespace flowctl::daemon {
std::ostream& operator<<(std::ostream& os, const PathChange& c) { return os << c.event << " " << c.path; }
}  // namespace flowctl::daemon

TEST(PathWatcher, AtomicRenameSaveIsOneModify) {
    TempDir dir;
    auto target = dir.write("notes.txt", "v1");
    Batches batches;
    PathWatcher watcher(spec_for(dir.path().string() + "/*"), batches.sink());
    watcher.start();

    // The temp file matches the glob too, but never shows.
    auto tmp = dir.path() / ".notes.txt.swx123";
    write(tmp, "v2");
    fs::rename(tmp, target);

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(400ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, changes({{target, "modify"}}));
    EXPECT_FALSE(all[0].rescanned);
}

TEST(PathWatcher, VimStyleSaveIsOneModify) {
    TempDir dir;
    auto target = dir.write("main.c", "int x;");
    Batches batches;
    PathWatcher watcher(spec_for(dir.path().string() + "/*"), batches.sink());
    watcher.start();

    // vim with 'backupcopy=no': rename the original away, write the new file, drop the backup.
    auto backup = dir.path() / "main.c~";
    fs::rename(target, backup);
    write(target, "int y;");
    fs::remove(backup);

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(400ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, changes({{target, "modify"}}));
}

TEST(PathWatcher, WritesCoalesceAndTempFilesVanish) {
    TempDir dir;
    auto log = dir.write("app.log", "");
    Batches batches;
    PathWatcher watcher(spec_for(dir.path().string() + "/*"), batches.sink());
    watcher.start();

    for (int i = 0; i < 5; ++i) std::ofstream(log, std::ios::app) << "line " << i << "\n";
    auto fresh = dir.path() / "fresh.txt";
    write(fresh, "a");
    write(fresh, "b");  // created then written: still a create
    auto temp = dir.path() / "scratch.tmp";
    write(temp, "x");
    fs::remove(temp);  // created then deleted: nothing

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(300ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, changes({{log, "modify"}, {fresh, "create"}}));
}

TEST(PathWatcher, BurstOfThousandCreatesIsOneBatch) {
    TempDir dir;
    Batches batches;
    PathWatcher watcher(spec_for(dir.path().string() + "/*.dat", 300ms), batches.sink());
    watcher.start();

    std::vector<PathChange> expected;
    for (int i = 0; i < 1000; ++i) {
        auto path = dir.path() / ("file" + std::to_string(i) + ".dat");
        write(path, std::to_string(i));
        expected.push_back({path.string(), "create"});
    }

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(900ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, expected);  // each once, in the order they were made
}

TEST(PathWatcher, FilesInANewSubdirectoryAreAllReported) {
    TempDir dir;
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.recursive = true;
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    // Written right after mkdir: some before the new directory's watch exists.
    std::vector<std::string> expected;
    fs::create_directories(dir.path() / "sub" / "a" / "b");
    for (const char* rel : {"sub/one.txt", "sub/a/two.txt", "sub/a/b/three.txt"}) {
        write(dir.path() / rel, "x");
        expected.push_back((dir.path() / rel).string());
    }
    fs::create_directory(dir.path() / "later");
    for (int i = 0; i < 50; ++i) {
        auto path = dir.path() / "later" / ("f" + std::to_string(i) + ".txt");
        write(path, "x");
        expected.push_back(path.string());
    }
    write(dir.path() / "later" / "skip.bin", "x");

    ASSERT_TRUE(batches.wait_for_paths(expected));
    auto events = batches.last_events();
    EXPECT_EQ(events.size(), expected.size());
    for (const auto& path : expected) EXPECT_EQ(events[path], "create") << path;
}

TEST(PathWatcher, IgnoreGlobsAreNeitherReportedNorEntered) {
    TempDir dir;
    const std::string root = dir.path().string();
    auto spec = spec_for(root + "/**");
    spec.ignore = {"*.swp", "build", root + "/logs/**"};
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    fs::create_directories(dir.path() / "src");
    fs::create_directories(dir.path() / "build" / "obj");
    fs::create_directories(dir.path() / "logs");
    write(dir.path() / "a.txt", "x");
    write(dir.path() / ".a.txt.swp", "x");
    write(dir.path() / "build" / "obj" / "x.o", "x");
    write(dir.path() / "logs" / "y.log", "x");
    write(dir.path() / "src" / "z.c", "x");
    write(dir.path() / "src" / "z.c.swp", "x");

    ASSERT_TRUE(batches.wait_for_paths({root + "/a.txt", root + "/src/z.c"}));
    std::this_thread::sleep_for(300ms);
    auto events = batches.last_events();
    EXPECT_EQ(events, (std::map<std::string, std::string>{{root + "/a.txt", "create"}, {root + "/src/z.c", "create"}}));
}

TEST(PathWatcher, OnlyTheRequestedEventsAreReported) {
    TempDir dir;
    auto keep = dir.write("keep.txt", "1");
    auto gone = dir.write("gone.txt", "1");
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.events = {"delete"};
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    write(dir.path() / "new.txt", "1");
    write(keep, "2");
    fs::remove(gone);

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(300ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, changes({{gone, "delete"}}));

    // A batch with nothing wanted left is not delivered at all.
    write(keep, "3");
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(batches.all().size(), 1u);
}

TEST(PathWatcher, RenamesAreMoves) {
    TempDir dir;
    TempDir outside;
    auto watched = dir.path() / "w";
    fs::create_directory(watched);
    auto a = dir.write("w/a.txt", "a");
    auto b = dir.write("w/b.txt", "b");
    auto incoming = outside.write("in.txt", "i");
    Batches batches;
    PathWatcher watcher(spec_for(watched.string() + "/*.txt"), batches.sink());
    watcher.start();

    fs::rename(a, watched / "c.txt");         // within the tree
    fs::rename(b, outside.path() / "b.txt");  // out of it
    fs::rename(incoming, watched / "d.txt");  // into it

    ASSERT_TRUE(batches.wait_for(1));
    std::this_thread::sleep_for(300ms);
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes,
              changes({{a, "move"}, {watched / "c.txt", "move"}, {b, "move"}, {watched / "d.txt", "create"}}));
}

TEST(PathWatcher, WithoutMoveARenameIsADeleteAndACreate) {
    TempDir dir;
    TempDir outside;
    auto a = dir.write("a.txt", "a");
    auto b = dir.write("b.txt", "b");
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.events = {"create", "delete"};
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    fs::rename(a, dir.path() / "c.txt");
    fs::rename(b, outside.path() / "b.txt");

    ASSERT_TRUE(batches.wait_for(1));
    auto all = batches.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].changes, changes({{a, "delete"}, {dir.path() / "c.txt", "create"}, {b, "delete"}}));
}

TEST(PathWatcher, DirectoryRenamedWithinTheTree) {
    TempDir dir;
    auto old_file = dir.write("sub/x.txt", "x");
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.recursive = true;
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    fs::rename(dir.path() / "sub", dir.path() / "renamed");
    auto new_file = dir.path() / "renamed" / "x.txt";
    ASSERT_TRUE(batches.wait_for_paths({old_file.string(), new_file.string()}));
    EXPECT_EQ(batches.last_events()[old_file.string()], "move");
    EXPECT_EQ(batches.last_events()[new_file.string()], "create");

    // The renamed directory is watched under its new name.
    auto later = dir.path() / "renamed" / "later.txt";
    write(later, "y");
    ASSERT_TRUE(batches.wait_for_paths({later.string()}));
    EXPECT_EQ(batches.last_events()[later.string()], "create");
}

TEST(PathWatcher, SubdirectoryRemovedAndMadeAgain) {
    TempDir dir;
    auto a = dir.write("sub/a.txt", "a");
    auto b = dir.write("sub/deeper/b.txt", "b");
    auto spec = spec_for(dir.path().string() + "/**/*.txt");
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    fs::remove_all(dir.path() / "sub");
    ASSERT_TRUE(batches.wait_for(1));
    EXPECT_EQ(batches.last_events(),
              (std::map<std::string, std::string>{{a.string(), "delete"}, {b.string(), "delete"}}));

    auto again = dir.write("sub/deeper/again.txt", "x");
    ASSERT_TRUE(batches.wait_for_paths({again.string()}));
    EXPECT_EQ(batches.last_events()[again.string()], "create");
}

TEST(PathWatcher, BaseDirectoryDeletedAndRecreated) {
    TempDir dir;
    auto base = dir.path() / "inbox";
    auto old_file = dir.write("inbox/old.txt", "o");
    Batches batches;
    PathWatcher watcher(spec_for(base.string() + "/*.txt"), batches.sink());
    watcher.start();

    fs::remove_all(base);
    ASSERT_TRUE(batches.wait_for(1));
    EXPECT_EQ(batches.all()[0].changes, changes({{old_file, "delete"}}));

    // Back with a file already in it (renamed into place): only a rescan can find it.
    auto staging = dir.path() / "staging";
    fs::create_directory(staging);
    write(staging / "new.txt", "n");
    fs::rename(staging, base);
    ASSERT_TRUE(batches.wait_for(2));
    auto second = batches.all()[1];
    EXPECT_EQ(second.changes, changes({{base / "new.txt", "create"}}));
    EXPECT_TRUE(second.rescanned);

    // And watched again from then on.
    write(base / "newer.txt", "n");
    ASSERT_TRUE(batches.wait_for(3));
    EXPECT_EQ(batches.all()[2].changes, changes({{base / "newer.txt", "create"}}));
}

TEST(PathWatcher, BaseDirectoryMissingAtStart) {
    TempDir dir;
    auto base = dir.path() / "later";
    Batches batches;
    PathWatcher watcher(spec_for(base.string() + "/"), batches.sink());
    watcher.start();

    fs::create_directory(base);
    write(base / "a.txt", "a");
    ASSERT_TRUE(batches.wait_for_paths({(base / "a.txt").string()}));
    EXPECT_EQ(batches.last_events()[(base / "a.txt").string()], "create");
}

TEST(PathWatcher, QueueOverflowIsFollowedByARescan) {
    long max_queued = 0;
    std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_queued;
    if (max_queued <= 0 || max_queued > 100000) GTEST_SKIP() << "max_queued_events is " << max_queued;

    TempDir dir;
    auto changed = dir.write("changed.txt", "short");
    auto removed = dir.write("removed.txt", "x");
    auto untouched = dir.write("untouched.txt", "x");
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.recursive = true;
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();
    watcher.hold_reading(true);
    std::this_thread::sleep_for(50ms);

    // Each file makes at least two events (create, close): far more than the queue holds.
    std::vector<std::string> created;
    for (long i = 0; i < max_queued + 100; ++i) {
        auto path = dir.path() / ("f" + std::to_string(i) + ".txt");
        write(path, "x");
        created.push_back(path.string());
    }
    write(changed, "much longer than before");
    fs::remove(removed);
    fs::create_directory(dir.path() / "sub");  // its create event is lost too
    auto in_sub = dir.write("sub/in_sub.txt", "x");
    watcher.hold_reading(false);

    auto expected = created;
    expected.push_back(changed.string());
    expected.push_back(removed.string());
    expected.push_back(in_sub.string());
    ASSERT_TRUE(batches.wait_for_paths(expected, 30000ms));
    auto events = batches.last_events();
    for (const auto& path : created) ASSERT_EQ(events[path], "create") << path;
    EXPECT_EQ(events[changed.string()], "modify");
    EXPECT_EQ(events[removed.string()], "delete");
    EXPECT_FALSE(events.contains(untouched.string()));
    auto all = batches.all();
    EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const ChangeBatch& b) { return b.rescanned; }));

    // The directory made during the overflow is watched since the rescan.
    auto later = dir.write("sub/later.txt", "x");
    ASSERT_TRUE(batches.wait_for_paths({later.string()}));
    EXPECT_EQ(batches.last_events()[later.string()], "create");
}

TEST(PathWatcher, ContinuouslyWrittenFileIsStillReported) {
    TempDir dir;
    auto log = dir.write("busy.log", "");
    Batches batches;
    PathWatcher watcher(spec_for(log.string(), 100ms), batches.sink());
    watcher.start();

    // Never quiet for a whole debounce: the batch is due max_wait_factor debounces in.
    std::ofstream out(log, std::ios::app);
    auto until = std::chrono::steady_clock::now() + 2500ms;
    bool seen_while_writing = false;
    while (std::chrono::steady_clock::now() < until) {
        out << "tick\n" << std::flush;
        std::this_thread::sleep_for(20ms);
        if (!batches.all().empty()) {
            seen_while_writing = true;
            break;
        }
    }
    EXPECT_TRUE(seen_while_writing);
    EXPECT_EQ(batches.all().at(0).changes, changes({{log, "modify"}}));
}

TEST(PathWatcher, OverCapacityStillReportsDeletes) {
    TempDir dir;
    for (int i = 0; i < 10; ++i) dir.write("f" + std::to_string(i) + ".txt", "x");
    auto spec = spec_for(dir.path().string() + "/*.txt");
    spec.max_known_files = 4;
    Batches batches;
    PathWatcher watcher(spec, batches.sink());
    watcher.start();

    // A batch is delivered early once it holds max_known_files paths: maybe more than one here.
    std::vector<std::string> removed;
    for (int i = 0; i < 10; ++i) {
        removed.push_back((dir.path() / ("f" + std::to_string(i) + ".txt")).string());
        fs::remove(removed.back());
    }
    ASSERT_TRUE(batches.wait_for_paths(removed));
    EXPECT_TRUE(batches.all()[0].over_capacity);
    auto events = batches.last_events();
    EXPECT_EQ(events.size(), 10u);
    for (const auto& [path, event] : events) EXPECT_EQ(event, "delete") << path;
}

TEST(PathWatcher, StopIsPromptWithABatchPending) {
    TempDir dir;
    Batches batches;
    PathWatcher watcher(spec_for(dir.path().string() + "/*", 10s), batches.sink());
    watcher.start();
    write(dir.path() / "a.txt", "x");
    std::this_thread::sleep_for(100ms);

    auto before = std::chrono::steady_clock::now();
    watcher.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
    EXPECT_FALSE(watcher.running());
    EXPECT_TRUE(batches.all().empty());
}

TEST(PathWatcher, SpecFromTriggerSettings) {
    auto settings = json::parse(R"({"paths": ["in/*.csv", "/abs/**"], "recursive": true,
        "events": ["create"], "ignore": ["*.tmp", "in/old/**"], "debounce": "2s"})");
    auto spec = watch_spec_from_trigger(settings, "/flows/etl");
    EXPECT_EQ(spec.paths, (std::vector<std::string>{"/flows/etl/in/*.csv", "/abs/**"}));
    EXPECT_TRUE(spec.recursive);
    EXPECT_EQ(spec.events, (std::set<std::string>{"create"}));
    EXPECT_EQ(spec.ignore, (std::vector<std::string>{"*.tmp", "/flows/etl/in/old/**"}));
    EXPECT_EQ(spec.debounce, 2000ms);

    auto defaults = watch_spec_from_trigger(json::parse(R"({"paths": ["x"]})"), "/f");
    EXPECT_EQ(defaults.events, (std::set<std::string>{"create", "modify", "delete", "move"}));
    EXPECT_EQ(defaults.debounce, 500ms);
    EXPECT_FALSE(defaults.recursive);
}
