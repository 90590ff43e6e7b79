#include "profile/lexer.h"

#include <optional>
#include <unordered_map>

#include "util/pystr.h"

namespace kiln::profile {

using util::py_is_blank;
using util::py_rstrip;
using util::py_space_len;
using util::py_strip;

ParsedSection* ParsedFile::find(std::string_view name) {
  for (ParsedSection& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

const ParsedSection* ParsedFile::find(std::string_view name) const {
  return const_cast<ParsedFile*>(this)->find(name);
}

namespace {

bool is_name_char(char c) {
  switch (c) {
    case '#':
    case '[':
    case ']':
    case ':':
    case ';':
    case '{':
    case '}':
      return false;
    default:
      return true;
  }
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    std::size_t n = py_space_len(s, i);
    if (!n) break;
    i += n;
  }
  return i;
}

// True if `rest` (text after the closing `]`) matches `\s*([#;].*)?$`.
bool header_tail_ok(std::string_view rest) {
  std::size_t i = skip_space(rest, 0);
  return i == rest.size() || rest[i] == '#' || rest[i] == ';';
}

struct Header {
  std::string_view name;
  std::optional<std::string_view> expression;  // text between ':' and the `]`
  std::string_view tail;                       // from the closing `]` to the end
};

// The section_header regex of zc.buildout's configparser.
std::optional<Header> match_header(std::string_view line) {
  if (line.empty() || line[0] != '[') return std::nullopt;
  std::size_t i = skip_space(line, 1);
  std::size_t start = i;
  while (i < line.size() && is_name_char(line[i]) && !py_space_len(line, i)) ++i;
  if (i == start) return std::nullopt;
  Header h;
  h.name = line.substr(start, i - start);
  i = skip_space(line, i);
  if (i < line.size() && line[i] == ']' && header_tail_ok(line.substr(i + 1))) {
    h.tail = line.substr(i);
    return h;
  }
  if (i >= line.size() || line[i] != ':') return std::nullopt;
  std::size_t expr_start = i + 1;
  std::size_t run_end = line.find_first_of("#;", expr_start);
  if (run_end == std::string_view::npos) run_end = line.size();
  // Greedy expression: the last `]` in the run followed by a valid tail.
  for (std::size_t q = run_end; q-- > expr_start;) {
    if (line[q] == ']' && header_tail_ok(line.substr(q + 1))) {
      h.expression = line.substr(expr_start, q - expr_start);
      h.tail = line.substr(q);
      return h;
    }
  }
  return std::nullopt;
}

// The option_start regex: `name\s*[-+]?=value`. Returns the position of '='.
std::optional<std::size_t> match_option(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] != '=' && line[i] != '{' && line[i] != '}' && line[i] != '[' &&
         line[i] != ']' && line[i] != ':' && !py_space_len(line, i))
    ++i;
  if (i == 0) return std::nullopt;
  if (i < line.size() && line[i] == '=') return i;
  i = skip_space(line, i);
  if (i < line.size() && (line[i] == '+' || line[i] == '-')) ++i;
  if (i < line.size() && line[i] == '=') return i;
  return std::nullopt;
}

std::string quote_line(std::string_view line) {
  std::string out = "'";
  for (char c : line.substr(0, 120)) {
    if (c == '\'')
      out += "\\'";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  if (line.size() > 120) out += "...";
  return out + "'";
}

// What was expected instead of `line`.
std::string bad_line_message(std::string_view line, bool before_first_section) {
  if (!line.empty() && line[0] == '[') {
    return "bad section header: expected `[name]` or `[name:condition]` (a name without "
           "spaces or any of `#[]:;{}`, then `]`), got " +
           quote_line(line);
  }
  if (before_first_section) {
    return "expected a section header like `[buildout]` before any option, got " + quote_line(line);
  }
  return "expected `name = value`, `name += value`, `name -= value`, `[section]`, an indented "
         "continuation or a comment, got " +
         quote_line(line);
}

class Lexer {
 public:
  Lexer(const std::string& filename, const ConditionFn& condition)
      : m_filename(filename), m_condition(condition) {}

  Expected<ParsedFile> run(std::string_view text);

 private:
  Status handle_line(std::string_view line, bool has_newline);
  Status handle_header(const Header& h);
  void handle_option(std::string_view line);
  void add_error(std::string_view line);
  void finish_values();

  const std::string& m_filename;
  const ConditionFn& m_condition;
  ParsedFile m_file;
  std::unordered_map<std::string, std::size_t> m_section_index;
  int m_lineno = 0;
  bool m_condition_true = true;
  std::optional<std::size_t> m_cursect;  // index into m_file.sections
  std::optional<std::size_t> m_optname;  // index into m_cursect->options
  bool m_blockmode = false;
  std::string m_errors;
  int m_first_error_line = 0;
};

Expected<ParsedFile> Lexer::run(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find_first_of("\r\n", pos);
    bool has_newline = end != std::string_view::npos;
    std::string_view line = text.substr(pos, has_newline ? end - pos : std::string_view::npos);
    if (!has_newline)
      pos = text.size();
    else
      pos =
          (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? end + 2 : end + 1;
    ++m_lineno;
    Status st = handle_line(line, has_newline);
    if (!st.ok()) return st.error();
  }
  if (!m_errors.empty()) {
    return Error(ErrorCode::k_parse, m_errors, m_filename, m_first_error_line);
  }
  finish_values();
  return std::move(m_file);
}

Status Lexer::handle_line(std::string_view line, bool has_newline) {
  if (!line.empty() && (line[0] == '#' || line[0] == ';')) return {};
  bool space_first = line.empty() ? has_newline : py_space_len(line, 0) > 0;
  if (space_first && m_cursect && m_optname) {
    if (!m_condition_true) return {};
    std::string_view part = m_blockmode ? py_rstrip(line) : py_strip(line);
    if (!m_blockmode && part.empty()) return {};
    std::string& value = m_file.sections[*m_cursect].options[*m_optname].value;
    value += '\n';
    value += part;
    return {};
  }
  if (std::optional<Header> h = match_header(line)) return handle_header(*h);
  if (!m_cursect) {
    if (py_is_blank(line)) return {};
    return Error(ErrorCode::k_parse, bad_line_message(line, true), m_filename, m_lineno);
  }
  std::string rewritten;
  if (line.substr(0, 2) == "=>") {
    rewritten = "<part-dependencies> = ";
    rewritten += line.substr(2);
    line = rewritten;
  }
  if (match_option(line)) {
    if (m_condition_true) handle_option(line);
    return {};
  }
  if (!m_optname && py_is_blank(line)) return {};
  add_error(line);
  return {};
}

Status Lexer::handle_header(const Header& h) {
  m_condition_true = true;
  if (h.expression && !h.expression->empty()) {
    std::string expr(*h.expression);
    util::replace_all(expr, "\\x23", "#");
    util::replace_all(expr, "\\x3b", ";");
    std::string tail = std::string(h.tail);
    for (char& c : tail)
      if (c == ';') c = '#';
    Expected<bool> value = m_condition("[" + expr + tail, m_lineno);
    if (!value.ok()) {
      Error e = value.error();
      if (e.file.empty()) {
        e.file = m_filename;
        e.line = m_lineno;
      }
      e.message = "in the condition of section [" + std::string(h.name) + "]: " + e.message;
      return e;
    }
    m_condition_true = *value;
    if (!m_condition_true) return {};
  }
  std::string name(h.name);
  auto it = m_section_index.find(name);
  if (it == m_section_index.end()) {
    m_section_index.emplace(name, m_file.sections.size());
    m_file.sections.push_back(ParsedSection{name, m_lineno, {}});
    m_cursect = m_file.sections.size() - 1;
  } else {
    m_cursect = it->second;
  }
  m_optname.reset();
  return {};
}

void Lexer::handle_option(std::string_view line) {
  std::size_t eq = *match_option(line);
  std::string key(py_rstrip(line.substr(0, eq)));
  std::string value(py_strip(line.substr(eq + 1)));
  m_blockmode = value.empty();
  std::vector<ParsedOption>& opts = m_file.sections[*m_cursect].options;
  for (std::size_t i = 0; i < opts.size(); ++i) {
    if (opts[i].key == key) {
      opts[i].value = std::move(value);
      opts[i].line = m_lineno;
      m_optname = i;
      return;
    }
  }
  opts.push_back(ParsedOption{std::move(key), std::move(value), m_lineno});
  m_optname = opts.size() - 1;
}

void Lexer::add_error(std::string_view line) {
  if (!m_errors.empty()) {
    m_errors += '\n' + m_filename + ":" + std::to_string(m_lineno) + ": ";
  } else {
    m_first_error_line = m_lineno;
  }
  m_errors += bad_line_message(line, false);
}

// Block values (first line empty) are dedented and lose leading blank lines.
void Lexer::finish_values() {
  for (ParsedSection& s : m_file.sections) {
    for (ParsedOption& o : s.options) {
      if (!util::py_is_space_start(o.value)) continue;
      std::string v = util::py_dedent(py_rstrip(o.value));
      // leading_blank_lines: drop everything up to the last '\n' of the
      // leading whitespace run.
      std::size_t ws_end = skip_space(v, 0);
      std::size_t nl = v.rfind('\n', ws_end == 0 ? 0 : ws_end - 1);
      if (ws_end > 0 && nl != std::string::npos && nl < ws_end) v.erase(0, nl + 1);
      o.value = std::move(v);
    }
  }
}

}  // namespace

Expected<ParsedFile> parse_profile(std::string_view text, const std::string& filename,
                                   const ConditionFn& condition) {
  Lexer lexer(filename, condition);
  return lexer.run(text);
}

}  // namespace kiln::profile
