#include "profile/py_expr_parser.h"

#include <algorithm>
#include <set>

namespace kiln::profile::py {

namespace {

const std::set<std::string, std::less<>> k_keywords = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

// Binary operators Python has and Kiln does not evaluate.
const std::set<std::string, std::less<>> k_unsupported_binary = {"*", "/", "//", "%",  "@", "**",
                                                                 "|", "&", "^",  "<<", ">>"};

class Parser {
 public:
  Parser(std::string_view src, const std::vector<Token>& toks) : m_src(src), m_toks(toks) {}
  Expected<NodePtr> parse_top();

 private:
  // Counts recursion into nested constructs; error() past k_max_nesting.
  struct Guard {
    explicit Guard(int& n) : m_n(++n) {}
    ~Guard() { --m_n; }
    int& m_n;
  };

  Expected<NodePtr> expressions();
  Expected<NodePtr> test();
  Expected<NodePtr> or_test();
  Expected<NodePtr> and_test();
  Expected<NodePtr> not_test();
  Expected<NodePtr> comparison();
  Expected<NodePtr> arith();
  Expected<NodePtr> factor();
  Expected<NodePtr> primary();
  Expected<NodePtr> atom();
  Expected<NodePtr> name_atom();
  Expected<NodePtr> paren();
  Expected<NodePtr> list_display();
  Expected<NodePtr> subscript(NodePtr obj);
  Expected<NodePtr> call(NodePtr callee);
  Status comp_clauses(Node* comp);
  Expected<NodePtr> optional_test(std::string_view stop1, std::string_view stop2);

  const Token& peek(std::size_t k = 0) const {
    return m_toks[std::min(m_pos + k, m_toks.size() - 1)];
  }
  bool at_op(std::string_view op, std::size_t k = 0) const {
    return peek(k).kind == TokKind::k_op && peek(k).text == op;
  }
  bool at_name(std::string_view name, std::size_t k = 0) const {
    return peek(k).kind == TokKind::k_name && peek(k).text == name;
  }
  Error error_at(const Token& t, const std::string& message) const {
    return syntax_error(m_src, t.offset, message);
  }
  Error expected(const std::string& what) const {
    return error_at(peek(), "expected " + what + ", got " + describe(peek()));
  }
  Status expect_op(std::string_view op) {
    if (!at_op(op)) return expected("'" + std::string(op) + "'");
    ++m_pos;
    return {};
  }
  Status check_nesting() const {
    if (m_nesting <= k_max_nesting) return {};
    return error_at(
        peek(), "the expression nests more than " + std::to_string(k_max_nesting) + " levels deep");
  }
  NodePtr node(NodeKind kind, std::size_t offset) const {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }
  // Sets n->depth from its children; an error past k_max_tree_depth.
  Expected<NodePtr> finish(NodePtr n) const;

  std::string_view m_src;
  const std::vector<Token>& m_toks;
  std::size_t m_pos = 0;
  int m_nesting = 0;
};

Expected<NodePtr> Parser::finish(NodePtr n) const {
  int depth = 0;
  for (const NodePtr& k : n->kids)
    if (k) depth = std::max(depth, k->depth);
  for (const CompClause& c : n->clauses) {
    depth = std::max(depth, c.iter->depth);
    for (const NodePtr& k : c.conds) depth = std::max(depth, k->depth);
  }
  n->depth = depth + 1;
  if (n->depth > k_max_tree_depth)
    return syntax_error(m_src, n->offset,
                        "the expression is too deeply nested (more than " +
                            std::to_string(k_max_tree_depth) + " levels)");
  return n;
}

Expected<NodePtr> Parser::parse_top() {
  Expected<NodePtr> e = expressions();
  if (!e.ok()) return e;
  while (peek().kind == TokKind::k_newline) ++m_pos;
  if (peek().kind != TokKind::k_end) return expected("end of the expression");
  return e;
}

Expected<NodePtr> Parser::expressions() {
  std::size_t start = peek().offset;
  Expected<NodePtr> first = test();
  if (!first.ok() || !at_op(",")) return first;
  NodePtr tuple = node(NodeKind::k_tuple, start);
  tuple->kids.push_back(std::move(*first));
  while (at_op(",")) {
    ++m_pos;
    if (peek().kind == TokKind::k_end || peek().kind == TokKind::k_newline) break;
    Expected<NodePtr> next = test();
    if (!next.ok()) return next;
    tuple->kids.push_back(std::move(*next));
  }
  return finish(std::move(tuple));
}

Expected<NodePtr> Parser::test() {
  Guard guard(m_nesting);
  if (Status st = check_nesting(); !st.ok()) return st.error();
  if (at_name("lambda")) return error_at(peek(), "'lambda' is not supported");
  std::size_t start = peek().offset;
  Expected<NodePtr> body = or_test();
  if (!body.ok() || !at_name("if")) return body;
  ++m_pos;
  NodePtr n = node(NodeKind::k_ifelse, start);
  Expected<NodePtr> cond = or_test();
  if (!cond.ok()) return cond;
  if (!at_name("else")) return expected("'else' in a conditional expression");
  ++m_pos;
  Expected<NodePtr> orelse = test();
  if (!orelse.ok()) return orelse;
  n->kids.push_back(std::move(*cond));
  n->kids.push_back(std::move(*body));
  n->kids.push_back(std::move(*orelse));
  return finish(std::move(n));
}

Expected<NodePtr> Parser::or_test() {
  std::size_t start = peek().offset;
  Expected<NodePtr> first = and_test();
  if (!first.ok() || !at_name("or")) return first;
  NodePtr n = node(NodeKind::k_or, start);
  n->kids.push_back(std::move(*first));
  while (at_name("or")) {
    ++m_pos;
    Expected<NodePtr> next = and_test();
    if (!next.ok()) return next;
    n->kids.push_back(std::move(*next));
  }
  return finish(std::move(n));
}

Expected<NodePtr> Parser::and_test() {
  std::size_t start = peek().offset;
  Expected<NodePtr> first = not_test();
  if (!first.ok() || !at_name("and")) return first;
  NodePtr n = node(NodeKind::k_and, start);
  n->kids.push_back(std::move(*first));
  while (at_name("and")) {
    ++m_pos;
    Expected<NodePtr> next = not_test();
    if (!next.ok()) return next;
    n->kids.push_back(std::move(*next));
  }
  return finish(std::move(n));
}

Expected<NodePtr> Parser::not_test() {
  if (!at_name("not")) return comparison();
  Guard guard(m_nesting);
  if (Status st = check_nesting(); !st.ok()) return st.error();
  NodePtr n = node(NodeKind::k_not, peek().offset);
  ++m_pos;
  Expected<NodePtr> operand = not_test();
  if (!operand.ok()) return operand;
  n->kids.push_back(std::move(*operand));
  return finish(std::move(n));
}

Expected<NodePtr> Parser::comparison() {
  std::size_t start = peek().offset;
  Expected<NodePtr> first = arith();
  if (!first.ok()) return first;
  NodePtr n = node(NodeKind::k_compare, start);
  n->kids.push_back(std::move(*first));
  for (;;) {
    std::string op;
    const Token& t = peek();
    if (t.kind == TokKind::k_op && (t.text == "<" || t.text == ">" || t.text == "==" ||
                                    t.text == "!=" || t.text == "<=" || t.text == ">=")) {
      op = t.text;
    } else if (at_op("<>")) {
      return error_at(t, "'<>' is not Python 3: expected '!='");
    } else if (at_name("in") || at_name("is")) {
      op = t.text;
      if (op == "is" && at_name("not", 1)) op = "is not";
    } else if (at_name("not") && at_name("in", 1)) {
      op = "not in";
    } else {
      break;
    }
    m_pos += (op == "is not" || op == "not in") ? 2 : 1;
    Expected<NodePtr> next = arith();
    if (!next.ok()) return next;
    n->ops.push_back(op);
    n->kids.push_back(std::move(*next));
  }
  if (n->ops.empty()) return std::move(n->kids[0]);
  return finish(std::move(n));
}

Expected<NodePtr> Parser::arith() {
  std::size_t start = peek().offset;
  Expected<NodePtr> first = factor();
  if (!first.ok() || !(at_op("+") || at_op("-"))) return first;
  NodePtr n = node(NodeKind::k_arith, start);
  n->kids.push_back(std::move(*first));
  while (at_op("+") || at_op("-")) {
    n->ops.push_back(peek().text);
    ++m_pos;
    Expected<NodePtr> next = factor();
    if (!next.ok()) return next;
    n->kids.push_back(std::move(*next));
  }
  return finish(std::move(n));
}

Expected<NodePtr> Parser::factor() {
  if (at_op("-") || at_op("+") || at_op("~")) {
    Guard guard(m_nesting);
    if (Status st = check_nesting(); !st.ok()) return st.error();
    NodePtr n = node(NodeKind::k_unary, peek().offset);
    n->text = peek().text;
    ++m_pos;
    Expected<NodePtr> operand = factor();
    if (!operand.ok()) return operand;
    n->kids.push_back(std::move(*operand));
    return finish(std::move(n));
  }
  Expected<NodePtr> p = primary();
  if (p.ok() && peek().kind == TokKind::k_op && k_unsupported_binary.count(peek().text))
    return error_at(peek(), "operator '" + peek().text +
                                "' is not supported: expected '+', '-', a comparison, "
                                "'and', 'or' or the end of the expression");
  return p;
}

Expected<NodePtr> Parser::primary() {
  Expected<NodePtr> obj = atom();
  while (obj.ok()) {
    if (at_op(".")) {
      NodePtr n = node(NodeKind::k_attr, peek().offset);
      ++m_pos;
      if (peek().kind != TokKind::k_name || k_keywords.count(peek().text))
        return expected("an attribute name after '.'");
      n->text = peek().text;
      ++m_pos;
      n->kids.push_back(std::move(*obj));
      obj = finish(std::move(n));
    } else if (at_op("[")) {
      obj = subscript(std::move(*obj));
    } else if (at_op("(")) {
      obj = call(std::move(*obj));
    } else {
      break;
    }
  }
  return obj;
}

Expected<NodePtr> Parser::atom() {
  const Token& t = peek();
  switch (t.kind) {
    case TokKind::k_int: {
      NodePtr n = node(NodeKind::k_const, t.offset);
      n->constant = make_int(t.number);
      ++m_pos;
      return n;
    }
    case TokKind::k_str: {
      NodePtr n = node(NodeKind::k_const, t.offset);
      std::string text;
      for (; peek().kind == TokKind::k_str; ++m_pos) text += peek().text;  // 'a' 'b' == 'ab'
      n->constant = make_str(std::move(text));
      return n;
    }
    case TokKind::k_name:
      return name_atom();
    default:
      break;
  }
  if (at_op("(")) return paren();
  if (at_op("[")) return list_display();
  if (at_op("{")) return error_at(t, "dict and set displays are not supported");
  if (at_op("*")) return error_at(t, "starred expressions are not supported");
  return expected("an expression");
}

Expected<NodePtr> Parser::name_atom() {
  const Token& t = peek();
  NodePtr n = node(NodeKind::k_const, t.offset);
  if (t.text == "None" || t.text == "True" || t.text == "False") {
    n->constant = t.text == "None" ? make_none() : make_bool(t.text == "True");
  } else if (k_keywords.count(t.text)) {
    if (t.text == "yield" || t.text == "await" || t.text == "lambda")
      return error_at(t, "'" + t.text + "' is not supported");
    return expected("an expression");
  } else {
    n->kind = NodeKind::k_name;
    n->text = t.text;
  }
  ++m_pos;
  if (peek().kind == TokKind::k_str) return expected("an operator between a name and a string");
  return n;
}

Expected<NodePtr> Parser::paren() {
  NodePtr tuple = node(NodeKind::k_tuple, peek().offset);
  ++m_pos;
  if (at_op(")")) {
    ++m_pos;
    return finish(std::move(tuple));
  }
  Expected<NodePtr> first = test();
  if (!first.ok()) return first;
  if (at_name("for")) return error_at(peek(), "generator expressions are not supported");
  if (at_op(")")) {
    ++m_pos;
    return first;  // (x) is x
  }
  tuple->kids.push_back(std::move(*first));
  while (at_op(",")) {
    ++m_pos;
    if (at_op(")")) break;
    Expected<NodePtr> next = test();
    if (!next.ok()) return next;
    tuple->kids.push_back(std::move(*next));
  }
  if (Status st = expect_op(")"); !st.ok()) return st.error();
  return finish(std::move(tuple));
}

Expected<NodePtr> Parser::list_display() {
  NodePtr list = node(NodeKind::k_list, peek().offset);
  ++m_pos;
  if (!at_op("]")) {
    Expected<NodePtr> first = test();
    if (!first.ok()) return first;
    list->kids.push_back(std::move(*first));
    if (at_name("for")) {
      list->kind = NodeKind::k_listcomp;
      if (Status st = comp_clauses(list.get()); !st.ok()) return st.error();
    } else {
      while (at_op(",")) {
        ++m_pos;
        if (at_op("]")) break;
        Expected<NodePtr> next = test();
        if (!next.ok()) return next;
        list->kids.push_back(std::move(*next));
      }
    }
  }
  if (Status st = expect_op("]"); !st.ok()) return st.error();
  return finish(std::move(list));
}

Status Parser::comp_clauses(Node* comp) {
  while (at_name("for")) {
    ++m_pos;
    CompClause clause;
    for (;;) {
      if (peek().kind != TokKind::k_name || k_keywords.count(peek().text))
        return expected("a name after 'for' (comprehension targets are names)");
      clause.targets.push_back(peek().text);
      ++m_pos;
      if (!at_op(",")) break;
      clause.unpack = true;
      ++m_pos;
      if (at_name("in")) break;
    }
    if (!at_name("in")) return expected("'in' in a comprehension");
    ++m_pos;
    Expected<NodePtr> iter = or_test();
    if (!iter.ok()) return iter.error();
    clause.iter = std::move(*iter);
    while (at_name("if")) {
      ++m_pos;
      Expected<NodePtr> cond = or_test();
      if (!cond.ok()) return cond.error();
      clause.conds.push_back(std::move(*cond));
    }
    comp->clauses.push_back(std::move(clause));
  }
  return {};
}

// A test, or null when the next token is `stop1` or `stop2`.
Expected<NodePtr> Parser::optional_test(std::string_view stop1, std::string_view stop2) {
  if (at_op(stop1) || at_op(stop2)) return NodePtr();
  return test();
}

Expected<NodePtr> Parser::subscript(NodePtr obj) {
  NodePtr n = node(NodeKind::k_index, peek().offset);
  ++m_pos;
  n->kids.push_back(std::move(obj));
  Expected<NodePtr> start = optional_test(":", ":");
  if (!start.ok()) return start;
  n->kids.push_back(std::move(*start));
  if (at_op(":")) {
    n->kind = NodeKind::k_slice;
    ++m_pos;
    Expected<NodePtr> stop = optional_test(":", "]");
    if (!stop.ok()) return stop;
    n->kids.push_back(std::move(*stop));
    NodePtr step;
    if (at_op(":")) {
      ++m_pos;
      Expected<NodePtr> s = optional_test("]", "]");
      if (!s.ok()) return s;
      step = std::move(*s);
    }
    n->kids.push_back(std::move(step));
  } else if (!n->kids[1]) {
    return expected("an index or a slice");
  }
  if (at_op(",")) return error_at(peek(), "tuple subscripts are not supported");
  if (Status st = expect_op("]"); !st.ok()) return st.error();
  return finish(std::move(n));
}

Expected<NodePtr> Parser::call(NodePtr callee) {
  NodePtr n = node(NodeKind::k_call, peek().offset);
  ++m_pos;
  n->kids.push_back(std::move(callee));
  while (!at_op(")")) {
    if (at_op("*") || at_op("**"))
      return error_at(peek(), "'*' and '**' arguments are not supported");
    Expected<NodePtr> arg = test();
    if (!arg.ok()) return arg;
    if (at_op("=")) return error_at(peek(), "keyword arguments are not supported");
    if (at_name("for")) return error_at(peek(), "generator expressions are not supported");
    n->kids.push_back(std::move(*arg));
    if (!at_op(",")) break;
    ++m_pos;
  }
  if (Status st = expect_op(")"); !st.ok()) return st.error();
  return finish(std::move(n));
}

}  // namespace

Expected<NodePtr> parse_expression(std::string_view source, const std::vector<Token>& tokens) {
  return Parser(source, tokens).parse_top();
}

}  // namespace kiln::profile::py
