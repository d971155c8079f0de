#pragma once
// A YAML document as a small node arena with source positions, built from yaml-cpp's parser
// events. yaml-cpp's own Node API drops duplicate keys silently and recurses without limit on
// aliases; building our own tree lets the loader bound nesting, node count and alias use.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/model.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::flow::detail {

using NodeId = uint32_t;

// Below yaml-cpp's own limit (500 nested nodes), whose error names no position that helps.
inline constexpr int max_nesting = 400;
inline constexpr size_t max_nodes = 1'000'000;
inline constexpr size_t max_text_bytes = 64u << 20;

enum class NodeKind : uint8_t { null, scalar, sequence, mapping };

/// How a scalar was written: plain scalars are resolved per the YAML 1.2 core schema,
/// everything else (quoted, block, `!!str`) stays a string unless a core tag says otherwise.
enum class ScalarTag : uint8_t { plain, string, core_int, core_float, core_bool, core_null };

struct YNode {
    NodeKind kind = NodeKind::null;
    ScalarTag tag = ScalarTag::plain;
    int line = 0;       // 1-based
    int col = 0;        // 1-based
    int offset = 0;     // byte offset of the node in the text
    std::string value;  // scalars
    /// Sequence items; for mappings key, value, key, value... Aliases are stored as the id of
    /// the anchored node, so the tree is a DAG (an alias never points into an open node).
    std::vector<NodeId> children;
};

class YTree {
public:
    std::vector<YNode> nodes;
    NodeId root = 0;
    std::string_view text;

    const YNode& operator[](NodeId id) const { return nodes[id]; }
    SourcePos pos(NodeId id) const { return {nodes[id].line, nodes[id].col}; }
    bool is_scalar(NodeId id) const { return nodes[id].kind == NodeKind::scalar; }
    bool is_null(NodeId id) const { return nodes[id].kind == NodeKind::null; }
    bool is_map(NodeId id) const { return nodes[id].kind == NodeKind::mapping; }
    bool is_seq(NodeId id) const { return nodes[id].kind == NodeKind::sequence; }
    /// Number of key/value pairs of a mapping.
    size_t pair_count(NodeId map) const { return nodes[map].children.size() / 2; }
    NodeId key_at(NodeId map, size_t i) const { return nodes[map].children[2 * i]; }
    NodeId value_at(NodeId map, size_t i) const { return nodes[map].children[2 * i + 1]; }
    /// The text of a mapping key ("" for a null key).
    const std::string& key_text(NodeId map, size_t i) const { return nodes[key_at(map, i)].value; }
    std::optional<NodeId> find(NodeId map, std::string_view key) const;

    /// Position of byte `offset` inside a scalar's value, when the value is written on one line
    /// exactly as in the source (plain or quoted without escapes before it); else the scalar.
    SourcePos pos_in_scalar(NodeId id, size_t offset) const;

    /// "a string", "a list", "a mapping", "null": for "got ..." in messages.
    std::string describe(NodeId id) const;
};

/// Parses one YAML document. Problems (syntax, duplicate keys, non-string keys, too deep, too
/// many nodes, bad encoding) are appended to diags; the tree is returned when a document was
/// read, even with duplicate-key problems, so that validation can continue.
std::optional<YTree> parse_yaml_tree(std::string_view text, const std::string& path,
                                     std::vector<util::Diagnostic>& diags);

}  // namespace flowctl::flow::detail
