#include "recipe/plugin_registry.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "util/scratch_dir.h"

using kiln::ErrorCode;
using kiln::recipe::check_descriptor;
using kiln::recipe::PluginRegistry;

TEST_CASE("descriptors built for another ABI or with smaller structs are refused", "[recipe]") {
  KilnRecipeEntry entry{"default", "",      nullptr,
                        0,         nullptr, [](const KilnHost*, KilnPart*) { return KILN_OK; },
                        nullptr,   nullptr};
  KilnRecipePlugin d{KILN_RECIPE_ABI_VERSION,
                     sizeof(KilnRecipePlugin),
                     sizeof(KilnRecipeEntry),
                     sizeof(KilnOptionSpec),
                     "p",
                     "1",
                     &entry,
                     1};
  CHECK(check_descriptor(&d).empty());
  CHECK(check_descriptor(nullptr).find("NULL") != std::string::npos);
  KilnRecipePlugin v = d;
  v.abi_version = KILN_RECIPE_ABI_VERSION + 1;
  CHECK(check_descriptor(&v).find("ABI version " + std::to_string(KILN_RECIPE_ABI_VERSION + 1)) !=
        std::string::npos);
  KilnRecipePlugin small = d;
  small.entry_size = 8;
  CHECK(check_descriptor(&small).find("smaller") != std::string::npos);
  KilnRecipeEntry no_install = entry;
  no_install.install = nullptr;
  KilnRecipePlugin bad_entry = d;
  bad_entry.entries = &no_install;
  CHECK(check_descriptor(&bad_entry).find("no name or install") != std::string::npos);
}

TEST_CASE("a plugin that is not on the search path is named with the directories searched",
          "[recipe]") {
  kiln::util::ScratchDir dir;
  PluginRegistry reg({dir.path().string()});
  auto p = reg.load("nosuch");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == ErrorCode::k_not_found);
  CHECK(p.error().message.find("kiln-recipe-nosuch.so") != std::string::npos);
  CHECK(p.error().message.find(dir.path().string()) != std::string::npos);
  CHECK_FALSE(reg.load("../etc/x").ok());
}

TEST_CASE("a file that is not a loadable library is refused, naming it", "[recipe]") {
  kiln::util::ScratchDir dir;
  std::filesystem::path f = dir.path() / "kiln-recipe-junk.so";
  {
    std::FILE* out = std::fopen(f.c_str(), "w");
    std::fputs("not an ELF file", out);
    std::fclose(out);
  }
  PluginRegistry reg({dir.path().string()});
  auto p = reg.load("junk");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == ErrorCode::k_invalid);
  CHECK(p.error().message.find(f.string()) != std::string::npos);
  CHECK(reg.load_all().size() == 1);
}
