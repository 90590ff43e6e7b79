#include "cmmi_logic.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "kiln/recipe.hpp"

namespace kiln_cmmi {

using kiln::sdk::Failure;

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

constexpr std::array<uint32_t, 64> k_sha256_rounds = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

void sha256_block(std::array<uint32_t, 8>& h, const unsigned char* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) |
           (uint32_t(p[4 * i + 2]) << 8) | uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::array<uint32_t, 8> v = h;
  for (int i = 0; i < 64; ++i) {
    uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    uint32_t t1 = v[7] + s1 + ch + k_sha256_rounds[i] + w[i];
    uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    uint32_t t2 = s0 + maj;
    for (int j = 7; j > 0; --j) v[j] = v[j - 1];
    v[4] += t1;
    v[0] = t1 + t2;
  }
  for (int i = 0; i < 8; ++i) h[i] += v[i];
}

bool safe_shell_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
         c == '-' || c == '+' || c == ':' || c == ',' || c == '=' || c == '@';
}

bool valid_variable_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

std::string interpolate(const std::string& text, const Lookup& lookup, const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '%' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    char next = text[i + 1];
    if (next == '%') {
      out += '%';
      ++i;
    } else if (next == '(') {
      std::size_t close = text.find(')', i + 2);
      if (close == std::string::npos) throw Failure(what + ": unterminated '%(' in '" + text + "'");
      std::string name = text.substr(i + 2, close - i - 2);
      if (close + 1 >= text.size() || text[close + 1] != 's')
        throw Failure(what + ": '%(" + name + ")' must be followed by 's' in '" + text + "'");
      std::optional<std::string> value = lookup(name);
      if (!value) throw Failure(what + ": unknown name '" + name + "' in %(" + name + ")s");
      out += *value;
      i = close + 1;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_environment(const std::string& text,
                                                                   const std::string& option) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw Failure("option '" + option + "': invalid line '" + line + "' (expected KEY=VALUE)");
    std::string key = trim(line.substr(0, eq));
    if (key.empty())
      throw Failure("option '" + option + "': empty variable name in '" + line + "'");
    out.emplace_back(key, trim(line.substr(eq + 1)));
  }
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(word);
  return out;
}

std::string configure_command(const std::string& command, const std::string& options,
                              const std::string& prefix) {
  std::vector<std::string> words = split_words(options);
  std::string line = trim(command);
  if (line.empty()) {
    line = "./configure";
    bool has_prefix = false;
    for (const std::string& w : words) has_prefix = has_prefix || w.rfind("--prefix", 0) == 0;
    if (!has_prefix) line += " --prefix=" + shell_quote(prefix);
  }
  for (const std::string& w : words) line += " " + w;
  return line;
}

std::string sha256_hex(const std::string& data) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg = data;
  uint64_t bits = uint64_t(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bits >> (8 * i)) & 0xff);
  for (std::size_t off = 0; off < msg.size(); off += 64)
    sha256_block(h, reinterpret_cast<const unsigned char*>(msg.data() + off));
  std::string out;
  char buf[9];
  for (uint32_t word : h) {
    std::snprintf(buf, sizeof buf, "%08x", word);
    out += buf;
  }
  return out;
}

bool excluded_from_hash(const std::string& option) {
  return option == "location" || option == "prefix" || option == "compile-directory" ||
         (!option.empty() && option[0] == '_');
}

std::string options_hash(const std::map<std::string, std::string>& options) {
  std::string data;
  for (const auto& [name, value] : options) {
    if (excluded_from_hash(name)) continue;
    data += std::to_string(name.size()) + ":" + name + "=" + std::to_string(value.size()) + ":" +
            value + "\n";
  }
  return sha256_hex(data).substr(0, 32);
}

std::string shell_quote(const std::string& s) {
  bool safe = !s.empty();
  for (char c : s) safe = safe && safe_shell_char(c);
  if (safe) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string environment_script(const std::map<std::string, std::string>& environment,
                               const std::string& cwd) {
  std::string out = "# Reproduces the environment of the failed build: . ./.kiln-env.sh\n";
  for (const auto& [key, value] : environment) {
    if (!valid_variable_name(key)) continue;  // e.g. exported shell functions
    out += "export " + key + "=" + shell_quote(value) + "\n";
  }
  out += "cd " + shell_quote(cwd) + "\n";
  return out;
}

std::pair<std::string, std::string> split_md5_fragment(const std::string& entry) {
  std::size_t hash = entry.rfind('#');
  if (hash == std::string::npos) return {entry, ""};
  return {entry.substr(0, hash), entry.substr(hash + 1)};
}

}  // namespace kiln_cmmi
