#include "profile/py_expr_lexer.h"

#include <cstdio>
#include <limits>

#include "profile/py_expr_text.h"
#include "profile/py_expr_value.h"

namespace kiln::profile::py {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

// Value of `c` as a digit of `base`, or -1.
int digit_value(char c, int base) {
  int v = is_digit(c)              ? c - '0'
          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                   : 99;
  return v < base ? v : -1;
}

constexpr std::string_view k_ops2[] = {"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=",
                                       "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<>"};
constexpr std::string_view k_ops1 = "()[]{},:.;@=+-*/%&|^~<>";

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view src) : m_src(src) {}
  Expected<std::vector<Token>> run();

 private:
  Status step();
  Status lex_newline();
  Status lex_number();
  Status lex_digits(int base, std::int64_t* value, bool* all_zero);
  Status lex_name();
  Status lex_string(std::size_t start, bool raw);
  Status lex_escape(std::string* out);
  Status lex_hex(std::size_t count, char32_t* cp);
  Status lex_op();
  char peek(std::size_t k = 0) const { return m_pos + k < m_src.size() ? m_src[m_pos + k] : '\0'; }
  Error error(std::size_t offset, const std::string& message) const {
    return syntax_error(m_src, offset, message);
  }
  void push(TokKind kind, std::size_t offset, std::string text = {}, std::int64_t number = 0) {
    m_out.push_back(Token{kind, std::move(text), number, offset});
  }

  std::string_view m_src;
  std::size_t m_pos = 0;
  std::vector<std::pair<char, std::size_t>> m_open;  // open brackets and their offsets
  std::vector<Token> m_out;
};

Expected<std::vector<Token>> Tokenizer::run() {
  if (!valid_utf8(m_src)) return condition_error("the expression is not valid UTF-8");
  while (m_pos < m_src.size()) {
    if (Status st = step(); !st.ok()) return st.error();
  }
  if (!m_open.empty())
    return error(m_open.back().second,
                 "'" + std::string(1, m_open.back().first) + "' was never closed");
  push(TokKind::k_end, m_src.size());
  return std::move(m_out);
}

Status Tokenizer::step() {
  char c = peek();
  if (c == ' ' || c == '\t' || c == '\f') {
    ++m_pos;
  } else if (c == '#') {
    while (m_pos < m_src.size() && peek() != '\n' && peek() != '\r') ++m_pos;
  } else if (c == '\\') {
    if (peek(1) != '\n' && peek(1) != '\r')
      return error(m_pos, "unexpected character after line continuation character");
    m_pos += (peek(1) == '\r' && peek(2) == '\n') ? 3 : 2;
  } else if (c == '\n' || c == '\r') {
    return lex_newline();
  } else if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
    return lex_number();
  } else if (is_name_start(c)) {
    return lex_name();
  } else if (c == '\'' || c == '"') {
    return lex_string(m_pos, false);
  } else {
    return lex_op();
  }
  return {};
}

Status Tokenizer::lex_newline() {
  std::size_t at = m_pos;
  m_pos += (peek() == '\r' && peek(1) == '\n') ? 2 : 1;
  if (m_open.empty() && !m_out.empty() && m_out.back().kind != TokKind::k_newline)
    push(TokKind::k_newline, at);
  return {};
}

// Digits of `base` with single underscores between them; at least one.
Status Tokenizer::lex_digits(int base, std::int64_t* value, bool* all_zero) {
  std::size_t start = m_pos;
  constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
  *value = 0;
  *all_zero = true;
  for (;;) {
    int d = digit_value(peek(), base);
    if (d < 0) break;
    if (*value > (k_max - d) / base)
      return error(start, "integer literal too large: Kiln integers are 64-bit");
    *value = *value * base + d;
    *all_zero = *all_zero && d == 0;
    ++m_pos;
    if (peek() == '_' && digit_value(peek(1), base) >= 0) ++m_pos;
  }
  if (m_pos == start) return error(start, "invalid integer literal: expected a digit");
  return {};
}

Status Tokenizer::lex_number() {
  std::size_t start = m_pos;
  std::int64_t value = 0;
  bool all_zero = true;
  char p = peek(1);
  if (peek() == '0' && (p == 'x' || p == 'X' || p == 'o' || p == 'O' || p == 'b' || p == 'B')) {
    m_pos += 2;
    if (peek() == '_') ++m_pos;
    int base = (p == 'x' || p == 'X') ? 16 : (p == 'o' || p == 'O') ? 8 : 2;
    if (Status st = lex_digits(base, &value, &all_zero); !st.ok()) return st;
  } else if (peek() != '.') {
    if (Status st = lex_digits(10, &value, &all_zero); !st.ok()) return st;
    if (m_src[start] == '0' && !all_zero)
      return error(start, "leading zeros in decimal integer literals are not permitted");
  }
  char c = peek();
  if (c == '.' || c == 'e' || c == 'E' || c == 'j' || c == 'J')
    return error(start, "float and complex literals are not supported: expected an integer");
  if (is_name_char(c)) return error(start, "invalid decimal literal");
  push(TokKind::k_int, start, std::string(m_src.substr(start, m_pos - start)), value);
  return {};
}

Status Tokenizer::lex_name() {
  std::size_t start = m_pos;
  while (is_name_char(peek())) ++m_pos;
  std::string name(m_src.substr(start, m_pos - start));
  if (peek() != '\'' && peek() != '"') {
    push(TokKind::k_name, start, std::move(name));
    return {};
  }
  std::string lower;
  for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "r" || lower == "u") return lex_string(start, lower == "r");
  if (lower == "b" || lower == "br" || lower == "rb")
    return error(start, "bytes literals are not supported: expected a str literal");
  if (lower == "f" || lower == "fr" || lower == "rf")
    return error(start, "f-strings are not supported: expected a plain str literal");
  push(TokKind::k_name, start, std::move(name));  // e.g. `x'a'`: the parser reports it
  return {};
}

Status Tokenizer::lex_string(std::size_t start, bool raw) {
  while (peek() != '\'' && peek() != '"') ++m_pos;  // skip the prefix
  char q = peek();
  bool triple = peek(1) == q && peek(2) == q;
  m_pos += triple ? 3 : 1;
  std::string out;
  for (;;) {
    if (m_pos >= m_src.size())
      return error(start, triple ? "unterminated triple-quoted string literal"
                                 : "unterminated string literal");
    char c = peek();
    if (c == q && (!triple || (peek(1) == q && peek(2) == q))) {
      m_pos += triple ? 3 : 1;
      break;
    }
    if ((c == '\n' || c == '\r') && !triple) return error(start, "unterminated string literal");
    if (c == '\\' && !raw) {
      if (Status st = lex_escape(&out); !st.ok()) return st;
    } else if (c == '\\') {
      out += c;
      ++m_pos;
      if (m_pos < m_src.size()) out += m_src[m_pos++];
    } else if (c == '\r') {  // newlines in triple-quoted strings read as \n
      out += '\n';
      m_pos += peek(1) == '\n' ? 2 : 1;
    } else {
      out += c;
      ++m_pos;
    }
  }
  push(TokKind::k_str, start, std::move(out));
  return {};
}

Status Tokenizer::lex_hex(std::size_t count, char32_t* cp) {
  *cp = 0;
  for (std::size_t k = 0; k < count; ++k) {
    int d = digit_value(peek(), 16);
    if (d < 0)
      return error(m_pos, "truncated \\" +
                              std::string(count == 2   ? "xXX"
                                          : count == 4 ? "uXXXX"
                                                       : "UXXXXXXXX") +
                              " escape");
    *cp = *cp * 16 + static_cast<char32_t>(d);
    ++m_pos;
  }
  return {};
}

// REQUIRES: peek() == '\\'. Appends the escaped character(s).
Status Tokenizer::lex_escape(std::string* out) {
  static constexpr std::string_view k_simple_from = "\\'\"abfnrtv";
  static constexpr std::string_view k_simple_to = "\\'\"\a\b\f\n\r\t\v";
  std::size_t at = m_pos;
  char e = peek(1);
  m_pos += 2;
  if (e == '\n') return {};  // line continuation inside the string
  if (e == '\r') {
    if (peek() == '\n') ++m_pos;
    return {};
  }
  if (std::size_t k = k_simple_from.find(e); e != '\0' && k != std::string_view::npos) {
    *out += k_simple_to[k];
    return {};
  }
  if (e == 'N') return error(at, "\\N{...} escapes are not supported");
  char32_t cp = 0;
  if (e == 'x' || e == 'u' || e == 'U') {
    if (Status st = lex_hex(e == 'x' ? 2 : e == 'u' ? 4 : 8, &cp); !st.ok()) return st;
  } else if (e >= '0' && e <= '7') {
    cp = static_cast<char32_t>(e - '0');
    for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k)
      cp = cp * 8 + static_cast<char32_t>(m_src[m_pos++] - '0');
  } else {
    m_pos = at + 1;  // an unknown escape keeps its backslash
    *out += '\\';
    return {};
  }
  if (cp > 0x10FFFF) return error(at, "illegal Unicode character in \\U escape");
  if (cp >= 0xD800 && cp <= 0xDFFF) return error(at, "surrogate code points are not supported");
  append_utf8(*out, cp);
  return {};
}

Status Tokenizer::lex_op() {
  std::size_t start = m_pos;
  if (m_src.substr(m_pos, 3) == "...") return error(start, "'...' (Ellipsis) is not supported");
  std::string_view two = m_src.substr(m_pos, 2);
  for (std::string_view op : k_ops2) {
    if (two != op) continue;
    m_pos += 2;
    push(TokKind::k_op, start, std::string(op));
    return {};
  }
  char c = peek();
  if (k_ops1.find(c) == std::string_view::npos) {
    unsigned char u = static_cast<unsigned char>(c);
    char buf[64];
    std::snprintf(buf, sizeof buf, "invalid character (byte 0x%02X)", u);
    if (u >= 0x80) return error(start, "non-ASCII characters are only supported inside strings");
    return error(start,
                 u < 0x20 || u == 0x7F ? buf : "invalid character '" + std::string(1, c) + "'");
  }
  if (c == '(' || c == '[' || c == '{') m_open.emplace_back(c, start);
  if (c == ')' || c == ']' || c == '}') {
    if (m_open.empty()) return error(start, "unmatched '" + std::string(1, c) + "'");
    char open = m_open.back().first;
    char want = open == '(' ? ')' : open == '[' ? ']' : '}';
    if (c != want)
      return error(start, "closing parenthesis '" + std::string(1, c) +
                              "' does not match opening parenthesis '" + std::string(1, open) +
                              "'");
    m_open.pop_back();
  }
  ++m_pos;
  push(TokKind::k_op, start, std::string(1, c));
  return {};
}

}  // namespace

Expected<std::vector<Token>> tokenize(std::string_view source) {
  return Tokenizer(source).run();
}

Error syntax_error(std::string_view source, std::size_t offset, const std::string& message) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::string where = "column " + std::to_string(offset - line_start + 1);
  if (source.find('\n') != std::string_view::npos)
    where = "line " + std::to_string(line) + ", " + where;
  std::string shown(source.substr(0, 120));
  if (source.size() > 120) shown += "...";
  for (char& c : shown)
    if (c == '\n' || c == '\r') c = ' ';
  return condition_error("syntax error at " + where + " of `" + shown + "`: " + message);
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokKind::k_name:
    case TokKind::k_op:
      return "'" + token.text + "'";
    case TokKind::k_int:
      return "the number " + token.text;
    case TokKind::k_str:
      return "a string";
    case TokKind::k_newline:
      return "a line break";
    case TokKind::k_end:
      return "end of input";
  }
  return "?";
}

}  // namespace kiln::profile::py
