#pragma once
// One output stream of a child: keeps the first `cap` bytes and hands complete lines
// to a callback as they arrive, without ever holding more than a line (at most 64 KiB).
#include <functional>
#include <string>
#include <string_view>

namespace flowctl::proc {

using LineCallback = std::function<void(std::string_view stream, std::string_view line)>;

class StreamCapture {
public:
    static constexpr size_t max_line = 64 * 1024;

    StreamCapture(std::string_view name, size_t cap, const LineCallback* on_line);

    void feed(std::string_view data);
    /// Delivers a last line that had no '\n'.
    void finish();

    std::string& text() { return m_text; }
    bool truncated() const { return m_truncated; }

private:
    void emit(std::string_view line);
    void emit_in_pieces(std::string_view line);

    std::string_view m_name;
    size_t m_cap;
    const LineCallback* m_on_line;  // null or empty: no line splitting at all
    std::string m_text;
    bool m_truncated = false;
    std::string m_partial;
};

}  // namespace flowctl::proc
