#include "supervisor/service_set.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace kiln::supervisor {

namespace {

constexpr int k_format = 1;

Error parse_error(const std::string& origin, const std::string& what) {
  return Error(ErrorCode::k_parse, what, origin);
}

std::string string_field(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

std::string service_set_json(const std::vector<ServiceSpec>& services) {
  nlohmann::json list = nlohmann::json::array();
  for (const ServiceSpec& s : services) {
    list.push_back({{"name", s.name},
                    {"partition", s.partition},
                    {"path", s.path},
                    {"kind", s.kind},
                    {"hash", s.hash},
                    {"cwd", s.cwd}});
  }
  nlohmann::json doc = {{"format", k_format}, {"services", list}};
  return doc.dump(2) + "\n";
}

Expected<std::vector<ServiceSpec>> parse_service_set(std::string_view text,
                                                     const std::string& origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return parse_error(origin, std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) return parse_error(origin, "not a JSON object");
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_number_integer() || format->get<int>() != k_format) {
    return parse_error(origin, "unsupported format (expected \"format\": 1)");
  }
  auto list = doc.find("services");
  if (list == doc.end() || !list->is_array()) return parse_error(origin, "no \"services\" array");
  std::vector<ServiceSpec> out;
  for (const nlohmann::json& entry : *list) {
    if (!entry.is_object()) return parse_error(origin, "a service is not a JSON object");
    ServiceSpec s;
    s.name = string_field(entry, "name");
    s.partition = string_field(entry, "partition");
    s.path = string_field(entry, "path");
    s.kind = string_field(entry, "kind");
    if (s.kind.empty()) s.kind = "service";
    s.hash = string_field(entry, "hash");
    s.cwd = string_field(entry, "cwd");
    out.push_back(std::move(s));
  }
  Status valid = validate_service_set(out);
  if (!valid.ok()) return Error(valid.error().code, valid.error().message, origin);
  return out;
}

Status validate_service_set(const std::vector<ServiceSpec>& services) {
  std::set<std::string> names;
  for (const ServiceSpec& s : services) {
    if (s.name.empty()) return Error(ErrorCode::k_invalid, "a service has no name");
    if (!names.insert(s.name).second) {
      return Error(ErrorCode::k_invalid, "duplicate service name '" + s.name + "'");
    }
    if (s.path.empty() || s.path[0] != '/') {
      return Error(ErrorCode::k_invalid,
                   "service '" + s.name + "': path must be absolute, got '" + s.path + "'");
    }
    if (s.kind != "service" && s.kind != "run") {
      return Error(ErrorCode::k_invalid,
                   "service '" + s.name + "': kind must be service or run, got '" + s.kind + "'");
    }
  }
  return {};
}

ServiceSetDiff diff_service_sets(const std::vector<ServiceSpec>& current,
                                 const std::vector<ServiceSpec>& desired) {
  std::map<std::string, const ServiceSpec*> now;
  for (const ServiceSpec& s : current) now[s.name] = &s;
  ServiceSetDiff diff;
  std::set<std::string> wanted;
  for (const ServiceSpec& s : desired) {
    wanted.insert(s.name);
    auto it = now.find(s.name);
    if (it == now.end()) {
      diff.added.push_back(s);
    } else if (it->second->path != s.path || it->second->hash != s.hash ||
               it->second->kind != s.kind || it->second->cwd != s.cwd) {
      diff.changed.push_back(s);
    }
  }
  for (const ServiceSpec& s : current) {
    if (!wanted.count(s.name)) diff.removed.push_back(s.name);
  }
  return diff;
}

std::string log_file_name(std::string_view service_name) {
  std::string out(service_name);
  for (char& c : out) {
    if (c == ':' || c == '/') c = '-';
  }
  return out;
}

}  // namespace kiln::supervisor
