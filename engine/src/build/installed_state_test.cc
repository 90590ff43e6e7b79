#include "build/installed_state.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "util/scratch_dir.h"

using kiln::ErrorCode;
using kiln::build::InstalledPart;
using kiln::build::InstalledState;
using kiln::build::load_state;
using kiln::build::save_state;

TEST_CASE("installed state round-trips through its JSON file", "[state]") {
  kiln::util::ScratchDir dir;
  InstalledState s;
  InstalledPart p;
  p.recipe = "cmmi:default@1";
  p.signature = "abc";
  p.options = {{"url", "file:///x.tar.gz"}, {"multi", "a\nb"}};
  p.paths = {"/x/parts/p"};
  s.record("p", p);
  p.deps = {"p"};
  s.record("q", p);
  s.pending["r"] = {"/x/parts/r", "/x/parts/r__compile__"};
  REQUIRE(save_state(dir / ".kiln/installed.json", s).ok());
  kiln::Expected<InstalledState> back = load_state(dir / ".kiln/installed.json");
  REQUIRE(back.ok());
  CHECK(back->order == std::vector<std::string>{"p", "q"});
  CHECK(back->parts.at("p").options == p.options);
  CHECK(back->parts.at("q").deps == std::vector<std::string>{"p"});
  CHECK(back->pending.at("r").size() == 2);
}

TEST_CASE("a missing state file is an empty state, a corrupt one is an error naming it",
          "[state]") {
  kiln::util::ScratchDir dir;
  kiln::Expected<InstalledState> none = load_state(dir / "nope.json");
  REQUIRE(none.ok());
  CHECK(none->order.empty());
  for (const char* text : {"{", "[]", "{\"format\": 7}", "{\"format\": 1, \"order\": [\"x\"]}"}) {
    std::ofstream(dir / "bad.json") << text;
    kiln::Expected<InstalledState> bad = load_state(dir / "bad.json");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::k_parse);
    CHECK(bad.error().file == dir / "bad.json");
  }
}

TEST_CASE("record keeps the install order, forget removes", "[state]") {
  InstalledState s;
  s.record("a", {});
  s.record("b", {});
  s.record("a", {});  // re-record keeps its place
  CHECK(s.order == std::vector<std::string>{"a", "b"});
  s.forget("a");
  CHECK(s.order == std::vector<std::string>{"b"});
  CHECK_FALSE(s.parts.count("a"));
}
