#include "supervisor/protocol.h"

#include <catch2/catch.hpp>

using namespace kiln::supervisor;

TEST_CASE("protocol: requests round-trip", "[supervisor]") {
  Request r{Command::k_restart, "slappart0"};
  std::string line = request_line(r);
  CHECK(line.back() == '\n');
  auto parsed = parse_request(line);
  REQUIRE(parsed.ok());
  CHECK(parsed->command == Command::k_restart);
  CHECK(parsed->target == "slappart0");
  auto status = parse_request(request_line({Command::k_status, ""}));
  REQUIRE(status.ok());
  CHECK(status->command == Command::k_status);
}

TEST_CASE("protocol: bad requests are errors", "[supervisor]") {
  CHECK(parse_request("nope").error().code == kiln::ErrorCode::k_parse);
  CHECK(parse_request("{\"cmd\": \"explode\"}").error().message == "unknown command 'explode'");
  CHECK(parse_request("{\"cmd\": \"stop\"}").error().code == kiln::ErrorCode::k_invalid);
  CHECK(parse_request("{\"cmd\": \"stop\", \"target\": \"\"}").error().message ==
        "stop needs a target");
  CHECK_FALSE(parse_request("[1]").ok());
}

TEST_CASE("protocol: replies", "[supervisor]") {
  auto ok = parse_reply(ok_reply({{"pid", 12}}));
  REQUIRE(ok.ok());
  CHECK((*ok)["pid"] == 12);
  auto err = parse_reply(error_reply("no service or partition named 'x'"));
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().message == "no service or partition named 'x'");
  CHECK(parse_reply("garbage").error().code == kiln::ErrorCode::k_parse);
}

TEST_CASE("protocol: service status round-trips through JSON", "[supervisor]") {
  kiln::ServiceStatus s;
  s.name = "p:a";
  s.partition = "p";
  s.kind = "service";
  s.state = kiln::ServiceState::k_fatal;
  s.pid = 0;
  s.start_time = 1700000000.5;
  s.restarts = 4;
  s.last_exit = "exit 1";
  s.reason = "exited too quickly";
  s.log_path = "/r/log/services/p-a.log";
  auto back = status_from_json(status_to_json(s));
  REQUIRE(back.ok());
  CHECK(back->name == "p:a");
  CHECK(back->state == kiln::ServiceState::k_fatal);
  CHECK(back->start_time == 1700000000.5);
  CHECK(back->restarts == 4);
  CHECK(back->reason == "exited too quickly");
  CHECK(back->log_path == s.log_path);
  CHECK_FALSE(status_from_json(nlohmann::json{{"name", "x"}, {"state", "dancing"}}).ok());
}
