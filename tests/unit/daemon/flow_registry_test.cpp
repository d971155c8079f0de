// The flows directory as the source of truth: loading, real inotify edits (in place, atomic
// rename, broken and fixed, deleted), duplicate names, the directory going away and coming back,
// apply/remove/enable through the API side, and versions recorded once per content.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "core/flow_registry.hpp"
#include "http/api_error.hpp"
#include "support/temp_dir.hpp"
#include "util/ids.hpp"

using namespace flowctl::daemon;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using flowctl::test::read_file;

namespace {

std::string flow_yaml(const std::string& name, const std::string& message = "hello") {
    return "name: " + name + "\nsteps:\n  - id: a\n    log: " + message + "\n";
}

/// Valid YAML, but step `a` has a misspelt key on line 5, column 5.
std::string broken_yaml(const std::string& name) {
    return "name: " + name + "\nsteps:\n  - id: a\n    log: hello\n    retyr: 2\n";
}

/// Replaces the file's content in place (open, truncate, write, close).
void overwrite(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

/// How an editor saves: a temp file renamed over the target.
void save_by_rename(const fs::path& path, const std::string& content) {
    auto tmp = path.parent_path() / ("." + path.filename().string() + ".tmp1234");
    overwrite(tmp, content);
    fs::rename(tmp, path);
}

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return predicate();
}

/// Collects on_change calls, from whichever thread makes them.
struct ChangeLog {
    std::mutex mutex;
    std::vector<std::pair<std::string, FlowChange>> changes;

    void attach(FlowRegistry& registry) {
        registry.on_change([this](const FlowEntry& e, FlowChange c) {
            std::lock_guard lock(mutex);
            changes.emplace_back(e.name, c);
        });
    }
    std::vector<std::pair<std::string, FlowChange>> snapshot() {
        std::lock_guard lock(mutex);
        return changes;
    }
    size_t count(const std::string& name, FlowChange change) {
        std::lock_guard lock(mutex);
        return std::count(changes.begin(), changes.end(), std::make_pair(name, change));
    }
};

class FlowRegistryTest : public ::testing::Test {
protected:
    flowctl::test::TempDir tmp;
    fs::path flows = tmp.path() / "flows";
    Stores stores{tmp.path() / "state"};

    fs::path write(const std::string& file, const std::string& content) { return tmp.write("flows/" + file, content); }
    std::vector<std::string> names(const FlowRegistry& registry) {
        std::vector<std::string> out;
        for (const auto& e : registry.list()) out.push_back(e.name);
        return out;
    }
    size_t versions(const std::string& name) { return stores.local().flow_versions(name).size(); }
};

}  // namespace

TEST_F(FlowRegistryTest, CreatesAMissingDirectoryPrivately) {
    FlowRegistry registry(flows, stores);
    registry.load_all();
    ASSERT_TRUE(fs::is_directory(flows));
    struct stat st {};
    ASSERT_EQ(::stat(flows.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(registry.list().empty());
}

TEST_F(FlowRegistryTest, LoadsTheYamlFilesDirectlyInTheDirectory) {
    const auto backup = flow_yaml("backup");
    write("backup.yaml", backup);
    write("other-file-name.yml", flow_yaml("deploy"));
    write("never.yaml", "name: never\nsteps: [\n");
    write("sub/child.yaml", flow_yaml("child"));
    write("notes.txt", flow_yaml("notes"));
    write(".hidden.yaml", flow_yaml("hidden"));
    write("backup.yaml~", flow_yaml("backup-copy"));

    FlowRegistry registry(flows, stores);
    registry.load_all();
    EXPECT_EQ(names(registry), (std::vector<std::string>{"backup", "deploy", "never"}));

    auto entry = registry.get("backup");
    ASSERT_TRUE(entry);
    ASSERT_TRUE(entry->flow);
    EXPECT_EQ(entry->status(), "ok");
    EXPECT_EQ(entry->path, flows / "backup.yaml");
    EXPECT_EQ(entry->hash, flowctl::util::sha256_hex(backup));
    EXPECT_GT(entry->version_id, 0);
    EXPECT_GT(entry->loaded_ms, 0);
    EXPECT_GT(entry->modified_ms, 0);
    EXPECT_TRUE(entry->enabled);
    auto recorded = stores.local().flow_version(entry->version_id);
    ASSERT_TRUE(recorded);
    EXPECT_EQ(recorded->content, backup);
    EXPECT_EQ(recorded->path, (flows / "backup.yaml").string());

    EXPECT_EQ(registry.get("deploy")->path, flows / "other-file-name.yml");

    auto never = registry.get("never");
    ASSERT_TRUE(never);
    EXPECT_EQ(never->status(), "broken");
    EXPECT_FALSE(never->flow);
    ASSERT_FALSE(never->errors.empty());
    EXPECT_EQ(never->errors[0].file, (flows / "never.yaml").string());
    EXPECT_EQ(versions("never"), 0u);
    EXPECT_EQ(registry.reloads(), 3u);
}

TEST_F(FlowRegistryTest, SecondFileDefiningANameIsNotLive) {
    write("a.yaml", flow_yaml("shared", "from a"));
    write("b.yaml", flow_yaml("shared", "from b"));
    FlowRegistry registry(flows, stores);
    registry.load_all();

    auto shared = registry.get("shared");
    ASSERT_TRUE(shared && shared->flow);
    EXPECT_EQ(shared->path, flows / "a.yaml");
    auto b = registry.get("b");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status(), "broken");
    ASSERT_EQ(b->errors.size(), 1u);
    EXPECT_EQ(b->errors[0].message, "flow 'shared' is already defined in " + (flows / "a.yaml").string());
    EXPECT_EQ(b->errors[0].line, 1);
    EXPECT_EQ(versions("shared"), 1u);

    // When the first file goes, the second one takes the name.
    ASSERT_TRUE(registry.remove("shared"));
    shared = registry.get("shared");
    ASSERT_TRUE(shared && shared->flow);
    EXPECT_EQ(shared->path, flows / "b.yaml");
    EXPECT_FALSE(registry.get("b"));

    // Likewise when the holder is renamed inside its file.
    write("c.yaml", flow_yaml("shared", "from c"));
    registry.reload();
    EXPECT_EQ(registry.get("c")->status(), "broken");
    overwrite(flows / "b.yaml", flow_yaml("renamed"));
    registry.reload();
    EXPECT_EQ(registry.get("shared")->path, flows / "c.yaml");
    EXPECT_EQ(registry.get("renamed")->path, flows / "b.yaml");
    EXPECT_EQ(names(registry), (std::vector<std::string>{"renamed", "shared"}));
}

TEST_F(FlowRegistryTest, AnEditIsLiveWithinASecond) {
    write("backup.yaml", flow_yaml("backup", "v1"));
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching();
    ASSERT_TRUE(registry.watching());

    const auto v2 = flow_yaml("backup", "v2");
    auto start = std::chrono::steady_clock::now();
    overwrite(flows / "backup.yaml", v2);
    ASSERT_TRUE(eventually([&] { return registry.get("backup")->hash == flowctl::util::sha256_hex(v2); }));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_EQ(registry.get("backup")->flow->steps[0].params.dump(), R"({"message":"v2"})");
    EXPECT_EQ(versions("backup"), 2u);

    // A new file appears too.
    write("deploy.yaml", flow_yaml("deploy"));
    EXPECT_TRUE(eventually([&] { return registry.get("deploy").has_value(); }));
}

TEST_F(FlowRegistryTest, AnEditorsSaveIsAppliedOnce) {
    write("backup.yaml", flow_yaml("backup", "v1"));
    FlowRegistry registry(flows, stores);
    ChangeLog log;
    log.attach(registry);
    registry.load_all();
    registry.start_watching();

    // What vim does: probe file, swap file, backup by rename, new file, backup removed.
    overwrite(flows / "4913", "");
    fs::remove(flows / "4913");
    overwrite(flows / ".backup.yaml.swp", "swap");
    fs::rename(flows / "backup.yaml", flows / "backup.yaml~");
    overwrite(flows / "backup.yaml", flow_yaml("backup", "v2"));
    fs::remove(flows / "backup.yaml~");
    fs::remove(flows / ".backup.yaml.swp");
    ASSERT_TRUE(eventually([&] { return log.count("backup", FlowChange::updated) == 1; }));

    // What most other editors do: write a temp file and rename it over the target.
    save_by_rename(flows / "backup.yaml", flow_yaml("backup", "v3"));
    ASSERT_TRUE(eventually([&] { return log.count("backup", FlowChange::updated) == 2; }));

    std::this_thread::sleep_for(500ms);
    auto changes = log.snapshot();
    EXPECT_EQ(changes.size(), 3u);  // added, updated, updated
    EXPECT_EQ(log.count("backup", FlowChange::removed), 0u);
    EXPECT_EQ(versions("backup"), 3u);
    EXPECT_EQ(names(registry), std::vector<std::string>{"backup"});
}

TEST_F(FlowRegistryTest, ABrokenEditKeepsThePreviousVersionUntilFixed) {
    const auto good = flow_yaml("backup", "v1");
    write("backup.yaml", good);
    FlowRegistry registry(flows, stores);
    ChangeLog log;
    log.attach(registry);
    registry.load_all();
    registry.start_watching();
    const auto v1 = registry.get("backup");

    save_by_rename(flows / "backup.yaml", broken_yaml("backup"));
    ASSERT_TRUE(eventually([&] { return !registry.get("backup")->errors.empty(); }));
    auto entry = registry.get("backup");
    EXPECT_EQ(entry->status(), "invalid");
    EXPECT_EQ(entry->flow, v1->flow);  // the same live version
    EXPECT_EQ(entry->version_id, v1->version_id);
    EXPECT_EQ(entry->hash, flowctl::util::sha256_hex(good));
    const auto& error = entry->errors[0];
    EXPECT_EQ(error.file, (flows / "backup.yaml").string());
    EXPECT_EQ(error.line, 5);
    EXPECT_EQ(error.col, 5);
    EXPECT_NE(error.message.find("retyr"), std::string::npos) << error.message;
    EXPECT_EQ(log.count("backup", FlowChange::invalid), 1u);
    EXPECT_EQ(versions("backup"), 1u);

    const auto fixed = flow_yaml("backup", "v2");
    save_by_rename(flows / "backup.yaml", fixed);
    ASSERT_TRUE(eventually([&] { return registry.get("backup")->errors.empty(); }));
    entry = registry.get("backup");
    EXPECT_EQ(entry->status(), "ok");
    EXPECT_EQ(entry->hash, flowctl::util::sha256_hex(fixed));
    EXPECT_GT(entry->version_id, v1->version_id);
    EXPECT_EQ(versions("backup"), 2u);
}

TEST_F(FlowRegistryTest, ANewFileThatNeverLoadedIsListedUnderItsStem) {
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching();
    write("draft.yaml", "name: draft\nsteps: [\n");
    ASSERT_TRUE(eventually([&] { return registry.get("draft").has_value(); }));
    EXPECT_EQ(registry.get("draft")->status(), "broken");

    save_by_rename(flows / "draft.yaml", flow_yaml("final"));
    ASSERT_TRUE(eventually([&] { return registry.get("final").has_value(); }));
    EXPECT_FALSE(registry.get("draft"));
    EXPECT_EQ(registry.get("final")->path, flows / "draft.yaml");
}

TEST_F(FlowRegistryTest, ADeletedFileRemovesItsFlow) {
    write("backup.yaml", flow_yaml("backup"));
    write("deploy.yaml", flow_yaml("deploy"));
    FlowRegistry registry(flows, stores);
    ChangeLog log;
    log.attach(registry);
    registry.load_all();
    registry.start_watching();

    fs::remove(flows / "backup.yaml");
    ASSERT_TRUE(eventually([&] { return !registry.get("backup"); }));
    EXPECT_EQ(log.count("backup", FlowChange::removed), 1u);
    EXPECT_EQ(names(registry), std::vector<std::string>{"deploy"});

    // Moving a file out of the directory is a removal too.
    fs::rename(flows / "deploy.yaml", tmp.path() / "deploy.yaml");
    ASSERT_TRUE(eventually([&] { return registry.list().empty(); }));
}

TEST_F(FlowRegistryTest, TheDirectoryDeletedAndRecreated) {
    write("backup.yaml", flow_yaml("backup"));
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching();

    fs::remove_all(flows);
    ASSERT_TRUE(eventually([&] { return registry.list().empty(); }));

    fs::create_directory(flows);
    write("deploy.yaml", flow_yaml("deploy"));
    ASSERT_TRUE(eventually([&] { return registry.get("deploy").has_value(); }));
    EXPECT_TRUE(registry.watching());

    // Watched again: later edits are seen.
    write("later.yaml", flow_yaml("later"));
    EXPECT_TRUE(eventually([&] { return registry.get("later").has_value(); }));
}

TEST_F(FlowRegistryTest, TheDirectoryMovedAwayAndBack) {
    write("backup.yaml", flow_yaml("backup"));
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching();

    fs::rename(flows, tmp.path() / "elsewhere");
    ASSERT_TRUE(eventually([&] { return registry.list().empty(); }));
    // Edits in the old directory, now elsewhere, are no longer flows.
    tmp.write("elsewhere/ghost.yaml", flow_yaml("ghost"));
    fs::rename(tmp.path() / "elsewhere", flows);
    ASSERT_TRUE(eventually([&] { return registry.list().size() == 2; }));
    EXPECT_TRUE(registry.get("ghost"));
}

TEST_F(FlowRegistryTest, StopWatchingIsPrompt) {
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching(10s);
    write("slow.yaml", flow_yaml("slow"));  // debounce pending
    std::this_thread::sleep_for(50ms);
    auto start = std::chrono::steady_clock::now();
    registry.stop_watching();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms);
    EXPECT_FALSE(registry.watching());
    // reload() still works without the watcher.
    write("later.yaml", flow_yaml("later"));
    registry.reload();
    EXPECT_TRUE(registry.get("later"));
}

TEST_F(FlowRegistryTest, ApplyRejectsAnInvalidFlowWithDiagnostics) {
    FlowRegistry registry(flows, stores);
    registry.load_all();
    try {
        registry.apply(broken_yaml("backup"), "backup.yaml");
        FAIL() << "no error";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 422);
        EXPECT_EQ(e.code, "invalid");
        ASSERT_TRUE(e.details.contains("diagnostics"));
        const auto& d = e.details["diagnostics"][0];
        EXPECT_EQ(d["file"], "backup.yaml");
        EXPECT_EQ(d["line"], 5) << e.details.dump();
        EXPECT_EQ(d["col"], 5);
        EXPECT_EQ(d["severity"], "error");
        EXPECT_TRUE(d["message"].is_string());
    }
    try {
        registry.apply(flow_yaml("\"../escape\""));
        FAIL() << "no error";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status, 422);
    }
    EXPECT_TRUE(fs::is_empty(flows));
    EXPECT_TRUE(registry.list().empty());
}

TEST_F(FlowRegistryTest, ApplyCreatesUpdatesAndReportsNoChange) {
    write("custom-file.yaml", flow_yaml("custom"));
    FlowRegistry registry(flows, stores);
    registry.load_all();

    auto created = registry.apply(flow_yaml("backup", "v1"));
    EXPECT_TRUE(created.created);
    EXPECT_TRUE(created.changed);
    EXPECT_EQ(created.entry.name, "backup");
    EXPECT_EQ(created.entry.path, flows / "backup.yaml");
    EXPECT_EQ(read_file(flows / "backup.yaml"), flow_yaml("backup", "v1"));
    EXPECT_EQ(registry.get("backup")->version_id, created.entry.version_id);

    auto same = registry.apply(flow_yaml("backup", "v1"));
    EXPECT_FALSE(same.created);
    EXPECT_FALSE(same.changed);
    EXPECT_EQ(same.entry.version_id, created.entry.version_id);

    auto updated = registry.apply(flow_yaml("backup", "v2"));
    EXPECT_FALSE(updated.created);
    EXPECT_TRUE(updated.changed);
    EXPECT_GT(updated.entry.version_id, created.entry.version_id);
    EXPECT_EQ(versions("backup"), 2u);

    // A flow is written over the file that holds it, whatever that file's name.
    auto custom = registry.apply(flow_yaml("custom", "new"));
    EXPECT_FALSE(custom.created);
    EXPECT_EQ(custom.entry.path, flows / "custom-file.yaml");
    EXPECT_EQ(read_file(flows / "custom-file.yaml"), flow_yaml("custom", "new"));
    EXPECT_FALSE(fs::exists(flows / "custom.yaml"));

    // No temp files are left behind.
    size_t files = 0;
    for ([[maybe_unused]] const auto& f : fs::directory_iterator(flows)) ++files;
    EXPECT_EQ(files, 2u);
}

TEST_F(FlowRegistryTest, ApplyWhileWatchingRecordsOneVersionAndOneChange) {
    FlowRegistry registry(flows, stores);
    ChangeLog log;
    log.attach(registry);
    registry.load_all();
    registry.start_watching(20ms);

    auto result = registry.apply(flow_yaml("backup"));
    EXPECT_TRUE(result.created);
    EXPECT_EQ(log.count("backup", FlowChange::added), 1u);  // before apply returns
    std::this_thread::sleep_for(400ms);                     // the watcher sees the rename
    EXPECT_EQ(log.snapshot().size(), 1u);
    EXPECT_EQ(versions("backup"), 1u);
    EXPECT_EQ(registry.reloads(), 1u);
}

TEST_F(FlowRegistryTest, RemoveDeletesTheFile) {
    write("backup.yaml", flow_yaml("backup"));
    FlowRegistry registry(flows, stores);
    ChangeLog log;
    log.attach(registry);
    registry.load_all();
    registry.start_watching(20ms);
    EXPECT_TRUE(registry.remove("backup"));
    EXPECT_FALSE(fs::exists(flows / "backup.yaml"));
    EXPECT_FALSE(registry.get("backup"));
    EXPECT_FALSE(registry.remove("backup"));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(log.count("backup", FlowChange::removed), 1u);
}

TEST_F(FlowRegistryTest, EnabledStateIsPersistedAcrossInstances) {
    write("backup.yaml", flow_yaml("backup"));
    {
        FlowRegistry registry(flows, stores);
        ChangeLog log;
        log.attach(registry);
        registry.load_all();
        EXPECT_TRUE(registry.set_enabled("backup", false));
        EXPECT_FALSE(registry.set_enabled("missing", false));
        EXPECT_EQ(registry.get("backup")->status(), "disabled");
        EXPECT_EQ(log.count("backup", FlowChange::disabled), 1u);
        // An edit keeps the state.
        registry.apply(flow_yaml("backup", "v2"));
        EXPECT_FALSE(registry.get("backup")->enabled);
    }
    Stores other_stores(tmp.path() / "state");
    FlowRegistry registry(flows, other_stores);
    registry.load_all();
    EXPECT_FALSE(registry.get("backup")->enabled);
    EXPECT_TRUE(registry.set_enabled("backup", true));
    EXPECT_EQ(registry.get("backup")->status(), "ok");
}

TEST_F(FlowRegistryTest, ConcurrentReadersWritersAndTheWatcher) {
    FlowRegistry registry(flows, stores);
    registry.load_all();
    registry.start_watching(5ms);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) registry.apply(flow_yaml("api" + std::to_string(t), "v" + std::to_string(i)));
        });
    threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) save_by_rename(flows / "edited.yaml", flow_yaml("edited", std::to_string(i)));
    });
    std::thread reader([&] {
        while (!stop) {
            for (const auto& e : registry.list()) (void)e.status();
            (void)registry.get("api0");
        }
    });
    for (auto& t : threads) t.join();
    ASSERT_TRUE(eventually([&] {
        auto e = registry.get("edited");
        return e && e->hash == flowctl::util::sha256_hex(flow_yaml("edited", "19"));
    }));
    stop = true;
    reader.join();
    EXPECT_EQ(names(registry), (std::vector<std::string>{"api0", "api1", "edited"}));
    EXPECT_EQ(versions("api0"), 20u);
}

TEST_F(FlowRegistryTest, AnOverflowedEventQueueRescansEverything) {
    int limit = 16384;
    std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> limit;
    write("first.yaml", flow_yaml("first"));
    FlowRegistry registry(flows, stores);
    registry.load_all();

    // A callback that holds the watcher thread while the kernel queue fills up.
    struct Gate {
        std::mutex mutex;
        std::atomic<bool> held{false};
    };
    auto gate = std::make_shared<Gate>();
    std::unique_lock hold(gate->mutex);  // released before the registry stops its watcher
    registry.on_change([gate](const FlowEntry& e, FlowChange) {
        if (e.name != "blocker") return;
        gate->held = true;
        std::lock_guard wait(gate->mutex);
    });
    registry.start_watching(1ms);
    write("blocker.yaml", flow_yaml("blocker"));
    ASSERT_TRUE(eventually([&] { return gate->held.load(); }));

    // Two files taking turns: the kernel merges only identical consecutive events.
    const fs::path noise[2] = {flows / ".noise-a", flows / ".noise-b"};
    for (const auto& p : noise) overwrite(p, "");
    for (int i = 0; i <= limit; ++i) ::chmod(noise[i % 2].c_str(), 0600);
    write("late.yaml", flow_yaml("late"));  // its events no longer fit in the queue
    fs::remove(flows / "first.yaml");
    hold.unlock();

    EXPECT_TRUE(eventually([&] { return registry.get("late").has_value() && !registry.get("first"); }, 5000ms));
}
