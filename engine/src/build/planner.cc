#include "build/planner.h"

#include <filesystem>
#include <map>

namespace kiln::build {

namespace {

// Why an installed part must be rebuilt, or "" if it can be updated.
std::string change_reason(const Part& p, const InstalledPart& rec,
                          const std::map<std::string, std::string>& new_sigs) {
  if (rec.signature != p.signature) {
    std::string keys;
    for (const auto& [k, v] : p.options) {
      auto it = rec.options.find(k);
      if (it == rec.options.end() || it->second != v) keys += (keys.empty() ? "" : ", ") + k;
    }
    for (const auto& [k, v] : rec.options)
      if (!p.options.count(k)) keys += (keys.empty() ? "" : ", ") + k;
    if (!keys.empty()) return "options changed (" + keys + ")";
    for (const std::string& d : p.deps) {
      auto it = new_sigs.find(d);
      if (it != new_sigs.end()) return "part " + d + " it depends on changed";
    }
    return "recipe or dependencies changed";
  }
  for (const std::string& path : rec.paths) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
      return "path " + path + " is missing";
  }
  return "";
}

}  // namespace

std::vector<PlanStep> make_plan(const Discovered& found, const InstalledState& state,
                                bool partial) {
  std::map<std::string, const Part*> wanted;
  for (const Part& p : found.parts) wanted[p.name] = &p;
  std::map<std::string, std::string> reasons;  // part -> why it is rebuilt
  std::map<std::string, std::string> changed_sigs;
  for (const Part& p : found.parts) {
    auto it = state.parts.find(p.name);
    if (it == state.parts.end()) continue;
    std::string why = change_reason(p, it->second, changed_sigs);
    if (!why.empty()) {
      reasons[p.name] = why;
      changed_sigs[p.name] = p.signature;
    }
  }
  std::vector<PlanStep> out;
  for (auto it = state.order.rbegin(); it != state.order.rend(); ++it) {
    auto w = wanted.find(*it);
    if (w == wanted.end()) {
      if (!partial) out.push_back({PlanStep::k_uninstall, *it, "no longer a part"});
    } else if (reasons.count(*it)) {
      out.push_back({PlanStep::k_uninstall, *it, reasons[*it]});
    }
  }
  for (const Part& p : found.parts) {
    bool installed = state.parts.count(p.name) && !reasons.count(p.name);
    if (installed)
      out.push_back({PlanStep::k_update, p.name, "unchanged"});
    else
      out.push_back({PlanStep::k_install, p.name,
                     reasons.count(p.name) ? reasons[p.name] : std::string("new part")});
  }
  return out;
}

std::string plan_text(const PlanStep& step, bool with_part) {
  const char* verb = step.kind == PlanStep::k_install  ? "install"
                     : step.kind == PlanStep::k_update ? "update"
                                                       : "uninstall";
  return std::string(verb) + (with_part ? " " + step.part : std::string()) + " (" + step.reason +
         ")";
}

}  // namespace kiln::build
