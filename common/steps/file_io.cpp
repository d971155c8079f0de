#include "steps/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace flowctl::steps::file_io {

namespace fs = std::filesystem;

namespace {

bool write_all(int fd, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

std::string fail_text(std::string_view what, const fs::path& path, int err) {
    return "cannot " + std::string(what) + " " + path.string() + ": " + std::strerror(err);
}

std::string fail_text(std::string_view what, const fs::path& path, const std::error_code& ec) {
    return "cannot " + std::string(what) + " " + path.string() + ": " + ec.message();
}

std::string atomic_write(const fs::path& path, const std::string& data, std::optional<mode_t> mode) {
    static std::atomic<unsigned> counter{0};
    fs::path dir = path.parent_path();
    std::string tmp;
    int fd = -1;
    std::random_device random;
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
        tmp = (dir / ("." + path.filename().string() + "." + std::to_string(random() ^ counter++) + ".tmp")).string();
        // 0666: the process umask applies, as it would for a plain new file.
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) {
            return fail_text("write", path, errno);
        }
    }
    if (fd < 0) {
        return fail_text("write", path, EEXIST);
    }
    struct stat existing {};
    std::optional<mode_t> final_mode = mode;
    if (!final_mode && ::stat(path.c_str(), &existing) == 0) {
        final_mode = existing.st_mode & 07777;  // replacing a file keeps its permissions
    }
    int err = 0;
    if (!write_all(fd, data) || (final_mode && ::fchmod(fd, *final_mode) != 0) || ::fsync(fd) != 0) {
        err = errno;
    }
    if (::close(fd) != 0 && err == 0) {
        err = errno;
    }
    if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
    }
    if (err != 0) {
        ::unlink(tmp.c_str());
        return fail_text("write", path, err);
    }
    if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);  // make the rename itself durable; best effort
        ::close(dfd);
    }
    return {};
}

std::string append(const fs::path& path, const std::string& data, std::optional<mode_t> mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode.value_or(0666));
    if (fd < 0) {
        return fail_text("append to", path, errno);
    }
    int err = 0;
    if (!write_all(fd, data) || (mode && ::fchmod(fd, *mode) != 0)) {
        err = errno;
    }
    if (::close(fd) != 0 && err == 0) {
        err = errno;
    }
    return err != 0 ? fail_text("append to", path, err) : std::string();
}

ReadResult read_capped(const fs::path& path, size_t cap) {
    ReadResult r;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r.err = errno;
        return r;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        r.err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        r.err = EISDIR;
    } else if (static_cast<size_t>(st.st_size) > cap) {
        r.too_big = true;
        r.size = st.st_size;
    } else {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                r.err = n < 0 ? errno : 0;
                break;
            }
            r.data.append(buf, static_cast<size_t>(n));
            if (r.data.size() > cap) {  // it grew while being read
                r.too_big = true;
                r.data.clear();
                break;
            }
        }
        r.size = static_cast<long long>(r.data.size());
    }
    ::close(fd);
    return r;
}

}  // namespace flowctl::steps::file_io
