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
  Value value;
  bool alias_of_s1 = false;
};

WorkEntry* find_work(std::vector<WorkEntry>& work, std::string_view key) {
  for (WorkEntry& w : work)
    if (w.key == key) return &w;
  return nullptr;
}

// Applies one `+=` / `-=` key: the target is s2's own value for the base key,
// else s1's, else an implicit empty value.
void apply_operator(Section& s1, std::vector<WorkEntry>& work, std::size_t index, bool add,
                    bool track) {
  WorkEntry op = std::move(work[index]);
  work.erase(work.begin() + static_cast<std::ptrdiff_t>(index));
  std::string_view base = rstrip_chars(op.key, add ? " +" : " -");
  Value* target = nullptr;
  WorkEntry* local = find_work(work, base);
  if (local) {
    target = local->alias_of_s1 ? s1.find(base) : &local->value;
  } else if (Value* inherited = s1.find(base)) {
    target = inherited;
    work.push_back(WorkEntry{std::string(base), Value(), true});
  } else {
    work.push_back(WorkEntry{std::string(base), Value("", Origin::implicit_value(), track), false});
    target = &work.back().value;
  }
  if (add) {
    target->add_lines(op.value.text, op.value.origin(), track);
  } else {
    target->remove_lines(op.value.text, op.value.origin(), track);
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
  std::vector<WorkEntry> work;
  work.reserve(s2.entries.size() + 2);
  bool any_operator = false;
  for (const auto& [key, value] : s2.entries) {
    work.push_back(WorkEntry{key, value, false});
    any_operator = any_operator || is_add_key(key) || is_remove_key(key);
  }
  if (any_operator) {
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
  }
  // _update_verbose
  for (WorkEntry& w : work) {
    if (w.alias_of_s1) continue;  // s1's value was changed in place
    if (Value* v1 = s1.find(w.key)) {
      v1->override_with(w.value, track);
    } else {
      s1.entries.emplace_back(std::move(w.key), std::move(w.value));
    }
  }
  s1.has_marker = s1.has_marker || s2.has_marker;
}

namespace {

// A section seen for the first time with operator keys and no `<`: the
// operators become assignments (oracle's _fixed_update).
SectionPtr fix_first_appearance(const Section& s2, bool track) {
  Section work = s2;
  std::vector<std::string> keys;
  for (const auto& e : work.entries) keys.push_back(e.first);
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) {
    if (!is_add_key(k) && !is_remove_key(k)) continue;
    std::string base(rstrip_chars(k, " +-"));
    if (work.find(base)) continue;
    Value v = std::move(*work.find(k));
    work.erase(k);
    if (is_remove_key(k)) v.remove_lines(v.text, Origin::implicit_value(), track);
    work.entries.emplace_back(std::move(base), std::move(v));
  }
  auto out = std::make_shared<Section>();
  update_section(*out, work, track);
  return out;
}

bool has_operator_key(const Section& s) {
  for (const auto& e : s.entries)
    if (is_add_key(e.first) || is_remove_key(e.first)) return true;
  return false;
}

}  // namespace

void update_config(Config& d1, const Config& d2, bool track) {
  for (Sym name : d2.order()) {
    const SectionPtr& s2 = d2.shared(name);
    if (!s2) continue;
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
