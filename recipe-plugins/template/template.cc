// The `template` plugin: slapos.recipe.template (default entry: buildout
// substitution) and slapos.recipe.template:jinja2 (the Jinja subset of
// jinja.h). Both render at init (so the text's references become
// dependencies and errors stop the build before anything runs), keep the
// result in the hidden option __rendered__, and write it at install.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "jinja.h"
#include "kiln/recipe.hpp"
#include "kiln_common/text.h"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_common::trimmed;

constexpr const char* k_rendered = "__rendered__";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool is_remote(const std::string& url) {
  return starts_with(url, "http://") || starts_with(url, "https://") || starts_with(url, "ftp://");
}

// A local path or file:// URL; relative paths are relative to buildout:directory.
std::string local_path(const Part& part, const std::string& url) {
  std::string path = starts_with(url, "file://") ? url.substr(7) : url;
  if (!path.empty() && path[0] != '/') path = part.build_directory() + "/" + path;
  return path;
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure("cannot read " + what + " '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Failure("cannot read " + what + " '" + path + "'");
  return ss.str();
}

// The template at `url`: read directly when local, through the host's
// download (cache, offline mode, checksum) when remote or an md5sum is given.
std::string fetch(Part& part, const std::string& url, const std::string& md5) {
  if (!is_remote(url) && md5.empty()) return read_file(local_path(part, url), "template");
  static std::atomic<unsigned> counter{0};
  fs::path tmp = fs::temp_directory_path() / ("kiln-template-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(counter++) + "-" + part.name());
  std::error_code ec;
  try {
    part.download(is_remote(url) ? url : local_path(part, url), tmp.string(), md5);
    std::string text = read_file(tmp.string(), "downloaded template");
    fs::remove(tmp, ec);
    return text;
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

std::string output_path(const Part& part) {
  std::optional<std::string> out = part.find("output");
  if (!out) out = part.find("rendered");
  if (!out || trimmed(*out).empty()) throw Failure("option 'output' is required");
  std::string path = trimmed(*out);
  return path[0] == '/' ? path : part.build_directory() + "/" + path;
}

// The `mode` option (octal), or -1 when not set.
int file_mode(const Part& part) {
  std::optional<std::string> mode = part.find("mode");
  if (!mode || trimmed(*mode).empty()) return -1;
  std::string m = trimmed(*mode);
  if (starts_with(m, "0o")) m = m.substr(2);
  int value = 0;
  for (char c : m) {
    if (c < '0' || c > '7' || value > 07777)
      throw Failure("option 'mode': expected an octal mode such as 0644, got '" + *mode + "'");
    value = value * 8 + (c - '0');
  }
  if (value > 07777)
    throw Failure("option 'mode': expected an octal mode such as 0644, got '" + *mode + "'");
  return value;
}

// Writes the rendered text to `output` through a temporary file and a rename.
void write_output(Part& part) {
  std::string path = output_path(part);
  int mode = file_mode(part);
  std::string text = part.get(k_rendered, "");
  fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!fs::exists(parent, ec)) {
    fs::path top = parent;
    while (top.has_parent_path() && !fs::exists(top.parent_path(), ec)) top = top.parent_path();
    part.add_path(top.string());
    fs::create_directories(parent, ec);
    if (ec) throw Failure("cannot create directory '" + parent.string() + "': " + ec.message());
  }
  std::string tmp = path + ".kiln-tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Failure("cannot write '" + tmp + "': " + std::strerror(errno));
    out << text;
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      throw Failure("cannot write '" + tmp + "'");
    }
  }
  if (mode >= 0 && ::chmod(tmp.c_str(), static_cast<mode_t>(mode)) != 0) {
    int err = errno;
    fs::remove(tmp, ec);
    throw Failure("cannot set mode of '" + path + "': " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    fs::remove(tmp, ec);
    throw Failure("cannot write '" + path + "': " + std::strerror(err));
  }
  part.info("rendered " + path);
}

// The template text and its name for messages, from url (or `template`)
// or inline. `substitute`: the default entry's buildout substitution of
// files (an inline template was substituted as an option already).
struct Source {
  std::string text;
  std::string name;
};

Source template_source(Part& part, bool jinja) {
  std::optional<std::string> url = part.find("url");
  if (jinja && !url) url = part.find("template");
  std::optional<std::string> inline_text = part.find("inline");
  if (url && starts_with(trimmed(*url), "inline:")) {
    if (inline_text) throw Failure("options 'template = inline:' and 'inline' are exclusive");
    std::string text = url->substr(url->find("inline:") + 7);
    text.erase(0, text.find_first_not_of("\r\n"));
    return {text, "inline template"};
  }
  if (url && inline_text) throw Failure("options 'url' and 'inline' are exclusive: give one");
  if (!url && !inline_text) throw Failure("one of the options 'url' and 'inline' is required");
  if (inline_text) return {*inline_text, "inline template"};
  std::string u = trimmed(*url);
  std::string text = fetch(part, u, trimmed(part.get("md5sum", "")));
  if (jinja) return {text, "template '" + u + "'"};
  try {
    return {part.substitute(text), "template '" + u + "'"};
  } catch (const Part::Reported&) {
    // The host says which ${} and on which line of the text; this says where
    // the text comes from.
    throw Failure("template '" + u + "'");
  }
}

void set_rendered(Part& part, const std::string& text) {
  part.set(k_rendered, text);
  part.add_path(output_path(part));
  file_mode(part);  // checked now, before anything is installed
}

class Default : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override { set_rendered(part, template_source(part, false).text); }
  void install(Part& part) override { write_output(part); }
  void update(Part& part) override { write_output(part); }
};

// ---- jinja2 ----

struct Line {
  std::string type, name, value;
};

std::vector<Line> parse_lines(const std::string& option, const std::string& text) {
  std::vector<Line> out;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    std::string line = trimmed(raw);
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    Line l;
    words >> l.type >> l.name;
    std::getline(words, l.value);
    l.value = trimmed(l.value);
    if (l.name.empty())
      throw Failure("option '" + option + "': expected 'TYPE NAME VALUE', got '" + line + "'");
    out.push_back(l);
  }
  return out;
}

// ${section:option} named by a `key` line ("section:option").
std::string lookup_key(Part& part, const std::string& option, const Line& l) {
  std::size_t colon = l.value.find(':');
  if (colon == std::string::npos)
    throw Failure("option '" + option + "': " + l.type + " " + l.name +
                  ": expected section:option, got '" + l.value + "'");
  std::string section = l.value.substr(0, colon), key = l.value.substr(colon + 1);
  std::optional<std::string> v = section.empty() || section == part.name()
                                     ? part.find(key)
                                     : part.section_option(section, key);
  if (!v)
    throw Failure("option '" + option + "': " + l.type + " " + l.name + ": ${" + l.value +
                  "} does not exist");
  return *v;
}

// A `section` line: every option of the section, as a dict of strings.
kiln_jinja::Value section_dict(Part& part, const Line& l) {
  std::optional<std::map<std::string, std::string>> options =
      l.value == part.name() ? part.options() : part.section_options(l.value);
  if (!options)
    throw Failure("option 'context': section " + l.name + ": section [" + l.value +
                  "] does not exist");
  kiln_jinja::Dict d;
  for (const auto& [k, v] : *options) d.emplace_back(k, kiln_jinja::Value(v));
  return kiln_jinja::Value(std::move(d));
}

kiln_jinja::Dict build_context(Part& part) {
  kiln_jinja::Dict context;
  for (const Line& l : parse_lines("context", part.get("context", ""))) {
    if (kiln_jinja::dict_find(context, l.name))
      throw Failure("option 'context': '" + l.name + "' is defined twice");
    kiln_jinja::Value v;
    if (l.type == "raw") {
      v = kiln_jinja::Value(l.value);
    } else if (l.type == "key") {
      v = kiln_jinja::Value(lookup_key(part, "context", l));
    } else if (l.type == "json") {
      try {
        v = kiln_jinja::parse_json(l.value);
      } catch (const std::exception& e) {
        throw Failure("option 'context': json " + l.name + ": " + e.what());
      }
    } else if (l.type == "section") {
      v = section_dict(part, l);
    } else {
      throw Failure("option 'context': unknown type '" + l.type + "' (for '" + l.name +
                    "'); expected raw, key, section or json");
    }
    context.emplace_back(l.name, std::move(v));
  }
  return context;
}

std::map<std::string, std::string> load_imports(Part& part) {
  std::map<std::string, std::string> out;
  for (const Line& l : parse_lines("import-list", part.get("import-list", ""))) {
    std::string path;
    if (l.type == "file") {
      path = lookup_key(part, "import-list", l);
    } else if (l.type == "rawfile") {
      path = l.value;
    } else {
      throw Failure("option 'import-list': unknown type '" + l.type + "' (for '" + l.name +
                    "'); expected file or rawfile");
    }
    if (out.count(l.name)) throw Failure("option 'import-list': '" + l.name + "' is defined twice");
    out[l.name] = read_file(local_path(part, path), "import-list " + l.name);
  }
  return out;
}

class Jinja2 : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    Source source = template_source(part, true);
    kiln_jinja::Dict context = build_context(part);
    std::map<std::string, std::string> imports = load_imports(part);
    kiln_jinja::Loader loader = [&imports](const std::string& name) -> std::optional<std::string> {
      auto it = imports.find(name);
      if (it == imports.end()) return std::nullopt;
      return it->second;
    };
    try {
      set_rendered(part, kiln_jinja::render_string(source.text, source.name, context, loader));
    } catch (const kiln_jinja::Error& e) {
      throw Failure(e.what());
    }
  }
  void install(Part& part) override { write_output(part); }
  void update(Part& part) override { write_output(part); }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "template", "1",
    kiln::sdk::entry<Default>(
        "default", "Renders a file with ${section:option} substitution (slapos.recipe.template)",
        {{"url", false, nullptr, "Template file: local path, file:// or http(s) URL"},
         {"md5sum", false, nullptr, "Expected md5 of the template file"},
         {"inline", false, nullptr, "The template text itself (instead of url)"},
         {"output", true, nullptr, "Path of the rendered file"},
         {"mode", false, nullptr, "Octal mode of the rendered file"}}),
    kiln::sdk::entry<Jinja2>(
        "jinja2", "Renders a Jinja2 template (slapos.recipe.template:jinja2, Kiln subset)",
        {{"url", false, nullptr, "Template file: local path, file:// or http(s) URL"},
         {"template", false, nullptr, "Older name of url"},
         {"md5sum", false, nullptr, "Expected md5 of the template file"},
         {"inline", false, nullptr, "The template text itself (instead of url)"},
         {"output", false, nullptr, "Path of the rendered file"},
         {"rendered", false, nullptr, "Older name of output"},
         {"mode", false, nullptr, "Octal mode of the rendered file"},
         {"context", false, nullptr, "Lines TYPE NAME VALUE: raw, key, section, json"},
         {"import-list", false, nullptr, "Lines file NAME section:option / rawfile NAME PATH"},
         {"extensions", false, nullptr, "Ignored ({% do %} is always available)"}}));
