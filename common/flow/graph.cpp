#include "flow/graph.hpp"

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "flow/loader.hpp"

namespace flowctl::flow::detail {

namespace {
// Ancestor bitsets cost n*n bits; past this many steps a search per question is cheaper.
constexpr size_t bitset_step_limit = 12000;
}  // namespace

Reachability::Reachability(const std::vector<std::vector<uint32_t>>& deps, bool acyclic)
    : m_deps(deps), m_use_bitsets(acyclic && deps.size() <= bitset_step_limit) {}

bool Reachability::depends_on(uint32_t step, uint32_t target) {
    if (step >= m_deps.size() || target >= m_deps.size()) return false;
    for (uint32_t d : m_deps[step])
        if (d == target) return true;
    if (!m_use_bitsets) return search(step, target);
    if (!m_built) build_bitsets();
    return (m_bits[step * m_words + target / 64] >> (target % 64)) & 1u;
}

bool Reachability::search(uint32_t step, uint32_t target) {
    if (m_seen.size() != m_deps.size()) m_seen.assign(m_deps.size(), 0);
    if (++m_epoch == 0) {
        std::fill(m_seen.begin(), m_seen.end(), 0);
        m_epoch = 1;
    }
    m_stack.assign(1, step);
    m_seen[step] = m_epoch;
    while (!m_stack.empty()) {
        uint32_t s = m_stack.back();
        m_stack.pop_back();
        for (uint32_t d : m_deps[s]) {
            if (d == target) return true;
            if (m_seen[d] != m_epoch) {
                m_seen[d] = m_epoch;
                m_stack.push_back(d);
            }
        }
    }
    return false;
}

void Reachability::build_bitsets() {
    m_built = true;
    size_t n = m_deps.size();
    m_words = (n + 63) / 64;
    m_bits.assign(n * m_words, 0);
    // Kahn's order: every step after all it needs (the graph is acyclic here).
    std::vector<uint32_t> pending(n), order;
    std::vector<std::vector<uint32_t>> dependents(n);
    for (uint32_t s = 0; s < n; ++s) {
        pending[s] = static_cast<uint32_t>(m_deps[s].size());
        for (uint32_t d : m_deps[s]) dependents[d].push_back(s);
    }
    for (uint32_t s = 0; s < n; ++s)
        if (pending[s] == 0) order.push_back(s);
    for (size_t i = 0; i < order.size(); ++i)
        for (uint32_t s : dependents[order[i]])
            if (--pending[s] == 0) order.push_back(s);
    for (uint32_t s : order) {
        uint64_t* row = &m_bits[s * m_words];
        for (uint32_t d : m_deps[s]) {
            const uint64_t* drow = &m_bits[d * m_words];
            for (size_t w = 0; w < m_words; ++w) row[w] |= drow[w];
            row[d / 64] |= uint64_t{1} << (d % 64);
        }
    }
}

std::vector<std::vector<uint32_t>> cyclic_components(const std::vector<std::vector<uint32_t>>& deps) {
    const uint32_t n = static_cast<uint32_t>(deps.size());
    constexpr uint32_t unvisited = UINT32_MAX;
    std::vector<uint32_t> index(n, unvisited), low(n, 0);
    std::vector<bool> on_stack(n, false);
    std::vector<uint32_t> stack;
    std::vector<std::pair<uint32_t, size_t>> call;  // (node, next edge): the explicit recursion
    std::vector<std::vector<uint32_t>> out;
    uint32_t counter = 0;
    for (uint32_t start = 0; start < n; ++start) {
        if (index[start] != unvisited) continue;
        call.push_back({start, 0});
        while (!call.empty()) {
            auto& [v, edge] = call.back();
            if (edge == 0 && index[v] == unvisited) {
                index[v] = low[v] = counter++;
                stack.push_back(v);
                on_stack[v] = true;
            }
            if (edge < deps[v].size()) {
                uint32_t w = deps[v][edge++];
                if (index[w] == unvisited) {
                    call.push_back({w, 0});
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            uint32_t done = v;
            call.pop_back();
            if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[done]);
            if (low[done] != index[done]) continue;
            std::vector<uint32_t> component;
            uint32_t w;
            do {
                w = stack.back();
                stack.pop_back();
                on_stack[w] = false;
                component.push_back(w);
            } while (w != done);
            bool self_loop = std::find(deps[done].begin(), deps[done].end(), done) != deps[done].end();
            if (component.size() > 1 || self_loop) out.push_back(std::move(component));
        }
    }
    return out;
}

namespace {

/// The shortest cycle through `start` inside one component, following needs: a -> b means
/// a needs b. Returns the steps in order, start first (and not repeated at the end).
std::vector<uint32_t> cycle_through(const std::vector<std::vector<uint32_t>>& deps, uint32_t start,
                                    const std::unordered_set<uint32_t>& component) {
    std::unordered_map<uint32_t, uint32_t> parent;
    std::deque<uint32_t> queue{start};
    while (!queue.empty()) {
        uint32_t v = queue.front();
        queue.pop_front();
        for (uint32_t w : deps[v]) {
            if (!component.count(w)) continue;
            if (w == start) {
                std::vector<uint32_t> path{v};
                while (path.back() != start) path.push_back(parent[path.back()]);
                std::reverse(path.begin(), path.end());
                return path;
            }
            if (!parent.count(w)) {
                parent[w] = v;
                queue.push_back(w);
            }
        }
    }
    return {start};
}

}  // namespace

void check_graph(Loader& loader) {
    const auto& steps = loader.flow.steps;
    const uint32_t n = static_cast<uint32_t>(steps.size());
    std::vector<std::string> ids;
    ids.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        loader.step_index.emplace(steps[i].id, i);
        ids.push_back(steps[i].id);
    }
    loader.deps.assign(n, {});
    for (uint32_t i = 0; i < n; ++i) {
        const StepDef& step = steps[i];
        for (size_t k = 0; k < step.needs.size(); ++k) {
            const std::string& need = step.needs[k];
            NodeId node = loader.step_sources[i].needs_nodes[k];
            if (need == step.id) {
                loader.error(node, "step '" + step.id + "' needs itself");
                continue;
            }
            auto it = loader.step_index.find(need);
            if (it == loader.step_index.end()) {
                std::string message = "step '" + step.id + "' needs '" + need + "', which is not a step";
                if (auto guess = suggest(need, ids)) message += " (did you mean '" + *guess + "'?)";
                loader.error(node, message);
                continue;
            }
            loader.deps[i].push_back(it->second);
        }
    }

    auto components = cyclic_components(loader.deps);
    loader.acyclic = components.empty();
    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> cycles;
    for (const auto& component : components) {
        uint32_t start = *std::min_element(component.begin(), component.end());
        std::unordered_set<uint32_t> members(component.begin(), component.end());
        cycles.emplace_back(start, cycle_through(loader.deps, start, members));
    }
    for (const auto& [start, cycle] : cycles) {
        std::string text;
        for (uint32_t s : cycle) text += steps[s].id + " -> ";
        text += steps[start].id;
        // Point at the first step's `needs` entry that leads into the cycle.
        uint32_t next = cycle.size() > 1 ? cycle[1] : start;
        SourcePos pos = steps[start].pos;
        for (size_t k = 0; k < steps[start].needs.size(); ++k)
            if (steps[start].needs[k] == steps[next].id)
                pos = loader.tree.pos(loader.step_sources[start].needs_nodes[k]);
        loader.error(pos, "dependency cycle: " + text);
    }
}

}  // namespace flowctl::flow::detail
