// slapos.cookbook:slapconfiguration (and .serialised): the instance's
// parameters and identity as options of this part, set at init so other
// parts can reference ${part:configuration.port}.
//
// `kiln node` writes them into the partition profile's [slap-configuration]
// (and, for parameters given as one serialised "_" JSON string, their
// decoded form into [kiln-serialised-configuration]); this recipe copies
// them into its own section, which may have any name.
#include <map>
#include <string>

#include "kiln/recipe.hpp"

namespace {

using kiln::sdk::Failure;
using kiln::sdk::Part;

std::map<std::string, std::string> section(Part& part, const std::string& name) {
  std::optional<std::map<std::string, std::string>> s = part.section_options(name);
  if (!s)
    throw Failure("no [" + name +
                  "] section: this recipe works in a partition deployed by `kiln node`");
  return *s;
}

void copy(Part& part, const std::map<std::string, std::string>& from, bool serialised) {
  for (const auto& [k, v] : from) {
    if (k == "recipe") continue;
    if (serialised && k.rfind("configuration.", 0) == 0) continue;  // the decoded ones win
    if (!part.has(k) || part.name() == "slap-configuration") part.set(k, v);
  }
}

class SlapConfiguration : public kiln::sdk::Recipe {
 public:
  explicit SlapConfiguration(bool serialised = false) : m_serialised(serialised) {}
  void init(Part& part) override {
    copy(part, section(part, "slap-configuration"), m_serialised);
    if (m_serialised) {
      std::optional<std::map<std::string, std::string>> decoded =
          part.section_options("kiln-serialised-configuration");
      if (decoded)
        for (const auto& [k, v] : *decoded) part.set(k, v);
    }
  }
  void install(Part&) override {}

 private:
  bool m_serialised;
};

class Serialised : public SlapConfiguration {
 public:
  Serialised() : SlapConfiguration(true) {}
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "slapconfiguration", "1",
    kiln::sdk::entry<SlapConfiguration>("default",
                                        "The instance's parameters as configuration.<key> options"),
    kiln::sdk::entry<Serialised>("serialised",
                                 "The same, for parameters serialised as one JSON string (key _)"));
