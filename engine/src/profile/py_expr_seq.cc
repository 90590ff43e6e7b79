#include "profile/py_expr_seq.h"

#include <cstdint>
#include <optional>

#include "profile/py_expr_text.h"

namespace kiln::profile::py {

namespace {

bool is_sequence(const Value& v) {
  return v.kind == Kind::k_tuple || v.kind == Kind::k_list;
}

const char* seq_word(const Value& v) {
  return v.kind == Kind::k_str ? "string" : v.kind == Kind::k_list ? "list" : "tuple";
}

Expected<std::int64_t> normalize_index(const Value& obj, const Value& index, std::int64_t len) {
  if (!is_intlike(index)) {
    if (obj.kind == Kind::k_str)
      return type_error("string indices must be integers, not '" + type_name(index) + "'");
    return type_error(std::string(seq_word(obj)) + " indices must be integers or slices, not " +
                      type_name(index));
  }
  std::int64_t i = int_of(index);
  if (i < 0) i += len;
  if (i < 0 || i >= len)
    return condition_error("index error: " + std::string(seq_word(obj)) +
                           " index out of range (index " + std::to_string(int_of(index)) +
                           ", length " + std::to_string(len) + ")");
  return i;
}

}  // namespace

Expected<std::int64_t> length(const Value& v) {
  switch (v.kind) {
    case Kind::k_str:
      return static_cast<std::int64_t>(char_count(v.text));
    case Kind::k_tuple:
    case Kind::k_list:
      return static_cast<std::int64_t>(v.items.size());
    case Kind::k_dict:
      return static_cast<std::int64_t>(v.entries.size());
    default:
      return type_error("object of type '" + type_name(v) + "' has no len()");
  }
}

Expected<ValuePtr> subscript(const Value& obj, const Value& index) {
  if (obj.kind == Kind::k_dict) {
    if (!hashable(index)) return type_error("unhashable type: '" + type_name(index) + "'");
    for (const auto& [key, value] : obj.entries) {
      Expected<bool> eq = equals(*key, index);
      if (!eq.ok()) return eq.error();
      if (*eq) return value;
    }
    std::string keys;
    for (const auto& entry : obj.entries) keys += (keys.empty() ? "" : ", ") + repr(*entry.first);
    return condition_error("key error: " + repr(index) + " is not in the dict (keys: " + keys +
                           ")");
  }
  if (obj.kind != Kind::k_str && !is_sequence(obj))
    return type_error("'" + type_name(obj) + "' object is not subscriptable");
  Expected<std::int64_t> len = length(obj);
  if (!len.ok()) return len.error();
  Expected<std::int64_t> i = normalize_index(obj, index, *len);
  if (!i.ok()) return i.error();
  if (obj.kind != Kind::k_str) return obj.items[static_cast<std::size_t>(*i)];
  if (is_ascii(obj.text)) return make_str(std::string(1, obj.text[static_cast<std::size_t>(*i)]));
  std::vector<std::size_t> off = char_offsets(obj.text);
  std::size_t k = static_cast<std::size_t>(*i);
  return make_str(obj.text.substr(off[k], off[k + 1] - off[k]));
}

namespace {

// A slice bound: omitted or None (nullopt), or an int.
Expected<std::optional<std::int64_t>> slice_bound(const Value* v) {
  if (v == nullptr || v->kind == Kind::k_none) return std::optional<std::int64_t>();
  if (!is_intlike(*v))
    return type_error("slice indices must be integers or None or have an __index__ method, not " +
                      type_name(*v));
  return std::optional<std::int64_t>(int_of(*v));
}

// Python's PySlice_AdjustIndices for one bound.
std::int64_t adjust_bound(std::optional<std::int64_t> b, std::int64_t dflt, std::int64_t len,
                          std::int64_t step) {
  if (!b) return dflt;
  std::int64_t i = *b;
  if (i < 0) {
    i += len;
    if (i < 0) i = step < 0 ? -1 : 0;
  } else if (i >= len) {
    i = step < 0 ? len - 1 : len;
  }
  return i;
}

// The positions obj[start:stop:step] selects, in order.
std::vector<std::int64_t> slice_positions(std::int64_t begin, std::int64_t end, std::int64_t step) {
  std::vector<std::int64_t> out;
  if (step > 0) {
    for (std::int64_t i = begin; i < end; i += step) {
      out.push_back(i);
      if (end - i <= step) break;
    }
  } else {
    for (std::int64_t i = begin; i > end; i += step) {
      out.push_back(i);
      if (i - end <= -step) break;
    }
  }
  return out;
}

}  // namespace

Expected<ValuePtr> slice(const Value& obj, const Value* start, const Value* stop,
                         const Value* step) {
  if (obj.kind == Kind::k_dict) return type_error("unhashable type: 'slice'");
  if (obj.kind != Kind::k_str && !is_sequence(obj))
    return type_error("'" + type_name(obj) + "' object is not subscriptable");
  auto b0 = slice_bound(start), b1 = slice_bound(stop), b2 = slice_bound(step);
  if (!b0.ok()) return b0.error();
  if (!b1.ok()) return b1.error();
  if (!b2.ok()) return b2.error();
  std::int64_t st = b2->value_or(1);
  if (st == 0) return condition_error("value error: slice step cannot be zero");
  if (st < -INT64_MAX) st = -INT64_MAX;
  bool ascii = obj.kind != Kind::k_str || is_ascii(obj.text);
  std::vector<std::size_t> off;
  if (!ascii) off = char_offsets(obj.text);
  std::int64_t len = obj.kind != Kind::k_str ? static_cast<std::int64_t>(obj.items.size())
                     : ascii                 ? static_cast<std::int64_t>(obj.text.size())
                                             : static_cast<std::int64_t>(off.size()) - 1;
  std::int64_t begin = adjust_bound(*b0, st < 0 ? len - 1 : 0, len, st);
  std::int64_t end = adjust_bound(*b1, st < 0 ? -1 : len, len, st);
  std::vector<std::int64_t> pos = slice_positions(begin, end, st);
  if (obj.kind != Kind::k_str) {
    std::vector<ValuePtr> items;
    for (std::int64_t i : pos) items.push_back(obj.items[static_cast<std::size_t>(i)]);
    return obj.kind == Kind::k_list ? make_list(std::move(items)) : make_tuple(std::move(items));
  }
  std::string text;
  for (std::int64_t i : pos) {
    std::size_t k = static_cast<std::size_t>(i);
    if (ascii)
      text += obj.text[k];
    else
      text.append(obj.text, off[k], off[k + 1] - off[k]);
  }
  return make_str(std::move(text));
}

Expected<std::vector<ValuePtr>> iterate(const Value& v) {
  switch (v.kind) {
    case Kind::k_tuple:
    case Kind::k_list:
      return v.items;
    case Kind::k_dict: {
      std::vector<ValuePtr> keys;
      for (const auto& entry : v.entries) keys.push_back(entry.first);
      return keys;
    }
    case Kind::k_str: {
      if (char_count(v.text) > k_max_items)
        return condition_error("iterating over a str of more than " + std::to_string(k_max_items) +
                               " characters is not supported");
      std::vector<ValuePtr> chars;
      std::vector<std::size_t> off = char_offsets(v.text);
      for (std::size_t k = 0; k + 1 < off.size(); ++k)
        chars.push_back(make_str(v.text.substr(off[k], off[k + 1] - off[k])));
      return chars;
    }
    default:
      return type_error("'" + type_name(v) + "' object is not iterable");
  }
}

}  // namespace kiln::profile::py
