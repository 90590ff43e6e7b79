#include "kiln_common/json.h"

#include <cstdio>

namespace kiln_common {
namespace {

void append_utf16(std::string& out, unsigned code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u%04x", code & 0xffffu);
  out += buf;
}

// Decodes one UTF-8 sequence at s[i]; returns its code point (or the byte
// itself when the sequence is invalid) and advances i.
unsigned decode_utf8(const std::string& s, std::size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  if (extra == 0 || i + extra >= s.size()) {
    ++i;
    return c;
  }
  unsigned code = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k)
    code = (code << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += extra + 1;
  return code;
}

}  // namespace

void append_json_string(std::string& out, const std::string& s, JsonEscape escape) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 && escape.ascii_only) {
      unsigned code = decode_utf8(s, i);
      if (code >= 0x10000) {
        code -= 0x10000;
        append_utf16(out, 0xd800 + (code >> 10));
        append_utf16(out, 0xdc00 + (code & 0x3ff));
      } else {
        append_utf16(out, code);
      }
      continue;
    }
    ++i;
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || (escape.html_safe && (c == '<' || c == '>' || c == '&' || c == '\''))) {
      append_utf16(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string json_string(const std::string& s, JsonEscape escape) {
  std::string out;
  append_json_string(out, s, escape);
  return out;
}

}  // namespace kiln_common
