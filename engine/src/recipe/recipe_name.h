// Recipe names as profiles write them (`name` or `name:entry`), and the map
// from the SlapOS/buildout names in wide use to Kiln's plugins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"

namespace kiln::recipe {

struct RecipeName {
  std::string written;  // as in the profile, trimmed
  std::string plugin;   // Kiln plugin name
  std::string entry;    // "default" when none
};

// Parses and maps `text`. Python-only recipes Kiln cannot run
// (zc.recipe.egg, inline-Python slapos.recipe.build, ...) are k_invalid
// errors saying so by name; an empty name is k_invalid too.
Expected<RecipeName> parse_recipe_name(std::string_view text);

struct RecipeAlias {
  const char* written;  // e.g. "slapos.recipe.cmmi"
  const char* plugin;
  const char* entry;
};
// The table of well-known names (for `kiln recipes`).
const std::vector<RecipeAlias>& recipe_aliases();

}  // namespace kiln::recipe
