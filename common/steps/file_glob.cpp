#include "steps/file_glob.hpp"

#include <fnmatch.h>

#include <set>

namespace flowctl::steps {
namespace {

namespace fs = std::filesystem;

bool has_wildcard(const std::string& segment) { return segment.find_first_of("*?[") != std::string::npos; }

void expand(const fs::path& dir, const std::vector<std::string>& segs, size_t i, std::set<std::string>& out) {
    if (i == segs.size()) {
        out.insert(dir.string());
        return;
    }
    const std::string& seg = segs[i];
    std::error_code ec;
    if (!has_wildcard(seg)) {
        fs::path next = dir / seg;
        if (fs::exists(fs::symlink_status(next, ec))) {
            expand(next, segs, i + 1, out);
        }
        return;
    }
    bool any_depth = seg == "**";
    if (any_depth) {
        expand(dir, segs, i + 1, out);  // `**` standing for no directory at all
    }
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        return;  // not a directory, or unreadable
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            break;
        }
        std::string name = it->path().filename().string();
        if (any_depth) {
            if (!name.starts_with('.') && it->is_directory(ec) && !it->is_symlink(ec)) {
                expand(it->path(), segs, i, out);
            }
        } else if (fnmatch(seg.c_str(), name.c_str(), FNM_PERIOD) == 0) {
            expand(it->path(), segs, i + 1, out);
        }
    }
}

}  // namespace

std::vector<std::string> glob_paths(const std::string& pattern, const fs::path& base) {
    fs::path p(pattern);
    fs::path root = p.is_absolute() ? p.root_path() : base;
    std::vector<std::string> segs;
    for (const auto& part : p.relative_path()) {
        std::string s = part.string();
        if (!s.empty() && s != ".") {      // skips "a//b", "./a" and a trailing '/'
            segs.push_back(std::move(s));  // ".." stays a literal segment, normalised below
        }
    }
    std::set<std::string> out;
    expand(root, segs, 0, out);
    std::set<std::string> normal;
    for (const auto& s : out) {
        std::string n = fs::path(s).lexically_normal().string();
        if (n.size() > 1 && n.back() == '/') {
            n.pop_back();
        }
        normal.insert(std::move(n));
    }
    return {normal.begin(), normal.end()};
}

}  // namespace flowctl::steps
