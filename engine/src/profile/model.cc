#include "profile/model.h"

#include <algorithm>

#include "util/pystr.h"

namespace kiln::profile {

namespace {
const std::string k_default_value = "DEFAULT_VALUE";
const std::string k_computed_value = "COMPUTED_VALUE";
const std::string k_command_line_value = "COMMAND_LINE_VALUE";
const std::string k_implicit_value = "IMPLICIT_VALUE";
const std::string k_macro;
}  // namespace

Origin Origin::default_value() {
  return {&k_default_value, 0};
}
Origin Origin::computed_value() {
  return {&k_computed_value, 0};
}
Origin Origin::command_line_value() {
  return {&k_command_line_value, 0};
}
Origin Origin::implicit_value() {
  return {&k_implicit_value, 0};
}
Origin Origin::macro() {
  return {&k_macro, 0};
}
bool Origin::is_special() const {
  return file == &k_default_value || file == &k_computed_value || file == &k_command_line_value ||
         file == &k_implicit_value || file == &k_macro;
}

Value::Value(std::string t, Origin o, bool track)
    : text(std::move(t)), last{HistoryOp::k_set, track ? text : std::string(), o} {}

void Value::record(HistoryOp op, std::string_view v, Origin o, bool track) {
  if (track) earlier.push_back(std::move(last));
  last = HistoryItem{op, track ? std::string(v) : std::string(), o};
}

void Value::add_lines(std::string_view added, Origin o, bool track) {
  text += '\n';
  text += added;
  record(HistoryOp::k_add, added, o, track);
}

void Value::remove_lines(std::string_view removed, Origin o, bool track) {
  std::vector<std::string_view> gone = util::split_char(removed, '\n');
  std::string out;
  bool first = true;
  for (std::string_view line : util::split_char(text, '\n')) {
    if (std::find(gone.begin(), gone.end(), line) != gone.end()) continue;
    if (!first) out += '\n';
    out += line;
    first = false;
  }
  text = std::move(out);
  record(HistoryOp::k_remove, removed, o, track);
}

void Value::override_with(const Value& other, bool track) {
  text = other.text;
  HistoryOp op = other.last_op();
  if (op != HistoryOp::k_add && op != HistoryOp::k_remove) {
    record(HistoryOp::k_override, other.text, other.origin(), track);
  }
}

const Entry* Section::find(std::string_view key) const {
  std::ptrdiff_t i = index_of(key);
  return i < 0 ? nullptr : entries[static_cast<std::size_t>(i)].get();
}

std::ptrdiff_t Section::index_of(std::string_view key) const {
  return index_of(key, std::hash<std::string_view>{}(key));
}

std::ptrdiff_t Section::index_of(std::string_view key, std::size_t hash) const {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = *entries[i];
    if (e.key_hash == hash && e.key == key) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

void Section::put(EntryPtr entry) {
  std::ptrdiff_t i = index_of(entry->key, entry->key_hash);
  if (i >= 0) {
    entries[static_cast<std::size_t>(i)] = std::move(entry);
  } else {
    entries.push_back(std::move(entry));
  }
}

Value* Section::mutable_value(std::string_view key) {
  std::ptrdiff_t i = index_of(key);
  if (i < 0) return nullptr;
  EntryPtr& e = entries[static_cast<std::size_t>(i)];
  if (e.use_count() > 1) e = std::make_shared<const Entry>(*e);
  return &const_cast<Entry*>(e.get())->value;
}

bool Section::erase(std::string_view key) {
  std::ptrdiff_t i = index_of(key);
  if (i < 0) return false;
  entries.erase(entries.begin() + i);
  return true;
}

EntryPtr Section::make_entry(std::string_view key, Value v) {
  return std::make_shared<const Entry>(Entry{std::string(key), std::move(v)});
}

Sym SymbolTable::intern(std::string_view name) {
  auto it = m_index.find(name);
  if (it != m_index.end()) return it->second;
  m_names.emplace_back(name);
  Sym s = static_cast<Sym>(m_names.size() - 1);
  m_index.emplace(m_names.back(), s);
  return s;
}

const std::string* SymbolTable::intern_file(std::string_view path) {
  auto it = m_file_index.find(path);
  if (it != m_file_index.end()) return it->second;
  m_files.emplace_back(path);
  const std::string* p = &m_files.back();
  m_file_index.emplace(*p, p);
  return p;
}

std::vector<Config::Slot>::const_iterator Config::lower(Sym name) const {
  return std::lower_bound(m_sections.begin(), m_sections.end(), name,
                          [](const Slot& s, Sym n) { return s.first < n; });
}

Section& Config::mutable_section(Sym name) {
  auto it = m_sections.begin() + (lower(name) - m_sections.cbegin());
  SectionPtr& p = it->second;
  if (p.use_count() > 1) p = std::make_shared<Section>(*p);
  return *p;
}

void Config::put(Sym name, SectionPtr section) {
  auto it = m_sections.begin() + (lower(name) - m_sections.cbegin());
  if (it != m_sections.end() && it->first == name) {
    it->second = std::move(section);
  } else {
    m_sections.insert(it, Slot{name, std::move(section)});
  }
}

}  // namespace kiln::profile
