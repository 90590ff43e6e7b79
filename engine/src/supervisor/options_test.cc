#include "supervisor/options.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "supervisor/daemon_binary.h"
#include "util/scratch_dir.h"

using kiln::supervisor::parse_supervisor_args;
using kiln::supervisor::supervisor_flags;

TEST_CASE("supervisor options: defaults, both value forms, --root", "[supervisor]") {
  auto none = parse_supervisor_args({});
  REQUIRE(none.ok());
  CHECK(none->root.empty());
  CHECK_FALSE(none->daemon);
  CHECK(none->stop_grace == std::chrono::milliseconds(10000));
  CHECK(none->max_fast_exits == 10);
  CHECK(none->log_max_bytes == 10 * 1024 * 1024);
  CHECK(none->log_keep == 3);

  auto all =
      parse_supervisor_args({"--root", "/r", "--daemon", "--stop-grace=2.5", "--max-fast-exits",
                             "3", "--log-max-bytes=100", "--log-keep", "0"});
  REQUIRE(all.ok());
  CHECK(all->root == "/r");
  CHECK(all->daemon);
  CHECK(all->stop_grace == std::chrono::milliseconds(2500));
  CHECK(all->max_fast_exits == 3);
  CHECK(all->log_max_bytes == 100);
  CHECK(all->log_keep == 0);
}

TEST_CASE("supervisor options: bad values and unknown arguments are refused", "[supervisor]") {
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"--stop-grace", "-1"},
                                             {"--stop-grace", "3601"},
                                             {"--stop-grace", "x"},
                                             {"--max-fast-exits", "0"},
                                             {"--max-fast-exits", "2x"},
                                             {"--log-keep", "1001"},
                                             {"--log-max-bytes", "-5"},
                                             {"--log-max-bytes", "0"},
                                             {"--daemon=yes"},
                                             {"--root"},
                                             {"--config", "k.ini"},
                                             {"extra"}}) {
    INFO(bad[0]);
    auto r = parse_supervisor_args(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kiln::ErrorCode::k_invalid);
  }
}

TEST_CASE("supervisor options: every flag is in the usage, the daemon is found beside kiln",
          "[supervisor]") {
  std::string usage = kiln::supervisor::supervisor_usage();
  for (const auto& f : supervisor_flags()) CHECK(usage.find(f.name) != std::string::npos);

  kiln::util::ScratchDir dir("kiln-daemon-binary");
  std::string kiln = dir.path().string() + "/kiln";
  CHECK(kiln::supervisor::daemon_binary_beside(kiln).empty());
  std::string daemon = dir.path().string() + "/kiln-supervisor";
  std::ofstream(daemon) << "#!/bin/sh\n";
  std::filesystem::permissions(
      daemon, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  CHECK(kiln::supervisor::daemon_binary_beside(kiln).empty());  // not executable
  std::filesystem::permissions(daemon, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  CHECK(kiln::supervisor::daemon_binary_beside(kiln) == daemon);
}
