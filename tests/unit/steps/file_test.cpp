#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "steps/types.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl;
using namespace flowctl::steps;
namespace fs = std::filesystem;

namespace {

class FileStepTest : public ::testing::Test {
protected:
    StepResult run(json params) {
        StepContext ctx;
        ctx.params = std::move(params);
        ctx.cwd = m_dir.path().string();
        ctx.flow_dir = ctx.cwd;
        ctx.cancel = &m_cancel;
        ctx.output_cap = m_cap;
        return file_step_type().run(ctx);
    }
    std::string abs(const std::string& rel) const { return (m_dir.path() / rel).string(); }

    test::TempDir m_dir;
    util::CancelToken m_cancel;
    size_t m_cap = 1 << 20;
};

TEST_F(FileStepTest, ReadsTextByDefault) {
    m_dir.write("notes.txt", "hello\nworld\n");
    StepResult r = run({{"path", "notes.txt"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, "hello\nworld\n");
    EXPECT_EQ(r.outputs["content"], "hello\nworld\n");
    EXPECT_EQ(r.outputs["path"], abs("notes.txt"));
    EXPECT_EQ(r.outputs["size"], 12);
}

TEST_F(FileStepTest, ReadParsesJsonFilesAutomatically) {
    m_dir.write("data.json", R"({"items": [1, 2]})");
    StepResult r = run({{"path", "data.json"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{{"items", {1, 2}}}));
}

TEST_F(FileStepTest, ReadAsLinesOrForcedText) {
    m_dir.write("list.txt", "a\r\nb\n\nc");
    EXPECT_EQ(run({{"path", "list.txt"}, {"parse", "lines"}}).output, (json{"a", "b", "", "c"}));
    m_dir.write("raw.json", "{\"a\":1}");
    EXPECT_EQ(run({{"path", "raw.json"}, {"parse", "text"}}).output, "{\"a\":1}");
}

TEST_F(FileStepTest, ReadingInvalidJsonFailsWithThePath) {
    m_dir.write("bad.json", "{\"a\": ");
    StepResult r = run({{"path", "bad.json"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find(abs("bad.json")), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("not valid JSON"), std::string::npos) << r.error;
}

TEST_F(FileStepTest, ReadingAMissingFileNamesThePathAndTheReason) {
    StepResult r = run({{"path", "nope.txt"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "cannot read " + abs("nope.txt") + ": No such file or directory");

    StepResult ok = run({{"path", "nope.txt"}, {"missing_ok", true}});
    EXPECT_EQ(ok.outcome, Outcome::succeeded);
    EXPECT_TRUE(ok.output.is_null());
    EXPECT_EQ(ok.outputs["exists"], false);
}

TEST_F(FileStepTest, ReadRefusesFilesLargerThanTheOutputCap) {
    m_cap = 10;
    m_dir.write("big.txt", std::string(11, 'x'));
    StepResult r = run({{"path", "big.txt"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("output cap"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("11 bytes"), std::string::npos) << r.error;
}

TEST_F(FileStepTest, WriteCreatesParentsAndReplacesAtomically) {
    StepResult r = run({{"op", "write"}, {"path", "out/sub/a.txt"}, {"content", "first"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, abs("out/sub/a.txt"));
    EXPECT_EQ(r.outputs["bytes"], 5);
    EXPECT_EQ(test::read_file(abs("out/sub/a.txt")), "first");

    // Replacing keeps the file's permissions and leaves no temporary file behind.
    ASSERT_EQ(::chmod(abs("out/sub/a.txt").c_str(), 0640), 0);
    struct stat st1 {};
    ::stat(abs("out/sub/a.txt").c_str(), &st1);
    ASSERT_EQ(run({{"op", "write"}, {"path", "out/sub/a.txt"}, {"content", "second"}}).outcome, Outcome::succeeded);
    struct stat st2 {};
    ::stat(abs("out/sub/a.txt").c_str(), &st2);
    EXPECT_EQ(test::read_file(abs("out/sub/a.txt")), "second");
    EXPECT_NE(st1.st_ino, st2.st_ino) << "written in place instead of renamed over";
    EXPECT_EQ(st2.st_mode & 07777, 0640u);
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(abs("out/sub"))) {
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
}

TEST_F(FileStepTest, WriteJsonContentAsPrettyJsonWithMode) {
    StepResult r = run({{"op", "write"}, {"path", "report.json"}, {"content", {{"total", 7}}}, {"mode", "0600"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(test::read_file(abs("report.json")), "{\n  \"total\": 7\n}\n");
    EXPECT_EQ(fs::status(abs("report.json")).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(FileStepTest, WriteWithoutCreateDirsFailsOnAMissingDirectory) {
    StepResult r = run({{"op", "write"}, {"path", "missing/a.txt"}, {"content", "x"}, {"create_dirs", false}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find(abs("missing/a.txt")), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("No such file or directory"), std::string::npos) << r.error;
}

TEST_F(FileStepTest, WriteRejectsABadMode) {
    StepResult r = run({{"op", "write"}, {"path", "a"}, {"content", "x"}, {"mode", "rw-r--r--"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("mode"), std::string::npos);
    EXPECT_FALSE(fs::exists(abs("a")));
}

TEST_F(FileStepTest, AppendAddsToTheEnd) {
    ASSERT_EQ(run({{"op", "append"}, {"path", "log/run.log"}, {"content", "one\n"}}).outcome, Outcome::succeeded);
    StepResult r = run({{"op", "append"}, {"path", "log/run.log"}, {"content", "two\n"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(test::read_file(abs("log/run.log")), "one\ntwo\n");
    EXPECT_EQ(r.outputs["size"], 8);
}

TEST_F(FileStepTest, CopyAndMove) {
    m_dir.write("src.txt", "payload");
    StepResult c = run({{"op", "copy"}, {"path", "src.txt"}, {"to", "backup/copy.txt"}});
    ASSERT_EQ(c.outcome, Outcome::succeeded) << c.error;
    EXPECT_EQ(c.output, abs("backup/copy.txt"));
    EXPECT_EQ(test::read_file(abs("backup/copy.txt")), "payload");
    EXPECT_TRUE(fs::exists(abs("src.txt")));

    // Into an existing directory, like mv.
    StepResult m = run({{"op", "move"}, {"path", "src.txt"}, {"to", "backup"}});
    ASSERT_EQ(m.outcome, Outcome::succeeded) << m.error;
    EXPECT_EQ(m.output, abs("backup/src.txt"));
    EXPECT_FALSE(fs::exists(abs("src.txt")));
    EXPECT_EQ(test::read_file(abs("backup/src.txt")), "payload");
}

TEST_F(FileStepTest, CopyADirectoryRecursively) {
    m_dir.write("tree/a/b.txt", "b");
    ASSERT_EQ(run({{"op", "copy"}, {"path", "tree"}, {"to", "tree2"}}).outcome, Outcome::succeeded);
    EXPECT_EQ(test::read_file(abs("tree2/a/b.txt")), "b");
}

TEST_F(FileStepTest, CopyOfAMissingFileFails) {
    StepResult r = run({{"op", "copy"}, {"path", "ghost"}, {"to", "x"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.error, "cannot copy " + abs("ghost") + ": No such file or directory");
}

TEST_F(FileStepTest, DeleteFilesAndDirectories) {
    m_dir.write("d/x/y.txt", "y");
    m_dir.write("f.txt", "f");
    EXPECT_EQ(run({{"op", "delete"}, {"path", "f.txt"}}).outputs["deleted"], true);
    EXPECT_EQ(run({{"op", "delete"}, {"path", "d"}}).outcome, Outcome::succeeded);
    EXPECT_FALSE(fs::exists(abs("f.txt")));
    EXPECT_FALSE(fs::exists(abs("d")));

    StepResult missing = run({{"op", "delete"}, {"path", "d"}});
    EXPECT_EQ(missing.outcome, Outcome::failed);
    EXPECT_NE(missing.error.find("No such file or directory"), std::string::npos);
    StepResult ok = run({{"op", "delete"}, {"path", "d"}, {"missing_ok", true}});
    EXPECT_EQ(ok.outcome, Outcome::succeeded);
    EXPECT_EQ(ok.outputs["deleted"], false);
}

TEST_F(FileStepTest, ExistsReturnsABoolean) {
    m_dir.write("here.txt", "abc");
    StepResult yes = run({{"op", "exists"}, {"path", "here.txt"}});
    EXPECT_EQ(yes.outcome, Outcome::succeeded);
    EXPECT_EQ(yes.output, true);
    EXPECT_EQ(yes.outputs["type"], "file");
    EXPECT_EQ(yes.outputs["size"], 3);
    StepResult no = run({{"op", "exists"}, {"path", "gone.txt"}});
    EXPECT_EQ(no.outcome, Outcome::succeeded);
    EXPECT_EQ(no.output, false);
    EXPECT_EQ(run({{"op", "exists"}, {"path", "."}}).outputs["type"], "directory");
}

TEST_F(FileStepTest, GlobMatchesAcrossDirectoriesWithDoubleStar) {
    m_dir.write("docs/a.md", "");
    m_dir.write("docs/guide/b.md", "");
    m_dir.write("docs/guide/deep/c.md", "");
    m_dir.write("docs/guide/c.txt", "");
    m_dir.write("docs/.hidden/d.md", "");
    m_dir.write("top.md", "");
    StepResult r = run({{"op", "glob"}, {"pattern", "docs/**/*.md"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_EQ(r.output, (json{abs("docs/a.md"), abs("docs/guide/b.md"), abs("docs/guide/deep/c.md")}));
    EXPECT_EQ(r.outputs["paths"], r.output);
    EXPECT_EQ(r.outputs["count"], 3);

    // One level only with a single star; the path parameter works as the pattern too.
    StepResult one = run({{"op", "glob"}, {"path", "*/*.md"}});
    EXPECT_EQ(one.output, (json{abs("docs/a.md")}));
    StepResult all = run({{"op", "glob"}, {"pattern", "**/*.md"}});
    EXPECT_EQ(all.outputs["count"], 4);  // docs' three and top.md, not the hidden one
    StepResult none = run({{"op", "glob"}, {"pattern", "*.none"}});
    EXPECT_EQ(none.outcome, Outcome::succeeded);
    EXPECT_EQ(none.output, json::array());
}

TEST_F(FileStepTest, GlobWithAnAbsolutePatternAndCharacterClasses) {
    m_dir.write("logs/app-1.log", "");
    m_dir.write("logs/app-2.log", "");
    m_dir.write("logs/app-x.log", "");
    StepResult r = run({{"op", "glob"}, {"pattern", abs("logs") + "/app-[0-9].log"}});
    EXPECT_EQ(r.output, (json{abs("logs/app-1.log"), abs("logs/app-2.log")}));
}

TEST_F(FileStepTest, MkdirCreatesParentsAndIsIdempotent) {
    StepResult r = run({{"op", "mkdir"}, {"path", "a/b/c"}});
    ASSERT_EQ(r.outcome, Outcome::succeeded) << r.error;
    EXPECT_TRUE(fs::is_directory(abs("a/b/c")));
    EXPECT_EQ(r.outputs["created"], true);
    EXPECT_EQ(run({{"op", "mkdir"}, {"path", "a/b/c"}}).outputs["created"], false);

    m_dir.write("file", "");
    StepResult clash = run({{"op", "mkdir"}, {"path", "file"}});
    EXPECT_EQ(clash.outcome, Outcome::failed);
    EXPECT_NE(clash.error.find(abs("file")), std::string::npos);
}

TEST_F(FileStepTest, UnknownOpFails) {
    StepResult r = run({{"op", "shred"}, {"path", "x"}});
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_NE(r.error.find("shred"), std::string::npos);
}

}  // namespace
