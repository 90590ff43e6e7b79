// Lexer of the Jinja subset: template text, {{ }}, {% %}, {# #}, whitespace
// control (`{%-`, `-%}`), {% raw %}, and the tokens of expressions.
#include <cctype>

#include "jinja_lex.h"

namespace kiln_jinja {
namespace {

const char* const k_ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                             ">",  "(",  ")",  "[",  "]",  "{",  "}", ",", ":", ".", "|", "="};

class Lexer {
 public:
  Lexer(const std::string& src, const std::string& name) : m_src(src), m_name(name) {}

  std::vector<Token> run() {
    while (m_pos < m_src.size()) {
      std::size_t open = find_opener(m_pos);
      bool strip_before = open + 2 < m_src.size() && m_src[open + 2] == '-';
      std::string text = m_src.substr(m_pos, open - m_pos);
      if (m_strip_next) text.erase(0, text.find_first_not_of(" \t\r\n"));
      if (strip_before && open < m_src.size()) {
        std::size_t keep = text.find_last_not_of(" \t\r\n");
        text.erase(keep == std::string::npos ? 0 : keep + 1);
      }
      m_strip_next = false;
      if (!text.empty()) push(Token::k_text, text, m_line);
      advance_to(open);
      if (open >= m_src.size()) break;
      lex_tag(strip_before);
    }
    push(Token::k_eof, "", m_line);
    return std::move(m_out);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) { throw Error(m_name, line, what); }

  std::size_t find_opener(std::size_t from) const {
    for (std::size_t i = m_src.find('{', from); i != std::string::npos;
         i = m_src.find('{', i + 1)) {
      if (i + 1 < m_src.size() &&
          (m_src[i + 1] == '{' || m_src[i + 1] == '%' || m_src[i + 1] == '#'))
        return i;
    }
    return m_src.size();
  }

  void advance_to(std::size_t pos) {
    for (; m_pos < pos && m_pos < m_src.size(); ++m_pos)
      if (m_src[m_pos] == '\n') ++m_line;
  }

  void push(Token::Type type, std::string s, int line, Value value = {}) {
    m_out.push_back(Token{type, std::move(s), std::move(value), line});
  }

  void lex_tag(bool strip_before) {
    char kind = m_src[m_pos + 1];
    int start_line = m_line;
    advance_to(m_pos + 2 + (strip_before ? 1 : 0));
    if (kind == '#') {
      std::size_t end = m_src.find("#}", m_pos);
      if (end == std::string::npos) fail(start_line, "expected '#}', got end of template");
      m_strip_next = end > m_pos && m_src[end - 1] == '-';
      advance_to(end + 2);
      return;
    }
    std::size_t first = m_out.size();
    push(kind == '{' ? Token::k_var_begin : Token::k_block_begin, "", start_line);
    lex_expression(kind == '{' ? '}' : '%', start_line);
    if (kind == '%' && m_out.size() == first + 3 && m_out[first + 1].type == Token::k_name &&
        m_out[first + 1].s == "raw")
      lex_raw(first);
  }

  void lex_expression(char closer, int start_line) {
    int depth = 0;
    for (;;) {
      while (m_pos < m_src.size() && std::isspace(static_cast<unsigned char>(m_src[m_pos])))
        advance_to(m_pos + 1);
      if (m_pos >= m_src.size()) {
        fail(start_line, std::string("expected '") + closer + "}', got end of template");
      }
      if (depth == 0 && ends_tag(closer)) return;
      lex_token(depth);
    }
  }

  bool ends_tag(char closer) {
    std::string end = std::string(1, closer) + "}";
    if (m_src.compare(m_pos, 2, end) == 0) {
      push(closer == '}' ? Token::k_var_end : Token::k_block_end, "", m_line);
      advance_to(m_pos + 2);
      return true;
    }
    if (m_src.compare(m_pos, 3, "-" + end) == 0) {
      push(closer == '}' ? Token::k_var_end : Token::k_block_end, "", m_line);
      advance_to(m_pos + 3);
      m_strip_next = true;
      return true;
    }
    return false;
  }

  void lex_token(int& depth) {
    char c = m_src[m_pos];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = m_pos;
      while (end < m_src.size() &&
             (std::isalnum(static_cast<unsigned char>(m_src[end])) || m_src[end] == '_'))
        ++end;
      push(Token::k_name, m_src.substr(m_pos, end - m_pos), m_line);
      advance_to(end);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      lex_number();
    } else if (c == '\'' || c == '"') {
      lex_string(c);
    } else {
      for (const char* op : k_ops) {
        std::string o(op);
        if (m_src.compare(m_pos, o.size(), o) != 0) continue;
        if (o == "(" || o == "[" || o == "{") ++depth;
        if ((o == ")" || o == "]" || o == "}") && depth > 0) --depth;
        push(Token::k_op, o, m_line);
        advance_to(m_pos + o.size());
        return;
      }
      fail(m_line, std::string("unexpected character '") + c + "'");
    }
  }

  void lex_number() {
    std::size_t end = m_pos;
    bool is_float = false;
    while (end < m_src.size() &&
           (std::isdigit(static_cast<unsigned char>(m_src[end])) || m_src[end] == '_'))
      ++end;
    if (end + 1 < m_src.size() && m_src[end] == '.' &&
        std::isdigit(static_cast<unsigned char>(m_src[end + 1]))) {
      is_float = true;
      ++end;
      while (end < m_src.size() && std::isdigit(static_cast<unsigned char>(m_src[end]))) ++end;
    }
    if (end < m_src.size() && (m_src[end] == 'e' || m_src[end] == 'E')) {
      std::size_t e = end + 1;
      if (e < m_src.size() && (m_src[e] == '+' || m_src[e] == '-')) ++e;
      if (e < m_src.size() && std::isdigit(static_cast<unsigned char>(m_src[e]))) {
        is_float = true;
        end = e;
        while (end < m_src.size() && std::isdigit(static_cast<unsigned char>(m_src[end]))) ++end;
      }
    }
    std::string text;
    for (std::size_t i = m_pos; i < end; ++i)
      if (m_src[i] != '_') text += m_src[i];
    try {
      if (is_float) {
        push(Token::k_float, text, m_line, Value(std::stod(text)));
      } else {
        push(Token::k_int, text, m_line, Value(static_cast<std::int64_t>(std::stoll(text))));
      }
    } catch (const std::exception&) {
      fail(m_line, "bad number '" + text + "'");
    }
    advance_to(end);
  }

  void lex_string(char quote) {
    int line = m_line;
    std::string out;
    std::size_t i = m_pos + 1;
    for (;;) {
      if (i >= m_src.size()) fail(line, "expected end of string, got end of template");
      char c = m_src[i++];
      if (c == quote) break;
      if (c != '\\' || i >= m_src.size()) {
        out += c;
        continue;
      }
      char e = m_src[i++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case '\n':
          break;
        default:
          out += '\\';
          out += e;
      }
    }
    push(Token::k_string, out, line, Value(out));
    advance_to(i);
  }

  // After `{% raw %}`: everything up to `{% endraw %}` is text.
  void lex_raw(std::size_t first) {
    int line = m_out[first].line;
    m_out.resize(first);
    for (std::size_t i = m_src.find("{%", m_pos); i != std::string::npos;
         i = m_src.find("{%", i + 1)) {
      std::size_t j = i + 2;
      bool strip = j < m_src.size() && m_src[j] == '-';
      if (strip) ++j;
      while (j < m_src.size() && std::isspace(static_cast<unsigned char>(m_src[j]))) ++j;
      if (m_src.compare(j, 6, "endraw") != 0) continue;
      j += 6;
      while (j < m_src.size() && std::isspace(static_cast<unsigned char>(m_src[j]))) ++j;
      bool strip_after = j < m_src.size() && m_src[j] == '-';
      if (strip_after) ++j;
      if (m_src.compare(j, 2, "%}") != 0) continue;
      std::string text = m_src.substr(m_pos, i - m_pos);
      if (m_strip_next) text.erase(0, text.find_first_not_of(" \t\r\n"));
      if (strip) {
        std::size_t keep = text.find_last_not_of(" \t\r\n");
        text.erase(keep == std::string::npos ? 0 : keep + 1);
      }
      if (!text.empty()) push(Token::k_text, text, m_line);
      advance_to(j + 2);
      m_strip_next = strip_after;
      return;
    }
    fail(line, "expected '{% endraw %}', got end of template");
  }

  const std::string& m_src;
  const std::string& m_name;
  std::size_t m_pos = 0;
  int m_line = 1;
  bool m_strip_next = false;
  std::vector<Token> m_out;
};

}  // namespace

std::vector<Token> lex(const std::string& source, const std::string& name) {
  // As Jinja's default (keep_trailing_newline=False): one trailing newline
  // of the template is dropped.
  std::string src = source;
  if (!src.empty() && src.back() == '\n') src.pop_back();
  return Lexer(src, name).run();
}

std::string describe(const Token& t) {
  switch (t.type) {
    case Token::k_text:
      return "text";
    case Token::k_var_begin:
      return "'{{'";
    case Token::k_var_end:
      return "'}}'";
    case Token::k_block_begin:
      return "'{%'";
    case Token::k_block_end:
      return "'%}'";
    case Token::k_name:
      return "'" + t.s + "'";
    case Token::k_string:
      return "string " + to_repr(t.value);
    case Token::k_int:
      return "integer " + t.s;
    case Token::k_float:
      return "float " + t.s;
    case Token::k_op:
      return "'" + t.s + "'";
    default:
      return "end of template";
  }
}

}  // namespace kiln_jinja
