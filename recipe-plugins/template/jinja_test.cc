// Unit tests of the Jinja subset (jinja.h): good templates render as Jinja2
// does, bad ones fail naming the template, the line and what was expected.
#include <catch2/catch.hpp>

#include <map>

#include "jinja.h"

using kiln_jinja::Dict;
using kiln_jinja::List;
using kiln_jinja::Value;

namespace {

std::string render(const std::string& source, const Dict& ctx = {},
                   const kiln_jinja::Loader& loader = {}) {
  return kiln_jinja::render_string(source, "t.in", ctx, loader);
}

// The error message rendering `source` raises ("" if none).
std::string error_of(const std::string& source, const Dict& ctx = {}) {
  try {
    render(source, ctx);
  } catch (const kiln_jinja::Error& e) {
    return e.what();
  }
  return "";
}

Dict sample() {
  return Dict{{"name", Value("kiln")},
              {"n", Value(3)},
              {"xs", Value(List{Value(1), Value(2), Value(3)})},
              {"d", kiln_jinja::parse_json(R"({"b": 2, "a": "x", "nested": {"k": [1, "two"]}})")},
              {"empty", Value(List{})},
              {"flag", Value(true)},
              {"nothing", Value()}};
}

}  // namespace

TEST_CASE("text and expressions", "[jinja]") {
  CHECK(render("plain text") == "plain text");
  CHECK(render("a\n") == "a");  // one trailing newline dropped, as Jinja
  CHECK(render("a\n\n") == "a\n");
  CHECK(render("{{ name }}!", sample()) == "kiln!");
  CHECK(render("{{ 1 + 2 * 3 }}") == "7");
  CHECK(render("{{ (1 + 2) * 3 }}") == "9");
  CHECK(render("{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}") ==
        "3.5 3 -4 1 2");
  CHECK(render("{{ 2 ** 10 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }}") == "1024 2.5 0.30000000000000004");
  CHECK(render("{{ 'a' ~ 1 ~ none }}") == "a1None");
  CHECK(render("{{ 'ab' + \"cd\" }} {{ 'x' * 3 }}") == "abcd xxx");
  CHECK(render("{{ True }} {{ false }} {{ None }}") == "True False None");
  CHECK(render("{{ [1, 'a', None, True] }}") == "[1, 'a', None, True]");
  CHECK(render("{{ {'a': 1, 'b': [2]} }}") == "{'a': 1, 'b': [2]}");
  CHECK(render("{{ 1.0 }} {{ 10 / 5 }} {{ 1e20 }}") == "1.0 2.0 1e+20");
  CHECK(render("{{ 'it''s' }}") == "its");
  CHECK(render("{{ \"it's\" }}") == "it's");
  CHECK(render("{{ 'a\\nb' }}") == "a\nb");
  CHECK(render("{{ -n }} {{ +n }}", sample()) == "-3 3");
  CHECK(render("{{ 'x' if flag else 'y' }}{{ 'x' if not flag else 'y' }}", sample()) == "xy");
}

TEST_CASE("attribute and item access", "[jinja]") {
  Dict ctx = sample();
  CHECK(render("{{ d.a }} {{ d['b'] }} {{ d.nested.k[1] }} {{ d.nested['k'][0] }}", ctx) ==
        "x 2 two 1");
  CHECK(render("{{ xs[0] }} {{ xs[-1] }} {{ xs.1 }}", ctx) == "1 3 2");
  CHECK(render("{{ xs[1:] }} {{ xs[:2] }} {{ xs[::-1] }} {{ name[1:3] }}", ctx) ==
        "[2, 3] [1, 2] [3, 2, 1] il");
  CHECK(render("{{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.get('zz') }}", ctx) ==
        "x dflt None");
}

TEST_CASE("comparisons and logic", "[jinja]") {
  Dict ctx = sample();
  CHECK(render("{{ 1 < 2 }} {{ 2 <= 1 }} {{ 'a' == 'a' }} {{ 1 != 1.0 }} {{ 1 == 1.0 }}") ==
        "True False True False True");
  CHECK(render("{{ 2 in xs }} {{ 5 not in xs }} {{ 'il' in name }} {{ 'a' in d }}", ctx) ==
        "True True True True");
  CHECK(render("{{ flag and n }} {{ nothing or 'alt' }} {{ not empty }}", ctx) == "3 alt True");
  CHECK(render("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 3 > 2 == 2 }} {{ 1 == 1 }}") ==
        "True False True True");
}

TEST_CASE("if / elif / else", "[jinja]") {
  std::string t = "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}";
  CHECK(render(t, sample()) == "mid");
  CHECK(render(t, {{"n", Value(9)}}) == "big");
  CHECK(render(t, {{"n", Value(0)}}) == "small");
  CHECK(render("{% if empty %}x{% endif %}", sample()) == "");
  CHECK(render("{% if d %}{% if d.a == 'x' %}yes{% endif %}{% endif %}", sample()) == "yes");
}

TEST_CASE("for loops", "[jinja]") {
  Dict ctx = sample();
  CHECK(render("{% for x in xs %}{{ x }},{% endfor %}", ctx) == "1,2,3,");
  CHECK(render("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}"
               "{{ loop.last }}{{ loop.length }} {% endfor %}",
               ctx) == "10TrueFalse3 21FalseFalse3 32FalseTrue3 ");
  CHECK(render("{% for x in empty %}x{% else %}none{% endfor %}", ctx) == "none");
  CHECK(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
               {{"d", kiln_jinja::parse_json(R"({"z": 1, "a": 2})")}}) == "z=1;a=2;");
  CHECK(render("{% for k in d %}{{ k }}{% endfor %}",
               {{"d", kiln_jinja::parse_json(R"({"z": 1, "a": 2})")}}) == "za");
  CHECK(render("{% for x in xs if x != 2 %}{{ x }}{% endfor %}", ctx) == "13");
  CHECK(render("{% for x in range(3) %}{{ x }}{% endfor %}") == "012");
  CHECK(render("{% for c in 'ab' %}[{{ c }}]{% endfor %}") == "[a][b]");
  CHECK(render("{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} "
               "{% endfor %}{{ loop.index }}|{% endfor %}") == "1x1 1y2 1|2x1 2y2 2|");
  // Variables set in a loop do not leak out of it.
  CHECK(render("{% set v = 0 %}{% for x in xs %}{% set v = x %}{% endfor %}{{ v }}", ctx) == "0");
}

TEST_CASE("set, set blocks and do", "[jinja]") {
  CHECK(render("{% set x = 2 %}{% set y = x * 3 %}{{ y }}") == "6");
  CHECK(render("{% set a, b = [1, 2] %}{{ b }}{{ a }}") == "21");
  CHECK(render("{% set a, b = 1, 2 %}{{ a + b }}") == "3");
  CHECK(render("{% set t %}in {{ 1 + 1 }} words{% endset %}[{{ t }}]") == "[in 2 words]");
  CHECK(render("{% set l = [] %}{% do l.append(1) %}{% do l.append('b') %}{{ l }}") == "[1, 'b']");
  CHECK(render("{% set m = {} %}{% do m.update({'k': 1}) %}{{ m.k }}") == "1");
  CHECK(render("{% if true %}{% set inner = 1 %}{% endif %}{{ inner }}") == "1");
}

TEST_CASE("comments, whitespace control and raw", "[jinja]") {
  CHECK(render("a{# a comment {{ x }} #}b") == "ab");
  CHECK(render("a  {#- c -#}  b") == "ab");
  CHECK(render("x\n  {%- if true %}\n  y\n  {%- endif %}\n") == "x\n  y");
  CHECK(render("{% for x in [1, 2] -%}\n  {{ x }}\n{%- endfor %}") == "12");
  CHECK(render("a {{- 1 -}} b") == "a1b");
  CHECK(render("{% raw %}{{ not rendered }}{% if %}{% endraw %}") == "{{ not rendered }}{% if %}");
  CHECK(render("{% if true %}\nline\n{% endif %}\nend") == "\nline\n\nend");
}

TEST_CASE("filters", "[jinja]") {
  Dict ctx = sample();
  CHECK(render("{{ n|string ~ 'x' }} {{ '42'|int + 1 }} {{ 'x'|int }} {{ '1.5'|float }}", ctx) ==
        "3x 43 0 1.5");
  CHECK(render("{{ 3.9|int }} {{ 'abc'|int(7) }} {{ 2|float }}") == "3 7 2.0");
  CHECK(render("{{ xs|join(', ') }} {{ xs|join }} {{ xs|length }} {{ name|length }}", ctx) ==
        "1, 2, 3 123 3 4");
  CHECK(
      render("{{ missing|default('dflt') }} {{ name|default('dflt') }} {{ ''|default('e', true) }}",
             ctx) == "dflt kiln e");
  CHECK(render("{{ d.zz|d('z') }}", ctx) == "z");
  CHECK(render("{{ 'Ab'|upper }} {{ 'Ab'|lower }} {{ '  t  '|trim }}|") == "AB ab t|");
  CHECK(render("{{ 'a-b-c'|replace('-', '+') }}") == "a+b+c");
  CHECK(render("{{ d|tojson }}", ctx) == R"({"a": "x", "b": 2, "nested": {"k": [1, "two"]}})");
  CHECK(render("{{ '<&>'|tojson }}") == "\"\\u003c\\u0026\\u003e\"");
  CHECK(render("{{ 'ab'|list }} {{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }}") ==
        "['a', 'b'] [1, 2, 3] ['A', 'b', 'c']");
  CHECK(render("{{ [3, 1, 2]|sort(reverse=true)|join }}") == "321");
  CHECK(render("{{ 'a\nb'|indent(2) }}") == "a\n  b");
  CHECK(render("{{ xs|first }}{{ xs|last }}{{ xs|sum }}{{ [1, 1, 2]|unique|join }}", ctx) ==
        "13612");
  CHECK(render("{{ -2|abs }} {{ 2.5|round }} {{ 2.567|round(2) }}") == "2 3.0 2.57");
}

TEST_CASE("tests", "[jinja]") {
  Dict ctx = sample();
  CHECK(render("{{ name is defined }} {{ zz is defined }} {{ zz is not defined }}", ctx) ==
        "True False True");
  CHECK(render("{{ d.a is defined }} {{ d.zz is defined }} {{ zz is undefined }}", ctx) ==
        "True False True");
  CHECK(render("{{ nothing is none }} {{ n is none }} {{ n is not none }}", ctx) ==
        "True False True");
  CHECK(render("{{ n is number }} {{ name is string }} {{ d is mapping }} {{ 4 is even }}", ctx) ==
        "True True True True");
  CHECK(render("{{ 9 is divisibleby(3) }} {{ 3 is odd }}") == "True True");
}

TEST_CASE("string and list methods", "[jinja]") {
  CHECK(render("{{ 'a b  c'.split() }} {{ 'a,b'.split(',') }}") == "['a', 'b', 'c'] ['a', 'b']");
  CHECK(render("{{ 'a\nb\n'.splitlines() }} {{ ' x '.strip() }}|") == "['a', 'b'] x|");
  CHECK(render("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('x') }}") == "True False");
  CHECK(render("{{ '-'.join(['a', 'b']) }} {{ 'x'.upper() }}") == "a-b X");
  CHECK(render("{{ '%s:%d' % ('host', 80) }} {{ '%s' % 'x' }}") == "host:80 x");
  CHECK(render("{{ d.keys()|list }} {{ d.values()|list }}",
               {{"d", kiln_jinja::parse_json(R"({"a": 1})")}}) == "['a'] [1]");
}

TEST_CASE("macros, import and include", "[jinja]") {
  CHECK(render("{% macro greet(who, punct='!') %}hi {{ who }}{{ punct }}{% endmacro %}"
               "{{ greet('a') }} {{ greet('b', '?') }} {{ greet(who='c') }}") ==
        "hi a! hi b? hi c!");
  std::map<std::string, std::string> files = {
      {"lib", "{% macro m(x) %}<{{ x }}>{% endmacro %}{% set k = 5 %}"}, {"part", "[{{ name }}]"}};
  kiln_jinja::Loader loader = [&](const std::string& n) -> std::optional<std::string> {
    auto it = files.find(n);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  CHECK(render("{% import 'lib' as lib %}{{ lib.m(1) }}{{ lib.k }}", {}, loader) == "<1>5");
  CHECK(render("{% from 'lib' import m as mm, k %}{{ mm(2) }}{{ k }}", {}, loader) == "<2>5");
  CHECK(render("{% include 'part' %}", sample(), loader) == "[kiln]");
  CHECK_THROWS_WITH(render("{% import 'nope' as x %}", {}, loader),
                    Catch::Contains("template 'nope' not found"));
}

TEST_CASE("json values", "[jinja]") {
  Value v =
      kiln_jinja::parse_json(R"( {"s": "\u00e9\n", "i": -12, "f": 1.5e2, "l": [true, null]} )");
  CHECK(kiln_jinja::to_json(v) == R"({"s": "\u00e9\n", "i": -12, "f": 150.0, "l": [true, null]})");
  CHECK(kiln_jinja::to_str(v) == "{'s': '\xc3\xa9\\n', 'i': -12, 'f': 150.0, 'l': [True, None]}");
  CHECK_THROWS_WITH(kiln_jinja::parse_json("{\"a\": }"), Catch::Contains("offset 6"));
  CHECK_THROWS(kiln_jinja::parse_json("[1, 2"));
  CHECK_THROWS(kiln_jinja::parse_json("[1] x"));
  CHECK_THROWS(kiln_jinja::parse_json("'single'"));
}

TEST_CASE("parse errors name the template, the line and what was expected", "[jinja]") {
  CHECK(error_of("line1\n{% if x %}\nno end") ==
        "t.in, line 3: expected 'elif', 'else' or 'endif' (to close the tag at line 2), got end "
        "of template");
  CHECK(error_of("{% for x in xs %}{% endif %}") ==
        "t.in, line 1: expected 'else' or 'endfor', got 'endif'");
  CHECK(error_of("a\n\n{{ 1 + }}") == "t.in, line 3: expected an expression, got '}}'");
  CHECK(error_of("{{ x ") == "t.in, line 1: expected '}}', got end of template");
  CHECK(error_of("{% if x %}a{% endif") == "t.in, line 1: expected '%}', got end of template");
  CHECK(error_of("{{ 'abc }}") == "t.in, line 1: expected end of string, got end of template");
  CHECK(error_of("{# open") == "t.in, line 1: expected '#}', got end of template");
  CHECK(error_of("{% for x xs %}{% endfor %}") == "t.in, line 1: expected 'in', got 'xs'");
  CHECK(error_of("{% endif %}") == "t.in, line 1: unknown tag 'endif'");
  CHECK(error_of("{% raw %}abc") == "t.in, line 1: expected '{% endraw %}', got end of template");
  CHECK(error_of("{{ a ? b }}") == "t.in, line 1: unexpected character '?'");
  CHECK(error_of("{{ [1, 2 }}") == "t.in, line 1: expected '}}', got end of template");
}

TEST_CASE("unsupported constructs are reported by name", "[jinja]") {
  CHECK(error_of("{% extends 'base' %}") ==
        "t.in, line 1: the 'extends' tag is not supported by Kiln");
  CHECK(error_of("\n{% block b %}{% endblock %}") ==
        "t.in, line 2: the 'block' tag is not supported by Kiln");
  CHECK(error_of("{% frobnicate %}") == "t.in, line 1: unknown tag 'frobnicate'");
  CHECK(error_of("{{ 1|frobnicate }}") == "t.in, line 1: unknown filter 'frobnicate'");
  CHECK(error_of("{{ 1 is frob }}") == "t.in, line 1: unknown test 'frob'");
  CHECK(error_of("{{ 'x'.frob() }}") ==
        "t.in, line 1: 'str' object has no method 'frob' supported by Kiln");
  CHECK(error_of("{{ nope(1) }}") == "t.in, line 1: unknown function 'nope'");
  CHECK(error_of("{% for x in xs recursive %}{% endfor %}", sample()) ==
        "t.in, line 1: recursive loops are not supported by Kiln");
  CHECK(error_of("{{ '%x' % 1 }}") ==
        "t.in, line 1: string formatting: '%x' is not supported by Kiln");
}

TEST_CASE("render errors name the line", "[jinja]") {
  CHECK(error_of("a\nb {{ missing }}") == "t.in, line 2: 'missing' is undefined");
  CHECK(error_of("{% if true %}\n\n{{ d.zz }}{% endif %}", sample()) ==
        "t.in, line 3: dict has no attribute 'zz'");
  CHECK(error_of("{{ xs[7] }}", sample()) == "t.in, line 1: list index 7 out of range");
  CHECK(error_of("\n{{ 1 + 'a' }}") ==
        "t.in, line 2: unsupported operand types for +: 'int' and 'str'");
  CHECK(error_of("{{ 1 / 0 }}") == "t.in, line 1: division by zero");
  CHECK(error_of("{% for x in 5 %}{% endfor %}") == "t.in, line 1: 'int' object is not iterable");
  CHECK(error_of("{% set a, b = [1] %}") == "t.in, line 1: cannot unpack list into 2 variables");
  CHECK(error_of("{{ 'x' if false }}") ==
        "t.in, line 1: the condition of an 'x if c' expression without 'else' is false");
  CHECK(error_of("{{ 1 < 'a' }}") == "t.in, line 1: '<' not supported between 'int' and 'str'");
  CHECK(error_of("{% macro m(a) %}{% endmacro %}{{ m() }}") ==
        "t.in, line 1: macro 'm': missing argument 'a'");
  CHECK(error_of("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}") ==
        "t.in, line 1: templates or macros nested too deeply");
}

TEST_CASE("line numbers count every newline before the error", "[jinja]") {
  CHECK(error_of("{# a\nmulti-line\ncomment #}\n{{ nope }}") ==
        "t.in, line 4: 'nope' is undefined");
  CHECK(error_of("{% raw %}\n\n{% endraw %}\n{{ nope }}") == "t.in, line 4: 'nope' is undefined");
  CHECK(error_of("{{\n1 +\n}}") == "t.in, line 3: expected an expression, got '}}'");
  CHECK(error_of("{% for x in [1,\n2] %}\n{{ x.y }}{% endfor %}") ==
        "t.in, line 3: 'int' object has no attribute 'y'");
  CHECK(error_of("{% set s = 'a\nb' %}\n{{ nope }}") == "t.in, line 3: 'nope' is undefined");
}

TEST_CASE("errors in imported templates name them", "[jinja]") {
  kiln_jinja::Loader loader = [](const std::string& n) -> std::optional<std::string> {
    if (n == "lib") return std::string("{% macro m() %}\n{{ nope }}{% endmacro %}");
    if (n == "broken") return std::string("{% if %}");
    return std::nullopt;
  };
  CHECK_THROWS_WITH(render("{% import 'lib' as l %}{{ l.m() }}", {}, loader),
                    "template 'lib', line 2: 'nope' is undefined");
  CHECK_THROWS_WITH(render("{% include 'broken' %}", {}, loader),
                    "template 'broken', line 1: expected an expression, got '%}'");
}

TEST_CASE("python str() of values", "[jinja]") {
  CHECK(render("{{ 1e-5 }} {{ 123456789.0 }} {{ 1e16 }} {{ -0.5 }}") ==
        "1e-05 123456789.0 1e+16 -0.5");
  CHECK(render("{{ [\"it's\"] }} {{ ['a\\\\b'] }}") == "[\"it's\"] ['a\\\\b']");
  CHECK(render("{{ {'k': {'n': None}} }}") == "{'k': {'n': None}}");
  CHECK(render("{{ 10 // 3 }} {{ 10.0 // 4 }} {{ 2 ** -1 }}") == "3 2.0 0.5");
}

TEST_CASE("a realistic buildout instance template", "[jinja]") {
  std::string tmpl =
      "[buildout]\n"
      "parts =\n"
      "{%- for name in slaves|sort %}\n"
      "  {{ name }}-wrapper\n"
      "{%- endfor %}\n"
      "{% set ports = {} -%}\n"
      "{% for name in slaves|sort -%}\n"
      "{%   do ports.update({name: 8000 + loop.index0}) -%}\n"
      "[{{ name }}-wrapper]\n"
      "recipe = slapos.cookbook:wrapper\n"
      "command-line = ${bin:server} --port {{ ports[name] }}"
      "{% if slaves[name].get('debug') %} --debug{% endif %}\n"
      "{% endfor -%}\n"
      "# {{ ports|tojson }}\n";
  Dict ctx{{"slaves", kiln_jinja::parse_json(R"({"b": {"debug": true}, "a": {}})")}};
  CHECK(render(tmpl, ctx) ==
        "[buildout]\nparts =\n  a-wrapper\n  b-wrapper\n"
        "[a-wrapper]\nrecipe = slapos.cookbook:wrapper\ncommand-line = ${bin:server} --port 8000\n"
        "[b-wrapper]\nrecipe = slapos.cookbook:wrapper\n"
        "command-line = ${bin:server} --port 8001 --debug\n"
        "# {\"a\": 8000, \"b\": 8001}");
}
