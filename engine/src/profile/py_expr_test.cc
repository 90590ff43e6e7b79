// The Python subset of conditional sections: each expected value below is
// what CPython 3.11 gives for the same expression (checked with eval()).
#include <catch2/catch.hpp>
#include <string>

#include "profile/condition_test_util.h"

namespace kiln::profile {
namespace {

// `expr` inside `[...]`, as a header `[name:expr]` becomes.
bool truth(const std::string& expr) {
  return test::eval("[" + expr + "]");
}

// The error message of `[expr]`, checked to contain `fragment`.
void fails_with(const std::string& expr, const std::string& fragment) {
  std::string message = test::err("[" + expr + "]");
  INFO("expression: " << expr << "\nmessage: " << message);
  CHECK(message.find(fragment) != std::string::npos);
}

TEST_CASE("py_expr: precedence", "[condition]") {
  CHECK(truth("not linux or python3"));  // (not linux) or python3
  CHECK_FALSE(truth("not (linux or python3)"));
  CHECK(truth("not 1 == 2"));          // not (1 == 2)
  CHECK_FALSE(truth("0 or 1 and 0"));  // 0 or (1 and 0)
  CHECK(truth("1 or 0 and 0"));
  CHECK(truth("- 1 + 2 == 1"));     // (-1) + 2
  CHECK(truth("1 - 2 - 3 == -4"));  // left to right
  CHECK(truth("1 + 2 == 3 == 3"));
  CHECK(truth("(0 if 1 else 2) == 0"));
  CHECK(truth("(1 if 0 else 2 if 0 else 3) == 3"));  // right-associative
  CHECK(truth("not 0 if 0 else 1"));                 // (not 0) if 0 else 1 -> 1
  CHECK(truth("'b' in 'abc' == True") == false);     // chained: 'b' in 'abc' and 'abc' == True
}

TEST_CASE("py_expr: and/or return operands", "[condition]") {
  CHECK(truth("(0 or 'x') == 'x'"));
  CHECK(truth("(1 and []) == []"));
  CHECK(truth("('' or 0) == 0"));
  CHECK(truth("(2 and 3) == 3"));
  CHECK(truth("(None or None) is None"));
  CHECK_FALSE(truth("0 or '' or [] or () or None"));
  CHECK(truth("0 or '' or [] or (0,)"));  // a non-empty tuple is true
  CHECK(truth("not ''"));
}

TEST_CASE("py_expr: chained comparisons", "[condition]") {
  CHECK(truth("1 < 2 < 3"));
  CHECK_FALSE(truth("1 < 3 < 2"));
  CHECK(truth("3 > 2 == 2"));
  CHECK(truth("1 < 2 > 0"));
  CHECK_FALSE(truth("1 < 2 in [True]"));  // 1 < 2 and 2 in [True]
  CHECK(truth("1 == 1 in [1]"));
  CHECK(truth("'abc' < 'abd' < 'b'"));
  CHECK(truth("[1] < [1, 2] < [2]"));
  CHECK(truth("0 == False == 0"));
  CHECK(truth("1 <= 1 >= 1 != 2"));
}

TEST_CASE("py_expr: equality and ordering rules", "[condition]") {
  CHECK(truth("True == 1 and 1 == True and False == 0"));
  CHECK(truth("True + True == 2"));
  CHECK_FALSE(truth("1 < True"));
  CHECK_FALSE(truth("[1, 2] == (1, 2)"));
  CHECK(truth("(1, [2]) == (1, [2])"));
  CHECK(truth("(3,) < (3, 0) and () < (1,)"));
  CHECK(truth("(1, 'a') < (2, 1)"));  // decided before the mismatched pair
  CHECK(truth("'Z' < 'a' and '' < 'a'"));
  CHECK(truth("'\\u00e9' > 'z'"));  // code point order
  CHECK(truth("None == None and not None"));
  CHECK(truth("sys.version_info > (3, 11, 2, 'alpha')"));
  fails_with("(1, 'a') < (1, 2)", "'<' not supported between instances of 'str' and 'int'");
  fails_with("[1, 2] < (1, 2)", "between instances of 'list' and 'tuple'");
  fails_with("None < 1", "between instances of 'NoneType' and 'int'");
  fails_with("sys.version_info < [3]", "between instances of 'sys.version_info' and 'list'");
  fails_with("'1' >= 1", "'>=' not supported");
}

TEST_CASE("py_expr: in, not in, is, is not", "[condition]") {
  CHECK(truth("1 in [1, 2] and 3 not in (1, 2)"));
  CHECK(truth("'b' in 'abc' and '' in 'abc' and 'x' not in 'abc'"));
  CHECK(truth("(1, 2) in [(1, 2)]"));
  CHECK(truth("None is None and 'a' is not None and True is True and 1 is not None"));
  CHECK_FALSE(truth("None is not None"));
  CHECK_FALSE(truth("1 is True"));
  fails_with("1 in 'abc'", "'in <string>' requires string as left operand, not int");
  fails_with("1 in 1", "argument of type 'int' is not iterable");
  fails_with("1 is 1", "'is' is only supported when one side is None, True or False");
}

TEST_CASE("py_expr: + and - and unary operators", "[condition]") {
  CHECK(truth("'a' + 'b' == 'ab'"));
  CHECK(truth("[1] + [2] == [1, 2] and (1,) + (2,) == (1, 2)"));
  CHECK(truth("sys.version_info[:2] + (0,) == (3, 11, 0)"));
  CHECK(truth("-1 == ~0 and - -1 == 1 and +True == 1"));
  CHECK(truth("-9223372036854775807 - 1 < 0"));
  fails_with("'a' + 1", "can only concatenate str (not \"int\") to str");
  fails_with("1 + 'a'", "unsupported operand type(s) for +: 'int' and 'str'");
  fails_with("[1] + (2,)", "can only concatenate list (not \"tuple\") to list");
  fails_with("'a' - 'b'", "unsupported operand type(s) for -: 'str' and 'str'");
  fails_with("-'a'", "bad operand type for unary -: 'str'");
  fails_with("9223372036854775807 + 1", "integer overflow");
  fails_with("9223372036854775808", "integer literal too large");
}

TEST_CASE("py_expr: subscripts and slices", "[condition]") {
  CHECK(truth("'abc'[-1] == 'c' and 'abc'[0] == 'a'"));
  CHECK(truth("'abc'[1:] == 'bc' and 'abc'[::-1] == 'cba'"));
  CHECK(truth("'abcdef'[-100:100:2] == 'ace' and 'abcdef'[5:0:-2] == 'fdb'"));
  CHECK(truth("'abc'[None:None:None] == 'abc' and 'abc'[5:] == ''"));
  CHECK(truth("[1, 2, 3][-4:-1] == [1, 2] and (1, 2, 3)[1:2] == (2,)"));
  CHECK(truth("(1, 2)[-1:-3:-1] == (2, 1) and [1, 2, 3][True] == 2"));
  CHECK(truth("'a\\u00e9b'[1] == '\\u00e9' and len('h\\u00e9llo') == 5"));
  CHECK(truth("'a\\u00e9b'[::-1] == 'b\\u00e9a' and 'a\\u00e9b'[1:2] == '\\u00e9'"));
  fails_with("'abc'[3]", "index error: string index out of range");
  fails_with("(1, 2)[5]", "tuple index out of range");
  fails_with("[][0]", "list index out of range");
  fails_with("'abc'[::0]", "slice step cannot be zero");
  fails_with("'ab'['a']", "string indices must be integers, not 'str'");
  fails_with("(1, 2)['a']", "tuple indices must be integers or slices, not str");
  fails_with("'abc'['a':]", "slice indices must be integers or None");
  fails_with("5[0]", "'int' object is not subscriptable");
}

TEST_CASE("py_expr: str methods", "[condition]") {
  CHECK(truth("'a b  c'.split() == ['a', 'b', 'c'] and ''.split() == []"));
  CHECK(truth("'a b  c '.split(None, 1) == ['a', 'b  c ']"));
  CHECK(truth("'a,b,,c'.split(',') == ['a', 'b', '', 'c']"));
  CHECK(truth("'a,b,,c'.split(',', 2) == ['a', 'b', ',c'] and ' '.split(' ') == ['', '']"));
  CHECK(truth("'  x  '.strip() == 'x' and 'xxaxx'.strip('x') == 'a'"));
  CHECK(truth("'xxaxx'.lstrip('x') == 'axx' and 'xxaxx'.rstrip('x') == 'xxa'"));
  CHECK(truth("'abc'.startswith('ab') and 'abc'.startswith(('x', 'a'))"));
  CHECK(truth("'abc'.endswith('bc') and not 'abc'.endswith('b')"));
  CHECK(truth("'AbC'.lower() == 'abc' and 'AbC'.upper() == 'ABC'"));
  CHECK(truth("'aXbX'.replace('X', 'y') == 'ayby' and 'aXbX'.replace('X', 'y', 1) == 'aybX'"));
  CHECK(truth("'ab'.replace('', '-') == '-a-b-' and '-'.join(['a', 'b']) == 'a-b'"));
  CHECK(truth("'abc'.find('c') == 2 and 'a\\u00e9c'.find('c') == 2 and 'abc'.find('z') == -1"));
  fails_with("'ab'.split('')", "empty separator");
  fails_with("'-'.join(['a', 1])", "sequence item 1: expected str instance, int found");
  fails_with("'abc'.startswith(1)", "first arg must be str or a tuple of str, not int");
  fails_with("'abc'.nope", "str has no attribute 'nope' in Kiln: expected one of endswith");
  fails_with("'\\u00e9'.upper()", "non-ASCII text is not supported");
  fails_with("'a'.split(1)", "argument 1 must be str or None, not int");
  fails_with("'a'.split == 'a'.split", "comparing bound methods");
}

TEST_CASE("py_expr: modules", "[condition]") {
  CHECK(truth("sys.platform == 'linux' and sys.byteorder == 'little'"));
  CHECK(truth("sys.maxsize == 9223372036854775807"));
  CHECK(truth("sys.version_info.releaselevel == 'final' and sys.version_info.serial == 0"));
  CHECK(truth("os.name == 'posix' and os.sep == '/' and os.pathsep == ':'"));
  CHECK(truth("os.F_OK == 0 and os.X_OK == 1 and os.W_OK == 2 and os.R_OK == 4"));
  CHECK(truth("os.path.join('a', 'b', '/c', 'd') == '/c/d'"));
  CHECK(truth("platform.python_version() == '3.11.2'"));
  CHECK(truth("platform.system() == 'Linux' and platform.machine() == 'x86_64'"));
  CHECK(truth("platform.machine == platform.machine"));  // the same function object
  CHECK_FALSE(truth("os.path.exists('/etc\\x00x')"));
  fails_with("sys.nope", "module 'sys' has no attribute 'nope' in Kiln: expected one of");
  fails_with("sys.version_info.nope", "expected one of major, minor, micro");
  fails_with("os.path.isdir(1)", "os.path.isdir() argument 1 must be str, not int");
  fails_with("os.access('/x')", "os.access() takes 2 arguments, got 1");
  fails_with("linux()", "'bool' object is not callable");
  fails_with("str(platform)", "str() of <module 'platform'> is not supported");
}

TEST_CASE("py_expr: builtins", "[condition]") {
  CHECK(truth("int(' 12 ') == 12 and int('1_2') == 12 and int('-0') == 0"));
  CHECK(truth("int('+7') == 7 and int('007') == 7 and int(True) == 1 and int() == 0"));
  CHECK(truth("str(1) + 'a' == '1a' and str((1, 'a')) == \"(1, 'a')\""));
  CHECK(truth("str([1, \"it's\"]) == '[1, \"it\\'s\"]' and str(('a',)) == \"('a',)\""));
  CHECK(truth("str(None) == 'None' and str(True) == 'True' and str() == ''"));
  CHECK(
      truth("str(sys.version_info) == \"sys.version_info(major=3, minor=11, micro=2, "
            "releaselevel='final', serial=0)\""));
  CHECK(truth("len([1, 2]) == 2 and len(()) == 0 and len('') == 0"));
  CHECK(truth("bool('x') and not bool('') and not bool()"));
  CHECK(truth("any([0, 1]) and not all([1, 0]) and all([]) and not any([])"));
  CHECK(truth("list('ab') == ['a', 'b'] and tuple([1]) == (1,)"));
  fails_with("int('_12')", "invalid literal for int() with base 10: '_12'");
  fails_with("int('0x10')", "invalid literal for int() with base 10: '0x10'");
  fails_with("int(None)", "int() argument must be a string, a bytes-like object or a real number");
  fails_with("int('99999999999999999999')", "does not fit in 64 bits");
  fails_with("len(5)", "object of type 'int' has no len()");
  fails_with("len()", "len() takes 1 argument, got 0");
  fails_with("len(1, 2)", "len() takes 1 argument, got 2");
  fails_with("open('/f', 'rb')", "mode 'rb' is not supported");
  fails_with("abs(1)", "unknown name 'abs'");
}

TEST_CASE("py_expr: list comprehensions", "[condition]") {
  CHECK(truth("[x for x in 'abc' if x == 'b'] == ['b']"));
  CHECK_FALSE(truth("[x for x in 'abc' if x == 'z']"));
  CHECK(truth("[x + y for x in 'ab' for y in 'cd'] == ['ac', 'ad', 'bc', 'bd']"));
  CHECK(truth("[a for a, b in [(1, 2), (3, 4)]] == [1, 3]"));
  CHECK(truth("[x for x in [1, 2, 3] if x > 1 if x < 3] == [2]"));
  CHECK(truth("[y for x in [[1], [2]] for y in x] == [1, 2]"));
  CHECK(truth("[linux for linux in [0]] == [0] and linux"));  // the variable shadows, then ends
  CHECK(truth("x for x in [0]") == false);                    // `[x for x in [0]]`[0] is 0
  fails_with("[x for x in 'ab'] and x", "unknown name 'x'");
  fails_with("[x for x in 5]", "'int' object is not iterable");
  fails_with("[a for a, b in [(1, 2, 3)]]", "too many values to unpack (expected 2)");
  fails_with("[a for a, b in [(1,)]]", "not enough values to unpack (expected 2, got 1)");
  fails_with("[a for a, b in [1]]", "cannot unpack non-iterable int object");
}

TEST_CASE("py_expr: element 0 of the list", "[condition]") {
  CHECK(truth("1, 0"));
  CHECK_FALSE(truth("0, 1"));
  CHECK(truth("1,"));
  CHECK(test::eval("['ab'][0][0]"));  // "[" + "'ab'][0" + "]": element 0 of 'ab'
  CHECK(test::eval("[linux] + [0]"));
  fails_with("", "is an empty list");
}

TEST_CASE("py_expr: tokens", "[condition]") {
  CHECK(truth("'a' 'b' \"c\" == 'abc'"));
  CHECK(truth("'\\x41' == 'A' and '\\101' == 'A' and '\\u00e9' == '\\xe9'"));
  CHECK(truth("'\\U0001F600' == '\xf0\x9f\x98\x80' and len('\\U0001F600') == 1"));
  CHECK(truth("r'\\n' == '\\\\n' and R'\\d' == '\\\\d' and U'x' == 'x'"));
  CHECK(truth("'\\q' == '\\\\q' and '\\0' == '\\x00'"));
  CHECK(truth("'''a\"b''' == 'a\"b' and \"it's\" == 'it\\'s'"));
  CHECK(truth("r'a\\'' == \"a\\\\'\""));
  CHECK(truth("0x10 == 16 and 0o10 == 8 and 0b10 == 2 and 1_000 == 1000 and 00 == 0"));
  CHECK(truth("linux and # a comment\n python3"));
  CHECK(truth("(linux and\n python3)"));
  CHECK(test::eval("[linux] \\\n # continued"));
  CHECK(truth("'a\\\nb' == 'ab'"));
  fails_with("'\\U0001F600' == '\\ud83d'", "surrogate code points are not supported");
  fails_with("'\\x4'", "truncated \\xXX escape");
  fails_with("'\\N{BULLET}'", "\\N{...} escapes are not supported");
  fails_with("'abc", "unterminated string literal");
  fails_with("b'x'", "bytes literals are not supported");
  fails_with("f'x'", "f-strings are not supported");
  fails_with("1.5", "float and complex literals are not supported");
  fails_with("1e3", "float and complex literals are not supported");
  fails_with("01", "leading zeros in decimal integer literals are not permitted");
  fails_with("1abc", "invalid decimal literal");
  fails_with("linux $ python3", "invalid character '$'");
  fails_with("linux \\ python3", "unexpected character after line continuation character");
  fails_with("'\\xff' == '\xff'", "not valid UTF-8");
  CHECK(test::err("[linux]\npython3").find("expected end of the expression, got 'python3'") !=
        std::string::npos);
}

TEST_CASE("py_expr: unsupported Python is a syntax error", "[condition]") {
  fails_with("2 * 3", "operator '*' is not supported");
  fails_with("sys.maxsize > 2**32", "operator '**' is not supported");
  fails_with("os.R_OK | os.X_OK", "operator '|' is not supported");
  fails_with("lambda: 1", "'lambda' is not supported");
  fails_with("{}", "dict and set displays are not supported");
  fails_with("(x for x in 'a')", "generator expressions are not supported");
  fails_with("any(x for x in 'a')", "generator expressions are not supported");
  fails_with("int(x=1)", "keyword arguments are not supported");
  fails_with("len(*'a')", "'*' and '**' arguments are not supported");
  fails_with("[*'a']", "starred expressions are not supported");
  fails_with("'a'[1, 2]", "tuple subscripts are not supported");
  fails_with("1 <> 2", "'<>' is not Python 3");
  fails_with("linux if linux", "expected 'else' in a conditional expression");
  fails_with("...", "'...' (Ellipsis) is not supported");
  fails_with("x := 1", "expected ']', got ':='");
}

}  // namespace
}  // namespace kiln::profile
