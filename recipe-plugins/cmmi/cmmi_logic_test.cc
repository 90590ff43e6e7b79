#include "cmmi_logic.h"

#include <catch2/catch.hpp>

#include "kiln/recipe.hpp"

using namespace kiln_cmmi;

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "location") return std::string("/opt/x");
  if (name == "empty") return std::string();
  return std::nullopt;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("interpolate replaces %(name)s and %%", "[cmmi]") {
  CHECK(interpolate("%(location)s/bin", lookup, "x") == "/opt/x/bin");
  CHECK(interpolate("a%(empty)sb", lookup, "x") == "ab");
  CHECK(interpolate("100%% done", lookup, "x") == "100% done");
  CHECK(interpolate("%(location)s:%(location)s", lookup, "x") == "/opt/x:/opt/x");
  CHECK(interpolate("no markers", lookup, "x") == "no markers");
  CHECK(interpolate("", lookup, "x").empty());
}

TEST_CASE("interpolate keeps a lone % and a trailing %", "[cmmi]") {
  CHECK(interpolate("date +%Y", lookup, "x") == "date +%Y");
  CHECK(interpolate("50%", lookup, "x") == "50%");
}

TEST_CASE("interpolate rejects unknown names and bad forms, naming the option", "[cmmi]") {
  try {
    interpolate("cd %(nope)s", lookup, "option 'pre-build'");
    FAIL("no exception");
  } catch (const kiln::sdk::Failure& f) {
    CHECK(contains(f.what(), "option 'pre-build'"));
    CHECK(contains(f.what(), "nope"));
  }
  CHECK_THROWS_AS(interpolate("%(location", lookup, "x"), kiln::sdk::Failure);
  CHECK_THROWS_AS(interpolate("%(location)d", lookup, "x"), kiln::sdk::Failure);
  CHECK_THROWS_AS(interpolate("%(location)", lookup, "x"), kiln::sdk::Failure);
}

TEST_CASE("parse_environment reads KEY=VALUE lines", "[cmmi]") {
  auto env =
      parse_environment("\n  PATH=/a/bin:%(PATH)s\nCFLAGS = -O2 -g \n\nX==y\n", "environment");
  REQUIRE(env.size() == 3);
  CHECK(env[0] == std::make_pair(std::string("PATH"), std::string("/a/bin:%(PATH)s")));
  CHECK(env[1] == std::make_pair(std::string("CFLAGS"), std::string("-O2 -g")));
  CHECK(env[2] == std::make_pair(std::string("X"), std::string("=y")));
  CHECK(parse_environment("", "environment").empty());
  CHECK(parse_environment("EMPTY=", "environment")[0].second.empty());
}

TEST_CASE("parse_environment refuses a line without = or with an empty key", "[cmmi]") {
  try {
    parse_environment("FOO", "environment");
    FAIL("no exception");
  } catch (const kiln::sdk::Failure& f) {
    CHECK(contains(f.what(), "option 'environment'"));
    CHECK(contains(f.what(), "FOO"));
  }
  CHECK_THROWS_AS(parse_environment(" =x", "environment"), kiln::sdk::Failure);
}

TEST_CASE("configure_command adds --prefix only when absent", "[cmmi]") {
  CHECK(configure_command("", "", "/opt/p") == "./configure --prefix=/opt/p");
  CHECK(configure_command("", "--enable-x\n  --with-y=1", "/opt/p") ==
        "./configure --prefix=/opt/p --enable-x --with-y=1");
  CHECK(configure_command("", "--prefix=/else --x", "/opt/p") == "./configure --prefix=/else --x");
  CHECK(configure_command("", "", "/opt/a b") == "./configure --prefix='/opt/a b'");
}

TEST_CASE("configure_command uses configure-command as given", "[cmmi]") {
  CHECK(configure_command("  cmake .  ", "-DX=1", "/opt/p") == "cmake . -DX=1");
  CHECK(configure_command("true", "", "/opt/p") == "true");
}

TEST_CASE("options_hash ignores computed and internal options", "[cmmi]") {
  std::map<std::string, std::string> a = {{"recipe", "cmmi"}, {"url", "file:///x.tar.gz"}};
  std::map<std::string, std::string> b = a;
  b["location"] = "/somewhere";
  b["prefix"] = "/else";
  b["compile-directory"] = "/c";
  b["_profile_base_location_"] = "/release/2";
  CHECK(options_hash(a) == options_hash(b));
  CHECK(options_hash(a).size() == 32);
  b["make-options"] = "-j2";
  CHECK(options_hash(a) != options_hash(b));
  // Name/value boundaries are unambiguous.
  CHECK(options_hash({{"a", "b=c"}}) != options_hash({{"a=b", "c"}}));
}

TEST_CASE("shell_quote", "[cmmi]") {
  CHECK(shell_quote("/opt/x-1.2") == "/opt/x-1.2");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$HOME") == "'$HOME'");
}

TEST_CASE("environment_script exports sorted variables then cds", "[cmmi]") {
  std::string s = environment_script({{"B", "2 3"}, {"A", "1"}, {"BASH_FUNC_f%%", "() {"}}, "/w d");
  CHECK(contains(s, "export A=1\nexport B='2 3'\ncd '/w d'\n"));
  CHECK_FALSE(contains(s, "BASH_FUNC"));
}

TEST_CASE("split_md5_fragment", "[cmmi]") {
  CHECK(split_md5_fragment("/p/x.patch#abc") ==
        std::make_pair(std::string("/p/x.patch"), std::string("abc")));
  CHECK(split_md5_fragment("http://h/x.patch") ==
        std::make_pair(std::string("http://h/x.patch"), std::string()));
}

TEST_CASE("split_words", "[cmmi]") {
  CHECK(split_words("  a\tb\n c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_words(" \n ").empty());
}

TEST_CASE("has_url_scheme tells URLs from paths", "[cmmi]") {
  CHECK(kiln_cmmi::has_url_scheme("http://host/x.patch"));
  CHECK(kiln_cmmi::has_url_scheme("file:///tmp/x.patch"));
  CHECK(kiln_cmmi::has_url_scheme("git+https://h/r"));
  CHECK_FALSE(kiln_cmmi::has_url_scheme("x.patch"));
  CHECK_FALSE(kiln_cmmi::has_url_scheme("dir/a://b"));
  CHECK_FALSE(kiln_cmmi::has_url_scheme("://x"));
  CHECK_FALSE(kiln_cmmi::has_url_scheme("/abs/x.patch"));
}
