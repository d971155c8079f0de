#include "config/config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/settings.hpp"
#include "util/diagnostic.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::config::detail {

namespace {

class FileReader {
public:
    explicit FileReader(const std::filesystem::path& file)
        : m_file(file.string()), m_base(file.parent_path().empty() ? "." : file.parent_path()) {}

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
        util::Diagnostic d;
        d.file = m_file;
        if (!mark.is_null()) {
            d.line = mark.line + 1;
            d.col = mark.column + 1;
        }
        d.message = message;
        throw ConfigError(util::format_diagnostic(d));
    }

    /// A mapping of settings: the top level (parent "") or a section such as "retention".
    void read_mapping(Config& c, const YAML::Node& node, const std::string& parent) const {
        const std::string where = parent.empty() ? "the config file" : "'" + parent + "'";
        if (node.IsNull()) return;  // an empty file or section
        if (!node.IsMap()) fail(node.Mark(), where + " must be a mapping of settings (key: value)");
        std::set<std::string> seen;
        for (const auto& entry : node) {
            const YAML::Node& key_node = entry.first;
            const YAML::Node& value = entry.second;
            if (!key_node.IsScalar()) fail(key_node.Mark(), "a setting's key must be a plain name");
            const std::string name = key_node.Scalar();
            const std::string key = parent.empty() ? name : parent + "." + name;
            if (!seen.insert(name).second) fail(key_node.Mark(), "duplicate key '" + name + "'");
            if (is_section(key)) {
                read_mapping(c, value, key);
                continue;
            }
            const Setting* setting = find_setting(key);
            if (!setting) {
                std::string message = "unknown key '" + name + "'" + (parent.empty() ? "" : " in " + where);
                if (auto guess = util::did_you_mean(name, keys_under(parent)))
                    message += "; did you mean '" + *guess + "'?";
                fail(key_node.Mark(), message);
            }
            if (!value.IsNull() && !value.IsScalar())
                fail(value.Mark(), "'" + key + "' must be a single value, not a list or mapping");
            try {
                setting->apply(c, value.IsNull() ? std::string_view() : std::string_view(value.Scalar()), m_base);
            } catch (const ValueError& e) {
                fail(value.IsNull() ? key_node.Mark() : value.Mark(), "'" + key + "': " + e.what());
            }
        }
    }

private:
    std::string m_file;
    std::filesystem::path m_base;
};

}  // namespace

void apply_config_file(Config& c, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": error: cannot read the config file");
    std::stringstream text;
    text << in.rdbuf();
    FileReader reader(file);
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        reader.fail(e.mark, e.msg);
    }
    reader.read_mapping(c, root, "");
    c.config_file = file;
}

}  // namespace flowctl::config::detail
