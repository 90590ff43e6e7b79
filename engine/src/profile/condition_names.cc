#include "profile/condition_names.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "profile/py_expr_builtins.h"
#include "util/pystr.h"

namespace kiln::profile {

namespace {

using py::Args;
using py::ValuePtr;

constexpr std::string_view k_text_keys[] = {"python",  "implementation", "sys_platform",
                                            "os_name", "machine",        "system",
                                            "release", "bits",           "byteorder"};

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

Error bad_define(const std::string& key, const std::string& value, const std::string& expected) {
  return py::condition_error("invalid --define " + key + "=" + value + ": expected " + expected);
}

// "X.Y" or "X.Y.Z" with small numbers.
Status set_python(Platform& p, const std::string& value) {
  std::vector<std::string_view> parts = util::split_char(value, '.');
  std::vector<int> nums;
  for (std::string_view part : parts) {
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != part.npos)
      return bad_define("python", value, "a version MAJOR.MINOR or MAJOR.MINOR.MICRO, e.g. 2.7");
    nums.push_back(std::stoi(std::string(part)));
  }
  if (nums.size() < 2 || nums.size() > 3)
    return bad_define("python", value, "a version MAJOR.MINOR or MAJOR.MINOR.MICRO, e.g. 2.7");
  p.python_major = nums[0];
  p.python_minor = nums[1];
  p.python_micro = nums.size() == 3 ? nums[2] : 0;
  return {};
}

Status set_text(Platform& p, const std::string& key, const std::string& value) {
  if (key == "python") return set_python(p, value);
  if (key == "implementation") {
    if (value != "cpython" && value != "pypy" && value != "jython" && value != "ironpython")
      return bad_define(key, value, "cpython, pypy, jython or ironpython");
    p.implementation = value;
  } else if (key == "bits") {
    if (value != "32" && value != "64") return bad_define(key, value, "32 or 64");
    p.pointer_bits = value == "32" ? 32 : 64;
  } else if (key == "byteorder") {
    if (value != "little" && value != "big") return bad_define(key, value, "little or big");
    p.little_endian = value == "little";
  } else if (key == "sys_platform") {
    p.sys_platform = value;
  } else if (key == "os_name") {
    p.os_name = value;
  } else if (key == "machine") {
    p.machine = value;
  } else if (key == "system") {
    p.system = value;
  } else {
    p.release = value;
  }
  return {};
}

Expected<bool> parse_flag(const std::string& key, const std::string& value) {
  std::string v = lower(value);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return bad_define(key, value, "true, false, 1, 0, yes or no");
}

// The boolean names of buildout's _default_globals, from `p`. Kiln defines
// python24..python27 and python30..python315 (buildout 2.13 stops at python36).
std::map<std::string, bool> derive_flags(const Platform& p) {
  std::map<std::string, bool> f;
  f["python2"] = p.python_major == 2;
  f["python3"] = p.python_major == 3;
  std::string mine = std::to_string(p.python_major) + std::to_string(p.python_minor);
  auto version = [&](int major, int minor) {
    std::string v = std::to_string(major) + std::to_string(minor);
    f["python" + v] = v == mine;
  };
  for (int minor = 4; minor <= 7; ++minor) version(2, minor);
  for (int minor = 0; minor <= 15; ++minor) version(3, minor);
  for (const char* impl : {"cpython", "pypy", "jython", "ironpython"})
    f[impl] = p.implementation == impl;
  std::string sp = lower(p.sys_platform);
  f["linux"] = contains(sp, "linux");
  f["windows"] = contains(sp, "win32");
  f["cygwin"] = contains(sp, "cygwin");
  f["solaris"] = contains(sp, "sunos");
  f["macosx"] = contains(sp, "darwin");
  f["posix"] = contains(lower(p.os_name), "posix");
  f["bits32"] = p.pointer_bits == 32;
  f["bits64"] = p.pointer_bits == 64;
  f["little_endian"] = p.little_endian;
  f["big_endian"] = !p.little_endian;
  return f;
}

std::string known_keys(const std::map<std::string, bool>& flags) {
  std::string out;
  for (std::string_view k : k_text_keys) out += (out.empty() ? "" : ", ") + std::string(k);
  for (const auto& entry : flags) out += ", " + entry.first;
  return out;
}

ValuePtr fn(std::string name, py::NativeFn f) {
  return py::make_function(std::move(name), std::move(f));
}

// A function of no arguments returning `result`.
ValuePtr constant_fn(const std::string& name, ValuePtr result) {
  return fn(name, [name, result](const Args& args) -> Expected<ValuePtr> {
    if (Status st = py::check_arity(name, args, 0, 0); !st.ok()) return st.error();
    return result;
  });
}

// os.path.isdir and friends: one str argument; a path with a NUL byte is
// simply not there (Python >= 3.8).
ValuePtr path_predicate(const std::string& name, std::function<bool(const std::string&)> test) {
  return fn(name, [name, test](const Args& args) -> Expected<ValuePtr> {
    if (Status st = py::check_arity(name, args, 1, 1); !st.ok()) return st.error();
    Expected<std::string> path = py::arg_str(name, args, 0);
    if (!path.ok()) return path.error();
    return py::make_bool(path->find('\0') == std::string::npos && test(*path));
  });
}

Expected<ValuePtr> path_join(const Args& args) {
  if (args.empty()) return py::type_error("os.path.join() takes at least 1 argument, got 0");
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    Expected<std::string> part = py::arg_str("os.path.join", args, i);
    if (!part.ok()) return part.error();
    out = i == 0 ? *part : util::path_join(out, *part);
  }
  return py::make_str(std::move(out));
}

Expected<ValuePtr> os_access(const HostProbe& probe, const Args& args) {
  if (Status st = py::check_arity("os.access", args, 2, 2); !st.ok()) return st.error();
  Expected<std::string> path = py::arg_str("os.access", args, 0);
  if (!path.ok()) return path.error();
  Expected<std::int64_t> mode = py::arg_int("os.access", args, 1);
  if (!mode.ok()) return mode.error();
  if (path->find('\0') != std::string::npos)
    return py::condition_error("value error: os.access(): embedded null byte");
  if (*mode < INT32_MIN || *mode > INT32_MAX)
    return py::condition_error("os.access(): mode " + std::to_string(*mode) + " is out of range");
  return py::make_bool(probe.access(*path, static_cast<int>(*mode)));
}

ValuePtr make_os(const Platform& p, const HostProbe& probe) {
  const HostProbe* pr = &probe;
  std::map<std::string, ValuePtr> path = {
      {"exists",
       path_predicate("os.path.exists", [pr](const std::string& s) { return pr->exists(s); })},
      {"isdir",
       path_predicate("os.path.isdir", [pr](const std::string& s) { return pr->is_dir(s); })},
      {"isfile",
       path_predicate("os.path.isfile", [pr](const std::string& s) { return pr->is_file(s); })},
      {"join", fn("os.path.join", path_join)},
  };
  bool nt = p.os_name == "nt";
  return py::make_object(
      "module", "os",
      {{"name", py::make_str(p.os_name)},
       {"sep", py::make_str(nt ? "\\" : "/")},
       {"pathsep", py::make_str(nt ? ";" : ":")},
       {"linesep", py::make_str(nt ? "\r\n" : "\n")},
       {"F_OK", py::make_int(0)},
       {"R_OK", py::make_int(4)},
       {"W_OK", py::make_int(2)},
       {"X_OK", py::make_int(1)},
       {"path", py::make_object("module", "os.path", std::move(path))},
       {"access", fn("os.access", [pr](const Args& a) { return os_access(*pr, a); })}});
}

ValuePtr make_sys(const Platform& p) {
  py::Value info;
  info.kind = py::Kind::k_tuple;
  info.items = {py::make_int(p.python_major), py::make_int(p.python_minor),
                py::make_int(p.python_micro), py::make_str("final"), py::make_int(0)};
  info.type = "sys.version_info";
  info.fields = {"major", "minor", "micro", "releaselevel", "serial"};
  std::int64_t maxsize = p.pointer_bits == 32 ? INT32_MAX : INT64_MAX;
  return py::make_object(
      "module", "sys",
      {{"version_info", std::make_shared<const py::Value>(std::move(info))},
       {"platform", py::make_str(p.sys_platform)},
       {"byteorder", py::make_str(p.little_endian ? "little" : "big")},
       {"maxsize", py::make_int(maxsize)},
       {"implementation", py::make_object("types.SimpleNamespace", "sys.implementation",
                                          {{"name", py::make_str(p.implementation)}})}});
}

ValuePtr make_platform(const Platform& p, const HostProbe& probe) {
  const HostProbe* pr = &probe;
  std::string major = std::to_string(p.python_major), minor = std::to_string(p.python_minor),
              micro = std::to_string(p.python_micro);
  std::string impl = p.implementation == "cpython"  ? "CPython"
                     : p.implementation == "pypy"   ? "PyPy"
                     : p.implementation == "jython" ? "Jython"
                                                    : "IronPython";
  return py::make_object(
      "module", "platform",
      {{"machine", constant_fn("platform.machine", py::make_str(p.machine))},
       {"system", constant_fn("platform.system", py::make_str(p.system))},
       {"release", constant_fn("platform.release", py::make_str(p.release))},
       {"python_version",
        constant_fn("platform.python_version", py::make_str(major + "." + minor + "." + micro))},
       {"python_version_tuple",
        constant_fn(
            "platform.python_version_tuple",
            py::make_tuple({py::make_str(major), py::make_str(minor), py::make_str(micro)}))},
       {"python_implementation", constant_fn("platform.python_implementation", py::make_str(impl))},
       {"freedesktop_os_release",
        fn("platform.freedesktop_os_release", [pr](const Args& args) -> Expected<ValuePtr> {
          if (Status st = py::check_arity("platform.freedesktop_os_release", args, 0, 0); !st.ok())
            return st.error();
          return freedesktop_os_release(*pr);
        })}});
}

// One line of an os-release file: NAME=VALUE with VALUE optionally quoted by
// the same quote at both ends, then \\ \$ \" \' \` unescaped. False when the
// line does not match Python's pattern.
bool parse_os_release_line(std::string_view line, std::string* name, std::string* value) {
  std::size_t i = 0;
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (i < line.size() && name_char(line[i])) ++i;
  if (i == 0 || i == line.size() || line[i] != '=') return false;
  *name = std::string(line.substr(0, i));
  std::string_view raw = line.substr(i + 1);
  if (raw.size() >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw.back() == raw[0])
    raw = raw.substr(1, raw.size() - 2);
  value->clear();
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (raw[k] == '\\' && k + 1 < raw.size() &&
        std::string_view("\\$\"'`").find(raw[k + 1]) != std::string_view::npos)
      ++k;
    *value += raw[k];
  }
  return true;
}

}  // namespace

Expected<Facts> compute_facts(const Platform& platform) {
  Facts facts{platform, {}};
  for (const auto& [key, value] : platform.overrides) {
    for (std::string_view k : k_text_keys) {
      if (key != k) continue;
      if (Status st = set_text(facts.platform, key, value); !st.ok()) return st.error();
    }
  }
  facts.flags = derive_flags(facts.platform);
  for (const auto& [key, value] : platform.overrides) {
    bool text = false;
    for (std::string_view k : k_text_keys) text = text || key == k;
    if (text) continue;
    auto it = facts.flags.find(key);
    if (it == facts.flags.end())
      return py::condition_error("unknown --define key '" + key + "': expected one of " +
                                 known_keys(facts.flags));
    Expected<bool> flag = parse_flag(key, value);
    if (!flag.ok()) return flag.error();
    it->second = *flag;
  }
  return facts;
}

py::Globals make_globals(const Facts& facts, const HostProbe& probe) {
  py::Globals g;
  for (const auto& [name, value] : facts.flags) g[name] = py::make_bool(value);
  g["sys"] = make_sys(facts.platform);
  g["os"] = make_os(facts.platform, probe);
  g["platform"] = make_platform(facts.platform, probe);
  g["re"] = py::make_object("module", "re", {});
  py::add_builtins(g, probe);
  return g;
}

Expected<ValuePtr> freedesktop_os_release(const HostProbe& probe) {
  const char* candidates[] = {"/etc/os-release", "/usr/lib/os-release"};
  for (const char* path : candidates) {
    std::optional<std::string> raw = probe.read_file(path);
    if (!raw) continue;
    Expected<std::string> text =
        py::decode_text(*raw, "platform.freedesktop_os_release() reading " + std::string(path));
    if (!text.ok()) return text.error();
    py::Entries entries = {{py::make_str("NAME"), py::make_str("Linux")},
                           {py::make_str("ID"), py::make_str("linux")},
                           {py::make_str("PRETTY_NAME"), py::make_str("Linux")}};
    std::map<std::string, std::size_t> index = {{"NAME", 0}, {"ID", 1}, {"PRETTY_NAME", 2}};
    std::string name, value;
    for (std::string_view line : util::split_char(*text, '\n')) {
      if (!parse_os_release_line(line, &name, &value)) continue;
      auto [it, added] = index.emplace(name, entries.size());
      if (added)
        entries.emplace_back(py::make_str(name), py::make_str(value));
      else
        entries[it->second].second = py::make_str(value);
    }
    return py::make_dict(std::move(entries));
  }
  return py::condition_error(
      "platform.freedesktop_os_release(): unable to read /etc/os-release or /usr/lib/os-release");
}

}  // namespace kiln::profile
