#pragma once
#include <filesystem>
#include <string>

namespace flowctl::test {

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    /// Writes a file (creating parent dirs) and returns its path.
    std::filesystem::path write(const std::string& relative, const std::string& content) const;

private:
    std::filesystem::path m_path;
};

std::string read_file(const std::filesystem::path& p);

}  // namespace flowctl::test
