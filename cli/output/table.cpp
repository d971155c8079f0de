#include "output/table.hpp"

#include <algorithm>
#include <cctype>

#include "output/term.hpp"

namespace flowctl::cli {

size_t display_width(const std::string& text) {
    size_t width = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == 0x1b) {  // skip "ESC [ ... letter"
            while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
            continue;
        }
        if ((c & 0xC0) != 0x80) ++width;  // count code points, not continuation bytes
    }
    return width;
}

void Table::print(std::FILE* out, bool color) const {
    std::vector<size_t> widths(m_headers.size(), 0);
    for (size_t i = 0; i < m_headers.size(); ++i) widths[i] = m_headers[i].size();
    for (const auto& row : m_rows)
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    auto print_row = [&](const std::vector<std::string>& row, bool header) {
        std::string line;
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            std::string cell = header ? bold(row[i], color) : row[i];
            line += cell;
            if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::fprintf(out, "%s\n", line.c_str());
    };
    print_row(m_headers, true);
    for (size_t r = 0; r < m_rows.size(); ++r) {
        print_row(m_rows[r], false);
        for (const auto& note : m_notes[r]) std::fprintf(out, "    %s\n", note.c_str());
    }
}

}  // namespace flowctl::cli
