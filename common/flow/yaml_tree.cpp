#include "flow/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <new>
#include <sstream>
#include <unordered_map>

#include "flow/encoding.hpp"

namespace flowctl::flow::detail {

namespace {

/// Thrown from the event handler to stop yaml-cpp early (it unwinds cleanly).
struct LimitError {
    YAML::Mark mark;
    std::string message;
};

ScalarTag tag_of(const std::string& tag) {
    if (tag == "?") return ScalarTag::plain;
    if (tag == "tag:yaml.org,2002:int") return ScalarTag::core_int;
    if (tag == "tag:yaml.org,2002:float") return ScalarTag::core_float;
    if (tag == "tag:yaml.org,2002:bool") return ScalarTag::core_bool;
    if (tag == "tag:yaml.org,2002:null") return ScalarTag::core_null;
    return ScalarTag::string;  // "!" (quoted or block scalars), !!str, and custom tags
}

class TreeBuilder : public YAML::EventHandler {
public:
    TreeBuilder(YTree& tree, const std::string& path, std::vector<util::Diagnostic>& diags)
        : m_tree(tree), m_path(path), m_diags(diags) {}

    bool has_root() const { return m_has_root; }
    void ignore_rest() { m_ignore = true; }

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        if (m_ignore) return;
        add(NodeKind::null, mark, anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        if (m_ignore) return;
        count(mark);
        auto it = m_anchors.find(anchor);
        if (it == m_anchors.end()) throw LimitError{mark, "unknown alias"};
        if (std::find(m_open.begin(), m_open.end(), it->second) != m_open.end())
            throw LimitError{mark, "an alias cannot refer to a node that contains it"};
        attach(it->second);
    }
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        if (m_ignore) return;
        NodeId id = add(NodeKind::scalar, mark, anchor);
        m_tree.nodes[id].tag = tag_of(tag);
        m_tree.nodes[id].value = value;
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        if (m_ignore) return;
        open(add(NodeKind::sequence, mark, anchor), mark);
    }
    void OnSequenceEnd() override {
        if (m_ignore) return;
        m_open.pop_back();
    }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        if (m_ignore) return;
        open(add(NodeKind::mapping, mark, anchor), mark);
    }
    void OnMapEnd() override {
        if (m_ignore) return;
        check_keys(m_open.back());
        m_open.pop_back();
    }

private:
    void count(const YAML::Mark& mark) {
        if (++m_events > max_nodes)
            throw LimitError{mark, "the document has more than " + std::to_string(max_nodes) + " nodes"};
    }
    NodeId add(NodeKind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
        count(mark);
        auto id = static_cast<NodeId>(m_tree.nodes.size());
        YNode& n = m_tree.nodes.emplace_back();
        n.kind = kind;
        n.line = mark.line + 1;
        n.col = mark.column + 1;
        n.offset = mark.pos;
        if (anchor != YAML::NullAnchor) m_anchors[anchor] = id;
        attach(id);
        return id;
    }
    void attach(NodeId id) {
        if (m_open.empty()) {
            if (!m_has_root) m_tree.root = id;
            m_has_root = true;
        } else {
            m_tree.nodes[m_open.back()].children.push_back(id);
        }
    }
    void open(NodeId id, const YAML::Mark& mark) {
        if (m_open.size() >= static_cast<size_t>(max_nesting))
            throw LimitError{mark, "nesting deeper than " + std::to_string(max_nesting) + " levels"};
        m_open.push_back(id);
    }
    void error(NodeId at, std::string message) {
        m_diags.push_back(
            {m_path, m_tree.nodes[at].line, m_tree.nodes[at].col, util::Severity::error, std::move(message)});
    }
    /// Duplicate and non-string keys are reported here and dropped (the first one wins, as in
    /// yaml-cpp lookups), so that validation sees each key once.
    void check_keys(NodeId map) {
        auto& children = m_tree.nodes[map].children;
        if (children.size() % 2 != 0) children.pop_back();  // defensive: never expected
        std::unordered_map<std::string, NodeId> seen;
        std::vector<NodeId> kept;
        kept.reserve(children.size());
        for (size_t i = 0; i + 1 < children.size(); i += 2) {
            NodeId key = children[i];
            const YNode& k = m_tree.nodes[key];
            if (k.kind == NodeKind::sequence || k.kind == NodeKind::mapping) {
                error(key, "a mapping key must be a string, got " + m_tree.describe(key));
                continue;
            }
            auto [it, inserted] = seen.emplace(k.value, key);
            if (!inserted) {
                error(key, "duplicate key '" + k.value + "' (first at line " +
                               std::to_string(m_tree.nodes[it->second].line) + ")");
                continue;
            }
            kept.push_back(key);
            kept.push_back(children[i + 1]);
        }
        children = std::move(kept);
    }

    YTree& m_tree;
    const std::string& m_path;
    std::vector<util::Diagnostic>& m_diags;
    std::vector<NodeId> m_open;
    std::unordered_map<YAML::anchor_t, NodeId> m_anchors;
    size_t m_events = 0;
    bool m_has_root = false;
    bool m_ignore = false;
};

}  // namespace

std::optional<NodeId> YTree::find(NodeId map, std::string_view key) const {
    if (!is_map(map)) return std::nullopt;
    for (size_t i = 0; i < pair_count(map); ++i)
        if (key_text(map, i) == key) return value_at(map, i);
    return std::nullopt;
}

SourcePos YTree::pos_in_scalar(NodeId id, size_t offset) const {
    const YNode& n = nodes[id];
    SourcePos start{n.line, n.col};
    if (n.kind != NodeKind::scalar || offset > n.value.size()) return start;
    if (n.value.find('\n') != std::string::npos) return start;
    size_t src = static_cast<size_t>(n.offset);
    if (src >= text.size()) return start;
    int quote = (text[src] == '"' || text[src] == '\'') ? 1 : 0;
    if (quote == 0 && n.tag != ScalarTag::plain) return start;  // block scalar or tagged
    src += static_cast<size_t>(quote);
    if (src + offset > text.size() || text.substr(src, offset) != std::string_view(n.value).substr(0, offset))
        return start;
    return {n.line, n.col + quote + static_cast<int>(offset)};
}

std::string YTree::describe(NodeId id) const {
    const YNode& n = nodes[id];
    switch (n.kind) {
        case NodeKind::null:
            return "nothing";
        case NodeKind::sequence:
            return "a list";
        case NodeKind::mapping:
            return "a mapping";
        case NodeKind::scalar:
            break;
    }
    std::string v = n.value.size() > 60 ? n.value.substr(0, 57) + "..." : n.value;
    return "'" + v + "'";
}

std::optional<YTree> parse_yaml_tree(std::string_view text, const std::string& path,
                                     std::vector<util::Diagnostic>& diags) {
    auto fail = [&](int line, int col, std::string message) {
        diags.push_back({path, line, col, util::Severity::error, std::move(message)});
        return std::nullopt;
    };
    if (text.size() > max_text_bytes)
        return fail(0, 0, "the file is larger than " + std::to_string(max_text_bytes >> 20) + " MiB");
    if (auto bad = find_encoding_problem(text)) return fail(bad->line, bad->col, bad->message);

    YTree tree;
    tree.text = text;
    TreeBuilder builder(tree, path, diags);
    std::istringstream in{std::string(text)};
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(builder);
        if (!builder.has_root()) return fail(0, 0, "the file is empty: a flow needs at least 'steps'");
        builder.ignore_rest();
        if (parser.HandleNextDocument(builder))
            return fail(0, 0, "the file holds more than one YAML document ('---'): put each flow in its own file");
    } catch (const YAML::Exception& e) {
        if (e.mark.is_null()) return fail(0, 0, e.msg);
        return fail(e.mark.line + 1, e.mark.column + 1, e.msg);
    } catch (const LimitError& e) {
        return fail(e.mark.line + 1, e.mark.column + 1, e.message);
    } catch (const std::bad_alloc&) {
        return fail(0, 0, "out of memory while reading the YAML");
    }
    return tree;
}

}  // namespace flowctl::flow::detail
