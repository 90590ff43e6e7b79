#include "profile/macro.h"

#include "profile/merge.h"
#include "util/pystr.h"

namespace kiln::profile {

namespace {

Section to_section(const RawSection& raw) {
  Section s;
  s.entries.reserve(raw.entries.size());
  for (const RawEntry& e : raw.entries)
    s.entries.push_back(Section::make_entry(e.key, Value(e.value, e.origin, false)));
  return s;
}

std::string chain_text(const std::vector<std::string>& doing, const std::string& last) {
  std::string out;
  for (const std::string& d : doing) out += "[" + d + "] -> ";
  return out + "[" + last + "]";
}

Expected<RawSection> expand(const RawConfig& config, const RawSection& data,
                            std::vector<std::string>& doing, MacroCache* cache) {
  if (data.name == "buildout") return data;
  const RawEntry* macro = data.find("<");
  for (const std::string& d : doing) {
    if (d == data.name) {
      const RawEntry* at = macro;
      return Error(ErrorCode::k_cycle, "macro loop: " + chain_text(doing, data.name),
                   at ? at->origin.name().data() : "", at ? at->origin.line : 0);
    }
  }
  if (!macro) return data;
  if (cache) {
    if (auto it = cache->find(data.name); it != cache->end()) return it->second;
  }
  if (doing.size() >= k_max_macro_depth) {
    return Error(ErrorCode::k_cycle,
                 "macros nested deeper than " + std::to_string(k_max_macro_depth) + " levels at [" +
                     data.name + "]",
                 std::string(macro->origin.name()), macro->origin.line);
  }
  doing.push_back(data.name);
  Section result;
  for (std::string_view line : util::split_char(macro->value, '\n')) {
    std::string_view iname = util::py_strip(line);
    if (iname.empty()) continue;
    const RawSection* source = config.find(iname);
    if (!source) {
      return Error(ErrorCode::k_not_found,
                   "section [" + data.name + "] uses `<= " + std::string(iname) +
                       "`, but no section [" + std::string(iname) + "] exists",
                   std::string(macro->origin.name()), macro->origin.line);
    }
    Expected<RawSection> expanded = expand(config, *source, doing, cache);
    if (!expanded.ok()) return expanded.error();
    for (RawEntry& e : expanded->entries)
      result.set(e.key, Value(std::move(e.value), e.origin, false));
  }
  doing.pop_back();
  update_section(result, to_section(data), false);
  RawSection out{data.name, {}};
  out.entries.reserve(result.entries.size());
  for (const EntryPtr& e : result.entries) {
    if (e->key == "<") continue;
    out.entries.push_back(RawEntry{e->key, e->value.text, e->value.origin()});
  }
  if (cache) cache->emplace(data.name, out);
  return out;
}

}  // namespace

Expected<RawSection> expand_macros(const RawConfig& config, const RawSection& section,
                                   MacroCache* cache) {
  std::vector<std::string> doing;
  return expand(config, section, doing, cache);
}

}  // namespace kiln::profile
