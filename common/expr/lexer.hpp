#pragma once
// Splits an expression into tokens, following the GitHub Actions lexer: numbers run to the
// next token boundary (so `0xff`, `1e3` and `-9.2` are single tokens), and `.` starts a
// number only where a value is expected.
#include <string>
#include <string_view>

namespace flowctl::expr {

enum class TokenKind {
    end,
    number,
    string,
    word,
    dot,
    star,
    comma,
    lparen,
    rparen,
    lbracket,
    rbracket,
    bang,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    and_,
    or_,
};

struct Token {
    TokenKind kind = TokenKind::end;
    size_t offset = 0;
    std::string_view text;  // as written
    std::string string;     // string literal with '' unescaped
    double number = 0;
};

struct LexError {
    size_t offset;
    std::string message;
};

class Lexer {
public:
    explicit Lexer(std::string_view source) : m_source(source) {}
    /// The next token; throws LexError on a character or literal that cannot start a token.
    Token next();
    /// True when the next non-space character is `(` (a word followed by it is a function).
    bool next_is_lparen() const;

private:
    Token read_number(size_t start);
    Token read_string(size_t start);
    Token read_word(size_t start);
    Token make(TokenKind kind, size_t start, size_t length);
    bool after_value() const;

    std::string_view m_source;
    size_t m_pos = 0;
    TokenKind m_last = TokenKind::end;
    bool m_started = false;
};

/// Quotes a piece of source for an error message, shortened when long.
std::string quote_snippet(std::string_view text);

}  // namespace flowctl::expr
