#include "cmmi_logic.h"

#include <cctype>

#include "kiln/recipe.hpp"
#include "kiln_common/hash.h"

namespace kiln_cmmi {

using kiln::sdk::Failure;

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
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
  return kiln_common::sha256_hex(data).substr(0, 32);
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

bool has_url_scheme(const std::string& text) {
  std::size_t colon = text.find("://");
  if (colon == std::string::npos || colon == 0 ||
      !std::isalpha(static_cast<unsigned char>(text[0])))
    return false;
  for (std::size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace kiln_cmmi
