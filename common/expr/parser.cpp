// Recursive-descent parser. Precedence, high to low: ( ), [ ] and ., !, < <= > >=, == !=, &&, ||.
#include <algorithm>
#include <limits>

#include "expr/ast.hpp"
#include "expr/functions.hpp"
#include "expr/lexer.hpp"
#include "expr/values.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::expr {
namespace {

using NodePtr = std::unique_ptr<Node>;

class Parser {
public:
    explicit Parser(std::string_view source) : m_source(source), m_lexer(source) {}

    NodePtr parse() {
        advance();
        if (m_token.kind == TokenKind::end) fail(0, "empty expression");
        NodePtr root = parse_or();
        if (m_token.kind != TokenKind::end) fail(m_token.offset, "unexpected " + describe(m_token));
        return root;
    }

private:
    // Counts parentheses, `!`, indexes and calls on the way down.
    struct Nest {
        Parser& parser;
        Nest(Parser& p, size_t offset) : parser(p) {
            if (++parser.m_nesting > max_depth) parser.fail_too_deep(offset);
        }
        ~Nest() { --parser.m_nesting; }
    };

    [[noreturn]] void fail(size_t offset, std::string message) { throw ParseError{offset, std::move(message)}; }

    [[noreturn]] void fail_too_deep(size_t offset) {
        fail(offset, "expression is nested too deeply (more than " + std::to_string(max_depth) + " levels)");
    }

    void advance() {
        try {
            m_token = m_lexer.next();
        } catch (const LexError& e) {
            fail(e.offset, e.message);
        }
    }

    std::string describe(const Token& t) const {
        if (t.kind == TokenKind::end) return "end of expression";
        return quote_snippet(t.text);
    }

    NodePtr make(NodeKind kind, size_t offset) {
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->offset = offset;
        return node;
    }

    // Sets the subtree height from the children; rejects trees that are too deep.
    NodePtr finish(NodePtr node) {
        int depth = 0;
        for (const auto& c : node->children) depth = std::max(depth, c->depth);
        for (const auto& a : node->accessors)
            if (a.index) depth = std::max(depth, a.index->depth);
        node->depth = depth + 1;
        if (node->depth > max_depth) fail_too_deep(node->offset);
        return node;
    }

    NodePtr parse_or() { return parse_logical(TokenKind::or_, NodeKind::logical_or, &Parser::parse_and); }
    NodePtr parse_and() { return parse_logical(TokenKind::and_, NodeKind::logical_and, &Parser::parse_equality); }

    // a && b && c is one node with three operands: long chains stay shallow.
    NodePtr parse_logical(TokenKind op, NodeKind kind, NodePtr (Parser::*operand)()) {
        NodePtr first = (this->*operand)();
        if (m_token.kind != op) return first;
        NodePtr node = make(kind, first->offset);
        node->children.push_back(std::move(first));
        while (m_token.kind == op) {
            advance();
            node->children.push_back((this->*operand)());
        }
        return finish(std::move(node));
    }

    NodePtr parse_equality() {
        NodePtr left = parse_comparison();
        while (m_token.kind == TokenKind::eq || m_token.kind == TokenKind::ne) {
            CompareOp op = m_token.kind == TokenKind::eq ? CompareOp::eq : CompareOp::ne;
            advance();
            left = make_compare(op, std::move(left), parse_comparison());
        }
        return left;
    }

    NodePtr parse_comparison() {
        NodePtr left = parse_unary();
        for (;;) {
            CompareOp op;
            switch (m_token.kind) {
                case TokenKind::lt:
                    op = CompareOp::lt;
                    break;
                case TokenKind::le:
                    op = CompareOp::le;
                    break;
                case TokenKind::gt:
                    op = CompareOp::gt;
                    break;
                case TokenKind::ge:
                    op = CompareOp::ge;
                    break;
                default:
                    return left;
            }
            advance();
            left = make_compare(op, std::move(left), parse_unary());
        }
    }

    NodePtr make_compare(CompareOp op, NodePtr left, NodePtr right) {
        NodePtr node = make(NodeKind::compare, left->offset);
        node->op = op;
        node->children.push_back(std::move(left));
        node->children.push_back(std::move(right));
        return finish(std::move(node));
    }

    NodePtr parse_unary() {
        if (m_token.kind != TokenKind::bang) return parse_postfix();
        size_t offset = m_token.offset;
        Nest nest(*this, offset);
        advance();
        NodePtr node = make(NodeKind::logical_not, offset);
        node->children.push_back(parse_unary());
        return finish(std::move(node));
    }

    NodePtr parse_postfix() {
        NodePtr base = parse_primary();
        if (m_token.kind != TokenKind::dot && m_token.kind != TokenKind::lbracket) return base;
        // `(a.*).b` continues the chain of `a.*`, so the filter applies as it does in GitHub.
        NodePtr node;
        if (base->kind == NodeKind::access) {
            node = std::move(base);
        } else {
            node = make(NodeKind::access, base->offset);
            node->children.push_back(std::move(base));
        }
        for (;;) {
            Accessor a;
            a.offset = m_token.offset;
            if (m_token.kind == TokenKind::dot) {
                advance();
                if (m_token.kind == TokenKind::word) {
                    a.kind = Accessor::Kind::property;
                    a.name = std::string(m_token.text);
                } else if (m_token.kind == TokenKind::star) {
                    a.kind = Accessor::Kind::wildcard;
                } else {
                    fail(a.offset, "expected a property name after '.'");
                }
                advance();
            } else if (m_token.kind == TokenKind::lbracket) {
                Nest nest(*this, a.offset);
                advance();
                if (m_token.kind == TokenKind::star) {
                    a.kind = Accessor::Kind::wildcard;
                    advance();
                } else {
                    a.kind = Accessor::Kind::index;
                    a.index = parse_or();
                }
                expect_close(TokenKind::rbracket, "']'", "'['", a.offset);
            } else {
                break;
            }
            node->accessors.push_back(std::move(a));
        }
        return finish(std::move(node));
    }

    void expect_close(TokenKind kind, const char* closer, const char* opener, size_t open_offset) {
        if (m_token.kind == kind) {
            advance();
            return;
        }
        if (m_token.kind == TokenKind::end) fail(open_offset, std::string("unclosed ") + opener);
        fail(m_token.offset, std::string("expected ") + closer + ", found " + describe(m_token));
    }

    NodePtr parse_primary() {
        const Token& t = m_token;
        switch (t.kind) {
            case TokenKind::number:
                return literal(number_value(t.number));
            case TokenKind::string:
                return literal(json(t.string));
            case TokenKind::word:
                return parse_word();
            case TokenKind::lparen: {
                size_t offset = t.offset;
                Nest nest(*this, offset);
                advance();
                NodePtr inner = parse_or();
                expect_close(TokenKind::rparen, "')'", "'('", offset);
                return inner;
            }
            case TokenKind::end:
                fail(t.offset, "unexpected end of expression");
            default:
                fail(t.offset, "unexpected " + describe(t));
        }
    }

    NodePtr literal(json value) {
        NodePtr node = make(NodeKind::literal, m_token.offset);
        node->value = std::move(value);
        advance();
        return node;
    }

    NodePtr parse_word() {
        std::string_view w = m_token.text;
        // Keywords are case-sensitive, as in GitHub.
        if (w == "null") return literal(json(nullptr));
        if (w == "true") return literal(json(true));
        if (w == "false") return literal(json(false));
        if (w == "NaN") return literal(json(std::numeric_limits<double>::quiet_NaN()));
        if (w == "Infinity") return literal(json(std::numeric_limits<double>::infinity()));
        if (m_lexer.next_is_lparen()) return parse_call();
        NodePtr node = make(NodeKind::context, m_token.offset);
        node->name = std::string(w);
        advance();
        return node;
    }

    NodePtr parse_call() {
        std::string name(m_token.text);
        size_t offset = m_token.offset;
        const FunctionInfo* f = find_function(name);
        if (!f) {
            std::string message = "unknown function '" + name + "'";
            if (auto guess = util::did_you_mean(name, function_names())) message += " (did you mean '" + *guess + "'?)";
            fail(offset, message);
        }
        NodePtr node = make(NodeKind::call, offset);
        node->function = f->id;
        node->name = f->name;
        advance();  // the name
        size_t open = m_token.offset;
        Nest nest(*this, open);
        advance();  // '('
        if (m_token.kind == TokenKind::rparen) {
            advance();
        } else {
            for (;;) {
                node->children.push_back(parse_or());
                if (m_token.kind == TokenKind::comma) {
                    advance();
                    continue;
                }
                if (m_token.kind == TokenKind::rparen) {
                    advance();
                    break;
                }
                if (m_token.kind == TokenKind::end) fail(open, "unclosed '(' in call to " + name + "()");
                fail(m_token.offset, "expected ',' or ')' in call to " + name + "(), found " + describe(m_token));
            }
        }
        size_t n = node->children.size();
        if (n < f->min_args || n > f->max_args) fail(offset, arity_message(*f) + " (got " + std::to_string(n) + ")");
        return finish(std::move(node));
    }

    std::string_view m_source;
    Lexer m_lexer;
    Token m_token;
    int m_nesting = 0;
};

}  // namespace

std::optional<Expr> parse(std::string_view source, ParseError* error) {
    try {
        Parser parser(source);
        std::shared_ptr<const Node> root = parser.parse();
        return Expr{std::move(root), std::string(source)};
    } catch (ParseError& e) {
        if (error) *error = std::move(e);
    } catch (const std::exception& e) {  // e.g. bad_alloc on absurd input: still a value
        if (error) *error = ParseError{0, std::string("cannot parse expression: ") + e.what()};
    }
    return std::nullopt;
}

}  // namespace flowctl::expr
