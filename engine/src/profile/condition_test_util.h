// Test helpers for condition_test.cc and py_expr_test.cc: an in-memory
// HostProbe and evaluate-or-fail shorthands. Include only from tests.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "profile/condition.h"

namespace kiln::profile::test {

// Files, directories and access masks in memory. A path is accessible with
// every mode unless `modes` restricts it; missing paths are not accessible.
class FakeProbe : public HostProbe {
 public:
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;
  std::map<std::string, int> modes;

  bool exists(const std::string& path) const override {
    return files.count(path) > 0 || dirs.count(path) > 0;
  }
  bool is_dir(const std::string& path) const override { return dirs.count(path) > 0; }
  bool is_file(const std::string& path) const override { return files.count(path) > 0; }
  bool access(const std::string& path, int mode) const override {
    auto it = modes.find(path);
    if (it != modes.end()) return (mode & ~it->second) == 0;
    return exists(path);
  }
  std::optional<std::string> read_file(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
};

// The truth of `source`; fails the test when it is an error.
inline bool eval(const std::string& source, const Platform& platform, const HostProbe& probe) {
  Expected<bool> r = evaluate_condition(source, platform, probe);
  INFO("source: " << source);
  if (!r.ok()) FAIL("unexpected error: " << r.error().message);
  return *r;
}

// The message of the k_condition error `source` gives; fails the test when
// it evaluates.
inline std::string err(const std::string& source, const Platform& platform,
                       const HostProbe& probe) {
  Expected<bool> r = evaluate_condition(source, platform, probe);
  INFO("source: " << source.substr(0, 200));
  if (r.ok()) FAIL("expected an error, got " << (*r ? "True" : "False"));
  CHECK(r.error().code == ErrorCode::k_condition);
  return r.error().message;
}

// Both with the default Platform (Python 3.11.2, cpython, x86_64 Linux) and
// an empty FakeProbe.
inline bool eval(const std::string& source) {
  return eval(source, Platform(), FakeProbe());
}
inline std::string err(const std::string& source) {
  return err(source, Platform(), FakeProbe());
}

}  // namespace kiln::profile::test
