// slapos.cookbook:publish (and .serialised): publishes options of this part
// as the instance's connection parameters. Every option but `recipe` and the
// ones starting with `-` or `_` (or, with `-publish`, only the ones it
// lists). Written to <partition>/.kiln/published/<part>.json, which
// `kiln node` collects (kiln show).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "kiln/recipe.hpp"
#include "kiln_common/json.h"

namespace {

using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_common::json_string;

std::string json_object(const std::map<std::string, std::string>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m)
    out += (out.size() > 1 ? ", " : "") + json_string(k) + ": " + json_string(v);
  return out + "}";
}

std::map<std::string, std::string> published(const Part& part) {
  std::map<std::string, std::string> all = part.options(), out;
  std::set<std::string> only;
  if (auto list = part.find("-publish")) {
    std::istringstream in(*list);
    for (std::string k; in >> k;) only.insert(k);
  }
  for (const auto& [k, v] : all) {
    if (k == "recipe" || k.empty() || k[0] == '-' || k[0] == '_') continue;
    if (!only.empty() && !only.count(k)) continue;
    out[k] = v;
  }
  return out;
}

class Publish : public kiln::sdk::Recipe {
 public:
  explicit Publish(bool serialised = false) : m_serialised(serialised) {}
  void init(Part& part) override { part.add_path(file(part)); }
  void install(Part& part) override {
    std::map<std::string, std::string> values = published(part);
    std::string text =
        m_serialised ? json_object({{"_", json_object(values)}}) : json_object(values);
    std::string path = file(part), tmp = path + ".tmp";
    std::error_code ec;
    std::filesystem::create_directories(part.build_directory() + "/.kiln/published", ec);
    if (ec)
      throw Failure("cannot create " + part.build_directory() +
                    "/.kiln/published: " + ec.message());
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text << "\n";
      if (!out) throw Failure("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Failure("cannot write " + path);
    part.info("published " + std::to_string(values.size()) + " connection parameter(s)");
  }
  void update(Part& part) override { install(part); }

 private:
  static std::string file(const Part& part) {
    return part.build_directory() + "/.kiln/published/" + part.name() + ".json";
  }
  bool m_serialised;
};

class Serialised : public Publish {
 public:
  Serialised() : Publish(true) {}
};

}  // namespace

KILN_RECIPE_PLUGIN("publish", "1",
                   kiln::sdk::entry<Publish>("default", "Publish options as connection parameters"),
                   kiln::sdk::entry<Serialised>(
                       "serialised", "Publish them serialised as one JSON string (key _)"));
