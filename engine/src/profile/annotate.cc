#include "profile/annotate.h"

#include <algorithm>

#include "util/pystr.h"

namespace kiln::profile {

namespace {

std::string source_for_human(const Origin& o, const std::string& basedir) {
  std::string name(o.name());
  if (o.is_special() || name.empty()) return name;
  std::string prefix = basedir.empty() || basedir.back() == '/' ? basedir : basedir + "/";
  if (!basedir.empty() && name.compare(0, prefix.size(), prefix) == 0) {
    name = name.substr(prefix.size());
  }
  return name + ":" + std::to_string(o.line);
}

void print_value(std::string& out, const std::string& key, const std::string& value) {
  std::vector<std::string_view> lines = util::split_char(value, '\n');
  if (lines.size() <= 1) {
    out += key + "=" + (value.empty() ? "" : " " + value) + "\n";
    return;
  }
  out += key + "= " + std::string(lines[0]) + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) out += std::string(lines[i]) + "\n";
}

// printTerse: the last SET / OVERRIDE / DIRECTORY and every += / -= after it.
void print_sources(std::string& out, const Value& v, const std::string& basedir) {
  std::vector<HistoryItem> history = v.earlier;
  history.push_back(v.last);
  std::vector<std::string> lines;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    std::string src = source_for_human(it->origin, basedir);
    if (it->op == HistoryOp::k_add) {
      lines.push_back("+=  " + src);
    } else if (it->op == HistoryOp::k_remove) {
      lines.push_back("-=  " + src);
    } else {
      lines.push_back("    " + src);
      break;
    }
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (!util::py_is_blank(*it)) out += *it + "\n";
}

}  // namespace

std::string annotate(const LoadedProfile& loaded) {
  std::string out = "\nAnnotated sections\n==================\n";
  std::vector<std::pair<std::string, const Section*>> sections;
  for (const auto& [s, sec] : loaded.config.sections()) {
    if (sec) sections.emplace_back(loaded.symbols.name(s), sec.get());
  }
  std::sort(sections.begin(), sections.end());
  std::string basedir = loaded.directory.empty() ? loaded.cwd : loaded.directory;
  for (const auto& [name, sec] : sections) {
    out += "\n[" + name + "]\n";
    std::vector<const Entry*> entries;
    for (const EntryPtr& e : sec->entries) entries.push_back(e.get());
    std::sort(entries.begin(), entries.end(),
              [](const Entry* a, const Entry* b) { return a->key < b->key; });
    for (const Entry* e : entries) {
      print_value(out, e->key, e->value.text);
      print_sources(out, e->value, basedir);
    }
  }
  return out;
}

}  // namespace kiln::profile
