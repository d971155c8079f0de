#include "flow/encoding.hpp"

#include <cstdint>
#include <cstdio>

namespace flowctl::flow::detail {

namespace {

/// Length of the valid UTF-8 sequence at text[i], or 0 (overlong forms, surrogates and
/// code points above U+10FFFF are invalid).
size_t utf8_length(std::string_view text, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (i + len > text.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        unsigned char cc = byte(i + k);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return len;
}

std::string hex(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", c);
    return buf;
}

}  // namespace

std::optional<EncodingProblem> find_encoding_problem(std::string_view text) {
    int line = 1;
    int col = 1;
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == 0)
            return EncodingProblem{line, col,
                                   "the file contains a NUL byte: flow files are UTF-8 text, is it a binary file?"};
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return EncodingProblem{line, col, "control character " + hex(c) + " is not allowed in YAML"};
        size_t len = utf8_length(text, i);
        if (len == 0)
            return EncodingProblem{line, col, "invalid UTF-8 (byte " + hex(c) + "): flow files must be UTF-8 text"};
        if (c == '\n') {
            ++line;
            col = 1;
        } else {
            col += static_cast<int>(len);  // bytes, as yaml-cpp counts columns
        }
        i += len;
    }
    return std::nullopt;
}

}  // namespace flowctl::flow::detail
