// A recipe plugin built for another ABI version (99): the loader must refuse
// it with a message naming the file and both versions.
#include "kiln/recipe_abi.h"

namespace {

int install(const KilnHost*, KilnPart*) {
  return KILN_OK;
}

const KilnRecipeEntry k_entries[] = {
    {"default", "never called", nullptr, 0, nullptr, install, nullptr, nullptr}};

const KilnRecipePlugin k_plugin = {99,
                                   sizeof(KilnRecipePlugin),
                                   sizeof(KilnRecipeEntry),
                                   sizeof(KilnOptionSpec),
                                   "badabi",
                                   "1",
                                   k_entries,
                                   1};

}  // namespace

extern "C" KILN_RECIPE_EXPORT const KilnRecipePlugin* kiln_recipe_plugin(void) {
  return &k_plugin;
}
