#include "profile/ref_token.h"

#include <algorithm>
#include <cctype>

#include "util/pystr.h"

namespace kiln::profile {

const std::string k_esc("\0ESCAPED-DOLLAR\0", 16);

namespace {

bool ref_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ' ' || c == '.' ||
         c == '_';
}

// zc.buildout's _simple: `[-a-zA-Z0-9 ._]+$` (Python's `$` also matches
// before one trailing newline).
bool simple_name(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), ref_char);
}

Token make_ref(std::string_view ref) {
  Token t;
  t.kind = Token::k_ref;
  t.text = std::string(ref);
  std::string_view inner = ref.substr(2, ref.size() - 3);
  std::vector<std::string_view> parts = util::split_char(inner, ':');
  bool valid = parts.size() == 2 && std::all_of(parts[0].begin(), parts[0].end(), ref_char) &&
               !parts[1].empty() && std::all_of(parts[1].begin(), parts[1].end(), ref_char);
  if (!valid) {
    if (parts.size() < 2)
      t.problem = "the substitution " + t.text + " has no colon";
    else if (parts.size() > 2)
      t.problem = "the substitution " + t.text + " has too many colons";
    else if (!simple_name(parts[0]))
      t.problem = "the section name in " + t.text + " has invalid characters";
    else if (!simple_name(parts[1]))
      t.problem = "the option name in " + t.text + " has invalid characters";
    if (!t.problem.empty()) {
      t.kind = Token::k_bad_ref;
      return t;
    }
  }
  t.section = std::string(parts[0]);
  t.option = std::string(parts[1]);
  return t;
}

// One `$$`-free piece: literals and `${...}` references (regex `[$]{[^}]*}`).
void tokenize_piece(std::string_view piece, std::vector<Token>& out) {
  std::size_t pos = 0;
  while (pos < piece.size()) {
    std::size_t start = piece.find("${", pos);
    std::size_t end = start == std::string_view::npos ? start : piece.find('}', start + 2);
    if (end == std::string_view::npos) {
      out.push_back(Token{Token::k_literal, std::string(piece.substr(pos)), {}, {}, {}});
      return;
    }
    if (start > pos)
      out.push_back(
          Token{Token::k_literal, std::string(piece.substr(pos, start - pos)), {}, {}, {}});
    out.push_back(make_ref(piece.substr(start, end + 1 - start)));
    pos = end + 1;
  }
}

}  // namespace

std::vector<Token> tokenize(std::string_view value) {
  std::vector<Token> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t p = value.find("$$", pos);
    tokenize_piece(value.substr(pos, p == std::string_view::npos ? p : p - pos), out);
    if (p == std::string_view::npos) return out;
    out.push_back(Token{Token::k_escape, {}, {}, {}, {}});
    pos = p + 2;
  }
}

bool has_ref_start(std::string_view v) {
  return v.find("${") != std::string_view::npos;
}

std::string unescape(std::string v) {
  if (v.find(k_esc) != std::string::npos) {
    util::replace_all(v, k_esc, "$");
  } else if (has_ref_start(v)) {
    util::replace_all(v, "$$", "$");
  }
  return v;
}

}  // namespace kiln::profile
