#include "profile/merge.h"

#include <algorithm>

namespace kiln::profile {

namespace {

std::string_view rstrip_chars(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

// Python's x[-1]: the last code point of a UTF-8 string.
std::uint32_t last_code_point(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  std::uint32_t cp = 0;
  for (std::size_t k = i; k < s.size(); ++k) cp = (cp << 8) | static_cast<unsigned char>(s[k]);
  return cp;  // big-endian bytes of one UTF-8 sequence keep code point order
}

// A working copy of s2 in which an entry may stand for s1's own value (the
// Python code stores s1's SectionKey object in s2 and mutates it in place).
struct WorkEntry {
  std::string key;
  EntryPtr entry;  // null when alias_of_s1
  bool alias_of_s1 = false;
};

WorkEntry* find_work(std::vector<WorkEntry>& work, std::string_view key) {
  for (WorkEntry& w : work)
    if (w.key == key) return &w;
  return nullptr;
}

void apply(Value& target, const Value& op, bool add, bool track) {
  if (add) {
    target.add_lines(op.text, op.origin(), track);
  } else {
    target.remove_lines(op.text, op.origin(), track);
  }
}

// Applies one `+=` / `-=` key: the target is s2's own value for the base key,
// else s1's, else an implicit empty value.
void apply_operator(Section& s1, std::vector<WorkEntry>& work, std::size_t index, bool add,
                    bool track) {
  EntryPtr op = std::move(work[index].entry);
  work.erase(work.begin() + static_cast<std::ptrdiff_t>(index));
  std::string base(rstrip_chars(op->key, add ? " +" : " -"));
  if (WorkEntry* local = find_work(work, base)) {
    if (local->alias_of_s1) {
      apply(*s1.mutable_value(base), op->value, add, track);
    } else {
      Entry copy = *local->entry;
      apply(copy.value, op->value, add, track);
      local->entry = std::make_shared<const Entry>(std::move(copy));
    }
  } else if (Value* inherited = s1.mutable_value(base)) {
    apply(*inherited, op->value, add, track);
    work.push_back(WorkEntry{base, nullptr, true});
  } else {
    Entry fresh{base, Value("", Origin::implicit_value(), track)};
    apply(fresh.value, op->value, add, track);
    work.push_back(WorkEntry{base, std::make_shared<const Entry>(std::move(fresh)), false});
  }
}

// The entry s1 holds once `e1` is overridden by `e2` (overrideValue). Without
// history, a SET/OVERRIDE/DIRECTORY entry is indistinguishable from its
// override, so e2 itself is shared.
EntryPtr overridden(const EntryPtr& e1, const EntryPtr& e2, bool track) {
  HistoryOp op = e2->value.last_op();
  if (!track && op != HistoryOp::k_add && op != HistoryOp::k_remove) return e2;
  Entry copy = *e1;
  copy.value.override_with(e2->value, track);
  return std::make_shared<const Entry>(std::move(copy));
}

void put_overriding(Section& s1, const EntryPtr& e2, bool track) {
  std::ptrdiff_t i = s1.index_of(e2->key, e2->key_hash);
  if (i < 0) {
    s1.entries.push_back(e2);
  } else {
    EntryPtr& slot = s1.entries[static_cast<std::size_t>(i)];
    slot = overridden(slot, e2, track);
  }
}

}  // namespace

bool is_add_key(std::string_view key) {
  return !key.empty() && key.back() == '+';
}
bool is_remove_key(std::string_view key) {
  return !key.empty() && key.back() == '-';
}

void update_section(Section& s1, const Section& s2, bool track) {
  bool any_operator = false;
  for (const EntryPtr& e : s2.entries)
    any_operator = any_operator || is_add_key(e->key) || is_remove_key(e->key);
  s1.has_marker = s1.has_marker || s2.has_marker;
  if (!any_operator) {
    for (const EntryPtr& e : s2.entries) put_overriding(s1, e, track);
    return;
  }
  std::vector<WorkEntry> work;
  work.reserve(s2.entries.size() + 2);
  for (const EntryPtr& e : s2.entries) work.push_back(WorkEntry{e->key, e, false});
  // Python: sorted(s2.items(), key=lambda x: (x[0].rstrip(' +'), x[0][-1])), stable.
  std::vector<std::string> order;
  for (const WorkEntry& w : work) order.push_back(w.key);
  std::stable_sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    std::string_view ra = rstrip_chars(a, " +"), rb = rstrip_chars(b, " +");
    if (ra != rb) return ra < rb;
    return last_code_point(a) < last_code_point(b);
  });
  for (const std::string& key : order) {
    bool add = is_add_key(key), remove = is_remove_key(key);
    if (!add && !remove) continue;
    for (std::size_t i = 0; i < work.size(); ++i) {
      if (work[i].key == key && !work[i].alias_of_s1) {
        apply_operator(s1, work, i, add, track);
        break;
      }
    }
  }
  for (const WorkEntry& w : work) {  // _update_verbose
    if (!w.alias_of_s1) put_overriding(s1, w.entry, track);
  }
}

namespace {

// A section seen for the first time with operator keys and no `<`: the
// operators become assignments (oracle's _fixed_update).
SectionPtr fix_first_appearance(const Section& s2, bool track) {
  Section work = s2;
  std::vector<std::string> keys;
  for (const EntryPtr& e : work.entries) keys.push_back(e->key);
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) {
    if (!is_add_key(k) && !is_remove_key(k)) continue;
    std::string base(rstrip_chars(k, " +-"));
    if (work.find(base)) continue;
    Entry moved{base, work.find(k)->value};
    work.erase(k);
    if (is_remove_key(k))
      moved.value.remove_lines(moved.value.text, Origin::implicit_value(), track);
    work.entries.push_back(std::make_shared<const Entry>(std::move(moved)));
  }
  auto out = std::make_shared<Section>();
  update_section(*out, work, track);
  return out;
}

bool has_operator_key(const Section& s) {
  for (const EntryPtr& e : s.entries)
    if (is_add_key(e->key) || is_remove_key(e->key)) return true;
  return false;
}

}  // namespace

void update_config(Config& d1, const Config& d2, bool track) {
  for (const auto& [name, s2] : d2.sections()) {
    if (d1.contains(name)) {
      update_section(d1.mutable_section(name), *s2, track);
    } else if (s2->find("<") || !has_operator_key(*s2)) {
      d1.put(name, s2);
    } else {
      d1.put(name, fix_first_appearance(*s2, track));
    }
  }
}

}  // namespace kiln::profile
