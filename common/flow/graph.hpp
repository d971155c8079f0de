#pragma once
// Dependency questions over the steps' `needs` (Loader::deps), without recursion: flows with
// 10,000 steps in one chain must not exhaust the stack.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flowctl::flow::detail {

class Reachability {
public:
    explicit Reachability(const std::vector<std::vector<uint32_t>>& deps, bool acyclic);

    /// True when `step` needs `target`, directly or through other steps.
    bool depends_on(uint32_t step, uint32_t target);

private:
    bool search(uint32_t step, uint32_t target);
    void build_bitsets();

    const std::vector<std::vector<uint32_t>>& m_deps;
    bool m_use_bitsets;
    bool m_built = false;
    size_t m_words = 0;
    std::vector<uint64_t> m_bits;  // row per step: its ancestors, when m_use_bitsets
    std::vector<uint32_t> m_seen;  // DFS visit marks (epoch per search)
    uint32_t m_epoch = 0;
    std::vector<uint32_t> m_stack;
};

/// Strongly connected components with more than one step, or a step needing itself (Tarjan,
/// iterative). Each is a list of step indices.
std::vector<std::vector<uint32_t>> cyclic_components(const std::vector<std::vector<uint32_t>>& deps);

}  // namespace flowctl::flow::detail
