#include "wrapper_script.h"

#include <catch2/catch.hpp>

using namespace kiln_wrapper;
using Words = std::vector<std::string>;

TEST_CASE("shell_split follows shlex.split", "[wrapper]") {
  CHECK(shell_split("a b\tc\n d") == Words{"a", "b", "c", "d"});
  CHECK(shell_split("  ").empty());
  CHECK(shell_split("'a b' \"c d\"") == Words{"a b", "c d"});
  CHECK(shell_split("x'y z'w") == Words{"xy zw"});
  CHECK(shell_split(R"(a\ b)") == Words{"a b"});
  CHECK(shell_split(R"("a\"b\\c\d")") == Words{R"(a"b\c\d)"});
  CHECK(shell_split(R"('a\b')") == Words{R"(a\b)"});
  CHECK(shell_split("''") == Words{""});
  CHECK(shell_split("a #b") == Words{"a", "#b"});
  CHECK(shell_split("$HOME ${x}") == Words{"$HOME", "${x}"});
}

TEST_CASE("shell_split refuses unclosed quotes and a trailing backslash", "[wrapper]") {
  CHECK_THROWS_WITH(shell_split("a 'b"), Catch::Contains("no closing quotation"));
  CHECK_THROWS_WITH(shell_split("a \"b"), Catch::Contains("no closing quotation"));
  CHECK_THROWS_WITH(shell_split("a \\"), Catch::Contains("no escaped character"));
}

TEST_CASE("shell_quote makes one word", "[wrapper]") {
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("") == "''");
}

TEST_CASE("parse_environment reads KEY=VALUE lines", "[wrapper]") {
  auto env = parse_environment("\nA=1\n  B = x=y \n\nC=\n");
  REQUIRE(env.size() == 3);
  CHECK(env[0] == std::pair<std::string, std::string>{"A", "1"});
  CHECK(env[1] == std::pair<std::string, std::string>{"B", "x=y"});
  CHECK(env[2] == std::pair<std::string, std::string>{"C", ""});
  CHECK_THROWS_WITH(parse_environment("A=1\nnovalue"), Catch::Contains("'novalue'"));
  CHECK_THROWS_WITH(parse_environment("1A=1"), Catch::Contains("not a variable name"));
  CHECK_THROWS_WITH(parse_environment("A-B=1"), Catch::Contains("not a variable name"));
}

TEST_CASE("render_script exports, waits, checks the pidfile and execs", "[wrapper]") {
  WrapperSpec spec;
  spec.args = {"/bin/echo", "a b", "it's"};
  spec.environment = {{"X", "1 2"}};
  spec.wait_for_files = {"/tmp/f"};
  spec.pidfile = "/run/p.pid";
  std::string s = render_script(spec);
  CHECK(s.rfind("#!/bin/sh\n", 0) == 0);
  CHECK(s.find("export X='1 2'\n") != std::string::npos);
  CHECK(s.find("while ! [ -e '/tmp/f' ]; do sleep 0.1; done\n") != std::string::npos);
  CHECK(s.find("echo $$ > '/run/p.pid'\n") != std::string::npos);
  CHECK(s.find("exec '/bin/echo' 'a b' 'it'\\''s'\n") != std::string::npos);
  spec.pass_extra_args = true;
  CHECK(render_script(spec).find("'it'\\''s' \"$@\"\n") != std::string::npos);
}

TEST_CASE("hashed_path appends a short md5 of the contents", "[wrapper]") {
  CHECK(hashed_path("/srv/etc/service/app", "abc") == "/srv/etc/service/app-90015098");
  CHECK(hashed_path("x", "") == "x-d41d8cd9");
}
