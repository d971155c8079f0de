#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace flowctl::cli {

/// An aligned text table. Cells may hold ANSI color codes; alignment ignores them.
class Table {
public:
    explicit Table(std::vector<std::string> headers) : m_headers(std::move(headers)) {}
    void add_row(std::vector<std::string> cells) {
        m_rows.push_back(std::move(cells));
        m_notes.emplace_back();
    }
    /// A line printed under the last row, indented and not aligned (e.g. why a flow is invalid).
    void add_note(std::string text) {
        if (!m_notes.empty()) m_notes.back().push_back(std::move(text));
    }
    bool empty() const { return m_rows.empty(); }
    /// The last column is not padded (it may be long: errors, messages).
    void print(std::FILE* out, bool color) const;

private:
    std::vector<std::string> m_headers;
    std::vector<std::vector<std::string>> m_rows;
    std::vector<std::vector<std::string>> m_notes;  // per row
};

/// Display width of text, skipping ANSI escape sequences and counting UTF-8 code points.
size_t display_width(const std::string& text);

}  // namespace flowctl::cli
