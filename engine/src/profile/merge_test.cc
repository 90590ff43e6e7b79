// update_section / update_config: zc.buildout's _update_section and _update
// (with the first-appearance fix of docs/profile-semantics.md, D) over
// hand-built Configs. Expected values were checked by calling zc.buildout's
// functions (through ../shared/oracle/resolve.py) on the same data.
#include "profile/merge.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "profile/model.h"

using kiln::profile::Config;
using kiln::profile::Entry;
using kiln::profile::HistoryOp;
using kiln::profile::Origin;
using kiln::profile::Section;
using kiln::profile::SectionPtr;
using kiln::profile::Sym;
using kiln::profile::SymbolTable;
using kiln::profile::update_config;
using kiln::profile::update_section;
using kiln::profile::Value;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Fixture {
  SymbolTable symbols;
  Origin f{symbols.intern_file("f.cfg"), 1};
  Origin g{symbols.intern_file("g.cfg"), 2};

  Section section(const Pairs& pairs, Origin o, bool track = false) {
    Section s;
    for (const auto& [k, v] : pairs) s.set(k, Value(v, o, track));
    return s;
  }
  SectionPtr shared(const Pairs& pairs, Origin o) {
    return std::make_shared<Section>(section(pairs, o));
  }
  Config config(const std::vector<std::pair<std::string, Pairs>>& sections, Origin o) {
    Config c;
    for (const auto& [name, pairs] : sections) c.put(symbols.intern(name), shared(pairs, o));
    return c;
  }
  Sym sym(const std::string& name) { return symbols.intern(name); }
};

Pairs contents(const Section& s) {
  Pairs out;
  for (const auto& e : s.entries) out.emplace_back(e->key, e->value.text);
  return out;
}

Pairs merged(Fixture& fx, const Pairs& s1, const Pairs& s2) {
  Section a = fx.section(s1, fx.f);
  update_section(a, fx.section(s2, fx.g), false);
  return contents(a);
}

Pairs first_appearance(Fixture& fx, const Pairs& s2) {
  Config d1;
  Config d2 = fx.config({{"s", s2}}, fx.g);
  update_config(d1, d2, false);
  REQUIRE(d1.find(fx.sym("s")) != nullptr);
  return contents(*d1.find(fx.sym("s")));
}

}  // namespace

TEST_CASE("merge: plain values override, in place, new keys are appended", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"y", "1"}, {"x", "2"}}, {{"z", "3"}, {"x", "4"}}) ==
        Pairs{{"y", "1"}, {"x", "4"}, {"z", "3"}});
}

TEST_CASE("merge: += appends to the inherited value", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"x", "a\nb"}}, {{"x +", "c"}}) == Pairs{{"x", "a\nb\nc"}});
  CHECK(merged(fx, {{"x", "a"}}, {{"x+", "b\nc"}}) == Pairs{{"x", "a\nb\nc"}});
  // Both spellings in one section: sorted by key, stable.
  CHECK(merged(fx, {{"x", "0"}}, {{"x +", "1"}, {"x+", "2"}}) == Pairs{{"x", "0\n1\n2"}});
  CHECK(merged(fx, {{"x", "0"}}, {{"x+", "2"}, {"x +", "1"}}) == Pairs{{"x", "0\n2\n1"}});
}

TEST_CASE("merge: += on a local base in the same section", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"x", "a"}}, {{"x", "b"}, {"x +", "c"}}) == Pairs{{"x", "b\nc"}});
  // Textual order does not matter: the operator may come first.
  CHECK(merged(fx, {{"x", "a"}}, {{"x +", "c"}, {"x", "b"}}) == Pairs{{"x", "b\nc"}});
}

TEST_CASE("merge: += with no base anywhere starts with an empty line", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {}, {{"x +", "v"}}) == Pairs{{"x", "\nv"}});
  CHECK(merged(fx, {{"y", "1"}}, {{"x +", ""}}) == Pairs{{"y", "1"}, {"x", "\n"}});
}

TEST_CASE("merge: -= removes every line equal to one given", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"x", "a\nb\nc"}}, {{"x -", "b"}}) == Pairs{{"x", "a\nc"}});
  CHECK(merged(fx, {{"x", "a\nb\nc\nb"}}, {{"x -", "b\nzz"}, {"x-", "c"}}) == Pairs{{"x", "a"}});
  CHECK(merged(fx, {}, {{"x -", "v"}}) == Pairs{{"x", ""}});
  // Whole lines only.
  CHECK(merged(fx, {{"x", "ab\na"}}, {{"x -", "a"}}) == Pairs{{"x", "ab"}});
}

TEST_CASE("merge: within one section all += apply before all -=", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"x", "z"}}, {{"x -", "a"}, {"x", "a\nb"}, {"x +", "c"}}) ==
        Pairs{{"x", "b\nc"}});
  CHECK(merged(fx, {{"x", "z"}}, {{"x -", "c"}, {"x", "a\nb"}, {"x +", "c"}}) ==
        Pairs{{"x", "a\nb"}});
  CHECK(merged(fx, {{"x", "a"}}, {{"x", "b"}, {"x -", "b"}, {"x +", "b"}}) == Pairs{{"x", ""}});
}

TEST_CASE("merge: operators keep the inherited key's position", "[profile]") {
  Fixture fx;
  CHECK(merged(fx, {{"y", "1"}, {"x", "2"}}, {{"z", "3"}, {"x", "4"}, {"w+", "5"}, {"y-", "1"}}) ==
        Pairs{{"y", ""}, {"x", "4"}, {"z", "3"}, {"w", "\n5"}});
}

TEST_CASE("merge: update_section leaves its second argument alone", "[profile]") {
  Fixture fx;
  Section s1 = fx.section({{"x", "a"}}, fx.f);
  Section s2 = fx.section({{"x +", "b"}, {"y", "c"}}, fx.g);
  update_section(s1, s2, false);
  CHECK(contents(s2) == Pairs{{"x +", "b"}, {"y", "c"}});
  CHECK(contents(s1) == Pairs{{"x", "a\nb"}, {"y", "c"}});
}

TEST_CASE("merge: history of += and overrides (annotate)", "[profile]") {
  Fixture fx;
  Section s1 = fx.section({{"x", "a"}}, fx.f, true);
  update_section(s1, fx.section({{"x +", "b"}}, fx.g, true), true);
  const Value& v = s1.find("x")->value;
  CHECK(v.text == "a\nb");
  CHECK(v.last_op() == HistoryOp::k_add);
  CHECK(v.last.value == "b");
  CHECK(v.origin().name() == "g.cfg");
  REQUIRE(v.earlier.size() == 1);
  CHECK(v.earlier[0].op == HistoryOp::k_set);
  CHECK(v.earlier[0].origin.name() == "f.cfg");

  Section s3 = fx.section({{"x", "a"}}, fx.f, true);
  update_section(s3, fx.section({{"x", "c"}}, fx.g, true), true);
  CHECK(s3.find("x")->value.last_op() == HistoryOp::k_override);
  CHECK(s3.find("x")->value.origin().name() == "g.cfg");

  // zc.buildout records no OVERRIDE when the overriding value's last operation
  // is an ADD: the value changes, its history ends with the inherited SET.
  Section s4 = fx.section({{"x", "a"}}, fx.f, true);
  update_section(s4, fx.section({{"x", "c"}, {"x +", "d"}}, fx.g, true), true);
  CHECK(s4.find("x")->value.text == "c\nd");
  CHECK(s4.find("x")->value.last_op() == HistoryOp::k_set);
  CHECK(s4.find("x")->value.earlier.empty());
}

TEST_CASE("merge: first appearance: x += v alone means x = v", "[profile]") {
  Fixture fx;
  CHECK(first_appearance(fx, {{"x +", "v"}}) == Pairs{{"x", "v"}});
  CHECK(first_appearance(fx, {{"x+", "v\nw"}}) == Pairs{{"x", "v\nw"}});
}

TEST_CASE("merge: first appearance: x -= v alone means x empty", "[profile]") {
  Fixture fx;
  CHECK(first_appearance(fx, {{"x -", "v"}}) == Pairs{{"x", ""}});
  CHECK(first_appearance(fx, {{"a+", "1"}, {"a-", "1"}}) == Pairs{{"a", ""}});
  CHECK(first_appearance(fx, {{"x +", "a\nb"}, {"x -", "a"}}) == Pairs{{"x", "b"}});
}

TEST_CASE("merge: first appearance with a local base applies the operators to it", "[profile]") {
  Fixture fx;
  CHECK(first_appearance(fx, {{"x", "a"}, {"x +", "v"}, {"y -", "q"}, {"z", "1"}}) ==
        Pairs{{"x", "a\nv"}, {"z", "1"}, {"y", ""}});
}

TEST_CASE("merge: a new section with <= keeps its operators for the macro", "[profile]") {
  Fixture fx;
  CHECK(first_appearance(fx, {{"<", "m"}, {"x +", "v"}}) == Pairs{{"<", "m"}, {"x +", "v"}});
}

TEST_CASE("merge: a section already present gets no first-appearance fix", "[profile]") {
  Fixture fx;
  Config d1 = fx.config({{"s", {}}}, fx.f);
  update_config(d1, fx.config({{"s", {{"x +", "v"}}}}, fx.g), false);
  CHECK(contents(*d1.find(fx.sym("s"))) == Pairs{{"x", "\nv"}});
}

TEST_CASE("merge: update_config merges every section, adds the missing ones", "[profile]") {
  Fixture fx;
  Config d1 = fx.config({{"a", {{"x", "1"}}}, {"b", {{"y", "2"}}}}, fx.f);
  update_config(d1, fx.config({{"b", {{"y", "3"}}}, {"c", {{"z", "4"}}}}, fx.g), false);
  REQUIRE(d1.sections().size() == 3);
  CHECK(contents(*d1.find(fx.sym("a"))) == Pairs{{"x", "1"}});
  CHECK(contents(*d1.find(fx.sym("b"))) == Pairs{{"y", "3"}});
  CHECK(contents(*d1.find(fx.sym("c"))) == Pairs{{"z", "4"}});
}

TEST_CASE("merge: sections are shared copy-on-write", "[profile]") {
  Fixture fx;
  Sym s = fx.sym("s");
  Config source = fx.config({{"s", {{"x", "a"}, {"y", "b"}}}}, fx.f);

  SECTION("a section added by update_config, then modified") {
    Config result;
    update_config(result, source, false);
    update_config(result, fx.config({{"s", {{"x +", "more"}, {"y", "new"}, {"z", "c"}}}}, fx.g),
                  false);
    CHECK(contents(*result.find(s)) == Pairs{{"x", "a\nmore"}, {"y", "new"}, {"z", "c"}});
    CHECK(contents(*source.find(s)) == Pairs{{"x", "a"}, {"y", "b"}});
  }
  SECTION("an entry shared by an override, then modified by -=") {
    Config result = fx.config({{"s", {{"w", "0"}}}}, fx.f);
    update_config(result, source, false);  // result's x is source's entry
    update_config(result, fx.config({{"s", {{"x -", "a"}}}}, fx.g), false);
    CHECK(contents(*result.find(s)) == Pairs{{"w", "0"}, {"x", ""}, {"y", "b"}});
    CHECK(contents(*source.find(s)) == Pairs{{"x", "a"}, {"y", "b"}});
  }
  SECTION("a copied Config") {
    Config copy = source;
    copy.mutable_section(s).set("x", Value("changed", fx.g, false));
    *copy.mutable_section(s).mutable_value("y") = Value("changed too", fx.g, false);
    CHECK(contents(*copy.find(s)) == Pairs{{"x", "changed"}, {"y", "changed too"}});
    CHECK(contents(*source.find(s)) == Pairs{{"x", "a"}, {"y", "b"}});
  }
  SECTION("update_section on a copy of a section") {
    Section copy = *source.find(s);
    update_section(copy, fx.section({{"x +", "1"}, {"y -", "b"}}, fx.g), false);
    CHECK(contents(copy) == Pairs{{"x", "a\n1"}, {"y", ""}});
    CHECK(contents(*source.find(s)) == Pairs{{"x", "a"}, {"y", "b"}});
  }
}
