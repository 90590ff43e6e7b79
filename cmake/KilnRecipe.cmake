# kiln_add_recipe(<name> SOURCES <file>...)
#
# Builds a Kiln recipe plugin: a MODULE library named kiln-recipe-<name>.so,
# compiled against the recipe SDK (kiln/recipe_abi.h, kiln/recipe.hpp) with
# hidden visibility, so that the only exported symbol is kiln_recipe_plugin.
# Kiln finds it through KILN_RECIPE_PATH, its build tree or its install
# prefix (lib/kiln/recipes). Used in-tree (recipe-plugins/) and, after
# `find_package(Kiln)`, out of tree.
function(kiln_add_recipe name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "kiln_add_recipe(${name}): SOURCES is required")
  endif()
  set(target kiln-recipe-${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE Kiln::recipe_sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME kiln-recipe-${name}
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(KILN_RECIPE_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${KILN_RECIPE_OUTPUT_DIRECTORY})
  endif()
  if(KILN_RECIPE_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION ${KILN_RECIPE_INSTALL_DIR})
  endif()
endfunction()
