#include "recipe/recipe_name.h"

#include <catch2/catch.hpp>

using kiln::recipe::parse_recipe_name;

TEST_CASE("recipe names: plugin[:entry] and the SlapOS aliases", "[recipe]") {
  auto n = parse_recipe_name("  foo  ");
  REQUIRE(n.ok());
  CHECK(n->plugin == "foo");
  CHECK(n->entry == "default");
  n = parse_recipe_name("foo:bar");
  REQUIRE(n.ok());
  CHECK(n->entry == "bar");
  n = parse_recipe_name("slapos.recipe.template:jinja2");
  REQUIRE(n.ok());
  CHECK(n->plugin == "template");
  CHECK(n->entry == "jinja2");
  CHECK(n->written == "slapos.recipe.template:jinja2");
  n = parse_recipe_name("hexagonit.recipe.download");
  REQUIRE(n.ok());
  CHECK(n->plugin == "download-unpacked");
  CHECK(n->entry == "hexagonit");
  CHECK(parse_recipe_name("slapos.recipe.cmmi")->plugin == "cmmi");
  CHECK(parse_recipe_name("plone.recipe.command")->plugin == "command");
}

TEST_CASE("recipe names Kiln refuses, saying why", "[recipe]") {
  for (const char* bad : {"", "   ", ":x", "foo:", "a:b:c"}) {
    INFO(bad);
    CHECK_FALSE(parse_recipe_name(bad).ok());
  }
  auto egg = parse_recipe_name("zc.recipe.egg:scripts");
  REQUIRE_FALSE(egg.ok());
  CHECK(egg.error().message.find("not supported by Kiln") != std::string::npos);
  CHECK(egg.error().message.find("Python eggs") != std::string::npos);
  auto inline_py = parse_recipe_name("slapos.recipe.build");
  REQUIRE_FALSE(inline_py.ok());
  CHECK(inline_py.error().message.find("inline Python") != std::string::npos);
  CHECK(parse_recipe_name("slapos.recipe.build:download").ok());
}
