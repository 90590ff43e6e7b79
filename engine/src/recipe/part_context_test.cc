#include "recipe/part_context.h"

#include <catch2/catch.hpp>
#include <functional>

namespace kr = kiln::recipe;

namespace {

// Options where `bad` holds a ${} that cannot be resolved (located at
// x.cfg:7) and `text` substitution fails without a location.
class FailingOptions : public kr::OptionAccess {
 public:
  kiln::Expected<std::optional<std::string>> get(const std::string& option) override {
    if (option == "bad")
      return kiln::Error(kiln::ErrorCode::k_reference,
                         "[t] bad: ${s:nope}: option 'nope' does not exist in [s]", "x.cfg", 7);
    if (option == "good") return std::optional<std::string>("1");
    return std::optional<std::string>();
  }
  void set(const std::string&, const std::string&) override {}
  std::map<std::string, std::string> all() override { return {}; }
  kiln::Expected<std::string> substitute(const std::string&) override {
    return kiln::Error(kiln::ErrorCode::k_reference,
                       "line 2: ${s:nope}: option 'nope' does not exist in [s]");
  }
};

// What the plugin under test does in its callback.
std::function<int(const KilnHost*, KilnPart*)> g_callback;
int init_thunk(const KilnHost* h, KilnPart* p) {
  return g_callback(h, p);
}

kiln::Status run(FailingOptions& options, std::function<int(const KilnHost*, KilnPart*)> fn) {
  g_callback = std::move(fn);
  KilnRecipeEntry entry{};
  entry.name = "default";
  entry.init = init_thunk;
  KilnPart part;
  // Not `part.name = "t"`: GCC 12 at -O2 warns -Wrestrict on that assignment
  // (a false positive, GCC bug 105329), fatal under KILN_WERROR.
  part.name = std::string(1, 't');
  part.phase = kr::Phase::k_init;
  part.options = &options;
  return kr::call_entry(entry, part);
}

}  // namespace

TEST_CASE("an option whose ${} fails is the error, not the plugin's 'absent'", "[recipe]") {
  FailingOptions options;
  kiln::Status st = run(options, [](const KilnHost* h, KilnPart* p) {
    if (!h->get_option(p, "good")) return KILN_FAILED;
    if (!h->get_option(p, "bad")) {
      h->error(p, "option 'bad' is required");
      return KILN_FAILED;
    }
    return KILN_OK;
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == kiln::ErrorCode::k_reference);
  CHECK(st.error().file == "x.cfg");
  CHECK(st.error().line == 7);
  CHECK(st.error().message == "[t] bad: ${s:nope}: option 'nope' does not exist in [s]");
}

TEST_CASE("an option whose ${} fails is an error even if the plugin goes on", "[recipe]") {
  FailingOptions options;
  kiln::Status st = run(options, [](const KilnHost* h, KilnPart* p) {
    h->get_option(p, "bad");
    return KILN_OK;
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().line == 7);
}

TEST_CASE("an absent option is only absent", "[recipe]") {
  FailingOptions options;
  kiln::Status st = run(options, [](const KilnHost* h, KilnPart* p) {
    return h->get_option(p, "absent") ? KILN_FAILED : KILN_OK;
  });
  CHECK(st.ok());
}

TEST_CASE("a failed substitution of a text follows the plugin's context", "[recipe]") {
  FailingOptions options;
  kiln::Status st = run(options, [](const KilnHost* h, KilnPart* p) {
    if (!h->substitute(p, "a\n${s:nope}\n")) {
      h->error(p, "template 'x.in'");
      return KILN_FAILED;
    }
    return KILN_OK;
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == kiln::ErrorCode::k_reference);
  CHECK(st.error().file.empty());
  CHECK(st.error().message ==
        "template 'x.in': line 2: ${s:nope}: option 'nope' does not exist in [s]");
}
