// Static questions about a parsed expression, asked by the validator and the engine.
#include <algorithm>
#include <functional>

#include "expr/ast.hpp"

namespace flowctl::expr {
namespace {

void visit(const Node& n, const std::function<void(const Node&)>& f) {
    f(n);
    for (const auto& c : n.children) visit(*c, f);
    for (const auto& a : n.accessors)
        if (a.index) visit(*a.index, f);
}

}  // namespace

std::vector<Reference> references(const Expr& e) {
    std::vector<Reference> out;
    if (!e.root) return out;
    // A context node that is the base of a chain is reported once, with its whole chain.
    std::function<void(const Node&)> walk = [&](const Node& n) {
        if (n.kind == NodeKind::context) {
            out.push_back({{n.name}, n.offset});
            return;
        }
        if (n.kind == NodeKind::access && n.children[0]->kind == NodeKind::context) {
            Reference r{{n.children[0]->name}, n.children[0]->offset};
            bool open = true;
            for (const auto& a : n.accessors) {
                if (open && a.kind == Accessor::Kind::property) {
                    r.path.push_back(a.name);
                } else if (open && a.kind == Accessor::Kind::index && a.index->kind == NodeKind::literal &&
                           a.index->value.is_string()) {
                    r.path.push_back(a.index->value.get<std::string>());
                } else {
                    open = false;  // a computed index or a wildcard ends the chain
                }
            }
            out.push_back(std::move(r));
            for (const auto& a : n.accessors)
                if (a.index) walk(*a.index);
            return;
        }
        for (const auto& c : n.children) walk(*c);
        for (const auto& a : n.accessors)
            if (a.index) walk(*a.index);
    };
    walk(*e.root);
    return out;
}

std::vector<std::string> functions_called(const Expr& e) {
    std::vector<std::string> out;
    if (!e.root) return out;
    visit(*e.root, [&](const Node& n) {
        if (n.kind == NodeKind::call && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
    });
    return out;
}

bool uses_status_function(const Expr& e) {
    bool found = false;
    if (!e.root) return false;
    visit(*e.root, [&](const Node& n) {
        if (n.kind == NodeKind::call && (n.function == Function::success || n.function == Function::failure ||
                                         n.function == Function::always || n.function == Function::cancelled))
            found = true;
    });
    return found;
}

}  // namespace flowctl::expr
