#include "profile/py_expr_eval.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "profile/py_expr_seq.h"
#include "profile/py_expr_text.h"

namespace kiln::profile::py {

namespace {

bool is_pythonxy(const std::string& name) {
  if (name.size() < 8 || name.compare(0, 6, "python") != 0) return false;
  for (std::size_t i = 6; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

// The names of `globals` for a message, with the pythonXY family shortened.
std::string describe_names(const Globals& globals) {
  std::string out, first, last;
  for (const auto& entry : globals) {
    const std::string& name = entry.first;
    if (is_pythonxy(name)) {
      auto key = [](const std::string& n) { return std::make_pair(n.size(), n); };
      if (first.empty() || key(name) < key(first)) first = name;
      if (last.empty() || key(last) < key(name)) last = name;
      continue;
    }
    out += (out.empty() ? "" : ", ") + name;
  }
  if (!first.empty()) out += ", " + first + ".." + last;
  return out;
}

Expected<ValuePtr> add(const Value& a, const Value& b) {
  if (is_intlike(a) && is_intlike(b)) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(int_of(a), int_of(b), &r))
      return condition_error("integer overflow in '+': Kiln integers are 64-bit");
    return make_int(r);
  }
  if (a.kind == Kind::k_str && b.kind == Kind::k_str) {
    if (a.text.size() + b.text.size() > k_max_str_bytes)
      return condition_error("the result of '+' exceeds the str size cap");
    return make_str(a.text + b.text);
  }
  if ((a.kind == Kind::k_list || a.kind == Kind::k_tuple) && a.kind == b.kind) {
    if (a.items.size() + b.items.size() > k_max_items)
      return condition_error("the result of '+' exceeds the item count cap");
    std::vector<ValuePtr> items = a.items;
    items.insert(items.end(), b.items.begin(), b.items.end());
    return a.kind == Kind::k_list ? make_list(std::move(items)) : make_tuple(std::move(items));
  }
  if (a.kind == Kind::k_str || a.kind == Kind::k_list || a.kind == Kind::k_tuple) {
    std::string t = a.kind == Kind::k_str ? "str" : a.kind == Kind::k_list ? "list" : "tuple";
    return type_error("can only concatenate " + t + " (not \"" + type_name(b) + "\") to " + t);
  }
  return type_error("unsupported operand type(s) for +: '" + type_name(a) + "' and '" +
                    type_name(b) + "'");
}

Expected<ValuePtr> subtract(const Value& a, const Value& b) {
  if (!is_intlike(a) || !is_intlike(b))
    return type_error("unsupported operand type(s) for -: '" + type_name(a) + "' and '" +
                      type_name(b) + "'");
  std::int64_t r = 0;
  if (__builtin_sub_overflow(int_of(a), int_of(b), &r))
    return condition_error("integer overflow in '-': Kiln integers are 64-bit");
  return make_int(r);
}

Expected<ValuePtr> unary(const std::string& op, const Value& v) {
  if (!is_intlike(v))
    return type_error("bad operand type for unary " + op + ": '" + type_name(v) + "'");
  std::int64_t i = int_of(v);
  if (op == "+") return make_int(i);
  if (op == "~") return make_int(~i);
  if (i == INT64_MIN)
    return condition_error("integer overflow in unary '-': Kiln integers are 64-bit");
  return make_int(-i);
}

// Python's `is` / `is not` for the singletons None, True, False; identity of
// other values is a CPython detail Kiln does not reproduce.
Expected<bool> identical(const Value& a, const Value& b) {
  bool sa = a.kind == Kind::k_none || a.kind == Kind::k_bool;
  bool sb = b.kind == Kind::k_none || b.kind == Kind::k_bool;
  if (!sa && !sb)
    return condition_error("'is' is only supported when one side is None, True or False, got " +
                           type_name(a) + " and " + type_name(b));
  return sa && sb && a.kind == b.kind && a.boolean == b.boolean;
}

Expected<bool> compare_op(const Value& a, const std::string& op, const Value& b) {
  if (op == "in" || op == "not in") {
    Expected<bool> r = contains(b, a);
    if (!r.ok() || op == "in") return r;
    return !*r;
  }
  if (op == "is" || op == "is not") {
    Expected<bool> r = identical(a, b);
    if (!r.ok() || op == "is") return r;
    return !*r;
  }
  return compare(a, op, b);
}

class Evaluator {
 public:
  Evaluator(const Globals& globals, std::string_view source)
      : m_globals(globals), m_source(source) {}
  Expected<ValuePtr> eval(const Node& n);

 private:
  Expected<ValuePtr> eval_kind(const Node& n);
  Expected<ValuePtr> name(const Node& n);
  Expected<ValuePtr> sequence(const Node& n);
  Expected<ValuePtr> logic(const Node& n);
  Expected<ValuePtr> chain(const Node& n);
  Expected<ValuePtr> arith(const Node& n);
  Expected<ValuePtr> call(const Node& n);
  Expected<ValuePtr> index(const Node& n);
  Status comprehension(const Node& n, std::size_t clause, std::vector<ValuePtr>& out);
  Status bind(const CompClause& c, const ValuePtr& item);

  const Globals& m_globals;
  std::string_view m_source;
  std::vector<std::pair<std::string, ValuePtr>> m_locals;  // comprehension variables
  std::int64_t m_steps = 0;
};

Expected<ValuePtr> Evaluator::eval(const Node& n) {
  if (++m_steps > k_max_steps)
    return condition_error("the expression takes more than " + std::to_string(k_max_steps) +
                           " steps to evaluate");
  if (AllocationScope::exceeded())
    return condition_error("the expression allocates more than " +
                           std::to_string(k_max_alloc_bytes >> 20) + " MiB");
  return eval_kind(n);
}

Expected<ValuePtr> Evaluator::eval_kind(const Node& n) {
  switch (n.kind) {
    case NodeKind::k_const:
      return n.constant;
    case NodeKind::k_name:
      return name(n);
    case NodeKind::k_tuple:
    case NodeKind::k_list:
    case NodeKind::k_listcomp:
      return sequence(n);
    case NodeKind::k_attr: {
      Expected<ValuePtr> obj = eval(*n.kids[0]);
      if (!obj.ok()) return obj;
      return get_attribute(*obj, n.text);
    }
    case NodeKind::k_index:
    case NodeKind::k_slice:
      return index(n);
    case NodeKind::k_call:
      return call(n);
    case NodeKind::k_not: {
      Expected<ValuePtr> v = eval(*n.kids[0]);
      if (!v.ok()) return v;
      return make_bool(!truthy(**v));
    }
    case NodeKind::k_and:
    case NodeKind::k_or:
      return logic(n);
    case NodeKind::k_ifelse: {
      Expected<ValuePtr> cond = eval(*n.kids[0]);
      if (!cond.ok()) return cond;
      return eval(*n.kids[truthy(**cond) ? 1 : 2]);
    }
    case NodeKind::k_compare:
      return chain(n);
    case NodeKind::k_arith:
      return arith(n);
    case NodeKind::k_unary: {
      Expected<ValuePtr> v = eval(*n.kids[0]);
      if (!v.ok()) return v;
      return unary(n.text, **v);
    }
  }
  return condition_error("internal error: unknown syntax tree node");
}

Expected<ValuePtr> Evaluator::name(const Node& n) {
  for (auto it = m_locals.rbegin(); it != m_locals.rend(); ++it)
    if (it->first == n.text) return it->second;
  auto it = m_globals.find(n.text);
  if (it != m_globals.end()) return it->second;
  std::string shown(m_source.substr(0, 120));
  if (m_source.size() > 120) shown += "...";
  return condition_error("unknown name '" + n.text + "' at column " + std::to_string(n.offset + 1) +
                         " of `" + shown + "`: expected one of " + describe_names(m_globals) +
                         " or a comprehension variable");
}

Expected<ValuePtr> Evaluator::sequence(const Node& n) {
  std::vector<ValuePtr> items;
  if (n.kind == NodeKind::k_listcomp) {
    if (Status st = comprehension(n, 0, items); !st.ok()) return st.error();
    return make_list(std::move(items));
  }
  for (const NodePtr& k : n.kids) {
    Expected<ValuePtr> v = eval(*k);
    if (!v.ok()) return v;
    items.push_back(std::move(*v));
  }
  return n.kind == NodeKind::k_list ? make_list(std::move(items)) : make_tuple(std::move(items));
}

Expected<ValuePtr> Evaluator::logic(const Node& n) {
  bool is_and = n.kind == NodeKind::k_and;
  Expected<ValuePtr> v = make_none();
  for (const NodePtr& k : n.kids) {
    v = eval(*k);
    if (!v.ok()) return v;
    if (truthy(**v) != is_and) return v;  // `or` stops at a true operand, `and` at a false one
  }
  return v;
}

Expected<ValuePtr> Evaluator::chain(const Node& n) {
  Expected<ValuePtr> left = eval(*n.kids[0]);
  if (!left.ok()) return left;
  for (std::size_t i = 0; i < n.ops.size(); ++i) {
    Expected<ValuePtr> right = eval(*n.kids[i + 1]);
    if (!right.ok()) return right;
    Expected<bool> r = compare_op(**left, n.ops[i], **right);
    if (!r.ok()) return r.error();
    if (!*r) return make_bool(false);
    left = std::move(right);
  }
  return make_bool(true);
}

Expected<ValuePtr> Evaluator::arith(const Node& n) {
  Expected<ValuePtr> acc = eval(*n.kids[0]);
  for (std::size_t i = 0; acc.ok() && i < n.ops.size(); ++i) {
    Expected<ValuePtr> right = eval(*n.kids[i + 1]);
    if (!right.ok()) return right;
    acc = n.ops[i] == "+" ? add(**acc, **right) : subtract(**acc, **right);
  }
  return acc;
}

Expected<ValuePtr> Evaluator::call(const Node& n) {
  Expected<ValuePtr> callee = eval(*n.kids[0]);
  if (!callee.ok()) return callee;
  if ((*callee)->kind != Kind::k_function)
    return type_error("'" + type_name(**callee) + "' object is not callable");
  Args args;
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    Expected<ValuePtr> v = eval(*n.kids[i]);
    if (!v.ok()) return v;
    args.push_back(std::move(*v));
  }
  return (*callee)->fn(args);
}

Expected<ValuePtr> Evaluator::index(const Node& n) {
  Expected<ValuePtr> obj = eval(*n.kids[0]);
  if (!obj.ok()) return obj;
  std::vector<ValuePtr> parts;  // null for an omitted slice part
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    if (!n.kids[i]) {
      parts.push_back(nullptr);
      continue;
    }
    Expected<ValuePtr> v = eval(*n.kids[i]);
    if (!v.ok()) return v;
    parts.push_back(std::move(*v));
  }
  if (n.kind == NodeKind::k_index) return subscript(**obj, *parts[0]);
  return slice(**obj, parts[0].get(), parts[1].get(), parts[2].get());
}

Status Evaluator::bind(const CompClause& c, const ValuePtr& item) {
  if (!c.unpack) {
    m_locals.emplace_back(c.targets[0], item);
    return {};
  }
  if (item->kind != Kind::k_tuple && item->kind != Kind::k_list && item->kind != Kind::k_str &&
      item->kind != Kind::k_dict)
    return type_error("cannot unpack non-iterable " + type_name(*item) + " object");
  Expected<std::vector<ValuePtr>> parts = iterate(*item);
  if (!parts.ok()) return parts.error();
  std::size_t want = c.targets.size(), got = parts->size();
  if (got != want)
    return condition_error("value error: " + std::string(got > want ? "too many" : "not enough") +
                           " values to unpack (expected " + std::to_string(want) +
                           (got < want ? ", got " + std::to_string(got) : "") + ")");
  for (std::size_t i = 0; i < want; ++i) m_locals.emplace_back(c.targets[i], (*parts)[i]);
  return {};
}

Status Evaluator::comprehension(const Node& n, std::size_t clause, std::vector<ValuePtr>& out) {
  if (clause == n.clauses.size()) {
    Expected<ValuePtr> v = eval(*n.kids[0]);
    if (!v.ok()) return v.error();
    if (out.size() >= k_max_items)
      return condition_error("a list comprehension exceeds " + std::to_string(k_max_items) +
                             " items");
    out.push_back(std::move(*v));
    return {};
  }
  const CompClause& c = n.clauses[clause];
  Expected<ValuePtr> iterable = eval(*c.iter);
  if (!iterable.ok()) return iterable.error();
  Expected<std::vector<ValuePtr>> items = iterate(**iterable);
  if (!items.ok()) return items.error();
  m_steps += static_cast<std::int64_t>(items->size());  // iterating costs a step per item
  for (const ValuePtr& item : *items) {
    std::size_t mark = m_locals.size();
    Status st = bind(c, item);
    bool keep = true;
    for (std::size_t i = 0; st.ok() && keep && i < c.conds.size(); ++i) {
      Expected<ValuePtr> cond = eval(*c.conds[i]);
      if (!cond.ok())
        st = cond.error();
      else
        keep = truthy(**cond);
    }
    if (st.ok() && keep) st = comprehension(n, clause + 1, out);
    m_locals.resize(mark);
    if (!st.ok()) return st;
  }
  return {};
}

}  // namespace

Expected<ValuePtr> evaluate(const Node& root, const Globals& globals, std::string_view source) {
  AllocationScope scope;
  Expected<ValuePtr> v = Evaluator(globals, source).eval(root);
  if (v.ok() && AllocationScope::exceeded())
    return condition_error("the expression allocates more than " +
                           std::to_string(k_max_alloc_bytes >> 20) + " MiB");
  return v;
}

}  // namespace kiln::profile::py
