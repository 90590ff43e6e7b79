// kiln request / node / show: instances through the library API.
#include <iostream>
#include <memory>

#include "commands.h"
#include "kiln/deploy.h"
#include "util/file_text.h"
#include "util/json_text.h"

namespace kiln::cli {

namespace {

struct RequestArgs {
  std::string name, software, type = "default", parameters_file, state = "started";
  std::vector<std::string> params;
};

// The parameters: the JSON file's object, then each --param key=value.
Expected<nlohmann::json> parameters_of(const RequestArgs& a) {
  nlohmann::json p = nlohmann::json::object();
  if (!a.parameters_file.empty()) {
    std::optional<std::string> text = util::read_file_text(a.parameters_file);
    if (!text)
      return Error(ErrorCode::k_not_found, "cannot read the parameters file", a.parameters_file);
    try {
      p = nlohmann::json::parse(*text);
    } catch (const nlohmann::json::parse_error& e) {
      return Error(ErrorCode::k_parse, std::string("not JSON: ") + e.what(), a.parameters_file);
    }
    if (!p.is_object())
      return Error(ErrorCode::k_invalid,
                   "expected a JSON object of parameters, got " + std::string(p.type_name()),
                   a.parameters_file);
  }
  for (const std::string& kv : a.params) {
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error(ErrorCode::k_invalid, "expected --param KEY=VALUE, got '" + kv + "'");
    p[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return p;
}

}  // namespace

Command add_request_command(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<RequestArgs>();
  CLI::App* cmd = app.add_subcommand("request", "Ask for an instance of a software release");
  cmd->add_option("name", a->name, "Instance name")->required();
  cmd->add_option("software", a->software,
                  "The release's software.cfg (path or URL); not needed with --state destroyed");
  cmd->add_option("--type", a->type, "Software type (default: default)");
  cmd->add_option("--param", a->params, "An instance parameter KEY=VALUE (repeatable)");
  cmd->add_option("--parameters", a->parameters_file, "A JSON file with the parameters object");
  cmd->add_option("--state", a->state, "started (default), stopped or destroyed");
  return [&global, a]() {
    std::string root;
    if (!resolve_root_and_jobs(global, &root, nullptr)) return 2;
    // An empty path or a directory is a bad argument; a release that does not
    // exist is refused by request_instance. Destroying needs no release.
    bool destroying = a->state == "destroyed" && a->software.empty();
    if (a->software.empty() && a->state != "destroyed") {
      print_error(
          Error(ErrorCode::k_invalid,
                "kiln request needs SOFTWARE (empty or missing), the release's software.cfg; "
                "only --state destroyed goes without it"));
      return k_exit_usage;
    }
    if (Status s = check_profile_path(a->software);
        !destroying && !s.ok() && s.error().code != ErrorCode::k_not_found) {
      print_error(s.error());
      return k_exit_usage;
    }
    InstanceRequest r;
    r.name = a->name;
    r.software = a->software;
    r.type = a->type;
    Expected<InstanceState> st = parse_instance_state(a->state);
    Expected<nlohmann::json> p = parameters_of(*a);
    if (!st.ok() || !p.ok()) {
      print_error(!st.ok() ? st.error() : p.error());
      return 2;
    }
    r.state = *st;
    r.parameters = *p;
    if (Status s = request_instance(root, r); !s.ok()) {
      // Bad input (name, release, parameters, nothing to destroy) is a usage
      // error; the state not being readable or writable is a failure.
      print_error(s.error());
      ErrorCode code = s.error().code;
      return code == ErrorCode::k_invalid || code == ErrorCode::k_not_found ? k_exit_usage : 1;
    }
    std::cout << "Requested " << r.name << " (" << a->state << "); run `kiln node` to deploy\n";
    return 0;
  };
}

Command add_node_command(CLI::App& app, const GlobalOptions& global) {
  auto force = std::make_shared<bool>(false);
  auto action = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "node", "Deploy what was requested: build releases, run instances, check promises");
  cmd->add_option("action", *action, "`promise`: only run the promises")
      ->check(CLI::IsMember({"promise"}));
  cmd->add_flag("--force", *force, "Process every partition, even unchanged ones");
  return [&global, force, action]() {
    NodeOptions o;
    std::string root;
    if (!make_profile_options(global, &o.build.profile)) return 2;
    if (!resolve_root_and_jobs(global, &root, &o.build.jobs)) return 2;
    o.force = *force;
    Expected<NodeReport> r = *action == "promise" ? run_node_promises(root) : run_node(root, o);
    if (!r.ok()) {
      print_error(r.error());
      return 1;
    }
    if (*action == "promise")
      std::cout << "Promises: " << r->processed << " instance(s) checked, " << r->promise_failed
                << " failing\n";
    else
      std::cout << "Node: " << r->processed << " processed, " << r->skipped << " unchanged, "
                << r->failed << " failed, " << r->promise_failed << " failing\n";
    // 0 all good, 1 a deploy failed, 3 deployed but a promise failed.
    if (r->failed > 0) return 1;
    return r->promise_failed > 0 ? 3 : 0;
  };
}

Command add_show_command(CLI::App& app, const GlobalOptions& global) {
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("show",
                                     "Show an instance: state, services, promises, "
                                     "connection parameters (all instances without NAME)");
  cmd->add_option("name", *name, "Instance name");
  cmd->add_flag("--json", *json, "JSON output");
  return [&global, name, json]() {
    std::string root;
    if (!resolve_root_and_jobs(global, &root, nullptr)) return 2;
    std::vector<std::string> names{*name};
    if (name->empty()) {
      Expected<std::vector<std::string>> all = list_instances(root);
      if (!all.ok()) {
        print_error(all.error());
        return 1;
      }
      names = *all;
      if (names.empty() && !*json) std::cout << "No instance requested in " << root << "\n";
    }
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& n : names) {
      Expected<InstanceInfo> info = show_instance(root, n);
      if (!info.ok()) {
        print_error(info.error());
        return 1;
      }
      nlohmann::json j = to_json(*info);
      if (*json) {
        all.push_back(j);
        continue;
      }
      std::cout << j["name"].get<std::string>() << ": " << j["state"].get<std::string>() << ", "
                << j["status"].get<std::string>() << " (partition "
                << (info->partition.empty() ? "-" : info->partition) << ")\n";
      if (!info->error.empty()) std::cout << "  error: " << info->error << "\n";
      std::cout << "  software: " << info->request.software << " [" << info->request.type << "]\n";
      for (const auto& s : info->services) {
        int pid = s["pid"].get<int>();
        std::string last = s["last_exit"].get<std::string>(), why = s["reason"].get<std::string>();
        std::cout << "  service " << s["name"].get<std::string>() << ": "
                  << s["state"].get<std::string>() << " pid "
                  << (pid > 0 ? std::to_string(pid) : "-") << (last.empty() ? "" : ", last " + last)
                  << (why.empty() ? "" : " (" + why + ")") << "\n";
      }
      for (const PromiseResult& p : info->promises)
        std::cout << "  promise " << p.name << ": " << (p.ok ? "ok" : "FAILED")
                  << (p.ok ? "" : "\n    " + p.output) << "\n";
      for (const auto& [k, v] : info->connection.items())
        std::cout << "  " << k << " = "
                  << (v.is_string() ? v.get<std::string>() : util::json_dump(v)) << "\n";
    }
    if (*json)
      std::cout << (name->empty() ? util::json_dump(all, 1) : util::json_dump(all[0], 1)) << "\n";
    return 0;
  };
}

}  // namespace kiln::cli
