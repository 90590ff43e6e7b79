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

Value::Value(std::string t, Origin o, bool track) : text(std::move(t)) {
  history.push_back(HistoryItem{HistoryOp::k_set, track ? text : std::string(), o});
}

void Value::record(HistoryOp op, std::string_view v, Origin o, bool track) {
  if (track) {
    history.push_back(HistoryItem{op, std::string(v), o});
  } else {
    history.back() = HistoryItem{op, std::string(), o};
  }
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

Value* Section::find(std::string_view key) {
  for (auto& e : entries)
    if (e.first == key) return &e.second;
  return nullptr;
}

const Value* Section::find(std::string_view key) const {
  return const_cast<Section*>(this)->find(key);
}

Value& Section::set(std::string_view key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  entries.emplace_back(std::string(key), std::move(v));
  return entries.back().second;
}

bool Section::erase(std::string_view key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
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

Section& Config::mutable_section(Sym name) {
  SectionPtr& p = m_by_sym[name];
  if (p.use_count() > 1) p = std::make_shared<Section>(*p);
  return *p;
}

void Config::put(Sym name, SectionPtr section) {
  if (name >= m_by_sym.size()) m_by_sym.resize(name + 1);
  if (!m_by_sym[name]) m_order.push_back(name);
  m_by_sym[name] = std::move(section);
}

}  // namespace kiln::profile
