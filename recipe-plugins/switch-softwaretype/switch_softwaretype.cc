// slapos.cookbook:switch-softwaretype: picks the profile for the instance's
// software type (option named after the type, value a path or
// `section:option` naming one; `RootSoftwareInstance` and `default` are the
// same) and builds it as a nested build in the same partition, with its own
// state (.installed-switch-softwaretype.cfg).
#include <filesystem>
#include <fstream>
#include <string>

#include "kiln/recipe.hpp"

namespace {

using kiln::sdk::Failure;
using kiln::sdk::Part;

// The kiln running this plugin (plugins are loaded into kiln's process),
// unless KILN_BINARY names another.
std::string kiln_binary() {
  const char* k = std::getenv("KILN_BINARY");
  if (k && *k) return k;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("kiln") : self.string();
}

class Switch : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    std::string type = part.get("software-type", "");
    if (type.empty())
      type = part.section_option("slap-configuration", "slap-software-type").value_or("");
    if (type.empty() || type == "RootSoftwareInstance") type = "default";
    std::optional<std::string> target = part.find(type);
    if (!target && type == "default") target = part.find("RootSoftwareInstance");
    if (!target)
      throw Failure("no profile for software type '" + type + "' (add an option '" + type +
                    " = section:option')");
    std::string path = *target;
    std::size_t colon = path.find(':');
    if (path.find('/') == std::string::npos && colon != std::string::npos) {
      std::optional<std::string> v =
          part.section_option(path.substr(0, colon), path.substr(colon + 1));
      if (!v) throw Failure("option '" + type + "': ${" + path + "} does not exist");
      path = *v;
    }
    part.set("kiln-software-type", type);
    part.set("kiln-profile", path);
    std::string slap = part.section_option("slap-connection", "kiln-slap-profile").value_or("");
    part.set("kiln-slap-profile", slap);
  }
  void install(Part& part) override { nested(part, false); }
  void update(Part& part) override { nested(part, false); }
  void uninstall(Part& part) override { nested(part, true); }

 private:
  static void nested(Part& part, bool uninstall) {
    std::string dir = part.build_directory();
    std::string cfg = dir + "/.kiln/switch-" + part.name() + ".cfg";
    std::string text =
        "# Written by the switch-softwaretype recipe of part " + part.name() + "\n[buildout]\n";
    if (uninstall) {
      text += "parts =\n";
    } else {
      text += "extends =\n    " + part.get("kiln-profile") + "\n";
      std::string slap = part.get("kiln-slap-profile", "");
      if (!slap.empty()) text += "    " + slap + "\n";
    }
    text += "directory = " + dir + "\ninstalled = .installed-switch-softwaretype.cfg\n";
    {
      std::ofstream out(cfg, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) throw Failure("cannot write " + cfg);
    }
    part.info(std::string(uninstall ? "uninstalling" : "building") +
              " the profile of software type " + part.get("kiln-software-type", "?"));
    part.run_checked("the nested build", {kiln_binary(), "install", "-c", cfg});
  }
};

}  // namespace

KILN_RECIPE_PLUGIN("switch-softwaretype", "1",
                   kiln::sdk::entry<Switch>("default",
                                            "Build the profile of the instance's software type"));
