#include "build/installed_state.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/file_text.h"
#include "util/json_text.h"

namespace kiln::build {

namespace {

constexpr int k_format = 1;

}  // namespace

void InstalledState::record(const std::string& name, InstalledPart part) {
  if (!parts.count(name)) order.push_back(name);
  parts[name] = std::move(part);
}

void InstalledState::forget(const std::string& name) {
  parts.erase(name);
  order.erase(std::remove(order.begin(), order.end(), name), order.end());
}

Expected<InstalledState> load_state(const std::string& path) {
  std::optional<std::string> text = util::read_file_text(path);
  if (!text) return InstalledState{};
  InstalledState state;
  try {
    nlohmann::json j = nlohmann::json::parse(*text);
    if (j.value("format", 0) != k_format)
      return Error(ErrorCode::k_parse,
                   "unknown state format (expected " + std::to_string(k_format) + ")", path);
    for (const auto& name : j.at("order")) {
      const nlohmann::json& p = j.at("parts").at(name.get<std::string>());
      InstalledPart part;
      part.recipe = p.at("recipe").get<std::string>();
      part.signature = p.at("signature").get<std::string>();
      part.options = p.at("options").get<std::map<std::string, std::string>>();
      part.paths = p.at("paths").get<std::vector<std::string>>();
      part.deps = p.value("deps", std::vector<std::string>{});
      state.record(name.get<std::string>(), std::move(part));
    }
    if (j.contains("pending"))
      state.pending = j.at("pending").get<std::map<std::string, std::vector<std::string>>>();
  } catch (const std::exception& e) {
    return Error(ErrorCode::k_parse, std::string("corrupt installed state: ") + e.what(), path);
  }
  return state;
}

Status save_state(const std::string& path, const InstalledState& state) {
  nlohmann::json j;
  j["format"] = k_format;
  j["order"] = state.order;
  nlohmann::json parts = nlohmann::json::object();
  for (const auto& [name, p] : state.parts) {
    parts[name] = {{"recipe", p.recipe},
                   {"signature", p.signature},
                   {"options", p.options},
                   {"paths", p.paths},
                   {"deps", p.deps}};
  }
  j["parts"] = std::move(parts);
  j["pending"] = state.pending;
  return util::write_file_atomic(path, util::json_dump(j, 1) + "\n");
}

}  // namespace kiln::build
