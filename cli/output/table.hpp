#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace flowctl::cli {

/// An aligned text table. Cells may hold ANSI color codes; alignment ignores them.
class Table {
public:
    explicit Table(std::vector<std::string> headers) : m_headers(std::move(headers)) {}
    void add_row(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }
    bool empty() const { return m_rows.empty(); }
    /// The last column is not padded (it may be long: errors, messages).
    void print(std::FILE* out, bool color) const;

private:
    std::vector<std::string> m_headers;
    std::vector<std::vector<std::string>> m_rows;
};

/// Display width of text, skipping ANSI escape sequences and counting UTF-8 code points.
size_t display_width(const std::string& text);

}  // namespace flowctl::cli
