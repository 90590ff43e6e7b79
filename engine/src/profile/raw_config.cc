#include "profile/raw_config.h"

namespace kiln::profile {

const RawEntry* RawSection::find(std::string_view key) const {
  for (const RawEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

RawEntry* RawSection::find(std::string_view key) {
  for (RawEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

void RawSection::set(std::string_view key, std::string value, Origin origin) {
  if (RawEntry* e = find(key)) {
    e->value = std::move(value);
    e->origin = origin;
    return;
  }
  entries.push_back(RawEntry{std::string(key), std::move(value), origin});
}

void RawSection::erase(std::string_view key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->key == key) {
      entries.erase(it);
      return;
    }
  }
}

RawSection* RawConfig::find(std::string_view name) {
  auto it = m_index.find(std::string(name));
  return it == m_index.end() ? nullptr : &m_sections[it->second];
}

const RawSection* RawConfig::find(std::string_view name) const {
  return const_cast<RawConfig*>(this)->find(name);
}

RawSection& RawConfig::add(std::string name) {
  m_index.emplace(name, m_sections.size());
  m_sections.push_back(RawSection{std::move(name), {}});
  return m_sections.back();
}

RawConfig to_raw(const Config& config, const SymbolTable& symbols) {
  RawConfig raw;
  for (const auto& [name, s] : config.sections()) {
    RawSection& rs = raw.add(symbols.name(name));
    rs.entries.reserve(s->entries.size());
    for (const EntryPtr& e : s->entries)
      rs.entries.push_back(RawEntry{e->key, e->value.text, e->value.origin()});
  }
  return raw;
}

}  // namespace kiln::profile
