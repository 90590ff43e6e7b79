#include "recipe/recipe_name.h"

#include "util/pystr.h"

namespace kiln::recipe {

const std::vector<RecipeAlias>& recipe_aliases() {
  static const std::vector<RecipeAlias> k_aliases = {
      {"slapos.recipe.cmmi", "cmmi", "default"},
      {"slapos.recipe.build:download", "download", "default"},
      {"slapos.recipe.build:download-unpacked", "download-unpacked", "default"},
      {"slapos.recipe.build:gitclone", "gitclone", "default"},
      {"slapos.recipe.template", "template", "default"},
      {"slapos.recipe.template:jinja2", "template", "jinja2"},
      {"plone.recipe.command", "command", "default"},
      {"slapos.cookbook:wrapper", "wrapper", "default"},
      {"slapos.cookbook:mkdirectory", "mkdirectory", "default"},
      {"hexagonit.recipe.download", "download-unpacked", "hexagonit"},
      {"slapos.cookbook:slapconfiguration", "slapconfiguration", "default"},
      {"slapos.cookbook:slapconfiguration.serialised", "slapconfiguration", "serialised"},
      {"slapos.cookbook:publish", "publish", "default"},
      {"slapos.cookbook:publish.serialised", "publish", "serialised"},
      {"slapos.cookbook:switch-softwaretype", "switch-softwaretype", "default"},
  };
  return k_aliases;
}

namespace {

// Recipes that run Python code and cannot have a native equivalent.
const char* python_only(std::string_view plugin, std::string_view entry) {
  if (plugin == "zc.recipe.egg" || plugin.substr(0, 14) == "zc.recipe.egg:")
    return "installs Python eggs";
  if (plugin == "slapos.recipe.build" && (entry.empty() || entry == "default"))
    return "runs inline Python (init/install options)";
  if (plugin == "slapos.recipe.build" && entry.substr(0, 3) == "vm.")
    return "builds virtual machines with Python code";
  return nullptr;
}

}  // namespace

Expected<RecipeName> parse_recipe_name(std::string_view text) {
  std::string written(util::py_strip(text));
  if (written.empty()) return Error(ErrorCode::k_invalid, "empty recipe name");
  for (const RecipeAlias& a : recipe_aliases()) {
    if (written == a.written) return RecipeName{written, a.plugin, a.entry};
  }
  std::string plugin = written, entry = "default";
  if (std::size_t colon = written.find(':'); colon != std::string::npos) {
    plugin = written.substr(0, colon);
    entry = written.substr(colon + 1);
  }
  if (const char* why = python_only(plugin, written.find(':') == std::string::npos ? "" : entry)) {
    return Error(ErrorCode::k_invalid,
                 "recipe '" + written + "' is not supported by Kiln: it " + why);
  }
  if (plugin.empty() || entry.empty() || entry.find(':') != std::string::npos) {
    return Error(ErrorCode::k_invalid,
                 "bad recipe name '" + written + "': expected NAME or NAME:ENTRY");
  }
  return RecipeName{written, plugin, entry};
}

}  // namespace kiln::recipe
