#include "util/pystr.h"

namespace kiln::util {

namespace {

// Decodes one UTF-8 code point at s[i]; returns 0 length on invalid input.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 0;
    return 0;
  }
  char32_t cp = c & (0x7F >> n);
  for (int k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      *len = 0;
      return 0;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *len = n;
  return cp;
}

bool is_unicode_space(char32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

}  // namespace

std::size_t py_space_len(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  }
  if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3) return 0;
  std::size_t len = 0;
  char32_t cp = decode_utf8(s, i, &len);
  return (len && is_unicode_space(cp)) ? len : 0;
}

bool py_is_space_start(std::string_view s) {
  return !s.empty() && py_space_len(s, 0) > 0;
}

std::string_view py_lstrip(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = py_space_len(s, i);
    if (n == 0) break;
    i += n;
  }
  return s.substr(i);
}

std::string_view py_rstrip(std::string_view s) {
  // Fast path: ASCII whitespace at the end.
  std::size_t end = s.size();
  while (end > 0) {
    unsigned char c = static_cast<unsigned char>(s[end - 1]);
    if (c < 0x80) {
      if (py_space_len(s, end - 1) == 0) break;
      --end;
      continue;
    }
    // A multi-byte character: find its start and test it.
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80 && end - start < 4)
      --start;
    std::size_t n = py_space_len(s, start);
    if (n == 0 || start + n != end) break;
    end = start;
  }
  return s.substr(0, end);
}

std::string_view py_strip(std::string_view s) {
  return py_rstrip(py_lstrip(s));
}

bool py_is_blank(std::string_view s) {
  return py_lstrip(s).empty();
}

std::vector<std::string_view> py_split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = py_space_len(s, i);
    if (n) {
      i += n;
      continue;
    }
    std::size_t start = i;
    while (i < s.size() && py_space_len(s, i) == 0) ++i;
    out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> split_char(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::size_t p = 0;
  while ((p = s.find(from, p)) != std::string::npos) {
    s.replace(p, from.size(), to);
    p += to.size();
  }
}

std::string py_dedent(std::string_view text) {
  std::vector<std::string_view> lines = split_char(text, '\n');
  // Whitespace-only lines ([ \t]+) become empty and give no indent.
  bool have_margin = false;
  std::string_view margin;
  for (std::string_view& line : lines) {
    std::size_t k = line.find_first_not_of(" \t");
    if (k == std::string_view::npos) {
      line = line.substr(0, 0);
      continue;
    }
    std::string_view indent = line.substr(0, k);
    if (!have_margin) {
      margin = indent;
      have_margin = true;
    } else if (indent.substr(0, margin.size()) == margin) {
    } else if (margin.substr(0, indent.size()) == indent) {
      margin = indent;
    } else {
      std::size_t i = 0;
      while (i < margin.size() && i < indent.size() && margin[i] == indent[i]) ++i;
      margin = margin.substr(0, i);
    }
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!margin.empty() && line.substr(0, margin.size()) == margin)
      line.remove_prefix(margin.size());
    if (i) out += '\n';
    out += line;
  }
  return out;
}

std::string path_join(std::string_view a, std::string_view b) {
  if (path_isabs(b) || a.empty()) return std::string(b);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string_view path_dirname(std::string_view p) {
  std::size_t i = p.rfind('/');
  std::string_view head = (i == std::string_view::npos) ? p.substr(0, 0) : p.substr(0, i + 1);
  // Strip trailing slashes unless head is all slashes.
  if (!head.empty() && head.find_first_not_of('/') != std::string_view::npos) {
    while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  }
  return head;
}

std::string path_normpath(std::string_view p) {
  if (p.empty()) return ".";
  int initial = 0;
  if (p[0] == '/')
    initial = (p.size() > 1 && p[1] == '/' && (p.size() == 2 || p[2] != '/')) ? 2 : 1;
  std::vector<std::string_view> parts;
  for (std::string_view comp : split_char(p, '/')) {
    if (comp.empty() || comp == ".") continue;
    if (comp != ".." || (!initial && parts.empty()) || (!parts.empty() && parts.back() == "..")) {
      parts.push_back(comp);
    } else if (!parts.empty()) {
      parts.pop_back();
    }
  }
  std::string out(static_cast<std::size_t>(initial), '/');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

}  // namespace kiln::util
