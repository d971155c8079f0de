#include "core/glob_match.hpp"

#include <cstdlib>
#include <vector>

namespace flowctl::daemon {

namespace {

std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < path.size()) {
        size_t slash = path.find('/', i);
        if (slash == std::string_view::npos) slash = path.size();
        if (slash > i) out.push_back(path.substr(i, slash - i));
        i = slash + 1;
    }
    return out;
}

/// Matches one character against the bracket expression starting at pattern[at] == '['.
/// Returns the index just past the closing ']', or npos when the bracket is not closed (then
/// '[' is an ordinary character).
size_t match_bracket(std::string_view pattern, size_t at, char c, bool& matched) {
    size_t i = at + 1;
    bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    if (negate) ++i;
    bool found = false;
    bool first = true;
    while (i < pattern.size() && (pattern[i] != ']' || first)) {
        first = false;
        char lo = pattern[i];
        if (lo == '\\' && i + 1 < pattern.size()) lo = pattern[++i];
        char hi = lo;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            hi = pattern[i + 2];
            i += 2;
        }
        if (lo <= c && c <= hi) found = true;
        ++i;
    }
    if (i >= pattern.size()) return std::string_view::npos;
    matched = found != negate;
    return i + 1;
}

/// Whether `pattern` starting at index p matches one character c; sets `next` past the token.
bool match_one(std::string_view pattern, size_t p, char c, size_t& next) {
    char token = pattern[p];
    if (token == '?') {
        next = p + 1;
        return true;
    }
    if (token == '[') {
        bool matched = false;
        size_t end = match_bracket(pattern, p, c, matched);
        if (end != std::string_view::npos) {
            next = end;
            return matched;
        }
    }
    if (token == '\\' && p + 1 < pattern.size()) {
        next = p + 2;
        return pattern[p + 1] == c;
    }
    next = p + 1;
    return token == c;
}

/// The components of `glob` that can be reached after matching all of `dir`'s components, as
/// a set of indices (an NFA walk: `**` may consume any number of components).
std::vector<bool> states_after(const std::vector<std::string_view>& glob, const std::vector<std::string_view>& path) {
    std::vector<bool> states(glob.size() + 1, false);
    auto close = [&](std::vector<bool>& s) {
        for (size_t i = 0; i < glob.size(); ++i)
            if (s[i] && glob[i] == "**") s[i + 1] = true;
    };
    states[0] = true;
    close(states);
    for (auto component : path) {
        std::vector<bool> next(glob.size() + 1, false);
        bool any = false;
        for (size_t i = 0; i < glob.size(); ++i) {
            if (!states[i]) continue;
            if (glob[i] == "**") {
                next[i] = any = true;
            } else if (glob_match_component(glob[i], component)) {
                next[i + 1] = any = true;
            }
        }
        if (!any) return next;
        close(next);
        states.swap(next);
    }
    return states;
}

}  // namespace

bool glob_match_component(std::string_view pattern, std::string_view name) {
    // Greedy matching that backtracks to the last '*' only: correct because every other
    // token matches exactly one character.
    size_t p = 0, n = 0;
    size_t star_p = std::string_view::npos, star_n = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            while (p < pattern.size() && pattern[p] == '*') ++p;
            star_p = p;
            star_n = n;
            continue;
        }
        size_t next = p;
        if (p < pattern.size() && match_one(pattern, p, name[n], next)) {
            p = next;
            ++n;
            continue;
        }
        if (star_p == std::string_view::npos) return false;
        p = star_p;
        n = ++star_n;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool glob_match(std::string_view glob, std::string_view path) {
    auto g = components(glob);
    auto states = states_after(g, components(path));
    return states[g.size()];
}

bool glob_may_match_below(std::string_view glob, std::string_view dir) {
    auto g = components(glob);
    auto states = states_after(g, components(dir));
    // A glob component left over (or a `**`) can match at least one more component.
    for (size_t i = 0; i < g.size(); ++i)
        if (states[i]) return true;
    return false;
}

bool has_glob_chars(std::string_view text) { return text.find_first_of("*?[\\") != std::string_view::npos; }

GlobParts split_glob(std::string_view glob) {
    auto parts = components(glob);
    size_t first_glob = parts.size();
    for (size_t i = 0; i < parts.size(); ++i) {
        if (has_glob_chars(parts[i])) {
            first_glob = i;
            break;
        }
    }
    // Without glob characters the last component is the file itself.
    if (first_glob == parts.size() && !parts.empty()) first_glob = parts.size() - 1;
    GlobParts out;
    for (size_t i = 0; i < first_glob; ++i) out.base += "/" + std::string(parts[i]);
    if (out.base.empty()) out.base = "/";
    for (size_t i = first_glob; i < parts.size(); ++i) {
        if (!out.pattern.empty()) out.pattern += "/";
        out.pattern += parts[i];
    }
    return out;
}

std::string resolve_glob(std::string_view glob, const std::filesystem::path& relative_to) {
    std::string full;
    const char* home = std::getenv("HOME");
    if ((glob == "~" || glob.starts_with("~/")) && home && *home) {
        full = std::string(home) + std::string(glob.substr(1));
    } else if (glob.starts_with("/")) {
        full = std::string(glob);
    } else {
        full = relative_to.string() + "/" + std::string(glob);
    }
    bool trailing_slash = full.size() > 1 && full.back() == '/';
    std::vector<std::string_view> kept;
    for (auto part : components(full)) {
        if (part == ".") continue;
        if (part == "..") {
            if (!kept.empty()) kept.pop_back();
            continue;
        }
        kept.push_back(part);
    }
    std::string out;
    for (auto part : kept) out += "/" + std::string(part);
    if (out.empty()) return "/";
    if (trailing_slash) out += "/";
    return out;
}

}  // namespace flowctl::daemon
