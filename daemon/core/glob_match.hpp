#pragma once
// Path globs for the watch trigger, matched against absolute '/'-separated paths.
//
//   *       any run of characters within one path component (a leading '.' included)
//   ?       one character, not '/'
//   [abc]   one of the listed characters; [a-z] a range; [!x] or [^x] any but those
//   **      as a whole component: any number of directories, zero included
//           (`/a/**/b` matches /a/b and /a/x/y/b; `/a/**` matches /a and all below it)
//   \c      the character c itself
// Elsewhere `**` is the same as `*`. An unclosed '[' is an ordinary character.
#include <filesystem>
#include <string>
#include <string_view>

namespace flowctl::daemon {

/// Whether the absolute `path` matches the absolute `glob`.
bool glob_match(std::string_view glob, std::string_view path);

/// Whether one path component (no '/') matches a component pattern (`*`, `?`, `[...]`, `\`).
bool glob_match_component(std::string_view pattern, std::string_view name);

/// Whether some path strictly below the directory `dir` (dir/x, dir/x/y, ...) could match
/// `glob`: the directories worth watching for it.
bool glob_may_match_below(std::string_view glob, std::string_view dir);

/// Whether the text has a character with a special meaning in a glob.
bool has_glob_chars(std::string_view text);

struct GlobParts {
    std::string base;     // the longest leading directory without glob characters ("/" at least)
    std::string pattern;  // the rest, relative to base; may contain '/'
};

/// Splits an absolute glob: "/src/**/*.cpp" -> {"/src", "**/*.cpp"}; a glob without glob
/// characters names a file: "/etc/hosts" -> {"/etc", "hosts"}.
GlobParts split_glob(std::string_view glob);

/// Makes a glob written in a flow file absolute: a leading "~/" is $HOME, a relative glob is
/// relative to `relative_to` (the flow file's directory). "." and ".." components are resolved
/// lexically; a trailing '/' is kept (it says the path is a directory).
std::string resolve_glob(std::string_view glob, const std::filesystem::path& relative_to);

}  // namespace flowctl::daemon
