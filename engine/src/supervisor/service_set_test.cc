#include "supervisor/service_set.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "util/scratch_dir.h"

using kiln::ServiceSpec;
using namespace kiln::supervisor;

namespace {

ServiceSpec spec(const std::string& name, const std::string& hash = "h") {
  ServiceSpec s;
  s.name = name;
  s.partition = name.substr(0, name.find(':'));
  s.path = "/srv/" + name;
  s.hash = hash;
  s.cwd = "/srv";
  return s;
}

void write_exec(const std::string& path, const std::string& text, bool exec = true) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
  ::chmod(path.c_str(), exec ? 0755 : 0644);
}

}  // namespace

TEST_CASE("service set: JSON round-trip and validation", "[supervisor]") {
  std::vector<ServiceSpec> set{spec("p0:a"), spec("p0:b")};
  set[1].kind = "run";
  auto back = parse_service_set(service_set_json(set), "services.json");
  REQUIRE(back.ok());
  CHECK(*back == set);
  CHECK(parse_service_set("{\"format\": 2, \"services\": []}", "f").error().code ==
        kiln::ErrorCode::k_parse);
  CHECK(parse_service_set("{", "f").error().file == "f");
  std::vector<ServiceSpec> dup{spec("p:a"), spec("p:a")};
  CHECK(validate_service_set(dup).error().message == "duplicate service name 'p:a'");
  std::vector<ServiceSpec> rel{spec("p:a")};
  rel[0].path = "bin/a";
  CHECK_FALSE(validate_service_set(rel).ok());
  rel[0].path = "/bin/a";
  rel[0].kind = "cron";
  CHECK_FALSE(validate_service_set(rel).ok());
}

TEST_CASE("service set: diff finds added, removed and changed services", "[supervisor]") {
  std::vector<ServiceSpec> now{spec("p:keep"), spec("p:gone"), spec("p:edit", "old"),
                               spec("p:move")};
  ServiceSpec moved = spec("p:move");
  moved.path = "/elsewhere/move";
  std::vector<ServiceSpec> want{spec("p:keep"), spec("p:edit", "new"), moved, spec("p:new")};
  ServiceSetDiff d = diff_service_sets(now, want);
  REQUIRE(d.added.size() == 1);
  CHECK(d.added[0].name == "p:new");
  CHECK(d.removed == std::vector<std::string>{"p:gone"});
  REQUIRE(d.changed.size() == 2);
  CHECK(d.changed[0].name == "p:edit");
  CHECK(d.changed[0].hash == "new");
  CHECK(d.changed[1].path == "/elsewhere/move");
  ServiceSetDiff none = diff_service_sets(want, want);
  CHECK(none.added.empty());
  CHECK(none.removed.empty());
  CHECK(none.changed.empty());
}

TEST_CASE("service set: log file names", "[supervisor]") {
  CHECK(log_file_name("slappart0:hello-server") == "slappart0-hello-server");
  CHECK(kiln::service_log_path("/r", "p:a/b") == "/r/log/services/p-a-b.log");
}

TEST_CASE("service set: scan a partition, write and read services.json", "[supervisor]") {
  kiln::util::ScratchDir dir;
  std::string part = dir / "slappart3";
  write_exec(part + "/etc/service/web", "#!/bin/sh\nexec sleep 1\n");
  write_exec(part + "/etc/service/.hidden", "#!/bin/sh\n");
  write_exec(part + "/etc/service/notes", "text", false);
  write_exec(part + "/etc/run/init", "#!/bin/sh\ntrue\n");
  auto found = kiln::scan_partition_services(part, "slappart3");
  REQUIRE(found.ok());
  REQUIRE(found->size() == 2);
  CHECK((*found)[0].name == "slappart3:web");
  CHECK((*found)[0].kind == "service");
  CHECK((*found)[0].path == part + "/etc/service/web");
  CHECK((*found)[0].cwd == part);
  CHECK((*found)[0].hash.size() == 64);
  CHECK((*found)[1].name == "slappart3:init");
  CHECK((*found)[1].kind == "run");
  CHECK(kiln::scan_partition_services(dir / "missing", "x")->empty());

  std::string root = dir / "root";
  auto empty = kiln::read_service_set(root);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  REQUIRE(kiln::write_service_set(root, *found).ok());
  auto back = kiln::read_service_set(root);
  REQUIRE(back.ok());
  CHECK(*back == *found);
}
