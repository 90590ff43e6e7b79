#include "deploy/partition_profile.h"

#include <unistd.h>

#include <string_view>

#include "util/atomic_file.h"
#include "util/json_text.h"

namespace kiln::deploy {

namespace {

std::string text_of(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : util::json_dump(v);
}

void option(std::string& out, const std::string& key, const std::string& value) {
  out += key + " =" + profile_value(value) + "\n";
}

}  // namespace

bool valid_option_name(const std::string& key) {
  // zc.buildout's option_start: a name is one or more characters other than
  // whitespace, { } [ ] = and ':'; a trailing + or - would be an operator; a
  // line starting with # or ; is a comment.
  if (key.empty()) return false;
  for (char c : key)
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::string_view("{}[]=:").find(c) != std::string_view::npos)
      return false;
  return key.front() != '#' && key.front() != ';' && key.back() != '+' && key.back() != '-' &&
         key.front() != '<';
}

std::string profile_value(const std::string& value) {
  std::string v = value;
  if (v.find("${") != std::string::npos) {
    std::string doubled;
    for (char c : v) doubled += c == '$' ? std::string("$$") : std::string(1, c);
    v = doubled;
  }
  if (v.find('\n') == std::string::npos) return v.empty() ? "" : " " + v;
  std::string out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    std::size_t nl = v.find('\n', pos);
    std::string line = v.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    out += "\n    " + line;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

nlohmann::json slap_parameters(const PartitionSpec& s) {
  return {{"computer-id", "kiln"},
          {"partition-id", s.partition_id},
          {"server-url", "kiln:" + s.root},
          {"software-release-url", s.request.software},
          {"instance-title", s.request.name},
          {"root-instance-title", s.request.name},
          {"slap-software-type", s.request.type},
          {"instance-state", instance_state_name(s.request.state)},
          {"ipv4", "127.0.0.1"},
          {"ipv6", "::1"},
          {"ipv4-random", "127.0.0.1"},
          {"ipv6-random", "::1"},
          {"configuration", s.request.parameters}};
}

std::string slap_profile_text(const PartitionSpec& s) {
  std::string out = "# Written by kiln node for instance " + s.request.name + " (partition " +
                    s.partition_id + "). Do not edit.\n[slap-connection]\n";
  option(out, "computer-id", "kiln");
  option(out, "partition-id", s.partition_id);
  option(out, "server-url", "kiln:" + s.root);
  option(out, "software-release-url", s.request.software);
  option(out, "key-file", "");
  option(out, "cert-file", "");
  option(out, "requested-state", instance_state_name(s.request.state));
  option(out, "kiln-parameters-file", s.directory + "/.kiln/parameters.json");
  option(out, "kiln-slap-profile", s.directory + "/.kiln/slap.cfg");
  out += "\n[slap-configuration]\n";
  nlohmann::json p = slap_parameters(s);
  for (const char* k : {"instance-title", "root-instance-title", "slap-software-type",
                        "instance-state", "ipv4", "ipv6", "ipv4-random", "ipv6-random"})
    option(out, k, p[k].get<std::string>());
  option(out, "computer", "kiln");
  option(out, "partition", s.partition_id);
  option(out, "configuration", util::json_dump(s.request.parameters));
  for (const auto& [key, value] : s.request.parameters.items())
    if (valid_option_name("configuration." + key))
      option(out, "configuration." + key, text_of(value));
  // SlapOS's serialised form: all parameters as one JSON string under "_";
  // decoded here for slapconfiguration.serialised.
  auto serialised = s.request.parameters.find("_");
  if (serialised != s.request.parameters.end() && serialised->is_string()) {
    nlohmann::json decoded = nlohmann::json::parse(serialised->get<std::string>(), nullptr, false);
    if (decoded.is_object()) {
      out += "\n[kiln-serialised-configuration]\n";
      option(out, "configuration", util::json_dump(decoded));
      for (const auto& [key, value] : decoded.items())
        if (valid_option_name("configuration." + key))
          option(out, "configuration." + key, text_of(value));
    }
  }
  return out;
}

Expected<std::string> write_partition_profile(const PartitionSpec& s) {
  std::string slap = s.directory + "/.kiln/slap.cfg";
  if (Status st = util::write_file_atomic(s.directory + "/.kiln/parameters.json",
                                          util::json_dump(slap_parameters(s), 1) + "\n");
      !st.ok())
    return st.error();
  if (Status st = util::write_file_atomic(slap, slap_profile_text(s)); !st.ok()) return st.error();
  std::string cfg = s.directory + "/buildout.cfg";
  std::string text = "# Written by kiln node for instance " + s.request.name +
                     ". Do not edit: it is rewritten on every run.\n[buildout]\nextends =\n    " +
                     s.instance_profile + "\n    " + slap + "\n";
  if (Status st = util::write_file_atomic(cfg, text); !st.ok()) return st.error();
  return cfg;
}

Expected<std::string> find_instance_profile(const std::string& release_dir) {
  for (const char* name : {"instance.cfg", "template.cfg"}) {
    std::string p = release_dir + "/" + name;
    if (::access(p.c_str(), R_OK) == 0) return p;
  }
  return Error(ErrorCode::k_not_found,
               "the software release has no instance profile (instance.cfg or template.cfg at "
               "its top, usually rendered by a template part of software.cfg)",
               release_dir);
}

}  // namespace kiln::deploy
