#include "core/flow_registry.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <set>
#include <system_error>
#include <utility>

#include "core/diagnostics_json.hpp"
#include "core/flow_files.hpp"
#include "core/inotify_watcher.hpp"
#include "flow/parser.hpp"
#include "http/api_error.hpp"
#include "util/ids.hpp"
#include "util/paths.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace fs = std::filesystem;

std::string FlowEntry::status() const {
    if (!flow) return "broken";
    if (!errors.empty()) return "invalid";
    if (!enabled) return "disabled";
    return "ok";
}

namespace {

using Changes = std::vector<std::pair<FlowEntry, FlowChange>>;

/// What the registry knows about one file of the directory.
struct FileState {
    std::string key;           // the entry it holds: its flow's name, or its stem when it has no live flow
    std::string hash;          // of the content last looked at (a save of the same bytes is a no-op)
    std::string duplicate_of;  // set when its flow's name is already defined by another file
};

void split_diagnostics(const std::vector<util::Diagnostic>& all, std::vector<util::Diagnostic>& errors,
                       std::vector<util::Diagnostic>& warnings) {
    errors.clear();
    warnings.clear();
    for (const auto& d : all) (d.severity == util::Severity::error ? errors : warnings).push_back(d);
}

/// Where the top-level `name:` key is, to point a duplicate-name error at it.
util::Diagnostic name_diagnostic(const std::string& file, std::string_view content, std::string message) {
    util::Diagnostic d{file, 0, 0, util::Severity::error, std::move(message)};
    int line = 1;
    for (size_t pos = 0; pos < content.size(); ++line) {
        size_t end = content.find('\n', pos);
        std::string_view text = content.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (text.starts_with("name:") || text.starts_with("name :")) {
            d.line = line;
            d.col = 1;
            break;
        }
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    return d;
}

}  // namespace

struct FlowRegistry::Impl {
    Impl(fs::path dir, Stores& stores) : dir(std::move(dir)), stores(stores) {}

    const fs::path dir;
    Stores& stores;

    std::mutex op_mutex;           // serialises every change (watcher thread, API threads)
    mutable std::mutex map_mutex;  // guards `entries` for readers; changes hold op_mutex too
    std::map<std::string, FlowEntry> entries;
    std::map<std::string, FileState> files;  // by file name; op_mutex
    std::map<std::string, bool> enabled;     // persisted states by flow name; op_mutex

    std::mutex callback_mutex;
    std::vector<std::function<void(const FlowEntry&, FlowChange)>> callbacks;

    std::atomic<uint64_t> reloads{0};
    std::unique_ptr<InotifyWatcher> watcher;

    bool enabled_for(const std::string& name) const {
        auto it = enabled.find(name);
        return it == enabled.end() || it->second;
    }

    void put_entry(FlowEntry entry) {
        std::lock_guard lock(map_mutex);
        auto key = entry.name;
        entries[key] = std::move(entry);
    }

    const FlowEntry* find_entry(const std::string& key) const {
        auto it = entries.find(key);
        return it == entries.end() ? nullptr : &it->second;
    }

    /// Removes the entry `key` if the file at `path` holds it; returns whether it had a live flow.
    bool drop_entry_of(const std::string& key, const fs::path& path, Changes& changes) {
        std::lock_guard lock(map_mutex);
        auto it = entries.find(key);
        if (it == entries.end() || it->second.path != path) return false;
        bool live = it->second.flow != nullptr;
        changes.emplace_back(std::move(it->second), FlowChange::removed);
        entries.erase(it);
        return live;
    }

    /// The file is gone: its flow goes, and a file that defined the same name may take over.
    void forget_file(const std::string& file, Changes& changes) {
        auto it = files.find(file);
        if (it == files.end()) return;
        std::string key = it->second.key;
        files.erase(it);
        release(key, dir / file, changes);
    }

    /// The file at `path` no longer holds `key`: the entry goes, and when it was a live flow the
    /// files that defined the same name are loaded again (the first one takes it over).
    void release(const std::string& key, const fs::path& path, Changes& changes) {
        if (!drop_entry_of(key, path, changes)) return;
        std::vector<std::string> waiting;
        for (auto& [other, state] : files) {
            if (state.duplicate_of != key) continue;
            state.hash.clear();
            waiting.push_back(other);
        }
        for (const auto& other : waiting) load_file(other, changes);
    }

    /// Reads the file and applies its content (a missing file is a removal).
    void load_file(const std::string& file, Changes& changes) {
        auto path = dir / file;
        auto content = read_regular_file(path);
        if (!content) return forget_file(file, changes);
        apply_content(file, *content, changes);
    }

    /// The entry key of a file that has no live flow: its stem, or its whole name when the stem is
    /// taken by another file's flow.
    std::string broken_key(const std::string& file) const {
        std::string stem = fs::path(file).stem().string();
        const FlowEntry* taken = find_entry(stem);
        return taken && taken->path != dir / file ? file : stem;
    }

    void apply_content(const std::string& file, const std::string& content, Changes& changes) {
        const fs::path path = dir / file;
        const std::string hash = util::sha256_hex(content);
        FileState& state = files[file];
        if (!state.hash.empty() && state.hash == hash) return;
        ++reloads;

        std::vector<util::Diagnostic> diags, errors, warnings;
        auto loaded = flow::load_flow(content, path.string(), diags);
        split_diagnostics(diags, errors, warnings);
        const int64_t now = util::now_ms();
        const int64_t mtime = file_mtime_ms(path);

        if (loaded) {
            const std::string name = loaded->name;
            const FlowEntry* owner = find_entry(name);
            if (owner && owner->flow && owner->path != path) {
                errors = {name_diagnostic(path.string(), content,
                                          "flow '" + name + "' is already defined in " + owner->path.string())};
                mark_broken(file, hash, std::move(errors), std::move(warnings), mtime, changes);
                state.duplicate_of = name;
                return;
            }
            if (!state.key.empty() && state.key != name) release(state.key, path, changes);
            if (owner && !owner->flow && owner->path != path) {
                rekey_broken(name);
                owner = nullptr;
            }
            const bool was_live = owner && owner->flow;

            FlowEntry entry;
            entry.name = name;
            entry.path = path;
            entry.version_id = stores.local().record_flow_version(name, loaded->hash, path.string(), content, now);
            entry.hash = loaded->hash;
            entry.flow = std::make_shared<const flow::Flow>(std::move(*loaded));
            entry.warnings = std::move(warnings);
            entry.enabled = enabled_for(name);
            entry.loaded_ms = now;
            entry.modified_ms = mtime;
            changes.emplace_back(entry, was_live ? FlowChange::updated : FlowChange::added);
            put_entry(std::move(entry));
            state = FileState{name, hash, {}};
            return;
        }

        const FlowEntry* current = state.key.empty() ? nullptr : find_entry(state.key);
        if (current && current->flow && current->path == path) {
            // A broken edit: the last good version stays live until the file is fixed.
            FlowEntry entry = *current;
            entry.errors = std::move(errors);
            entry.warnings = std::move(warnings);
            entry.modified_ms = mtime;
            changes.emplace_back(entry, FlowChange::invalid);
            put_entry(std::move(entry));
            state.hash = hash;
            return;
        }
        mark_broken(file, hash, std::move(errors), std::move(warnings), mtime, changes);
    }

    /// Another file's broken entry sits under `name` (its stem), which a valid flow now takes: it
    /// moves to its whole file name.
    void rekey_broken(const std::string& name) {
        std::lock_guard lock(map_mutex);
        auto node = entries.extract(name);
        std::string file = node.mapped().path.filename().string();
        node.key() = file;
        node.mapped().name = file;
        entries.insert(std::move(node));
        if (auto it = files.find(file); it != files.end()) it->second.key = file;
    }

    void mark_broken(const std::string& file, const std::string& hash, std::vector<util::Diagnostic> errors,
                     std::vector<util::Diagnostic> warnings, int64_t mtime, Changes& changes) {
        const fs::path path = dir / file;
        FileState& state = files[file];
        std::string key = broken_key(file);
        if (!state.key.empty() && state.key != key) release(state.key, path, changes);
        FlowEntry entry;
        entry.name = key;
        entry.path = path;
        entry.errors = std::move(errors);
        entry.warnings = std::move(warnings);
        entry.enabled = enabled_for(key);
        entry.modified_ms = mtime;
        changes.emplace_back(entry, FlowChange::invalid);
        put_entry(std::move(entry));
        state = FileState{key, hash, {}};
    }

    /// Compares the directory with what is known: files gone are forgotten, the rest (re)loaded in
    /// file name order, so the first of two files defining a name keeps it.
    void rescan(Changes& changes) {
        std::set<std::string> present;
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            std::string name = it->path().filename().string();
            if (is_flow_file_name(name) && it->is_regular_file(ec)) present.insert(name);
        }
        std::vector<std::string> gone;
        for (const auto& [file, state] : files)
            if (!present.count(file)) gone.push_back(file);
        for (const auto& file : gone) forget_file(file, changes);
        for (const auto& file : present) load_file(file, changes);
    }

    void notify(const Changes& changes) {
        if (changes.empty()) return;
        std::vector<std::function<void(const FlowEntry&, FlowChange)>> targets;
        {
            std::lock_guard lock(callback_mutex);
            targets = callbacks;
        }
        for (const auto& [entry, change] : changes)
            for (const auto& callback : targets) callback(entry, change);
    }

    /// Runs a change under op_mutex and tells the callbacks afterwards, outside every lock.
    template <typename F>
    auto change(F&& body) {
        Changes changes;
        if constexpr (std::is_void_v<decltype(body(changes))>) {
            {
                std::lock_guard lock(op_mutex);
                body(changes);
            }
            notify(changes);
        } else {
            auto result = [&] {
                std::lock_guard lock(op_mutex);
                return body(changes);
            }();
            notify(changes);
            return result;
        }
    }
};

FlowRegistry::FlowRegistry(fs::path dir, Stores& stores)
    : m_dir(std::move(dir)), m_impl(std::make_unique<Impl>(m_dir, stores)) {}

FlowRegistry::~FlowRegistry() { stop_watching(); }

void FlowRegistry::load_all() {
    util::ensure_private_dir(m_dir);
    m_impl->change([&](Changes& changes) {
        m_impl->enabled = m_impl->stores.local().flow_enabled_states();
        m_impl->rescan(changes);
    });
}

void FlowRegistry::reload() {
    m_impl->change([&](Changes& changes) { m_impl->rescan(changes); });
}

void FlowRegistry::start_watching(std::chrono::milliseconds debounce) {
    if (m_impl->watcher) return;
    InotifyWatcher::Handlers handlers;
    handlers.wanted = [](std::string_view name) { return is_flow_file_name(name); };
    // A failure (the database busy for too long) leaves the file's hash unrecorded, so the next
    // event or rescan tries again.
    handlers.changed = [this](const std::string& file) {
        try {
            m_impl->change([&](Changes& changes) { m_impl->load_file(file, changes); });
        } catch (const std::exception&) {
        }
    };
    handlers.rescan = [this] {
        try {
            reload();
        } catch (const std::exception&) {
        }
    };
    m_impl->watcher = std::make_unique<InotifyWatcher>(m_dir, debounce, std::move(handlers));
    m_impl->watcher->start();
}

void FlowRegistry::stop_watching() {
    if (!m_impl->watcher) return;
    m_impl->watcher->stop();
    m_impl->watcher.reset();
}

bool FlowRegistry::watching() const { return m_impl->watcher && m_impl->watcher->running(); }

uint64_t FlowRegistry::reloads() const { return m_impl->reloads.load(); }

std::vector<FlowEntry> FlowRegistry::list() const {
    std::lock_guard lock(m_impl->map_mutex);
    std::vector<FlowEntry> out;
    out.reserve(m_impl->entries.size());
    for (const auto& [name, entry] : m_impl->entries) out.push_back(entry);
    return out;
}

std::optional<FlowEntry> FlowRegistry::get(std::string_view name) const {
    std::lock_guard lock(m_impl->map_mutex);
    auto it = m_impl->entries.find(std::string(name));
    if (it == m_impl->entries.end()) return std::nullopt;
    return it->second;
}

ApplyResult FlowRegistry::apply(std::string_view yaml_text, const std::string& display_name) {
    std::vector<util::Diagnostic> diags;
    auto parsed = flow::load_flow(yaml_text, display_name, diags);
    if (!parsed) {
        std::string first;
        for (const auto& d : diags)
            if (d.severity == util::Severity::error) {
                first = util::format_diagnostic(d);
                break;
            }
        throw invalid("the flow is invalid: " + first, {{"diagnostics", diagnostics_json(diags)}});
    }
    const std::string name = parsed->name;
    const std::string content(yaml_text);

    return m_impl->change([&](Changes& changes) {
        auto& impl = *m_impl;
        const FlowEntry* existing = impl.find_entry(name);
        fs::path target;
        if (existing && !existing->path.empty()) {
            target = existing->path;
        } else {
            if (!is_safe_flow_file_stem(name))
                throw invalid(
                    "flow name '" + name + "' cannot be used as a file name (use letters, digits, '_', '-' and '.')",
                    {{"diagnostics", json::array()}});
            target = m_dir / (name + ".yaml");
            auto holder = impl.files.find(target.filename().string());
            if (holder != impl.files.end() && holder->second.key != name) {
                const FlowEntry* other = impl.find_entry(holder->second.key);
                if (other && other->flow)
                    throw conflict(target.string() + " already holds the flow '" + other->name + "'");
            }
        }
        util::ensure_private_dir(m_dir);

        ApplyResult result;
        result.created = !(existing && existing->flow);
        const std::string file = target.filename().string();
        auto state = impl.files.find(file);
        const bool same = state != impl.files.end() && state->second.hash == util::sha256_hex(content) && existing &&
                          existing->flow && existing->errors.empty();
        if (!same) {
            write_file_atomically(target, content);
            // Applied now rather than when inotify reports the rename; that report then finds the
            // same content and does nothing.
            impl.apply_content(file, content, changes);
            result.changed = true;
        }
        const FlowEntry* now = impl.find_entry(name);
        result.entry = now ? *now : FlowEntry{};
        return result;
    });
}

bool FlowRegistry::remove(std::string_view name) {
    return m_impl->change([&](Changes& changes) {
        auto& impl = *m_impl;
        const FlowEntry* entry = impl.find_entry(std::string(name));
        if (!entry) return false;
        const fs::path path = entry->path;
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            throw std::system_error(errno, std::generic_category(), "cannot remove " + path.string());
        const std::string file = path.filename().string();
        if (impl.files.count(file))
            impl.forget_file(file, changes);
        else
            impl.drop_entry_of(std::string(name), path, changes);
        return true;
    });
}

bool FlowRegistry::set_enabled(std::string_view name, bool enabled) {
    return m_impl->change([&](Changes& changes) {
        auto& impl = *m_impl;
        const std::string key(name);
        const FlowEntry* entry = impl.find_entry(key);
        if (!entry) return false;
        impl.stores.local().set_flow_enabled(key, enabled);
        impl.enabled[key] = enabled;
        if (entry->enabled == enabled) return true;
        FlowEntry updated = *entry;
        updated.enabled = enabled;
        changes.emplace_back(updated, enabled ? FlowChange::enabled : FlowChange::disabled);
        impl.put_entry(std::move(updated));
        return true;
    });
}

void FlowRegistry::on_change(std::function<void(const FlowEntry&, FlowChange)> callback) {
    std::lock_guard lock(m_impl->callback_mutex);
    m_impl->callbacks.push_back(std::move(callback));
}

}  // namespace flowctl::daemon
