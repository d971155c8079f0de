#include "core/path_watcher.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include "core/glob_match.hpp"
#include "util/duration.hpp"

namespace flowctl::daemon {

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// IN_MODIFY as well as IN_CLOSE_WRITE: a file kept open and appended to is still seen.
constexpr uint32_t watch_mask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO |
                                IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

/// Reads of the inotify fd per wake-up, so that a flood of events cannot postpone a batch forever.
constexpr int max_reads_per_wakeup = 16;

struct FileStat {
    int64_t mtime_ns = 0;
    int64_t size = 0;
    bool operator==(const FileStat&) const = default;
};

/// The file at `path` (not following a symlink); nullopt when it is missing or a directory.
std::optional<FileStat> stat_file(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return std::nullopt;
    return FileStat{int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec, int64_t(st.st_size)};
}

bool is_under(const std::string& path, const std::string& dir) {
    if (dir == "/") return path.size() > 1 && path[0] == '/';
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

std::string child(const std::string& dir, std::string_view name) {
    return (dir == "/" ? std::string("/") : dir + "/") + std::string(name);
}

/// A path changed in the open batch.
struct Touched {
    size_t order = 0;
    bool existed_hint = false;      // its first event says it existed (used for files not remembered)
    bool moved_away = false;        // its last event renamed it away
    bool moved_from_known = false;  // it arrived by the rename of a remembered file
};

struct Glob {
    std::string base;  // the directory to watch
    std::string full;  // the absolute glob
};

}  // namespace

class PathWatcher::Tree {
public:
    explicit Tree(const WatchSpec& spec) : m_spec(spec) {
        fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
        for (std::string g : spec.paths) {
            if (!g.starts_with("/")) g = resolve_glob(g, fs::current_path());
            bool dir_like = g.size() > 1 && g.back() == '/';
            while (g.size() > 1 && g.back() == '/') g.pop_back();
            std::error_code ec;
            if (!dir_like && !has_glob_chars(g)) dir_like = fs::is_directory(g, ec);
            GlobParts parts = dir_like ? GlobParts{g, spec.recursive ? "**" : "*"} : split_glob(g);
            if (spec.recursive && !parts.pattern.starts_with("**")) parts.pattern = "**/" + parts.pattern;
            m_globs.push_back({parts.base, child(parts.base, parts.pattern)});
            if (std::find(m_roots.begin(), m_roots.end(), parts.base) == m_roots.end()) m_roots.push_back(parts.base);
        }
        // Shortest first: a path's root is the outermost base above it.
        std::sort(m_roots.begin(), m_roots.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    }
    ~Tree() { ::close(fd); }
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    int fd = -1;

    /// Watches every present root and remembers its files without reporting them.
    void initial_scan() {
        for (const auto& root : m_roots)
            if (is_directory(root)) sync_tree(root, false, nullptr);
    }

    bool any_root_missing() const {
        return std::any_of(m_roots.begin(), m_roots.end(), [&](const auto& r) { return !m_wd_of_dir.contains(r); });
    }

    /// A base directory that came (back): whatever is in it was never seen by events.
    void look_for_missing_roots() {
        for (const auto& root : m_roots) {
            if (m_wd_of_dir.contains(root) || !is_directory(root)) continue;
            size_t before = m_touch_count;
            resync(root);
            if (m_touch_count != before) m_rescanned = true;
        }
    }

    /// Reads what the kernel queued; after an overflow looks at everything again.
    void read_events(char* buffer, size_t size) {
        bool overflowed = false;
        for (int reads = 0; reads < max_reads_per_wakeup; ++reads) {
            ssize_t len = ::read(fd, buffer, size);
            if (len <= 0) break;
            for (char* p = buffer; p < buffer + len;) {
                auto* ev = reinterpret_cast<const struct inotify_event*>(p);
                p += sizeof(struct inotify_event) + ev->len;
                if (ev->mask & IN_Q_OVERFLOW)
                    overflowed = true;
                else
                    handle(*ev);
            }
        }
        if (overflowed) {
            spdlog::warn("watch trigger: inotify queue overflowed, rescanning");
            size_t before = m_touch_count;
            rescan_all();
            if (m_touch_count != before) m_rescanned = true;
        }
    }

    bool batch_open() const { return !m_touched.empty(); }

    Clock::time_point batch_due() const {
        if (m_touched.size() >= m_spec.max_known_files) return m_first;  // large enough: deliver now
        return std::min(m_last + m_spec.debounce, m_first + m_spec.debounce * max_wait_factor);
    }

    /// Turns the open batch into net changes per path and remembers the files as they are now.
    ChangeBatch take_batch() {
        ChangeBatch batch;
        batch.rescanned = m_rescanned;
        std::vector<std::pair<size_t, const std::string*>> order;
        order.reserve(m_touched.size());
        for (const auto& [path, touched] : m_touched) order.emplace_back(touched.order, &path);
        std::sort(order.begin(), order.end());
        for (const auto& [unused, path] : order) {
            const Touched& t = m_touched.at(*path);
            auto known = m_known.find(*path);
            bool before = known != m_known.end() || (m_over_capacity && t.existed_hint);
            auto now = stat_file(*path);
            if (now)
                remember(*path, *now);
            else if (known != m_known.end())
                m_known.erase(known);
            std::string event;
            if (!before && now)
                event = t.moved_from_known ? "move" : "create";
            else if (before && now)
                event = "modify";
            else if (before && !now)
                event = t.moved_away ? "move" : "delete";
            else
                continue;  // came and went within the batch
            // Without `move`, a path that appeared or disappeared is still a create or delete.
            if (event == "move" && !m_spec.events.contains("move")) event = now ? "create" : "delete";
            if (m_spec.events.contains(event)) batch.changes.push_back({*path, event});
        }
        batch.over_capacity = m_over_capacity;
        m_touched.clear();
        m_cookies.clear();
        m_rescanned = false;
        return batch;
    }

private:
    static bool is_directory(const std::string& path) {
        std::error_code ec;
        return fs::is_directory(path, ec);
    }

    void handle(const struct inotify_event& ev) {
        auto it = m_dir_of_wd.find(ev.wd);
        if (it == m_dir_of_wd.end()) return;  // a watch already given up
        const std::string dir = it->second;
        if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
            forget_tree(dir, false);
            return;
        }
        if (ev.len == 0) return;
        std::string path = child(dir, ev.name);
        if (ev.mask & IN_ISDIR) {
            if (ev.mask & (IN_CREATE | IN_MOVED_TO)) {
                // Files written before the new watch existed are only found by looking.
                if (should_watch_dir(path)) resync(path);
            } else if (ev.mask & (IN_MOVED_FROM | IN_DELETE)) {
                forget_tree(path, ev.mask & IN_MOVED_FROM);
            }
            return;
        }
        if (!wanted(path)) return;
        if (ev.mask & IN_MOVED_FROM) {
            bool known = m_known.contains(path);
            Touched& t = touch(path, true);
            t.moved_away = true;
            t.moved_from_known = false;
            if (m_cookies.size() > 4096) m_cookies.clear();
            m_cookies[ev.cookie] = known;
        } else if (ev.mask & IN_MOVED_TO) {
            Touched& t = touch(path, false);
            auto cookie = m_cookies.find(ev.cookie);
            t.moved_away = false;
            t.moved_from_known = cookie != m_cookies.end() && cookie->second;
        } else if (ev.mask & (IN_CREATE | IN_DELETE)) {
            Touched& t = touch(path, ev.mask & IN_DELETE);
            t.moved_away = t.moved_from_known = false;
        } else {  // written, closed after writing, or its attributes changed
            touch(path, true).moved_away = false;
        }
    }

    Touched& touch(const std::string& path, bool existed_hint) {
        auto now = Clock::now();
        auto [it, fresh] = m_touched.try_emplace(path);
        if (fresh) {
            it->second.order = m_next_order++;
            it->second.existed_hint = existed_hint;
            if (m_touched.size() == 1) m_first = now;
        }
        m_last = now;
        ++m_touch_count;
        return it->second;
    }

    void remember(const std::string& path, const FileStat& st) {
        auto it = m_known.find(path);
        if (it != m_known.end()) {
            it->second = st;
        } else if (m_known.size() < m_spec.max_known_files) {
            m_known.emplace(path, st);
        } else if (!m_over_capacity) {
            m_over_capacity = true;
            spdlog::warn("watch trigger: more than {} files match; not all are remembered", m_spec.max_known_files);
        }
    }

    bool watch(const std::string& dir) {
        int wd = ::inotify_add_watch(fd, dir.c_str(), watch_mask);
        if (wd < 0) {
            if (errno != ENOENT && errno != ENOTDIR)
                spdlog::warn("watch trigger: cannot watch {}: {}{}", dir, std::strerror(errno),
                             errno == ENOSPC ? " (see fs.inotify.max_user_watches)" : "");
            return false;
        }
        auto old = m_wd_of_dir.find(dir);
        if (old != m_wd_of_dir.end() && old->second != wd) m_dir_of_wd.erase(old->second);  // a recreated dir
        m_wd_of_dir[dir] = wd;
        m_dir_of_wd.try_emplace(wd, dir);  // one directory reached by two names keeps the first
        return true;
    }

    /// Watches `dir` and the subdirectories worth it, and goes through their files: remembers
    /// them (report false) or touches those new or changed since remembered (report true).
    void sync_tree(const std::string& dir, bool report, std::unordered_set<std::string>* found) {
        if (!watch(dir)) return;
        std::error_code ec;
        for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
             it.increment(ec)) {
            std::string path = it->path().string();
            std::error_code status_error;
            auto status = it->symlink_status(status_error);
            if (status_error) continue;
            if (fs::is_directory(status)) {
                if (should_watch_dir(path)) sync_tree(path, report, found);
                continue;
            }
            if (!wanted(path)) continue;
            auto st = stat_file(path);
            if (!st) continue;
            if (found) found->insert(path);
            if (!report) {
                remember(path, *st);
                continue;
            }
            auto known = m_known.find(path);
            if (known == m_known.end() || !(known->second == *st)) touch(path, known != m_known.end());
        }
    }

    /// A directory that appeared (or reappeared): new files touched, remembered ones gone touched.
    void resync(const std::string& dir) {
        std::unordered_set<std::string> found;
        sync_tree(dir, true, &found);
        std::string prefix = dir == "/" ? "/" : dir + "/";
        for (auto it = m_known.lower_bound(prefix); it != m_known.end() && it->first.starts_with(prefix); ++it)
            if (!found.contains(it->first)) touch(it->first, true);
    }

    /// After an overflow nothing about the tree can be trusted, not even which directories exist.
    void rescan_all() {
        for (auto it = m_wd_of_dir.begin(); it != m_wd_of_dir.end();) {
            if (is_directory(it->first)) {
                ++it;
                continue;
            }
            ::inotify_rm_watch(fd, it->second);
            m_dir_of_wd.erase(it->second);
            it = m_wd_of_dir.erase(it);
        }
        std::unordered_set<std::string> found;
        for (const auto& root : m_roots)
            if (is_directory(root)) sync_tree(root, true, &found);
        for (const auto& [path, st] : m_known)
            if (!found.contains(path)) touch(path, true);
    }

    /// A directory deleted or moved away: its watches go, and its remembered files are touched.
    void forget_tree(const std::string& dir, bool moved_away) {
        auto drop = [&](std::map<std::string, int>::iterator it) {
            ::inotify_rm_watch(fd, it->second);
            m_dir_of_wd.erase(it->second);
            return m_wd_of_dir.erase(it);
        };
        if (auto it = m_wd_of_dir.find(dir); it != m_wd_of_dir.end()) drop(it);
        std::string prefix = dir == "/" ? "/" : dir + "/";
        for (auto it = m_wd_of_dir.lower_bound(prefix); it != m_wd_of_dir.end() && it->first.starts_with(prefix);)
            it = drop(it);
        for (auto it = m_known.lower_bound(prefix); it != m_known.end() && it->first.starts_with(prefix); ++it)
            touch(it->first, true).moved_away = moved_away;
    }

    const std::string* root_of(const std::string& path) const {
        for (const auto& root : m_roots)
            if (path == root || is_under(path, root)) return &root;
        return nullptr;
    }

    /// Whether an ignore pattern matches the path or one of its directories below its root.
    bool ignored(const std::string& path) const {
        if (m_spec.ignore.empty()) return false;
        const std::string* root = root_of(path);
        size_t pos = !root || *root == "/" ? 0 : root->size();
        while (pos < path.size()) {
            size_t next = path.find('/', pos + 1);
            if (next == std::string::npos) next = path.size();
            std::string_view prefix(path.data(), next);
            std::string_view name(path.data() + pos + 1, next - pos - 1);
            for (const auto& pattern : m_spec.ignore) {
                bool bare = pattern.find('/') == std::string::npos;
                if (bare ? glob_match_component(pattern, name) : glob_match(pattern, prefix)) return true;
            }
            pos = next;
        }
        return false;
    }

    bool wanted(const std::string& path) const {
        bool matches =
            std::any_of(m_globs.begin(), m_globs.end(), [&](const Glob& g) { return glob_match(g.full, path); });
        return matches && !ignored(path);
    }

    bool should_watch_dir(const std::string& dir) const {
        if (std::find(m_roots.begin(), m_roots.end(), dir) != m_roots.end()) return true;
        if (ignored(dir)) return false;
        return std::any_of(m_globs.begin(), m_globs.end(),
                           [&](const Glob& g) { return is_under(dir, g.base) && glob_may_match_below(g.full, dir); });
    }

    const WatchSpec& m_spec;
    std::vector<Glob> m_globs;
    std::vector<std::string> m_roots;
    std::map<std::string, int> m_wd_of_dir;  // ordered: a subtree is a range
    std::unordered_map<int, std::string> m_dir_of_wd;
    std::map<std::string, FileStat> m_known;
    bool m_over_capacity = false;

    // The open batch.
    std::unordered_map<std::string, Touched> m_touched;
    std::unordered_map<uint32_t, bool> m_cookies;  // rename cookie -> its source was remembered
    size_t m_next_order = 0;
    size_t m_touch_count = 0;
    Clock::time_point m_first, m_last;
    bool m_rescanned = false;
};

WatchSpec watch_spec_from_trigger(const json& settings, const std::filesystem::path& flow_dir) {
    WatchSpec spec;
    auto strings = [&](const char* key) {
        std::vector<std::string> out;
        auto it = settings.find(key);
        if (it == settings.end()) return out;
        if (it->is_string()) out.push_back(it->get<std::string>());
        if (it->is_array())
            for (const auto& item : *it)
                if (item.is_string()) out.push_back(item.get<std::string>());
        return out;
    };
    for (const auto& path : strings("paths")) spec.paths.push_back(resolve_glob(path, flow_dir));
    for (const auto& pattern : strings("ignore"))
        spec.ignore.push_back(pattern.find('/') == std::string::npos ? pattern : resolve_glob(pattern, flow_dir));
    if (settings.contains("events")) {
        auto events = strings("events");
        spec.events = std::set<std::string>(events.begin(), events.end());
    }
    if (auto it = settings.find("recursive"); it != settings.end() && it->is_boolean())
        spec.recursive = it->get<bool>();
    if (auto it = settings.find("debounce"); it != settings.end()) {
        auto text = it->is_string() ? it->get<std::string>() : it->dump();
        if (auto debounce = util::parse_duration(text)) spec.debounce = *debounce;
    }
    return spec;
}

PathWatcher::PathWatcher(WatchSpec spec, std::function<void(ChangeBatch)> on_batch)
    : m_spec(std::move(spec)), m_on_batch(std::move(on_batch)) {}

PathWatcher::~PathWatcher() { stop(); }

void PathWatcher::start() {
    if (m_thread.joinable()) return;
    auto tree = std::make_unique<Tree>(m_spec);
    m_wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wake_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    // Watching before start() returns: a change made right after it is not missed.
    tree->initial_scan();
    m_tree = std::move(tree);
    m_stopping = false;
    m_running = true;
    m_thread = std::thread([this] { run(); });
}

void PathWatcher::stop() {
    if (!m_thread.joinable()) return;
    m_stopping = true;
    wake();
    m_thread.join();
    m_tree.reset();
    ::close(m_wake_fd);
    m_wake_fd = -1;
}

void PathWatcher::hold_reading(bool held) {
    m_held = held;
    wake();
}

void PathWatcher::wake() {
    if (m_wake_fd < 0) return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wake_fd, &one, sizeof one);
}

void PathWatcher::run() {
    Tree& tree = *m_tree;
    std::vector<char> buffer(64 * 1024);  // operator new aligns enough for inotify_event
    for (;;) {
        bool held = m_held.load();
        int timeout_ms = -1;
        if (!held && tree.any_root_missing()) timeout_ms = static_cast<int>(missing_dir_poll.count());
        if (!held && tree.batch_open()) {
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(tree.batch_due() - Clock::now()).count();
            wait = std::max<int64_t>(wait, 0);
            timeout_ms = timeout_ms < 0 ? static_cast<int>(wait) : std::min(timeout_ms, static_cast<int>(wait));
        }

        pollfd fds[2] = {{m_wake_fd, POLLIN, 0}, {tree.fd, POLLIN, 0}};
        int ready = ::poll(fds, held ? 1 : 2, timeout_ms);
        if (ready < 0 && errno != EINTR) {
            spdlog::error("watch trigger: poll: {}", std::strerror(errno));
            break;
        }
        if (fds[0].revents & POLLIN) {
            uint64_t count = 0;
            [[maybe_unused]] auto n = ::read(m_wake_fd, &count, sizeof count);
            if (m_stopping) break;
            continue;  // hold_reading() changed: look again
        }
        if (held) continue;

        if (fds[1].revents & POLLIN) tree.read_events(buffer.data(), buffer.size());
        tree.look_for_missing_roots();
        if (tree.batch_open() && Clock::now() >= tree.batch_due()) {
            ChangeBatch batch = tree.take_batch();
            if (batch.changes.empty() || !m_on_batch) continue;
            try {
                m_on_batch(std::move(batch));
            } catch (const std::exception& e) {
                spdlog::error("watch trigger: handling a change failed: {}", e.what());
            }
        }
    }
    m_running = false;
}

}  // namespace flowctl::daemon
