#pragma once
// A private temporary file (mode 0600) that is removed when the object goes away.
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::steps {

class TempFile {
public:
    /// Creates $TMPDIR/<prefix>XXXXXX<suffix>, optionally with content. On failure returns
    /// nullopt and sets error.
    static std::optional<TempFile> create(std::string_view prefix, std::string_view suffix, std::string_view content,
                                          std::string& error);
    ~TempFile();
    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return m_path; }
    /// Up to max_bytes of the file; `complete` is false when it was longer.
    std::string read(size_t max_bytes, bool& complete) const;

private:
    explicit TempFile(std::string path) : m_path(std::move(path)) {}
    std::string m_path;
};

}  // namespace flowctl::steps
