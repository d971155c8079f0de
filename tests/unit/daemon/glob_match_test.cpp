// The watch trigger's globs: components, brackets, `**` at any depth (zero included), the
// directories worth watching, splitting off the base directory, and resolving `~/` and relative globs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/glob_match.hpp"

using namespace flowctl::daemon;

TEST(GlobMatch, StarStaysWithinOneComponent) {
    EXPECT_TRUE(glob_match("/src/*.cpp", "/src/main.cpp"));
    EXPECT_TRUE(glob_match("/src/*.cpp", "/src/.hidden.cpp"));
    EXPECT_TRUE(glob_match("/src/*", "/src/x"));
    EXPECT_FALSE(glob_match("/src/*.cpp", "/src/sub/main.cpp"));
    EXPECT_FALSE(glob_match("/src/*.cpp", "/src/main.hpp"));
    EXPECT_FALSE(glob_match("/src/*", "/src"));
    EXPECT_TRUE(glob_match("/src/a*b*c", "/src/aXXbYYbc"));
    EXPECT_FALSE(glob_match("/src/a*b*c", "/src/aXXbYYbd"));
    EXPECT_TRUE(glob_match("/*/x", "/src/x"));
}

TEST(GlobMatch, QuestionMarkIsOneCharacter) {
    EXPECT_TRUE(glob_match("/d/file?.txt", "/d/file1.txt"));
    EXPECT_FALSE(glob_match("/d/file?.txt", "/d/file.txt"));
    EXPECT_FALSE(glob_match("/d/file?.txt", "/d/file12.txt"));
}

TEST(GlobMatch, BracketExpressions) {
    EXPECT_TRUE(glob_match("/d/[abc].txt", "/d/b.txt"));
    EXPECT_FALSE(glob_match("/d/[abc].txt", "/d/d.txt"));
    EXPECT_TRUE(glob_match("/d/log[0-9]", "/d/log7"));
    EXPECT_FALSE(glob_match("/d/log[0-9]", "/d/logx"));
    EXPECT_TRUE(glob_match("/d/[!x]y", "/d/ay"));
    EXPECT_FALSE(glob_match("/d/[!x]y", "/d/xy"));
    EXPECT_FALSE(glob_match("/d/[^x]y", "/d/xy"));
    EXPECT_TRUE(glob_match("/d/[]]", "/d/]"));
    EXPECT_TRUE(glob_match("/d/[a-]", "/d/-"));
    // An unclosed bracket is an ordinary character.
    EXPECT_TRUE(glob_match("/d/[ab", "/d/[ab"));
    EXPECT_FALSE(glob_match("/d/[ab", "/d/a"));
}

TEST(GlobMatch, BackslashEscapes) {
    EXPECT_TRUE(glob_match("/d/\\*", "/d/*"));
    EXPECT_FALSE(glob_match("/d/\\*", "/d/x"));
    EXPECT_TRUE(glob_match("/d/a\\?", "/d/a?"));
}

TEST(GlobMatch, DoubleStarMatchesAnyNumberOfDirectories) {
    EXPECT_TRUE(glob_match("/src/**/*.cpp", "/src/main.cpp"));
    EXPECT_TRUE(glob_match("/src/**/*.cpp", "/src/a/main.cpp"));
    EXPECT_TRUE(glob_match("/src/**/*.cpp", "/src/a/b/c/main.cpp"));
    EXPECT_FALSE(glob_match("/src/**/*.cpp", "/other/main.cpp"));
    EXPECT_TRUE(glob_match("/src/**", "/src/a/b"));
    EXPECT_TRUE(glob_match("/src/**", "/src"));
    EXPECT_TRUE(glob_match("/a/**/b/**/c", "/a/b/c"));
    EXPECT_TRUE(glob_match("/a/**/b/**/c", "/a/x/b/y/z/c"));
    EXPECT_FALSE(glob_match("/a/**/b/**/c", "/a/x/y/c"));
    EXPECT_TRUE(glob_match("/**/node_modules/**", "/home/u/p/node_modules/x/y.js"));
    // Not a whole component: an ordinary star.
    EXPECT_TRUE(glob_match("/src/a**", "/src/abc"));
    EXPECT_FALSE(glob_match("/src/a**", "/src/a/b"));
}

TEST(GlobMatch, RepeatedSlashesAreOne) { EXPECT_TRUE(glob_match("/src//*.cpp", "/src/main.cpp")); }

TEST(GlobMatch, ManyStarsDoNotBacktrackForever) {
    std::string glob = "/d/" + std::string(20, '*') + "b";
    std::string name = "/d/" + std::string(5000, 'a');
    EXPECT_FALSE(glob_match(glob, name));
    EXPECT_FALSE(glob_match("/**/**/**/**/**/**/**/x", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/y"));
}

TEST(GlobMatch, DirectoriesWorthWatching) {
    EXPECT_TRUE(glob_may_match_below("/src/*.cpp", "/src"));
    EXPECT_FALSE(glob_may_match_below("/src/*.cpp", "/src/sub"));
    EXPECT_TRUE(glob_may_match_below("/src/*/main.cpp", "/src/sub"));
    EXPECT_FALSE(glob_may_match_below("/src/*/main.cpp", "/src/sub/deeper"));
    EXPECT_TRUE(glob_may_match_below("/src/**/*.cpp", "/src/a/b/c"));
    EXPECT_TRUE(glob_may_match_below("/src/**", "/src/a"));
    EXPECT_FALSE(glob_may_match_below("/src/lib/*.cpp", "/src/app"));
    EXPECT_TRUE(glob_may_match_below("/src/lib/*.cpp", "/src/lib"));
}

TEST(GlobMatch, SplitsOffTheBaseDirectory) {
    auto parts = split_glob("/home/u/src/**/*.cpp");
    EXPECT_EQ(parts.base, "/home/u/src");
    EXPECT_EQ(parts.pattern, "**/*.cpp");
    parts = split_glob("/home/u/*/x.txt");
    EXPECT_EQ(parts.base, "/home/u");
    EXPECT_EQ(parts.pattern, "*/x.txt");
    parts = split_glob("/etc/hosts");
    EXPECT_EQ(parts.base, "/etc");
    EXPECT_EQ(parts.pattern, "hosts");
    parts = split_glob("/*.log");
    EXPECT_EQ(parts.base, "/");
    EXPECT_EQ(parts.pattern, "*.log");
    parts = split_glob("/data/file[12].csv");
    EXPECT_EQ(parts.base, "/data");
    EXPECT_EQ(parts.pattern, "file[12].csv");
}

TEST(GlobMatch, ResolvesHomeAndRelativeGlobs) {
    const char* saved = std::getenv("HOME");
    std::string saved_home = saved ? saved : "";
    ::setenv("HOME", "/home/tester", 1);
    EXPECT_EQ(resolve_glob("~", "/flows"), "/home/tester");
    EXPECT_EQ(resolve_glob("~/notes/*.md", "/flows"), "/home/tester/notes/*.md");
    EXPECT_EQ(resolve_glob("data/*.csv", "/flows/etl"), "/flows/etl/data/*.csv");
    EXPECT_EQ(resolve_glob("./data/../in/*.csv", "/flows/etl"), "/flows/etl/in/*.csv");
    EXPECT_EQ(resolve_glob("../shared/**", "/flows/etl"), "/flows/shared/**");
    EXPECT_EQ(resolve_glob("/abs/x", "/flows"), "/abs/x");
    EXPECT_EQ(resolve_glob("inbox/", "/flows"), "/flows/inbox/");
    if (saved)
        ::setenv("HOME", saved_home.c_str(), 1);
    else
        ::unsetenv("HOME");
}
