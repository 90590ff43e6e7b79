// Parser of the Jinja subset: statements and expressions into jinja_internal.h's tree.
#include <set>

#include "jinja_internal.h"
#include "jinja_lex.h"

namespace kiln_jinja {
namespace {

using NodePtr = std::shared_ptr<Node>;

NodePtr new_node(Node::Kind kind, int line) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->line = line;
  return n;
}

// Jinja tags this engine knows of but does not implement.
const std::set<std::string> k_unsupported_tags = {
    "block", "extends", "call", "filter", "with", "autoescape", "trans", "break", "continue"};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& name)
      : m_t(std::move(tokens)), m_name(name) {}

  Body parse_template() {
    std::string end;
    Body body = parse_body({}, &end, 0);
    return body;
  }

 private:
  const Token& cur() const { return m_t[m_i]; }
  const Token& next() { return m_t[m_i++]; }
  [[noreturn]] void fail(const std::string& what, int line = 0) const {
    throw Error(m_name, line ? line : cur().line, what);
  }
  [[noreturn]] void expected(const std::string& what) const {
    fail("expected " + what + ", got " + describe(cur()));
  }
  bool is_op(const char* op) const { return cur().type == Token::k_op && cur().s == op; }
  bool is_name(const char* n) const { return cur().type == Token::k_name && cur().s == n; }
  bool accept_op(const char* op) {
    if (!is_op(op)) return false;
    ++m_i;
    return true;
  }
  bool accept_name(const char* n) {
    if (!is_name(n)) return false;
    ++m_i;
    return true;
  }
  void expect_op(const char* op) {
    if (!accept_op(op)) expected(std::string("'") + op + "'");
  }
  void expect_name(const char* n) {
    if (!accept_name(n)) expected(std::string("'") + n + "'");
  }
  std::string expect_identifier(const char* what) {
    if (cur().type != Token::k_name) expected(what);
    return next().s;
  }
  void expect_block_end() {
    if (cur().type != Token::k_block_end) expected("'%}'");
    ++m_i;
  }

  static std::string join_quoted(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i)
      out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + ("'" + words[i] + "'");
    return out;
  }

  // Nodes up to one of `ends` (its keyword is consumed, stored in *end).
  Body parse_body(const std::vector<std::string>& ends, std::string* end, int open_line) {
    Body body;
    for (;;) {
      const Token& t = cur();
      if (t.type == Token::k_eof) {
        if (ends.empty()) return body;
        fail("expected " + join_quoted(ends) + " (to close the tag at line " +
                 std::to_string(open_line) + "), got end of template",
             t.line);
      }
      ++m_i;
      if (t.type == Token::k_text) {
        auto n = new_node(Node::k_text, t.line);
        n->text = t.s;
        body.push_back(n);
      } else if (t.type == Token::k_var_begin) {
        auto n = new_node(Node::k_output, t.line);
        n->expr = parse_expr();
        if (cur().type != Token::k_var_end) expected("'}}'");
        ++m_i;
        body.push_back(n);
      } else {
        std::string kw = expect_identifier("a tag name");
        for (const std::string& e : ends) {
          if (kw == e) {
            *end = kw;
            return body;
          }
        }
        body.push_back(parse_statement(kw, t.line, ends));
      }
    }
  }

  NodePtr parse_statement(const std::string& kw, int line, const std::vector<std::string>& ends) {
    if (kw == "if") return parse_if(line);
    if (kw == "for") return parse_for(line);
    if (kw == "set") return parse_set(line);
    if (kw == "macro") return parse_macro(line);
    if (kw == "import") return parse_import(line);
    if (kw == "from") return parse_from(line);
    if (kw == "do" || kw == "include") {
      auto n = new_node(kw == "do" ? Node::k_do : Node::k_include, line);
      n->expr = parse_expr();
      if (kw == "include") parse_context_clause(*n, true);
      expect_block_end();
      return n;
    }
    if (k_unsupported_tags.count(kw)) fail("the '" + kw + "' tag is not supported by Kiln", line);
    if (!ends.empty()) fail("expected " + join_quoted(ends) + ", got '" + kw + "'", line);
    fail("unknown tag '" + kw + "'", line);
  }

  NodePtr parse_if(int line) {
    auto n = new_node(Node::k_if, line);
    ExprPtr cond = parse_expr();
    expect_block_end();
    for (;;) {
      std::string end;
      Body body = parse_body({"elif", "else", "endif"}, &end, line);
      n->branches.emplace_back(cond, std::move(body));
      if (end == "elif") {
        cond = parse_expr();
        expect_block_end();
        continue;
      }
      expect_block_end();
      if (end == "else") {
        n->else_body = parse_body({"endif"}, &end, line);
        expect_block_end();
      }
      return n;
    }
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> names{expect_identifier("a variable name")};
    while (accept_op(",")) names.push_back(expect_identifier("a variable name"));
    return names;
  }

  NodePtr parse_for(int line) {
    auto n = new_node(Node::k_for, line);
    n->names = parse_targets();
    expect_name("in");
    n->expr = parse_or();
    if (accept_name("if")) n->filter = parse_or();
    if (is_name("recursive")) fail("recursive loops are not supported by Kiln");
    expect_block_end();
    std::string end;
    n->body = parse_body({"else", "endfor"}, &end, line);
    expect_block_end();
    if (end == "else") {
      n->else_body = parse_body({"endfor"}, &end, line);
      expect_block_end();
    }
    return n;
  }

  NodePtr parse_set(int line) {
    auto n = new_node(Node::k_set, line);
    n->names = parse_targets();
    if (is_op("."))
      fail("assigning to an attribute ({% set a.b = ... %}) is not supported by Kiln");
    if (cur().type == Token::k_block_end && n->names.size() == 1) {
      ++m_i;
      n->kind = Node::k_set_block;
      std::string end;
      n->body = parse_body({"endset"}, &end, line);
      expect_block_end();
      return n;
    }
    expect_op("=");
    n->expr = parse_tuple();
    expect_block_end();
    return n;
  }

  NodePtr parse_macro(int line) {
    auto n = new_node(Node::k_macro, line);
    n->names.push_back(expect_identifier("a macro name"));
    expect_op("(");
    while (!is_op(")")) {
      n->params.push_back(expect_identifier("a parameter name"));
      n->defaults.push_back(accept_op("=") ? parse_expr() : nullptr);
      if (!accept_op(",")) break;
    }
    expect_op(")");
    expect_block_end();
    std::string end;
    n->body = parse_body({"endmacro"}, &end, line);
    if (cur().type == Token::k_name && cur().s == n->names[0]) ++m_i;
    expect_block_end();
    return n;
  }

  void parse_context_clause(Node& n, bool default_with) {
    n.text = default_with ? "with" : "without";
    if (is_name("ignore")) fail("'ignore missing' is not supported by Kiln");
    if ((is_name("with") || is_name("without")) && m_t[m_i + 1].type == Token::k_name &&
        m_t[m_i + 1].s == "context") {
      n.text = next().s;
      ++m_i;
    }
  }

  NodePtr parse_import(int line) {
    auto n = new_node(Node::k_import, line);
    n->expr = parse_expr();
    expect_name("as");
    n->names.push_back(expect_identifier("a variable name"));
    parse_context_clause(*n, false);
    expect_block_end();
    return n;
  }

  NodePtr parse_from(int line) {
    auto n = new_node(Node::k_from, line);
    n->expr = parse_expr();
    expect_name("import");
    do {
      if (is_name("with") || is_name("without")) break;
      n->names.push_back(expect_identifier("a name to import"));
      n->aliases.push_back(accept_name("as") ? expect_identifier("a variable name")
                                             : n->names.back());
    } while (accept_op(","));
    parse_context_clause(*n, false);
    expect_block_end();
    return n;
  }

  // ---- expressions ----
  static std::shared_ptr<Expr> make(Expr::Kind kind, int line, std::vector<ExprPtr> args = {},
                                    std::string name = {}) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->line = line;
    e->args = std::move(args);
    e->name = std::move(name);
    return e;
  }

  // `a, b` (a tuple, as a list) or a single expression.
  ExprPtr parse_tuple() {
    int line = cur().line;
    ExprPtr first = parse_expr();
    if (!is_op(",")) return first;
    std::vector<ExprPtr> items{first};
    while (accept_op(",")) items.push_back(parse_expr());
    return make(Expr::k_list, line, std::move(items));
  }

  ExprPtr parse_expr() {
    ExprPtr e = parse_or();
    int line = cur().line;
    if (!accept_name("if")) return e;
    ExprPtr cond = parse_or();
    ExprPtr other = accept_name("else") ? parse_expr() : nullptr;
    return make(Expr::k_cond, line, {e, cond, other});
  }

  ExprPtr parse_or() {
    ExprPtr e = parse_and();
    while (is_name("or")) {
      int line = next().line;
      e = make(Expr::k_binary, line, {e, parse_and()}, "or");
    }
    return e;
  }

  ExprPtr parse_and() {
    ExprPtr e = parse_not();
    while (is_name("and")) {
      int line = next().line;
      e = make(Expr::k_binary, line, {e, parse_not()}, "and");
    }
    return e;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      int line = next().line;
      return make(Expr::k_unary, line, {parse_not()}, "not");
    }
    return parse_compare();
  }

  // `a < b < c` is `a < b and b < c`, as in Python.
  ExprPtr parse_compare() {
    ExprPtr left = parse_math1();
    ExprPtr result;
    static const std::set<std::string> k_cmp = {"==", "!=", "<", ">", "<=", ">="};
    for (;;) {
      int line = cur().line;
      std::string op;
      if (cur().type == Token::k_op && k_cmp.count(cur().s)) {
        op = next().s;
      } else if (accept_name("in")) {
        op = "in";
      } else if (is_name("not") && m_t[m_i + 1].type == Token::k_name && m_t[m_i + 1].s == "in") {
        m_i += 2;
        op = "not in";
      } else {
        return result ? result : left;
      }
      ExprPtr right = parse_math1();
      ExprPtr cmp = make(Expr::k_binary, line, {left, right}, op);
      result = result ? make(Expr::k_binary, line, {result, cmp}, "and") : cmp;
      left = right;
    }
  }

  ExprPtr parse_math1() {
    ExprPtr e = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& t = next();
      e = make(Expr::k_binary, t.line, {e, parse_concat()}, t.s);
    }
    return e;
  }

  ExprPtr parse_concat() {
    ExprPtr e = parse_math2();
    while (is_op("~")) {
      int line = next().line;
      e = make(Expr::k_binary, line, {e, parse_math2()}, "~");
    }
    return e;
  }

  ExprPtr parse_math2() {
    ExprPtr e = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& t = next();
      e = make(Expr::k_binary, t.line, {e, parse_pow()}, t.s);
    }
    return e;
  }

  ExprPtr parse_pow() {
    ExprPtr e = parse_unary(true);
    while (is_op("**")) {
      int line = next().line;
      e = make(Expr::k_binary, line, {e, parse_unary(true)}, "**");
    }
    return e;
  }

  ExprPtr parse_unary(bool with_filter) {
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      const Token& t = next();
      e = make(Expr::k_unary, t.line, {parse_unary(false)}, t.s);
    } else {
      e = parse_postfix(parse_primary());
    }
    return with_filter ? parse_filters(e) : e;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    if (t.type == Token::k_string) {
      std::string s;
      while (cur().type == Token::k_string) s += next().s;
      auto e = make(Expr::k_literal, t.line);
      e->value = Value(s);
      return e;
    }
    if (t.type == Token::k_int || t.type == Token::k_float) {
      auto e = make(Expr::k_literal, next().line);
      e->value = t.value;
      return e;
    }
    if (t.type == Token::k_name) return parse_name();
    if (accept_op("(")) {
      if (accept_op(")")) return make(Expr::k_list, t.line);
      ExprPtr e = parse_tuple();
      expect_op(")");
      return e;
    }
    if (accept_op("[")) return parse_list(t.line);
    if (accept_op("{")) return parse_dict(t.line);
    expected("an expression");
  }

  ExprPtr parse_name() {
    const Token& t = next();
    auto e = make(Expr::k_literal, t.line);
    if (t.s == "True" || t.s == "true") {
      e->value = Value(true);
    } else if (t.s == "False" || t.s == "false") {
      e->value = Value(false);
    } else if (t.s == "None" || t.s == "none") {
      e->value = Value();
    } else {
      return make(Expr::k_name, t.line, {}, t.s);
    }
    return e;
  }

  ExprPtr parse_list(int line) {
    std::vector<ExprPtr> items;
    while (!is_op("]")) {
      items.push_back(parse_expr());
      if (!accept_op(",")) break;
    }
    expect_op("]");
    return make(Expr::k_list, line, std::move(items));
  }

  ExprPtr parse_dict(int line) {
    std::vector<ExprPtr> items;
    while (!is_op("}")) {
      items.push_back(parse_expr());
      expect_op(":");
      items.push_back(parse_expr());
      if (!accept_op(",")) break;
    }
    expect_op("}");
    return make(Expr::k_dict, line, std::move(items));
  }

  ExprPtr parse_postfix(ExprPtr e) {
    for (;;) {
      int line = cur().line;
      if (accept_op(".")) {
        if (cur().type == Token::k_int) {
          auto idx = make(Expr::k_literal, line);
          idx->value = next().value;
          e = make(Expr::k_item, line, {e, idx});
        } else {
          e = make(Expr::k_attr, line, {e}, expect_identifier("an attribute name"));
        }
      } else if (accept_op("[")) {
        e = parse_subscript(e, line);
      } else if (is_op("(")) {
        e = parse_call(make(Expr::k_call, line, {e}));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(const ExprPtr& target, int line) {
    std::vector<ExprPtr> parts{target};
    bool slice = false;
    for (int k = 0; k < 3; ++k) {
      parts.push_back(is_op(":") || is_op("]") ? nullptr : parse_expr());
      if (!accept_op(":")) break;
      slice = true;
    }
    expect_op("]");
    if (!slice) return make(Expr::k_item, line, {target, parts[1]});
    parts.resize(4);
    return make(Expr::k_slice, line, std::move(parts));
  }

  // Arguments `(a, b, name=c)` appended to e->args / e->kwargs.
  ExprPtr parse_call(std::shared_ptr<Expr> e) {
    expect_op("(");
    while (!is_op(")")) {
      if (cur().type == Token::k_name && m_t[m_i + 1].type == Token::k_op &&
          m_t[m_i + 1].s == "=") {
        std::string key = next().s;
        ++m_i;
        e->kwargs.emplace_back(key, parse_expr());
      } else {
        if (!e->kwargs.empty()) fail("a positional argument follows a keyword argument");
        e->args.push_back(parse_expr());
      }
      if (!accept_op(",")) break;
    }
    expect_op(")");
    return e;
  }

  ExprPtr parse_filters(ExprPtr e) {
    for (;;) {
      int line = cur().line;
      if (accept_op("|")) {
        auto f = make(Expr::k_filter, line, {e}, expect_identifier("a filter name"));
        e = is_op("(") ? parse_call(f) : f;
      } else if (accept_name("is")) {
        bool negated = accept_name("not");
        auto t = make(Expr::k_test, line, {e}, expect_identifier("a test name"));
        t->negated = negated;
        e = is_op("(") ? parse_call(t) : t;
      } else if (is_op("(")) {
        e = parse_call(make(Expr::k_call, line, {e}));
      } else {
        return e;
      }
    }
  }

  std::vector<Token> m_t;
  std::size_t m_i = 0;
  const std::string& m_name;
};

}  // namespace

TemplatePtr parse(const std::string& source, const std::string& name) {
  auto t = std::make_shared<Template>();
  t->name = name;
  t->body = Parser(lex(source, name), name).parse_template();
  return t;
}

}  // namespace kiln_jinja
