#include "supervisor/restart_policy.h"

#include <catch2/catch.hpp>

using kiln::supervisor::decide_restart;
using kiln::supervisor::RestartPolicy;
using std::chrono::milliseconds;

TEST_CASE("restart policy: a service that ran long enough restarts at once", "[supervisor]") {
  RestartPolicy p;
  auto d = decide_restart(p, milliseconds(1000), 7);
  CHECK_FALSE(d.give_up);
  CHECK(d.delay == milliseconds(0));
  CHECK(d.fast_exits == 0);
}

TEST_CASE("restart policy: fast exits back off 100, 200, 400 ms ... capped at 5 s",
          "[supervisor]") {
  RestartPolicy p;
  p.max_fast_exits = 100;
  int fast = 0;
  std::vector<long> delays;
  for (int i = 0; i < 9; ++i) {
    auto d = decide_restart(p, milliseconds(10), fast);
    REQUIRE_FALSE(d.give_up);
    fast = d.fast_exits;
    delays.push_back(static_cast<long>(d.delay.count()));
  }
  CHECK(delays == std::vector<long>{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000});
  CHECK(fast == 9);
}

TEST_CASE("restart policy: gives up after max_fast_exits in a row", "[supervisor]") {
  RestartPolicy p;
  p.max_fast_exits = 3;
  CHECK_FALSE(decide_restart(p, milliseconds(0), 0).give_up);
  CHECK_FALSE(decide_restart(p, milliseconds(0), 1).give_up);
  auto d = decide_restart(p, milliseconds(999), 2);
  CHECK(d.give_up);
  CHECK(d.fast_exits == 3);
  // A long run in between resets the count.
  CHECK(decide_restart(p, milliseconds(5000), 2).fast_exits == 0);
}
