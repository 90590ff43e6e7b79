// Renderer of the Jinja subset: walks the tree with scoped variables.
#include <algorithm>

#include "jinja_internal.h"

namespace kiln_jinja {
namespace {

constexpr int k_max_depth = 100;

// A name, attribute or item that does not exist (StrictUndefined): `is
// defined` and `|default` catch it, anything else reports it.
class UndefinedError : public EvalError {
 public:
  using EvalError::EvalError;
  int line = 0;  // of the innermost expression, set by eval()
};

class Renderer {
 public:
  Renderer(TemplatePtr tmpl, DictPtr context, const Loader& loader, int depth)
      : m_tmpl(std::move(tmpl)), m_context(std::move(context)), m_loader(loader), m_depth(depth) {
    m_scopes.push_back(std::make_shared<Dict>());
  }

  std::string run() {
    std::string out;
    exec(m_tmpl->body, out);
    return out;
  }
  DictPtr globals() const { return m_scopes.front(); }

  // Renders a macro of this template with its arguments bound.
  std::string call_macro(const Macro& m, const Args& args, int line) {
    const Node& n = *m.node;
    m_scopes = {m.globals, std::make_shared<Dict>()};
    if (args.pos.size() > n.params.size())
      fail(line, "macro '" + m.name + "' takes " + std::to_string(n.params.size()) +
                     " arguments, got " + std::to_string(args.pos.size()));
    for (const auto& [k, v] : args.kw)
      if (std::find(n.params.begin(), n.params.end(), k) == n.params.end())
        fail(line, "macro '" + m.name + "' has no parameter '" + k + "'");
    for (std::size_t i = 0; i < n.params.size(); ++i) {
      const Value* v = args.get(i, n.params[i].c_str());
      if (!v && !n.defaults[i])
        fail(line, "macro '" + m.name + "': missing argument '" + n.params[i] + "'");
      dict_set(*m_scopes.back(), n.params[i], v ? *v : eval(*n.defaults[i]));
    }
    std::string out;
    exec(n.body, out);
    return out;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw Error(m_tmpl->name, line, what);
  }

  const Value* lookup(const std::string& name) const {
    for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it)
      if (const Value* v = dict_find(**it, name)) return v;
    return dict_find(*m_context, name);
  }
  void assign(const std::string& name, Value v) { dict_set(*m_scopes.back(), name, std::move(v)); }

  void assign_targets(const std::vector<std::string>& names, const Value& v, int line) {
    if (names.size() == 1) return assign(names[0], v);
    if (!v.is_list() || v.as_list()->size() != names.size())
      fail(line, "cannot unpack " + type_name(v) + " into " + std::to_string(names.size()) +
                     " variables");
    for (std::size_t i = 0; i < names.size(); ++i) assign(names[i], (*v.as_list())[i]);
  }

  void exec(const Body& body, std::string& out) {
    for (const auto& n : body) exec_node(*n, out);
  }

  void exec_node(const Node& n, std::string& out) {
    try {
      exec_node_inner(n, out);
    } catch (const UndefinedError& err) {
      fail(err.line ? err.line : n.line, err.what());
    }
  }

  void exec_node_inner(const Node& n, std::string& out) {
    switch (n.kind) {
      case Node::k_text:
        out += n.text;
        break;
      case Node::k_output:
        out += to_str(eval(*n.expr));
        break;
      case Node::k_if:
        exec_if(n, out);
        break;
      case Node::k_for:
        exec_for(n, out);
        break;
      case Node::k_set:
        assign_targets(n.names, eval(*n.expr), n.line);
        break;
      case Node::k_set_block: {
        std::string text;
        exec(n.body, text);
        assign(n.names[0], Value(text));
        break;
      }
      case Node::k_do:
        eval(*n.expr);
        break;
      case Node::k_macro:
        define_macro(n);
        break;
      case Node::k_import:
      case Node::k_from:
        exec_import(n);
        break;
      case Node::k_include:
        exec_include(n, out);
        break;
    }
  }

  void exec_if(const Node& n, std::string& out) {
    for (const auto& [cond, body] : n.branches) {
      if (truthy(eval(*cond))) return exec(body, out);
    }
    exec(n.else_body, out);
  }

  List iterable(const Value& v, int line) {
    if (v.is_list()) return *v.as_list();
    if (v.is_dict() || v.is_string()) return *apply_filter("list", v, {}).as_list();
    fail(line, "'" + type_name(v) + "' object is not iterable");
  }

  void exec_for(const Node& n, std::string& out) {
    List items = iterable(eval(*n.expr), n.expr->line);
    m_scopes.push_back(std::make_shared<Dict>());
    if (n.filter) {
      List kept;
      for (const Value& item : items) {
        assign_targets(n.names, item, n.line);
        if (truthy(eval(*n.filter))) kept.push_back(item);
      }
      items = std::move(kept);
    }
    const auto size = static_cast<std::int64_t>(items.size());
    for (std::int64_t i = 0; i < size; ++i) {
      assign_targets(n.names, items[i], n.line);
      Dict loop{{"index", Value(i + 1)},
                {"index0", Value(i)},
                {"revindex", Value(size - i)},
                {"revindex0", Value(size - i - 1)},
                {"first", Value(i == 0)},
                {"last", Value(i + 1 == size)},
                {"length", Value(size)},
                {"previtem", i > 0 ? items[i - 1] : Value()},
                {"nextitem", i + 1 < size ? items[i + 1] : Value()}};
      assign("loop", Value(std::move(loop)));
      exec(n.body, out);
    }
    m_scopes.pop_back();
    if (size == 0) exec(n.else_body, out);
  }

  void define_macro(const Node& n) {
    auto m = std::make_shared<Macro>();
    m->name = n.names[0];
    m->node = std::shared_ptr<const Node>(m_tmpl, &n);
    m->owner = m_tmpl;
    m->globals = m_scopes.front();
    m->context = m_context;
    assign(n.names[0], Value(MacroPtr(m)));
  }

  TemplatePtr load(const Expr& e) {
    if (m_depth >= k_max_depth) fail(e.line, "templates or macros nested too deeply");
    Value name = eval(e);
    if (!name.is_string()) fail(e.line, "a template name must be a string, not " + type_name(name));
    std::optional<std::string> source = m_loader ? m_loader(name.as_string()) : std::nullopt;
    if (!source) fail(e.line, "template '" + name.as_string() + "' not found (see import-list)");
    return parse(*source, "template '" + name.as_string() + "'");
  }

  void exec_import(const Node& n) {
    TemplatePtr t = load(*n.expr);
    auto ctx = n.text == "with" ? m_context : std::make_shared<Dict>();
    Renderer r(t, ctx, m_loader, m_depth + 1);
    r.run();
    DictPtr module = r.globals();
    if (n.kind == Node::k_import) return assign(n.names[0], Value(module));
    for (std::size_t i = 0; i < n.names.size(); ++i) {
      const Value* v = dict_find(*module, n.names[i]);
      if (!v) fail(n.line, t->name + " has no '" + n.names[i] + "' to import");
      assign(n.aliases[i], *v);
    }
  }

  void exec_include(const Node& n, std::string& out) {
    TemplatePtr t = load(*n.expr);
    auto ctx = std::make_shared<Dict>(*m_context);
    for (const auto& scope : m_scopes)
      for (const auto& [k, v] : *scope) dict_set(*ctx, k, v);
    out += Renderer(t, ctx, m_loader, m_depth + 1).run();
  }

  // ---- expressions ----
  Value eval(const Expr& e) {
    try {
      return eval_inner(e);
    } catch (UndefinedError& err) {
      if (err.line == 0) err.line = e.line;
      throw;
    } catch (const EvalError& err) {
      fail(e.line, err.what());
    }
  }

  Value eval_inner(const Expr& e) {
    switch (e.kind) {
      case Expr::k_literal:
        return e.value;
      case Expr::k_name: {
        if (const Value* v = lookup(e.name)) return *v;
        throw UndefinedError("'" + e.name + "' is undefined");
      }
      case Expr::k_list: {
        List items;
        for (const auto& a : e.args) items.push_back(eval(*a));
        return Value(std::move(items));
      }
      case Expr::k_dict:
        return eval_dict(e);
      case Expr::k_attr:
        return get_item(eval(*e.args[0]), Value(e.name), true);
      case Expr::k_item:
        return get_item(eval(*e.args[0]), eval(*e.args[1]), false);
      case Expr::k_slice:
        return eval_slice(e);
      case Expr::k_call:
        return eval_call(e);
      case Expr::k_filter:
        return eval_filter(e);
      case Expr::k_test:
        return eval_test(e);
      case Expr::k_unary:
        return eval_unary(e);
      case Expr::k_binary:
        return eval_binary(e);
      case Expr::k_cond: {
        if (truthy(eval(*e.args[1]))) return eval(*e.args[0]);
        if (e.args[2]) return eval(*e.args[2]);
        throw UndefinedError("the condition of an 'x if c' expression without 'else' is false");
      }
    }
    return Value();
  }

  Value eval_dict(const Expr& e) {
    Dict d;
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
      Value key = eval(*e.args[i]);
      if (!key.is_string()) throw EvalError("dict keys must be strings, not " + type_name(key));
      dict_set(d, key.as_string(), eval(*e.args[i + 1]));
    }
    return Value(std::move(d));
  }

  static Value get_item(const Value& obj, const Value& key, bool attribute) {
    if (obj.is_dict() && key.is_string()) {
      if (const Value* v = dict_find(*obj.as_dict(), key.as_string())) return *v;
      throw UndefinedError("dict has no " + std::string(attribute ? "attribute " : "key ") +
                           to_repr(key));
    }
    if ((obj.is_list() || obj.is_string()) && key.is_int()) {
      std::int64_t size = obj.is_list() ? static_cast<std::int64_t>(obj.as_list()->size())
                                        : static_cast<std::int64_t>(obj.as_string().size());
      std::int64_t i = key.as_int() < 0 ? key.as_int() + size : key.as_int();
      if (i < 0 || i >= size)
        throw UndefinedError(type_name(obj) + " index " + std::to_string(key.as_int()) +
                             " out of range");
      return obj.is_list() ? (*obj.as_list())[i] : Value(obj.as_string().substr(i, 1));
    }
    throw UndefinedError("'" + type_name(obj) + "' object has no " +
                         (attribute ? "attribute " : "item ") + to_repr(key));
  }

  Value eval_slice(const Expr& e) {
    Value obj = eval(*e.args[0]);
    if (!obj.is_list() && !obj.is_string())
      throw EvalError("'" + type_name(obj) + "' object cannot be sliced");
    std::int64_t bounds[3] = {0, 0, 1};
    bool given[3] = {false, false, false};
    for (int k = 0; k < 3; ++k) {
      if (!e.args[k + 1]) continue;
      Value v = eval(*e.args[k + 1]);
      if (v.is_null()) continue;
      if (!v.is_int()) throw EvalError("slice indices must be integers, not " + type_name(v));
      bounds[k] = v.as_int();
      given[k] = true;
    }
    std::int64_t step = bounds[2];
    if (step == 0) throw EvalError("slice step cannot be zero");
    List items = *apply_filter("list", obj, {}).as_list();
    auto size = static_cast<std::int64_t>(items.size());
    auto clamp = [&](std::int64_t i, bool is_given, std::int64_t fallback) {
      if (!is_given) return fallback;
      if (i < 0) i += size;
      if (step > 0) return std::max<std::int64_t>(0, std::min(i, size));
      return std::max<std::int64_t>(-1, std::min(i, size - 1));
    };
    std::int64_t start = clamp(bounds[0], given[0], step > 0 ? 0 : size - 1);
    std::int64_t stop = clamp(bounds[1], given[1], step > 0 ? size : -1);
    List out;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(items[i]);
    if (!obj.is_string()) return Value(std::move(out));
    std::string s;
    for (const Value& c : out) s += c.as_string();
    return Value(s);
  }

  Args eval_args(const Expr& e, std::size_t first) {
    Args a;
    for (std::size_t i = first; i < e.args.size(); ++i) a.pos.push_back(eval(*e.args[i]));
    for (const auto& [k, v] : e.kwargs) a.kw.emplace_back(k, eval(*v));
    return a;
  }

  Value invoke_macro(const MacroPtr& m, const Args& args, int line) {
    if (m_depth >= k_max_depth) throw EvalError("templates or macros nested too deeply");
    Renderer r(m->owner, m->context, m_loader, m_depth + 1);
    return Value(r.call_macro(*m, args, line));
  }

  Value eval_call(const Expr& e) {
    const Expr& callee = *e.args[0];
    if (callee.kind == Expr::k_attr) {
      Value self = eval(*callee.args[0]);
      const Value* member = self.is_dict() ? dict_find(*self.as_dict(), callee.name) : nullptr;
      if (member && member->is_macro())
        return invoke_macro(member->as_macro(), eval_args(e, 1), e.line);
      return call_method(self, callee.name, eval_args(e, 1));
    }
    if (callee.kind == Expr::k_name && !lookup(callee.name)) {
      if (auto v = call_builtin(callee.name, eval_args(e, 1))) return *v;
      throw EvalError("unknown function '" + callee.name + "'");
    }
    Value f = eval(callee);
    if (!f.is_macro()) throw EvalError("'" + type_name(f) + "' object is not callable");
    return invoke_macro(f.as_macro(), eval_args(e, 1), e.line);
  }

  Value eval_filter(const Expr& e) {
    if (e.name == "default" || e.name == "d") {
      Args a = eval_args(e, 1);
      const Value* fallback = a.get(0, "default_value");
      bool boolean = a.get(1, "boolean") && truthy(*a.get(1, "boolean"));
      try {
        Value v = eval(*e.args[0]);
        if (!boolean || truthy(v)) return v;
      } catch (const UndefinedError&) {
      }
      return fallback ? *fallback : Value("");
    }
    Value v = eval(*e.args[0]);
    return apply_filter(e.name, v, eval_args(e, 1));
  }

  Value eval_test(const Expr& e) {
    bool result;
    if (e.name == "defined" || e.name == "undefined") {
      try {
        eval(*e.args[0]);
        result = e.name == "defined";
      } catch (const UndefinedError&) {
        result = e.name == "undefined";
      }
    } else {
      Value v = eval(*e.args[0]);
      result = apply_test(e.name, v, eval_args(e, 1));
    }
    return Value(e.negated ? !result : result);
  }

  Value eval_unary(const Expr& e) {
    Value v = eval(*e.args[0]);
    if (e.name == "not") return Value(!truthy(v));
    if (v.is_int()) return Value(e.name == "-" ? -v.as_int() : v.as_int());
    if (v.is_float()) return Value(e.name == "-" ? -v.as_float() : v.as_float());
    throw EvalError("bad operand type for unary " + e.name + ": '" + type_name(v) + "'");
  }

  Value eval_binary(const Expr& e) {
    Value a = eval(*e.args[0]);
    if (e.name == "and") return truthy(a) ? eval(*e.args[1]) : a;
    if (e.name == "or") return truthy(a) ? a : eval(*e.args[1]);
    return binary_op(e.name, a, eval(*e.args[1]));
  }

  TemplatePtr m_tmpl;
  DictPtr m_context;
  const Loader& m_loader;
  int m_depth;
  std::vector<DictPtr> m_scopes;
};

}  // namespace

std::string render(const TemplatePtr& tmpl, const Dict& context, const Loader& loader) {
  return Renderer(tmpl, std::make_shared<Dict>(context), loader, 0).run();
}

std::string render_string(const std::string& source, const std::string& name, const Dict& context,
                          const Loader& loader) {
  return render(parse(source, name), context, loader);
}

}  // namespace kiln_jinja
