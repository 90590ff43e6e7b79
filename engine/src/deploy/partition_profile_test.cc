#include "deploy/partition_profile.h"

#include <catch2/catch.hpp>

#include "deploy/root_state.h"
#include "util/scratch_dir.h"

using kiln::deploy::PartitionSpec;
using kiln::deploy::profile_value;
using kiln::deploy::slap_profile_text;
using kiln::deploy::valid_option_name;

namespace {

PartitionSpec spec(nlohmann::json params) {
  PartitionSpec s;
  s.root = "/r";
  s.partition_id = "slappart3";
  s.directory = "/r/instance/slappart3";
  s.instance_profile = "/r/software/x/instance.cfg";
  s.request.name = "web";
  s.request.software = "/src/software.cfg";
  s.request.type = "front";
  s.request.parameters = std::move(params);
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("parameter values are written so that buildout gives them back unchanged", "[deploy]") {
  CHECK(profile_value("8080") == " 8080");
  CHECK(profile_value("") == "");
  // A value with ${ has every $ doubled: never substituted, comes back as is.
  CHECK(profile_value("a$b${c:d}") == " a$$b$${c:d}");
  // Without ${, $$ stays $$ in buildout: nothing to escape.
  CHECK(profile_value("cost $5") == " cost $5");
  CHECK(profile_value("one\ntwo") == "\n    one\n    two");
}

TEST_CASE("option names that would break the profile are refused", "[deploy]") {
  for (const char* ok : {"port", "configuration.port", "a.b-c_d", "é", "a$b", "x(y)"})
    CHECK(valid_option_name(ok));
  for (const char* bad : {"", "a=b", "#x", ";x", "[x", " x", "x ", "x+", "x-", "<x", "a\nb", "x y",
                          "a:b", "x{y}", "a]", "tab\there"})
    CHECK_FALSE(valid_option_name(bad));
}

TEST_CASE("slap.cfg holds the connection, every parameter and the identity", "[deploy]") {
  std::string text = slap_profile_text(
      spec({{"port", "8080"}, {"n", 3}, {"list", {1, 2}}, {"bad=key", "x"}, {"ref", "${x:y}"}}));
  CHECK(has_line(text, "[slap-connection]"));
  CHECK(has_line(text, "partition-id = slappart3"));
  CHECK(has_line(text, "software-release-url = /src/software.cfg"));
  CHECK(has_line(text, "[slap-configuration]"));
  CHECK(has_line(text, "configuration.port = 8080"));
  CHECK(has_line(text, "configuration.n = 3"));
  CHECK(has_line(text, "configuration.list = [1,2]"));
  CHECK(has_line(text, "configuration.ref = $${x:y}"));
  CHECK(text.find("bad=key = ") == std::string::npos);
  CHECK(has_line(text, "slap-software-type = front"));
  CHECK(has_line(text, "instance-title = web"));
  CHECK(has_line(text, "ipv4 = 127.0.0.1"));
  CHECK(text.find("[kiln-serialised-configuration]") == std::string::npos);
}

TEST_CASE("serialised parameters are decoded into their own section", "[deploy]") {
  std::string text = slap_profile_text(spec({{"_", "{\"port\": 81, \"name\": \"a\"}"}}));
  std::string tail = text.substr(text.find("[kiln-serialised-configuration]"));
  CHECK(has_line(tail, "configuration.port = 81"));
  CHECK(has_line(tail, "configuration.name = a"));
  // Not JSON: no decoded section, the raw value is still there.
  std::string raw = slap_profile_text(spec({{"_", "not json"}}));
  CHECK(raw.find("[kiln-serialised-configuration]") == std::string::npos);
  CHECK(has_line(raw, "configuration._ = not json"));
}

TEST_CASE("root state: partitions are allocated lowest first and reused", "[deploy]") {
  kiln::util::ScratchDir dir;
  std::string root = dir.path().string();
  auto add = [&](const std::string& name, const std::string& partition) {
    return kiln::deploy::update_root_state(root, [&](kiln::deploy::RootState& s) -> kiln::Status {
      kiln::deploy::InstanceRecord r;
      r.request.name = name;
      r.request.software = "/s.cfg";
      r.partition = partition;
      s.instances[name] = r;
      return {};
    });
  };
  REQUIRE(add("a", "slappart0").ok());
  REQUIRE(add("b", "slappart2").ok());
  kiln::Expected<kiln::deploy::RootState> s = kiln::deploy::read_root_state(root);
  REQUIRE(s.ok());
  CHECK(s->free_partition() == "slappart1");
  CHECK(s->instances.at("b").partition == "slappart2");
  // A failed change writes nothing.
  kiln::Status failed = kiln::deploy::update_root_state(root, [](kiln::deploy::RootState& st) {
    st.instances.clear();
    return kiln::Status(kiln::Error(kiln::ErrorCode::k_invalid, "no"));
  });
  CHECK_FALSE(failed.ok());
  CHECK(kiln::deploy::read_root_state(root)->instances.size() == 2);
}
