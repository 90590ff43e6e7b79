// parse_profile: the buildout INI dialect (zc.buildout's configparser.parse).
// Expected values were checked with ../shared/oracle/resolve.py --raw.
#include "profile/lexer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "profile/test_support.h"

using kiln::ErrorCode;
using kiln::Expected;
using kiln::profile::ConditionFn;
using kiln::profile::parse_profile;
using kiln::profile::ParsedFile;
using kiln::profile::ParsedOption;
using kiln::profile::ParsedSection;
using kiln::profile::testing::no_conditions;

namespace {

ParsedFile parse_ok(std::string_view text, const ConditionFn& condition = no_conditions()) {
  Expected<ParsedFile> r = parse_profile(text, "test.cfg", condition);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(*r);
}

kiln::Error parse_error(std::string_view text, const ConditionFn& condition = no_conditions()) {
  Expected<ParsedFile> r = parse_profile(text, "dir/test.cfg", condition);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

const ParsedOption& option(const ParsedFile& f, std::string_view section, std::string_view key) {
  const ParsedSection* s = f.find(section);
  INFO("section [" << section << "] option '" << key << "'");
  REQUIRE(s != nullptr);
  for (const ParsedOption& o : s->options)
    if (o.key == key) return o;
  FAIL("option not found");
  throw;  // unreachable
}

std::vector<std::string> keys(const ParsedFile& f, std::string_view section) {
  std::vector<std::string> out;
  const ParsedSection* s = f.find(section);
  REQUIRE(s != nullptr);
  for (const ParsedOption& o : s->options) out.push_back(o.key);
  return out;
}

// Records every condition source; answers from a list (true when exhausted).
struct RecordingCondition {
  std::vector<std::string> sources;
  std::vector<int> lines;
  std::vector<bool> answers;

  ConditionFn fn() {
    return [this](std::string_view source, int line) -> Expected<bool> {
      sources.emplace_back(source);
      lines.push_back(line);
      return sources.size() <= answers.size() ? answers[sources.size() - 1] : true;
    };
  }
};

}  // namespace

TEST_CASE("lexer: section headers, spaced and plain", "[profile]") {
  ParsedFile f = parse_ok("[ spaced ]\nx = 1\n[plain]   # trailing comment\ny = 2\n[\tt\t];c\n");
  REQUIRE(f.sections.size() == 3);
  CHECK(f.sections[0].name == "spaced");
  CHECK(f.sections[0].line == 1);
  CHECK(f.sections[1].name == "plain");
  CHECK(f.sections[1].line == 3);
  CHECK(f.sections[2].name == "t");
  CHECK(option(f, "spaced", "x").value == "1");
  CHECK(option(f, "plain", "y").value == "2");
  // Names are case-sensitive and may hold any character but # [ ] : ; { } and space.
  ParsedFile g = parse_ok("[A]\n[a]\n[été-1.x/y]\n");
  REQUIRE(g.sections.size() == 3);
  CHECK(g.sections[2].name == "été-1.x/y");
}

TEST_CASE("lexer: conditional headers hand `[expr]` + tail comment to the callback", "[profile]") {
  RecordingCondition rec;
  rec.answers = {true, false, true, true, true};
  ParsedFile f = parse_ok(
      "[on:python3] # why\n"              // 1
      "x = 1\n"                           // 2
      "[off:linux] ; gone\n"              // 3
      "y = 2\n"                           // 4
      "  continued\n"                     // 5
      "[on]\n"                            // 6: plain header: the condition resets to true
      "z = 3\n"                           // 7
      "[esc:'\\x23' in x and '\\x3b']\n"  // 8
      "[brackets:x[0]]\n"                 // 9
      "[empty:]\n"                        // 10: empty expression: no call
      "[sp: a ]\n",                       // 11
      rec.fn());
  REQUIRE(rec.sources.size() == 5);
  CHECK(rec.sources[0] == "[python3] # why");
  CHECK(rec.sources[1] == "[linux] # gone");  // ';' of the tail becomes '#'
  CHECK(rec.sources[2] == "['#' in x and ';']");
  CHECK(rec.sources[3] == "[x[0]]");
  CHECK(rec.sources[4] == "[ a ]");
  CHECK(rec.lines == std::vector<int>{1, 3, 8, 9, 11});
  CHECK(f.find("off") == nullptr);
  CHECK(keys(f, "on") == std::vector<std::string>{"x", "z"});
  CHECK(option(f, "on", "x").value == "1");  // the skipped continuation went nowhere
  CHECK(f.find("esc") != nullptr);
  CHECK(f.find("brackets") != nullptr);
  CHECK(f.find("empty") != nullptr);
  CHECK(f.find("sp") != nullptr);
}

TEST_CASE("lexer: a false section skips its options and continuation lines", "[profile]") {
  ConditionFn never = [](std::string_view, int) -> Expected<bool> { return false; };
  ParsedFile f = parse_ok("[a]\nx = 1\n[b:no]\n  indented\ny = 2\n  more\n[c]\nz = 1\n", never);
  CHECK(f.find("b") == nullptr);
  CHECK(option(f, "a", "x").value == "1");
  CHECK(keys(f, "c") == std::vector<std::string>{"z"});
  // Bad lines are still errors there (the reference reports them too).
  kiln::Error e = parse_error("[a]\nx = 1\n[b:no]\nbad line\n", never);
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.line == 4);
  // A false first section leaves no current section: its options come "before any header".
  kiln::Error first = parse_error("[a:no]\nx = 1\n[b]\n", never);
  CHECK(first.code == ErrorCode::k_parse);
  CHECK(first.line == 2);
}

TEST_CASE("lexer: reopened sections and repeated options", "[profile]") {
  ParsedFile f = parse_ok(
      "[a]\n"     // 1
      "x = 1\n"   // 2
      "y = 2\n"   // 3
      "[b]\n"     // 4
      "q = 0\n"   // 5
      "[a]\n"     // 6
      "z = 3\n"   // 7
      "x = 4\n"   // 8
      "  four\n"  // 9
      "y =\n");   // 10
  REQUIRE(f.sections.size() == 2);
  CHECK(f.sections[0].name == "a");
  CHECK(f.sections[0].line == 1);  // the first header
  // Last value wins, the option keeps its first position, the line is the last one.
  CHECK(keys(f, "a") == std::vector<std::string>{"x", "y", "z"});
  CHECK(option(f, "a", "x").value == "4\nfour");
  CHECK(option(f, "a", "x").line == 8);
  CHECK(option(f, "a", "y").value == "");
  CHECK(option(f, "a", "y").line == 10);
  CHECK(option(f, "a", "z").line == 7);
  CHECK(option(f, "b", "q").line == 5);
}

TEST_CASE("lexer: operators stay in the key, <= and =>", "[profile]") {
  ParsedFile f = parse_ok(
      "[s]\n"
      "a += 1\n"
      "b+= 2\n"
      "c -= 3\n"
      "d-=4\n"
      "e=5\n"
      "f   =   6   \n"
      "<= m1\n"
      "   m2\n"
      "=> p q\n"
      "x-y.z_w = 7\n");
  CHECK(keys(f, "s") == std::vector<std::string>{"a +", "b+", "c -", "d-", "e", "f", "<",
                                                 "<part-dependencies>", "x-y.z_w"});
  CHECK(option(f, "s", "a +").value == "1");
  CHECK(option(f, "s", "d-").value == "4");
  CHECK(option(f, "s", "f").value == "6");
  CHECK(option(f, "s", "<").value == "m1\nm2");
  CHECK(option(f, "s", "<part-dependencies>").value == "p q");
  CHECK(option(f, "s", "<part-dependencies>").line == 10);
}

TEST_CASE("lexer: comment lines, and no inline comments", "[profile]") {
  ParsedFile f = parse_ok(
      "# leading comment\n"
      "; other leading comment\n"
      "[s]\n"
      "hash = a # b\n"
      "semi = a ; b\n"
      "multi = one\n"
      "# a comment line inside the value is dropped\n"
      "; so is this one\n"
      "  two\n"
      "  # an indented one is a continuation line\n"
      "block =\n"
      "  l1\n"
      "# dropped\n"
      "  l2\n");
  CHECK(option(f, "s", "hash").value == "a # b");
  CHECK(option(f, "s", "semi").value == "a ; b");
  CHECK(option(f, "s", "multi").value == "one\ntwo\n# an indented one is a continuation line");
  CHECK(option(f, "s", "block").value == "l1\nl2");
}

TEST_CASE("lexer: continuation after a non-empty first line is stripped", "[profile]") {
  ParsedFile f = parse_ok("[a]\ns = first\n    second\n\n  \t third  \n\n\nt = x\n");
  CHECK(option(f, "a", "s").value == "first\nsecond\nthird");
  CHECK(option(f, "a", "t").value == "x");
}

TEST_CASE("lexer: block values keep blank lines and are dedented", "[profile]") {
  ParsedFile f = parse_ok(
      "[a]\n"
      "b =\n"
      "\n"
      "\n"
      "    l1\n"
      "\n"
      "      l2\n"
      "    l3\n"
      "\n"
      "spaces-tabs =\n"  // no common margin between a tab and spaces
      "\tt1\n"
      "    t2\n"
      "tabs =\n"
      "\tt1\n"
      "\t  t2\n"
      "ws =\n"
      "  \n"
      "  x\n"
      "   y  \n"
      "empty =\n"
      "last = v\n");
  CHECK(option(f, "a", "b").value == "l1\n\n  l2\nl3");
  CHECK(option(f, "a", "spaces-tabs").value == "\tt1\n    t2");
  CHECK(option(f, "a", "tabs").value == "t1\n  t2");
  CHECK(option(f, "a", "ws").value == "x\n y");
  CHECK(option(f, "a", "empty").value == "");
  CHECK(option(f, "a", "last").value == "v");
}

TEST_CASE("lexer: CRLF and lone CR line endings", "[profile]") {
  ParsedFile crlf = parse_ok("[a]\r\nx = 1\r\n  2\r\n\r\ny =\r\n  b1\r\n\r\n  b2\r\n");
  CHECK(option(crlf, "a", "x").value == "1\n2");
  CHECK(option(crlf, "a", "y").value == "b1\n\nb2");
  CHECK(option(crlf, "a", "y").line == 5);
  ParsedFile cr = parse_ok("[a]\rx = 1\r  2\rz = 4\r[b]\ru = v");
  CHECK(option(cr, "a", "x").value == "1\n2");
  CHECK(option(cr, "a", "z").line == 4);
  CHECK(option(cr, "b", "u").value == "v");
  CHECK(option(cr, "b", "u").line == 6);
  // Mixed: "\r\n" is one line end, a following "\r" another.
  ParsedFile mixed = parse_ok("[a]\r\n\rx = 1\n\r\ny = 2");
  CHECK(option(mixed, "a", "x").line == 3);
  CHECK(option(mixed, "a", "y").line == 5);
}

TEST_CASE("lexer: very long lines and UTF-8", "[profile]") {
  std::string big(100000, 'v');
  big[50000] = '#';
  ParsedFile f = parse_ok("[a]\nlong = " + big + "\ncont = x\n  " + big + "\n");
  CHECK(option(f, "a", "long").value == big);
  CHECK(option(f, "a", "cont").value == "x\n" + big);
  CHECK(option(f, "a", "cont").line == 3);
  // Python's str.isspace(): NBSP and U+2003 are whitespace, for continuations and strip().
  ParsedFile u = parse_ok(
      "[été]\n"
      "é = \xe2\x80\x83v\xe2\x80\x83\n"
      "\xc2\xa0w = 2\n"
      "k\xc2\xa0= 3\n"
      "€ = 😀 ü\n");
  CHECK(option(u, "été", "é").value == "v\nw = 2");
  CHECK(option(u, "été", "k").value == "3");
  CHECK(option(u, "été", "€").value == "😀 ü");
}

TEST_CASE("lexer: blank lines before the first header are fine", "[profile]") {
  ParsedFile f = parse_ok("\n  \n\t\n[a]\n\n  \nx=1\n");
  CHECK(option(f, "a", "x").value == "1");
  CHECK(option(f, "a", "x").line == 7);
  CHECK(parse_ok("").sections.empty());
}

TEST_CASE("lexer: an option before any header is an error at its line", "[profile]") {
  kiln::Error e = parse_error("\n# comment\nx = 1\n[a]\n");
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.file == "dir/test.cfg");
  CHECK(e.line == 3);
  CHECK_THAT(e.message, Catch::Contains("section header"));
  CHECK_THAT(e.message, Catch::Contains("x = 1"));
  CHECK_THAT(e.to_string(), Catch::StartsWith("dir/test.cfg:3: "));
}

TEST_CASE("lexer: every bad line is reported, with its line number", "[profile]") {
  kiln::Error e = parse_error(
      "\n"             // 1
      "\n"             // 2
      "[a]\n"          // 3
      "x = 1\n"        // 4
      "bad line\n"     // 5
      "y = 2\n"        // 6
      "  cont\n"       // 7
      "another bad\n"  // 8
      "[foo\n"         // 9: unterminated header
      "[foo bar]\n"    // 10: space in a header name
      "x: 1\n"         // 11: ':' is not a separator
      "x y = 1\n"      // 12
      "=x\n"           // 13
      "[b]x\n");       // 14
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.file == "dir/test.cfg");
  CHECK(e.line == 5);
  std::string all = e.to_string();
  INFO(all);
  for (int line : {5, 8, 9, 10, 11, 12, 13, 14})
    CHECK_THAT(all, Catch::Contains("dir/test.cfg:" + std::to_string(line) + ": "));
  for (int line : {4, 6, 7}) CHECK_THAT(all, !Catch::Contains(":" + std::to_string(line) + ": "));
  CHECK_THAT(all, Catch::Contains("'bad line'"));
  CHECK_THAT(all, Catch::Contains("'[foo'"));
  CHECK_THAT(all, Catch::Contains("'[foo bar]'"));
  // One line of message per bad line.
  CHECK(std::count(all.begin(), all.end(), '\n') == 7);
}

TEST_CASE("lexer: an indented line right after a header is an error", "[profile]") {
  kiln::Error e = parse_error("[a]\n  x = 1\n");
  CHECK(e.code == ErrorCode::k_parse);
  CHECK(e.line == 2);
  CHECK_THAT(e.message, Catch::Contains("x = 1"));
  // ... but a blank one is not.
  CHECK(parse_ok("[a]\n   \nx = 1\n").find("a")->options.size() == 1);
}

TEST_CASE("lexer: a condition error is propagated with file:line", "[profile]") {
  ConditionFn failing = [](std::string_view, int) -> Expected<bool> {
    return kiln::Error(ErrorCode::k_condition, "unknown name 'pyhton3'");
  };
  kiln::Error e = parse_error("[a]\nx = 1\n\n[b:pyhton3]\ny = 1\n", failing);
  CHECK(e.code == ErrorCode::k_condition);
  CHECK(e.file == "dir/test.cfg");
  CHECK(e.line == 4);
  CHECK_THAT(e.message, Catch::Contains("unknown name 'pyhton3'"));
  CHECK_THAT(e.message, Catch::Contains("[b]"));
  // A location set by the callback is kept.
  ConditionFn located = [](std::string_view, int) -> Expected<bool> {
    return kiln::Error(ErrorCode::k_condition, "bad", "elsewhere.cfg", 9);
  };
  kiln::Error k = parse_error("[b:x]\n", located);
  CHECK(k.file == "elsewhere.cfg");
  CHECK(k.line == 9);
}
