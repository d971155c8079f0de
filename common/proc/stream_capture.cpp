#include "proc/stream_capture.hpp"

#include <cstring>

namespace flowctl::proc {

StreamCapture::StreamCapture(std::string_view name, size_t cap, const LineCallback* on_line)
    : m_name(name), m_cap(cap), m_on_line(on_line && *on_line ? on_line : nullptr) {}

void StreamCapture::feed(std::string_view data) {
    if (m_text.size() < m_cap) {
        size_t keep = std::min(m_cap - m_text.size(), data.size());
        m_text.append(data.data(), keep);
        if (keep < data.size()) m_truncated = true;
    } else if (!data.empty()) {
        m_truncated = true;
    }
    if (!m_on_line) return;

    while (!data.empty()) {
        const void* nl = std::memchr(data.data(), '\n', data.size());
        if (!nl) {
            m_partial.append(data);
            // Cut an endless line into pieces so memory stays bounded.
            if (m_partial.size() > max_line) {
                size_t whole = (m_partial.size() - 1) / max_line * max_line;
                for (size_t off = 0; off < whole; off += max_line) emit({m_partial.data() + off, max_line});
                m_partial.erase(0, whole);
            }
            return;
        }
        size_t len = static_cast<const char*>(nl) - data.data();
        if (m_partial.empty()) {
            emit_in_pieces(data.substr(0, len));  // the common case: no copy
        } else {
            m_partial.append(data.substr(0, len));
            emit_in_pieces(m_partial);
            m_partial.clear();
        }
        data.remove_prefix(len + 1);
    }
}

void StreamCapture::finish() {
    if (m_on_line && !m_partial.empty()) emit(m_partial);
    m_partial.clear();
}

void StreamCapture::emit(std::string_view line) { (*m_on_line)(m_name, line); }

void StreamCapture::emit_in_pieces(std::string_view line) {
    while (line.size() > max_line) {
        emit(line.substr(0, max_line));
        line.remove_prefix(max_line);
    }
    emit(line);
}

}  // namespace flowctl::proc
