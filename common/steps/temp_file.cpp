#include "steps/temp_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace flowctl::steps {

std::optional<TempFile> TempFile::create(std::string_view prefix, std::string_view suffix, std::string_view content,
                                         std::string& error) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string tmpl = (dir / (std::string(prefix) + "XXXXXX")).string() + std::string(suffix);
    int fd = ::mkstemps(tmpl.data(), static_cast<int>(suffix.size()));  // mode 0600
    if (fd < 0) {
        error = "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    TempFile file(tmpl);
    while (!content.empty()) {
        ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = "cannot write " + tmpl + ": " + std::strerror(errno);
            ::close(fd);
            return std::nullopt;
        }
        content.remove_prefix(static_cast<size_t>(n));
    }
    if (::close(fd) != 0) {
        error = "cannot write " + tmpl + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return file;
}

TempFile::TempFile(TempFile&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}

TempFile::~TempFile() {
    if (!m_path.empty()) ::unlink(m_path.c_str());
}

std::string TempFile::read(size_t max_bytes, bool& complete) const {
    std::string data;
    complete = true;
    int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return data;
    char buf[16384];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t keep = std::min(static_cast<size_t>(n), max_bytes - data.size());
        data.append(buf, keep);
        if (keep < static_cast<size_t>(n)) {
            complete = false;
            break;
        }
    }
    ::close(fd);
    return data;
}

}  // namespace flowctl::steps
