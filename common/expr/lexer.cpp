#include "expr/lexer.hpp"

#include <cmath>
#include <cstdio>

#include "expr/values.hpp"

namespace flowctl::expr {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes >= 0x80 are accepted so UTF-8 letters work in names, as GitHub accepts any letter.
bool is_word_start(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

bool is_word_char(char c) { return is_word_start(c) || is_digit(c) || c == '-'; }

// Where a number token stops (GitHub's TestTokenBoundary, minus '.').
bool is_boundary(char c) {
    switch (c) {
        case '(':
        case ')':
        case '[':
        case ']':
        case ',':
        case '!':
        case '>':
        case '<':
        case '=':
        case '&':
        case '|':
            return true;
        default:
            return is_space(c);
    }
}

}  // namespace

std::string quote_snippet(std::string_view text) {
    constexpr size_t limit = 40;
    std::string out = "'";
    for (size_t i = 0; i < text.size() && i < limit; ++i) {
        auto u = static_cast<unsigned char>(text[i]);
        if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += text[i];
        }
    }
    if (text.size() > limit) out += "...";
    return out + "'";
}

bool Lexer::after_value() const {
    switch (m_last) {
        case TokenKind::number:
        case TokenKind::string:
        case TokenKind::word:
        case TokenKind::rparen:
        case TokenKind::rbracket:
        case TokenKind::star:
            return m_started;
        default:
            return false;
    }
}

bool Lexer::next_is_lparen() const {
    size_t i = m_pos;
    while (i < m_source.size() && is_space(m_source[i])) ++i;
    return i < m_source.size() && m_source[i] == '(';
}

Token Lexer::make(TokenKind kind, size_t start, size_t length) {
    Token t;
    t.kind = kind;
    t.offset = start;
    t.text = m_source.substr(start, length);
    m_pos = start + length;
    return t;
}

Token Lexer::next() {
    while (m_pos < m_source.size() && is_space(m_source[m_pos])) ++m_pos;
    Token t = [&]() -> Token {
        size_t start = m_pos;
        if (start >= m_source.size()) return make(TokenKind::end, m_source.size(), 0);
        char c = m_source[start];
        char n = start + 1 < m_source.size() ? m_source[start + 1] : '\0';
        switch (c) {
            case '(':
                return make(TokenKind::lparen, start, 1);
            case ')':
                return make(TokenKind::rparen, start, 1);
            case '[':
                return make(TokenKind::lbracket, start, 1);
            case ']':
                return make(TokenKind::rbracket, start, 1);
            case ',':
                return make(TokenKind::comma, start, 1);
            case '*':
                return make(TokenKind::star, start, 1);
            case '\'':
                return read_string(start);
            case '"':
                throw LexError{start, "double-quoted strings are not supported; use single quotes, e.g. 'text'"};
            case '!':
                return n == '=' ? make(TokenKind::ne, start, 2) : make(TokenKind::bang, start, 1);
            case '<':
                return n == '=' ? make(TokenKind::le, start, 2) : make(TokenKind::lt, start, 1);
            case '>':
                return n == '=' ? make(TokenKind::ge, start, 2) : make(TokenKind::gt, start, 1);
            case '=':
                if (n == '=') return make(TokenKind::eq, start, 2);
                throw LexError{start, "unexpected '=' (use '==' to compare)"};
            case '&':
                if (n == '&') return make(TokenKind::and_, start, 2);
                throw LexError{start, "unexpected '&' (use '&&')"};
            case '|':
                if (n == '|') return make(TokenKind::or_, start, 2);
                throw LexError{start, "unexpected '|' (use '||')"};
            case '.':
                if (after_value()) return make(TokenKind::dot, start, 1);
                if (is_digit(n)) return read_number(start);
                throw LexError{start, "unexpected '.'"};
            default:
                break;
        }
        if (c == '-' || c == '+' || is_digit(c)) return read_number(start);
        if (is_word_start(c)) return read_word(start);
        throw LexError{start, "unexpected character " + quote_snippet(m_source.substr(start, 1))};
    }();
    m_last = t.kind;
    m_started = true;
    return t;
}

Token Lexer::read_number(size_t start) {
    size_t end = start + 1;
    while (end < m_source.size() && !is_boundary(m_source[end])) ++end;
    std::string_view text = m_source.substr(start, end - start);
    // parse_number() also trims and treats "" as 0; a token has neither spaces nor is empty.
    double d = parse_number(text);
    if (std::isnan(d)) {
        if (text == "-" || text == "+") throw LexError{start, "unexpected '" + std::string(text) + "'"};
        throw LexError{start, "invalid number " + quote_snippet(text)};
    }
    Token t = make(TokenKind::number, start, end - start);
    t.number = d;
    return t;
}

Token Lexer::read_string(size_t start) {
    std::string value;
    size_t i = start + 1;
    while (i < m_source.size()) {
        char c = m_source[i++];
        if (c == '\'') {
            if (i < m_source.size() && m_source[i] == '\'') {
                value += '\'';  // '' is an escaped quote
                ++i;
                continue;
            }
            Token t = make(TokenKind::string, start, i - start);
            t.string = std::move(value);
            return t;
        }
        value += c;
    }
    throw LexError{start, "unclosed string (a quote inside a string is written '')"};
}

Token Lexer::read_word(size_t start) {
    size_t end = start + 1;
    while (end < m_source.size() && is_word_char(m_source[end])) ++end;
    return make(TokenKind::word, start, end - start);
}

}  // namespace flowctl::expr
