// ${section:option} substitution, following zc.buildout's Options
// (_initialize / _dosub / get / _sub) step by step so that the order in which
// sections are initialised, and so which errors are recorded, is the same.
//
// Each value is tokenised once into literals, `$$` escapes and references,
// then evaluated; results are memoised per option.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kiln/error.h"
#include "profile/macro.h"
#include "profile/raw_config.h"
#include "profile/ref_token.h"

namespace kiln::profile {

class Substituter;

// Called by Substituter after a section (not [buildout]) has been
// initialised: its values substituted and its `<part-dependencies>` forced.
// zc.buildout initialises the section's recipe at this point; an error is
// fatal for the whole substitution.
class SectionHook {
 public:
  virtual ~SectionHook() = default;
  virtual Status initialized(Substituter& substituter, const std::string& section) = 0;
};

// zc.buildout's Options, for every section of a RawConfig, evaluated lazily:
// a section is initialised the first time it is touched or referenced. Not
// thread-safe. `raw` and `hook` must outlive the Substituter.
class Substituter {
 public:
  explicit Substituter(const RawConfig& raw, SectionHook* hook = nullptr);
  ~Substituter();
  Substituter(const Substituter&) = delete;
  Substituter& operator=(const Substituter&) = delete;

  // Every section, [buildout] first then by name (substitute_all's result).
  Expected<Resolved> run();

  // Initialises a section (and, through references, others). An unknown
  // section is an error; per-option reference problems go to errors().
  Status touch(std::string_view section);
  // A substituted option (output form: escapes applied), nullopt if absent.
  Expected<std::optional<std::string>> get(std::string_view section, const std::string& option);
  // Sets an option of an initialised section (recipes' computed options).
  void set(std::string_view section, const std::string& option, std::string value);
  // Substitutes `text` as if it were an option of `section`.
  Expected<std::string> substitute_text(std::string_view section, std::string_view text);
  // All options of an initialised section, substituted, in output form.
  std::map<std::string, std::string> options(std::string_view section) const;
  // Sections `section`'s values referenced (directly) or named with `=>`.
  const std::set<std::string>& references(std::string_view section) const;
  // Where an option was set (after macro expansion when the section was
  // initialised), nullptr if unknown.
  const RawEntry* raw_entry(std::string_view section, std::string_view option) const;
  // "section:option" -> reason, for every option that could not be resolved.
  const std::map<std::string, std::string>& errors() const { return m_errors; }

 private:
  struct State;
  using Seen = std::vector<std::pair<const State*, std::string>>;

  Expected<State*> section(std::string_view name);
  Status initialize(State& s);
  Expected<std::optional<std::string>> get(State& s, const std::string& option, Seen* seen);
  Expected<std::string> evaluate(State& s, const std::vector<Token>& tokens, Seen& seen);
  const std::vector<Token>& raw_tokens(State& s, const std::string& option, const std::string& v);
  Error reference_error(const State& s, const std::string& option, std::string message) const;
  void finish_buildout(State& b);
  std::map<std::string, std::string> output(const State& s) const;

  const RawConfig& m_raw;
  SectionHook* m_hook;
  std::unordered_map<std::string, std::unique_ptr<State>> m_states;
  std::map<std::string, std::set<std::string>> m_refs;
  std::map<std::string, std::string> m_errors;
  MacroCache m_macros;
  std::optional<Error> m_fatal;
  int m_depth = 0;
  bool m_buildout_done = false;
};

// Substitutes every section of `raw` ([buildout] first, then by name) and
// returns the result with the `$$` escapes applied. Per-option failures
// (unknown section or option, circular reference, bad syntax) go to
// Resolved::errors and the option keeps its raw value; a macro error in a
// section nobody referenced first, or a reference chain deeper than
// k_max_depth, is fatal.
Expected<Resolved> substitute_all(const RawConfig& raw);

inline constexpr int k_max_reference_depth = 1000;

}  // namespace kiln::profile
