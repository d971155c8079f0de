#include "steps/output_file.hpp"

namespace flowctl::steps {
namespace {

// Splits on '\n', dropping a '\r' before it (files written on Windows-style tools).
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

}  // namespace

json parse_output_file(std::string_view text, std::vector<std::string>& warnings) {
    json outputs = json::object();
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (line.empty()) continue;
        size_t eq = line.find('=');
        size_t heredoc = line.find("<<");
        std::string where = "line " + std::to_string(i + 1);
        // As GitHub does: whichever of '=' and '<<' comes first decides the form.
        if (eq != std::string_view::npos && (heredoc == std::string_view::npos || eq < heredoc)) {
            std::string key(line.substr(0, eq));
            if (key.empty()) {
                warnings.push_back("FLOWCTL_OUTPUT " + where + ": empty key");
                continue;
            }
            outputs[key] = std::string(line.substr(eq + 1));
        } else if (heredoc != std::string_view::npos) {
            std::string key(line.substr(0, heredoc));
            std::string_view delim = line.substr(heredoc + 2);
            if (key.empty() || delim.empty()) {
                warnings.push_back("FLOWCTL_OUTPUT " + where + ": expected KEY<<DELIMITER");
                continue;
            }
            size_t end = i + 1;
            while (end < lines.size() && lines[end] != delim) ++end;
            if (end == lines.size()) {
                warnings.push_back("FLOWCTL_OUTPUT " + where + ": no closing '" + std::string(delim) + "' for " + key);
                break;
            }
            std::string value;
            for (size_t j = i + 1; j < end; ++j) {
                if (j > i + 1) value += '\n';
                value += lines[j];
            }
            outputs[key] = value;
            i = end;
        } else {
            warnings.push_back("FLOWCTL_OUTPUT " + where + ": expected KEY=VALUE or KEY<<DELIMITER");
        }
    }
    return outputs;
}

}  // namespace flowctl::steps
