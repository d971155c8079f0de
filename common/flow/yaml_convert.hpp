#pragma once
// YAML tree -> JSON values, resolving plain scalars per the YAML 1.2 core schema, with a node
// budget shared by every conversion of one file (aliases can expand a small file enormously).
#include <cstddef>
#include <optional>
#include <string>

#include "flow/yaml_tree.hpp"
#include "util/json.hpp"

namespace flowctl::flow::detail {

/// A scalar or null node as JSON: null, true/false, integers (also 0x.., 0o..), floats; .inf
/// and .nan stay strings (JSON has neither); quoted and block scalars are always strings.
json scalar_to_json(const YNode& node);

class JsonConverter {
public:
    explicit JsonConverter(const YTree& tree) : m_tree(tree) {}

    /// The node as JSON, or nullopt with *error set once the budget or the nesting limit is
    /// exceeded (later calls then fail too: the file is invalid anyway).
    std::optional<json> convert(NodeId id, std::string* error);

private:
    bool convert_into(NodeId id, json& out, int depth, std::string* error);

    const YTree& m_tree;
    size_t m_used = 0;
    bool m_exhausted = false;
};

}  // namespace flowctl::flow::detail
