// The merged-profile data model: values with their history (for annotate),
// sections, and a copy-on-write Config, mirroring zc.buildout's SectionKey /
// dict-of-dicts so that merging can follow the reference step by step.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::profile {

// Where a value came from: a file and line, or one of the special sources
// below (line 0). `file` points to an interned string that outlives the Config.
struct Origin {
  const std::string* file = nullptr;
  int line = 0;

  static Origin default_value();       // "DEFAULT_VALUE"
  static Origin computed_value();      // "COMPUTED_VALUE"
  static Origin command_line_value();  // "COMMAND_LINE_VALUE"
  static Origin implicit_value();      // "IMPLICIT_VALUE"
  static Origin macro();               // "" (values copied by `<=`)
  bool is_special() const;             // one of the above
  std::string_view name() const { return file ? std::string_view(*file) : std::string_view(); }
};

enum class HistoryOp : std::uint8_t { k_set, k_override, k_add, k_remove, k_directory };

struct HistoryItem {
  HistoryOp op = HistoryOp::k_set;
  std::string value;  // empty when history is not tracked
  Origin origin;
};

// zc.buildout's SectionKey: a value and how it got there. `last` is the latest
// operation; `earlier` holds the ones before it only when history is tracked.
struct Value {
  std::string text;
  HistoryItem last;
  std::vector<HistoryItem> earlier;

  Value() = default;
  Value(std::string t, Origin o, bool track);
  const Origin& origin() const { return last.origin; }
  HistoryOp last_op() const { return last.op; }
  void record(HistoryOp op, std::string_view v, Origin o, bool track);
  void add_lines(std::string_view added, Origin o, bool track);       // addToValue
  void remove_lines(std::string_view removed, Origin o, bool track);  // removeFromValue
  void override_with(const Value& other, bool track);                 // overrideValue
};

// An option. Entries are immutable once shared: sections hold them by
// pointer, so copying a section copies pointers, and merging can share the
// overriding entry instead of copying it.
struct Entry {
  std::string key;
  Value value;
  std::size_t key_hash;  // of `key`, to make lookups cheap

  Entry(std::string k, Value v)
      : key(std::move(k)), value(std::move(v)), key_hash(std::hash<std::string>{}(key)) {}
};
using EntryPtr = std::shared_ptr<const Entry>;

// One section: options in insertion order (Python dict semantics: assigning
// an existing key keeps its place).
struct Section {
  std::vector<EntryPtr> entries;
  bool has_marker = false;  // some value holds k_pbl_marker (see loader.h)

  const Entry* find(std::string_view key) const;
  std::ptrdiff_t index_of(std::string_view key) const;  // -1 if absent
  std::ptrdiff_t index_of(std::string_view key, std::size_t key_hash) const;
  void put(EntryPtr entry);  // insert or replace in place
  void set(std::string_view key, Value v) { put(make_entry(key, std::move(v))); }
  // The value of `key`, made unshared so it can be modified; nullptr if absent.
  Value* mutable_value(std::string_view key);
  bool erase(std::string_view key);

  static EntryPtr make_entry(std::string_view key, Value v);
};

using SectionPtr = std::shared_ptr<Section>;
using Sym = std::uint32_t;

// Interned section names. Not thread-safe; one per resolution.
class SymbolTable {
 public:
  Sym intern(std::string_view name);
  const std::string& name(Sym s) const { return m_names[s]; }
  std::size_t size() const { return m_names.size(); }
  // Interned file names for Origin::file: stable addresses.
  const std::string* intern_file(std::string_view path);

 private:
  std::deque<std::string> m_names;
  std::unordered_map<std::string_view, Sym> m_index;
  std::deque<std::string> m_files;
  std::unordered_map<std::string_view, const std::string*> m_file_index;
};

// Sections by name (sorted by symbol: section order carries no meaning in
// buildout's merge). Copying a Config is cheap: sections are shared and
// copied on first write (mutable_section()).
class Config {
 public:
  const Section* find(Sym name) const {
    auto it = lower(name);
    return it != m_sections.end() && it->first == name ? it->second.get() : nullptr;
  }
  bool contains(Sym name) const { return find(name) != nullptr; }
  // The section, made unshared so it can be modified. REQUIRES: contains(name).
  Section& mutable_section(Sym name);
  void put(Sym name, SectionPtr section);  // insert or replace
  const std::vector<std::pair<Sym, SectionPtr>>& sections() const { return m_sections; }

 private:
  using Slot = std::pair<Sym, SectionPtr>;
  std::vector<Slot>::const_iterator lower(Sym name) const;
  std::vector<Slot> m_sections;
};

}  // namespace kiln::profile
