// JSON output (as Python's json.dumps) and input for the Jinja subset.
#include <algorithm>
#include <stdexcept>

#include "jinja.h"
#include "jinja_internal.h"
#include "kiln_common/json.h"

namespace kiln_jinja {
namespace {

// Python's json.dumps (ensure_ascii); Jinja's |tojson also escapes <, >, & and '.
void json_string(std::string& out, const std::string& s, bool html_safe) {
  kiln_common::JsonEscape escape;
  escape.ascii_only = true;
  escape.html_safe = html_safe;
  kiln_common::append_json_string(out, s, escape);
}

void dump(std::string& out, const Value& v, bool jinja) {
  if (v.is_null()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_float()) {
    std::string f = format_float(v.as_float());
    out += f == "nan" ? "NaN" : f == "inf" ? "Infinity" : f == "-inf" ? "-Infinity" : f;
  } else if (v.is_int()) {
    out += std::to_string(v.as_int());
  } else if (v.is_string()) {
    json_string(out, v.as_string(), jinja);
  } else if (v.is_list()) {
    out += '[';
    bool first = true;
    for (const Value& x : *v.as_list()) {
      if (!first) out += ", ";
      first = false;
      dump(out, x, jinja);
    }
    out += ']';
  } else if (v.is_dict()) {
    Dict d = *v.as_dict();
    if (jinja)
      std::stable_sort(d.begin(), d.end(), [](auto& a, auto& b) { return a.first < b.first; });
    out += '{';
    bool first = true;
    for (const auto& [k, x] : d) {
      if (!first) out += ", ";
      first = false;
      json_string(out, k, jinja);
      out += ": ";
      dump(out, x, jinja);
    }
    out += '}';
  } else {
    throw std::runtime_error("a macro cannot be converted to JSON");
  }
}

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : m_s(s) {}

  Value parse_document() {
    Value v = parse_value(0);
    skip_ws();
    if (m_i != m_s.size()) fail("expected end of JSON");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at offset " + std::to_string(m_i));
  }
  void skip_ws() {
    while (m_i < m_s.size() &&
           (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
      ++m_i;
  }
  bool literal(const char* word) {
    std::string w(word);
    if (m_s.compare(m_i, w.size(), w) != 0) return false;
    m_i += w.size();
    return true;
  }

  Value parse_value(int depth) {
    if (depth > 500) fail("JSON nested too deeply");
    skip_ws();
    if (m_i >= m_s.size()) fail("unexpected end of JSON");
    char c = m_s[m_i];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return Value(parse_string());
    if (literal("true")) return Value(true);
    if (literal("false")) return Value(false);
    if (literal("null")) return Value();
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    fail(std::string("unexpected character '") + c + "'");
  }

  Value parse_object(int depth) {
    ++m_i;
    Dict d;
    skip_ws();
    if (m_i < m_s.size() && m_s[m_i] == '}') {
      ++m_i;
      return Value(std::move(d));
    }
    for (;;) {
      skip_ws();
      if (m_i >= m_s.size() || m_s[m_i] != '"') fail("expected a string key");
      std::string key = parse_string();
      skip_ws();
      if (m_i >= m_s.size() || m_s[m_i] != ':') fail("expected ':'");
      ++m_i;
      dict_set(d, key, parse_value(depth + 1));
      skip_ws();
      if (m_i < m_s.size() && m_s[m_i] == ',') {
        ++m_i;
        continue;
      }
      if (m_i < m_s.size() && m_s[m_i] == '}') {
        ++m_i;
        return Value(std::move(d));
      }
      fail("expected ',' or '}'");
    }
  }

  Value parse_array(int depth) {
    ++m_i;
    List l;
    skip_ws();
    if (m_i < m_s.size() && m_s[m_i] == ']') {
      ++m_i;
      return Value(std::move(l));
    }
    for (;;) {
      l.push_back(parse_value(depth + 1));
      skip_ws();
      if (m_i < m_s.size() && m_s[m_i] == ',') {
        ++m_i;
        continue;
      }
      if (m_i < m_s.size() && m_s[m_i] == ']') {
        ++m_i;
        return Value(std::move(l));
      }
      fail("expected ',' or ']'");
    }
  }

  Value parse_number() {
    std::size_t start = m_i;
    if (m_s[m_i] == '-') ++m_i;
    bool is_float = false;
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && is_float)) {
        is_float = true;
      } else if (c < '0' || c > '9') {
        break;
      }
      ++m_i;
    }
    std::string text = m_s.substr(start, m_i - start);
    try {
      std::size_t used = 0;
      if (!is_float) {
        long long n = std::stoll(text, &used);
        if (used == text.size()) return Value(static_cast<std::int64_t>(n));
      } else {
        double d = std::stod(text, &used);
        if (used == text.size()) return Value(d);
      }
    } catch (const std::exception&) {
    }
    m_i = start;
    fail("bad number '" + text + "'");
  }

  unsigned parse_hex4() {
    if (m_i + 4 > m_s.size()) fail("bad \\u escape");
    unsigned code = 0;
    for (int k = 0; k < 4; ++k) {
      char c = m_s[m_i++];
      code <<= 4;
      if (c >= '0' && c <= '9')
        code |= c - '0';
      else if (c >= 'a' && c <= 'f')
        code |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        code |= c - 'A' + 10;
      else
        fail("bad \\u escape");
    }
    return code;
  }

  std::string parse_string() {
    ++m_i;
    std::string out;
    for (;;) {
      if (m_i >= m_s.size()) fail("unterminated string");
      char c = m_s[m_i++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_i >= m_s.size()) fail("unterminated string");
      char e = m_s[m_i++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          append_code_point(out, parse_escaped_code());
          break;
        default:
          fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  unsigned parse_escaped_code() {
    unsigned code = parse_hex4();
    if (code >= 0xd800 && code < 0xdc00 && m_s.compare(m_i, 2, "\\u") == 0) {
      m_i += 2;
      unsigned low = parse_hex4();
      if (low >= 0xdc00 && low < 0xe000) return 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      fail("bad surrogate pair");
    }
    return code;
  }

  const std::string& m_s;
  std::size_t m_i = 0;
};

}  // namespace

void append_code_point(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

std::string to_json(const Value& v) {
  std::string out;
  dump(out, v, false);
  return out;
}

std::string to_jinja_json(const Value& v) {
  std::string out;
  dump(out, v, true);
  return out;
}

Value parse_json(const std::string& text) {
  return JsonParser(text).parse_document();
}

}  // namespace kiln_jinja
