// Tree-walking evaluator. The tree is at most max_depth deep, so recursion is bounded.
#include <cmath>
#include <cstdint>

#include "expr/ast.hpp"
#include "expr/functions.hpp"
#include "expr/values.hpp"

namespace flowctl::expr {
namespace {

// The index of a property chain step, interpreted both ways as GitHub's IndexHelper does:
// as an array position (floor of the number, when non-negative) and as an object key.
struct IndexValue {
    std::optional<size_t> position;
    std::optional<std::string> key;

    explicit IndexValue(const json& v) {
        double d = to_number(v);
        if (!std::isnan(d) && d >= 0) {
            d = std::floor(d);
            if (d <= static_cast<double>(INT32_MAX)) position = static_cast<size_t>(d);
        }
        if (is_primitive(v)) key = to_string(v);
    }
};

class Evaluator {
public:
    Evaluator(const json& contexts, const Status& status) : m_contexts(contexts), m_status(status) {}

    json eval(const Node& n) {
        json storage;
        const json* v = eval_ref(n, storage);
        return v == &storage ? std::move(storage) : *v;
    }

private:
    // Evaluates to a pointer: into the contexts for property chains (no copy of what may be a
    // large object), or to storage for computed values.
    const json* eval_ref(const Node& n, json& storage) {
        switch (n.kind) {
            case NodeKind::literal:
                return &n.value;
            case NodeKind::context:
                return or_null(find_property(m_contexts, n.name));
            case NodeKind::access:
                return eval_access(n, storage);
            case NodeKind::logical_not: {
                json operand;
                storage = !truthy(*eval_ref(*n.children[0], operand));
                return &storage;
            }
            case NodeKind::logical_and:
            case NodeKind::logical_or: {
                // Yields the deciding operand itself, not a boolean (GitHub semantics).
                bool stop_when = n.kind == NodeKind::logical_or;
                const json* v = nullptr;
                for (const auto& c : n.children) {
                    v = eval_ref(*c, storage);
                    if (truthy(*v) == stop_when) break;
                }
                return v;
            }
            case NodeKind::compare: {
                json left_storage, right_storage;
                const json* left = eval_ref(*n.children[0], left_storage);
                const json* right = eval_ref(*n.children[1], right_storage);
                storage = compare(n.op, *left, *right);
                return &storage;
            }
            case NodeKind::call:
                storage = call_function(
                    n.function, n.children.size(), [&](size_t i) { return eval(*n.children.at(i)); }, m_status);
                return &storage;
        }
        throw EvalError("unknown expression node");
    }

    static const json* or_null(const json* v) {
        static const json null_value;
        return v ? v : &null_value;
    }

    // Walks a property chain with pointers into the contexts (or into the evaluated base),
    // copying only the final value. After a wildcard the chain holds a filtered array:
    // each later step applies to every item, as in GitHub (`steps.*.outcome`).
    const json* eval_access(const Node& n, json& storage) {
        const json* current = eval_ref(*n.children[0], storage);
        bool filtered = false;
        std::vector<const json*> items;

        for (const Accessor& a : n.accessors) {
            bool wildcard = a.kind == Accessor::Kind::wildcard;
            if (filtered) {
                std::vector<const json*> next;
                std::optional<IndexValue> index;
                if (!wildcard) index.emplace(accessor_value(a));
                for (const json* item : items) {
                    if (item->is_object()) {
                        if (wildcard) {
                            for (const auto& v : *item) next.push_back(&v);
                        } else if (index->key) {
                            if (const json* v = find_property(*item, *index->key)) next.push_back(v);
                        }
                    } else if (item->is_array()) {
                        if (wildcard) {
                            for (const auto& v : *item) next.push_back(&v);
                        } else if (index->position && *index->position < item->size()) {
                            next.push_back(&(*item)[*index->position]);
                        }
                    }
                }
                items = std::move(next);
                continue;
            }
            bool collection = current && (current->is_object() || current->is_array());
            if (wildcard) {
                filtered = true;
                items.clear();
                if (collection)
                    for (const auto& v : *current) items.push_back(&v);
                continue;
            }
            if (!collection) {
                current = nullptr;
                continue;
            }
            IndexValue index(accessor_value(a));
            if (current->is_object()) {
                current = index.key ? find_property(*current, *index.key) : nullptr;
            } else {
                current = index.position && *index.position < current->size() ? &(*current)[*index.position] : nullptr;
            }
        }

        if (filtered) {
            json out = json::array();
            for (const json* item : items) out.push_back(*item);
            storage = std::move(out);  // items may point into storage: build first, then move
            return &storage;
        }
        return or_null(current);
    }

    json accessor_value(const Accessor& a) {
        if (a.kind == Accessor::Kind::property) return json(a.name);
        return eval(*a.index);
    }

    const json& m_contexts;
    const Status& m_status;
};

}  // namespace

json evaluate(const Expr& e, const EvalContext& ctx) {
    if (!e.root) throw EvalError("empty expression");
    static const json no_contexts = json::object();
    Evaluator evaluator(ctx.contexts ? *ctx.contexts : no_contexts, ctx.status);
    try {
        return evaluator.eval(*e.root);
    } catch (const EvalError&) {
        throw;
    } catch (const std::exception& ex) {  // nlohmann errors, bad_alloc: still an EvalError
        throw EvalError(std::string("cannot evaluate expression: ") + ex.what());
    }
}

}  // namespace flowctl::expr
