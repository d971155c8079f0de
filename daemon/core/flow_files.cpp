#include "core/flow_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace flowctl::daemon {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

/// Closes the descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

bool is_flow_file_name(std::string_view name) {
    if (name.empty() || name.front() == '.') return false;
    return ends_with(name, ".yaml") || ends_with(name, ".yml");
}

bool is_safe_flow_file_stem(std::string_view name) {
    if (name.empty() || name.size() > 128 || name.front() == '.') return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.';
        if (!ok) return false;
    }
    return true;
}

std::optional<std::string> read_regular_file(const std::filesystem::path& path) {
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    std::string text;
    text.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    return text;
}

int64_t file_mtime_ms(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    const auto dir = path.parent_path();
    std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    Fd f{::mkostemp(tmp.data(), O_CLOEXEC)};
    if (f.fd < 0) fail("cannot create a temporary file in", dir);
    try {
        struct stat old {};
        mode_t mode = ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
        if (::fchmod(f.fd, mode) != 0) fail("cannot set the mode of", tmp);
        for (size_t done = 0; done < content.size();) {
            ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("cannot write", tmp);
            done += static_cast<size_t>(n);
        }
        if (::fsync(f.fd) != 0) fail("cannot sync", tmp);
        if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename the temporary file to", path);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    // The rename itself is durable once the directory is synced.
    Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
}

}  // namespace flowctl::daemon
