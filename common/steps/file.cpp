// `file`: small file-system operations, so flows need no shell for them.
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "steps/file_glob.hpp"
#include "steps/file_io.hpp"
#include "steps/param_values.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

namespace fs = std::filesystem;
using file_io::fail_text;
using params::ParamError;

constexpr std::string_view any_json = "string|number|boolean|object|array|null";

/// A string JSON value that is safe to serialise even when the bytes are not UTF-8.
json text_value(const std::string& bytes) { return params::utf8_safe(bytes); }

/// The "0644" mode parameter; an integer is read digit by digit as octal too.
std::optional<mode_t> get_mode(const json& p) {
    if (!params::has(p, "mode")) {
        return std::nullopt;
    }
    std::string text = params::to_text(p["mode"]);
    if (text.empty() || text.size() > 5 || text.find_first_not_of("01234567") != std::string::npos) {
        throw ParamError("parameter 'mode' must be an octal mode such as \"0644\", got " + text);
    }
    mode_t mode = static_cast<mode_t>(std::stoul(text, nullptr, 8));
    if (mode > 07777) {
        throw ParamError("parameter 'mode' must be an octal mode such as \"0644\", got " + text);
    }
    return mode;
}

/// The content parameter as bytes: strings as they are, other values as pretty JSON.
std::string content_bytes(const json& p, std::string_view op) {
    if (!p.is_object() || !p.contains("content")) {
        throw ParamError("op " + std::string(op) + " needs the 'content' parameter");
    }
    const json& c = p["content"];
    if (c.is_string()) {
        return c.get<std::string>();
    }
    return c.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void make_parent(const fs::path& path, bool create_dirs) {
    if (!create_dirs) {
        return;
    }
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
        throw ParamError(fail_text("create directory", path.parent_path(), ec));
    }
}

class Op {
public:
    Op(StepContext& ctx) : m_ctx(ctx), m_p(ctx.params) {}

    fs::path resolve(const std::string& path) const {
        fs::path p(path);
        if (p.is_relative()) {
            p = fs::path(m_ctx.cwd.empty() ? fs::current_path().string() : m_ctx.cwd) / p;
        }
        return p.lexically_normal();
    }
    fs::path path_param() const {
        std::string path = params::require_string(m_p, "path");
        if (path.empty()) {
            throw ParamError("parameter 'path' must not be empty");
        }
        return resolve(path);
    }
    bool create_dirs() const { return params::get_bool(m_p, "create_dirs").value_or(true); }
    bool missing_ok() const { return params::get_bool(m_p, "missing_ok").value_or(false); }

    StepResult read() const {
        fs::path path = path_param();
        std::string parse = params::get_string(m_p, "parse").value_or("auto");
        if (parse == "auto") {
            parse = path.extension() == ".json" ? "json" : "text";
        }
        if (parse != "text" && parse != "json" && parse != "lines") {
            throw ParamError("parameter 'parse' must be one of auto, text, json, lines, got \"" + parse + "\"");
        }
        StepResult r;
        file_io::ReadResult loaded = file_io::read_capped(path, m_ctx.output_cap);
        if (loaded.err == ENOENT && missing_ok()) {
            r.outputs = {{"path", path.string()}, {"exists", false}, {"content", nullptr}};
            r.output = nullptr;
            return r;
        }
        if (loaded.too_big) {
            return params::failure(path.string() + " is " + std::to_string(loaded.size) +
                                   " bytes, larger than the output cap of " + std::to_string(m_ctx.output_cap) +
                                   " bytes");
        }
        if (loaded.err != 0) {
            return params::failure(fail_text("read", path, loaded.err));
        }
        const std::string& data = loaded.data;

        json content;
        if (parse == "json") {
            try {
                content = json::parse(data);
            } catch (const json::parse_error& e) {
                std::string what = e.what();
                if (size_t close = what.find("] "); close != std::string::npos) {
                    what = what.substr(close + 2);
                }
                return params::failure(path.string() + " is not valid JSON: " + what);
            }
        } else if (parse == "lines") {
            content = json::array();
            size_t start = 0;
            while (start < data.size()) {
                size_t end = data.find('\n', start);
                if (end == std::string::npos) {
                    end = data.size();
                }
                std::string line = data.substr(start, end - start);
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                content.push_back(text_value(line));
                start = end + 1;
            }
        } else {
            content = text_value(data);
        }
        r.outputs = {{"path", path.string()}, {"exists", true}, {"size", data.size()}, {"content", content}};
        r.output = content;
        return r;
    }

    StepResult write(bool append) const {
        fs::path path = path_param();
        std::string data = content_bytes(m_p, append ? "append" : "write");
        std::optional<mode_t> mode = get_mode(m_p);
        make_parent(path, create_dirs());
        std::string error = append ? file_io::append(path, data, mode) : file_io::atomic_write(path, data, mode);
        if (!error.empty()) {
            return params::failure(error);
        }
        std::error_code ec;
        auto size = fs::file_size(path, ec);
        StepResult r;
        r.outputs = {{"path", path.string()}, {"bytes", data.size()}, {"size", ec ? json(nullptr) : json(size)}};
        r.output = path.string();
        return r;
    }

    StepResult copy_or_move(bool move) const {
        fs::path from = path_param();
        auto to_text = params::get_string(m_p, "to");
        if (!to_text || to_text->empty()) {
            throw ParamError(std::string("op ") + (move ? "move" : "copy") + " needs the 'to' parameter");
        }
        fs::path to = resolve(*to_text);
        std::error_code ec;
        fs::file_status from_status = fs::symlink_status(from, ec);
        if (!fs::exists(from_status)) {
            return params::failure(fail_text(move ? "move" : "copy", from, ENOENT));
        }
        if (fs::is_directory(to, ec) && !fs::is_directory(from_status)) {
            to /= from.filename();  // like cp and mv: into an existing directory
        }
        make_parent(to, create_dirs());
        if (move) {
            fs::rename(from, to, ec);
            if (ec == std::errc::cross_device_link) {
                ec.clear();
                fs::copy(from, to,
                         fs::copy_options::recursive | fs::copy_options::overwrite_existing |
                             fs::copy_options::copy_symlinks,
                         ec);
                if (!ec) {
                    fs::remove_all(from, ec);
                }
            }
        } else if (fs::is_directory(from_status)) {
            fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
        } else {
            fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        }
        if (ec) {
            return params::failure("cannot " + std::string(move ? "move " : "copy ") + from.string() + " to " +
                                   to.string() + ": " + ec.message());
        }
        StepResult r;
        r.outputs = {{"path", to.string()}, {"from", from.string()}};
        if (auto size = fs::file_size(to, ec); !ec) {
            r.outputs["size"] = size;
        }
        r.output = to.string();
        return r;
    }

    StepResult remove() const {
        fs::path path = path_param();
        if (path == path.root_path()) {
            return params::failure("refusing to delete " + path.string());
        }
        std::error_code ec;
        bool existed = fs::exists(fs::symlink_status(path, ec));
        if (!existed && !missing_ok()) {
            return params::failure(fail_text("delete", path, ENOENT));
        }
        if (existed) {
            fs::remove_all(path, ec);
            if (ec) {
                return params::failure(fail_text("delete", path, ec));
            }
        }
        StepResult r;
        r.outputs = {{"path", path.string()}, {"deleted", existed}};
        r.output = path.string();
        return r;
    }

    StepResult exists() const {
        fs::path path = path_param();
        std::error_code ec;
        fs::file_status st = fs::status(path, ec);
        bool exists = fs::exists(st);
        StepResult r;
        r.outputs = {{"path", path.string()}, {"exists", exists}};
        r.outputs["type"] = !exists                   ? json(nullptr)
                            : fs::is_directory(st)    ? json("directory")
                            : fs::is_regular_file(st) ? json("file")
                                                      : json("other");
        if (fs::is_regular_file(st)) {
            r.outputs["size"] = fs::file_size(path, ec);
        }
        r.output = exists;
        return r;
    }

    StepResult glob() const {
        auto pattern = params::get_string(m_p, "pattern");
        if (!pattern) {
            pattern = params::get_string(m_p, "path");
        }
        if (!pattern || pattern->empty()) {
            throw ParamError("op glob needs the 'pattern' (or 'path') parameter");
        }
        fs::path base = m_ctx.cwd.empty() ? fs::current_path() : fs::path(m_ctx.cwd);
        std::vector<std::string> paths = glob_paths(*pattern, base);
        size_t bytes = 0;
        for (const auto& p : paths) {
            bytes += p.size() + 4;
        }
        if (bytes > m_ctx.output_cap) {
            return params::failure("glob " + *pattern + " matched " + std::to_string(paths.size()) +
                                   " paths, more than the output cap of " + std::to_string(m_ctx.output_cap) +
                                   " bytes holds");
        }
        json list = json::array();
        for (auto& p : paths) {
            list.push_back(text_value(p));
        }
        StepResult r;
        r.outputs = {{"paths", list}, {"count", paths.size()}};
        r.output = list;
        return r;
    }

    StepResult mkdir() const {
        fs::path path = path_param();
        std::optional<mode_t> mode = get_mode(m_p);
        std::error_code ec;
        bool created = fs::create_directories(path, ec);
        if (ec) {
            return params::failure(fail_text("create directory", path, ec));
        }
        if (!fs::is_directory(path, ec)) {
            return params::failure(fail_text("create directory", path, EEXIST));
        }
        if (mode && ::chmod(path.c_str(), *mode) != 0) {
            return params::failure(fail_text("chmod", path, errno));
        }
        StepResult r;
        r.outputs = {{"path", path.string()}, {"created", created}};
        r.output = path.string();
        return r;
    }

private:
    StepContext& m_ctx;
    const json& m_p;
};

class FileStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "file",
            .summary = "Read, write, copy, move, delete, test or glob files",
            .primary = "path",
            .params =
                {
                    params::Spec("op", "string", "The operation")
                        .one_of({"read", "write", "append", "copy", "move", "delete", "exists", "glob", "mkdir"})
                        .default_to("read"),
                    params::Spec("path", "string",
                                 "The file or directory, relative to the working directory "
                                 "(the pattern, for glob); needed by every op but glob with pattern"),
                    params::Spec("content", std::string(any_json),
                                 "write/append: the text to write; other values are written "
                                 "as pretty JSON"),
                    params::Spec("to", "string",
                                 "copy/move: the destination (into it, when it is an "
                                 "existing directory)"),
                    params::Spec("pattern", "string",
                                 "glob: the pattern; * ? [..] within a name, ** across "
                                 "directories (defaults to path)"),
                    params::Spec("parse", "string",
                                 "read: how to return the content; auto is json for *.json "
                                 "files, else text")
                        .one_of({"auto", "text", "json", "lines"})
                        .default_to("auto"),
                    params::Spec("create_dirs", "boolean", "write/append/copy/move: create missing parent directories")
                        .default_to(true),
                    params::Spec("missing_ok", "boolean", "read/delete: succeed when the path does not exist")
                        .default_to(false),
                    params::Spec("mode", "string",
                                 "write/append/mkdir: permissions as an octal string, e.g. "
                                 "\"0644\""),
                },
            .sibling_params = {},
            .outputs =
                {
                    params::Spec("path", "string", "The absolute path (the destination, for copy/move)"),
                    params::Spec("content", std::string(any_json), "read: the content, parsed as `parse` says"),
                    params::Spec("size", "integer", "The file's size in bytes"),
                    params::Spec("bytes", "integer", "write/append: the bytes written"),
                    params::Spec("exists", "boolean", "exists/read: whether the path exists"),
                    params::Spec("type", "string|null", "exists: file, directory or other"),
                    params::Spec("paths", "array", "glob: the matching paths, sorted and absolute"),
                    params::Spec("count", "integer", "glob: how many matched"),
                    params::Spec("from", "string", "copy/move: the source"),
                    params::Spec("deleted", "boolean", "delete: whether something was there to delete"),
                    params::Spec("created", "boolean", "mkdir: whether the directory was created"),
                },
            .example =
                "- id: save\n"
                "  file:\n"
                "    op: write\n"
                "    path: out/report.json\n"
                "    content: ${{ steps.total.outputs.results }}\n",
        };
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        return params::guarded([&] {
            std::string op = params::get_string(ctx.params, "op").value_or("read");
            Op o(ctx);
            if (op == "read") return o.read();
            if (op == "write") return o.write(false);
            if (op == "append") return o.write(true);
            if (op == "copy") return o.copy_or_move(false);
            if (op == "move") return o.copy_or_move(true);
            if (op == "delete") return o.remove();
            if (op == "exists") return o.exists();
            if (op == "glob") return o.glob();
            if (op == "mkdir") return o.mkdir();
            return params::failure(
                "parameter 'op' must be one of read, write, append, copy, move, "
                "delete, exists, glob, mkdir, got \"" +
                op + "\"");
        });
    }
};

}  // namespace

const StepType& file_step_type() {
    static const FileStep type;
    return type;
}

}  // namespace flowctl::steps
