#include <gtest/gtest.h>

#include "proc/stream_capture.hpp"

using flowctl::proc::LineCallback;
using flowctl::proc::StreamCapture;

namespace {

struct Collector {
    std::vector<std::string> lines;
    LineCallback callback = [this](std::string_view stream, std::string_view line) {
        lines.emplace_back(std::string(stream) + ":" + std::string(line));
    };
};

}  // namespace

TEST(StreamCapture, JoinsLinesAcrossChunks) {
    Collector c;
    StreamCapture cap("stdout", 1024, &c.callback);
    cap.feed("he");
    cap.feed("llo\nwor");
    cap.feed("ld\n\nlast");
    EXPECT_EQ(c.lines, (std::vector<std::string>{"stdout:hello", "stdout:world", "stdout:"}));
    cap.finish();
    EXPECT_EQ(c.lines.back(), "stdout:last");
    EXPECT_EQ(cap.text(), "hello\nworld\n\nlast");
}

TEST(StreamCapture, KeepsOnlyTheCapButStillDeliversEveryLine) {
    Collector c;
    StreamCapture cap("stderr", 8, &c.callback);
    cap.feed("0123\n5678\nabc\n");
    EXPECT_EQ(cap.text(), "0123\n567");
    EXPECT_TRUE(cap.truncated());
    EXPECT_EQ(c.lines.size(), 3u);
}

TEST(StreamCapture, ExactlyTheCapIsNotTruncated) {
    StreamCapture cap("stdout", 4, nullptr);
    cap.feed("abcd");
    EXPECT_FALSE(cap.truncated());
    cap.feed("e");
    EXPECT_TRUE(cap.truncated());
}

TEST(StreamCapture, ALineOfExactly64KiBIsOnePiece) {
    Collector c;
    StreamCapture cap("stdout", 0, &c.callback);
    std::string line(StreamCapture::max_line, 'z');
    for (size_t i = 0; i < line.size(); i += 1000) cap.feed(std::string_view(line).substr(i, 1000));
    cap.feed("\n");
    ASSERT_EQ(c.lines.size(), 1u);
    EXPECT_EQ(c.lines[0].size(), 7 + StreamCapture::max_line);
}
