#include "wrapper_script.h"

#include <cctype>
#include <sstream>

#include "kiln_common/hash.h"
#include "kiln_common/text.h"

namespace kiln_wrapper {
namespace {

using kiln_common::trimmed;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_variable_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> shell_split(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_space(c)) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) throw BadInput("no escaped character after the final '\\'");
      word += text[++i];
      in_word = true;
    } else if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != c; ++j) {
        if (c == '"' && text[j] == '\\' && j + 1 < text.size() &&
            (text[j + 1] == '"' || text[j + 1] == '\\'))
          ++j;
        word += text[j];
      }
      if (j >= text.size()) throw BadInput(std::string("no closing quotation (") + c + ")");
      i = j;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::pair<std::string, std::string>> parse_environment(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (trimmed(line).empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string::npos) throw BadInput("expected KEY=VALUE, got '" + trimmed(line) + "'");
    std::string key = trimmed(line.substr(0, eq));
    if (!is_variable_name(key)) throw BadInput("'" + key + "' is not a variable name");
    out.emplace_back(key, trimmed(line.substr(eq + 1)));
  }
  return out;
}

std::string render_script(const WrapperSpec& spec) {
  std::string s = "#!/bin/sh\n# Written by kiln (slapos.cookbook:wrapper); edits are lost.\n";
  for (const auto& [key, value] : spec.environment)
    s += "export " + key + "=" + shell_quote(value) + "\n";
  for (const std::string& file : spec.wait_for_files)
    s += "while ! [ -e " + shell_quote(file) + " ]; do sleep 0.1; done\n";
  if (!spec.pidfile.empty()) {
    std::string pf = shell_quote(spec.pidfile);
    s += "if [ -e " + pf + " ]; then\n";
    s += "  pid=$(cat " + pf + ")\n";
    s += "  if [ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null; then\n";
    s += "    echo \"Already running with pid $pid.\" >&2\n    exit 1\n  fi\nfi\n";
    s += "echo $$ > " + pf + "\n";
  }
  s += "exec";
  for (const std::string& arg : spec.args) s += " " + shell_quote(arg);
  if (spec.pass_extra_args) s += " \"$@\"";
  return s + "\n";
}

std::string hashed_path(const std::string& path, const std::string& contents) {
  return path + "-" + kiln_common::md5_hex(contents).substr(0, k_hash_length);
}

}  // namespace kiln_wrapper
