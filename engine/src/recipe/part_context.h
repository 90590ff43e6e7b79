// The host side of the recipe ABI: what a plugin callback's KilnPart is, the
// KilnHost function table, and the interfaces the build engine implements
// to give callbacks their options, side effects and log.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"
#include "kiln/recipe_abi.h"

namespace kiln::recipe {

// A part's options as one callback sees them. Not thread-safe: one callback.
class OptionAccess {
 public:
  virtual ~OptionAccess() = default;
  // nullopt: the option is absent; an Error: it is there but cannot be
  // read (a ${} in it that cannot be resolved).
  virtual Expected<std::optional<std::string>> get(const std::string& option) = 0;
  virtual void set(const std::string& option, const std::string& value) = 0;
  virtual std::map<std::string, std::string> all() = 0;
  // Init only: another section's option / substitution in the profile.
  virtual Expected<std::optional<std::string>> section_option(const std::string& section,
                                                              const std::string& option);
  virtual Expected<std::string> substitute(const std::string& text);
  virtual Expected<std::map<std::string, std::string>> section_options(const std::string& section);
};

// Options held in a map (install/update/uninstall).
class MapOptions : public OptionAccess {
 public:
  explicit MapOptions(std::map<std::string, std::string>& options) : m_options(options) {}
  Expected<std::optional<std::string>> get(const std::string& option) override;
  void set(const std::string& option, const std::string& value) override;
  std::map<std::string, std::string> all() override { return m_options; }

 private:
  std::map<std::string, std::string>& m_options;
};

// Where a part's messages go: one whole line at a time. Thread-safe.
class PartLog {
 public:
  virtual ~PartLog() = default;
  virtual void write(int level, std::string_view line) = 0;
};

// Side effects offered to recipes. Implementations are thread-safe.
class HostServices {
 public:
  virtual ~HostServices() = default;
  // `log` receives progress lines on long downloads.
  virtual Status download(const std::string& url, const std::string& md5, const std::string& sha256,
                          const std::string& destination, PartLog& log) = 0;
  virtual Status extract(const std::string& archive, const std::string& destination,
                         int strip_mode) = 0;
  // Exit status (128 + signal when killed); an Error when it cannot start.
  virtual Expected<int> run(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extra_env, const std::string& cwd,
                            PartLog& log) = 0;
};

enum class Phase { k_init, k_install, k_update, k_uninstall };
const char* phase_name(Phase phase);

}  // namespace kiln::recipe

// One part during one callback (the ABI's opaque KilnPart). Owned by the
// caller of call_entry; the pointers must outlive the call.
struct KilnPart {
  std::string name;
  kiln::recipe::Phase phase = kiln::recipe::Phase::k_init;
  kiln::recipe::OptionAccess* options = nullptr;
  kiln::recipe::HostServices* services = nullptr;
  kiln::recipe::PartLog* log = nullptr;
  std::string build_directory;
  std::string shared_directory;

  std::vector<std::string> added_paths;  // add_path, in order
  // Called for each path add_path adds (not in init): the builder records it
  // as pending before the recipe creates it. May be empty.
  std::function<void(const std::string&)> on_add_path;
  std::set<std::string> kept_paths;  // keep_path (uninstall)
  std::vector<std::string> errors;   // error()
  // The first option, other section's option or text the host could not
  // substitute for the plugin (which only saw NULL). When the callback then
  // fails, this is why: see call_entry.
  std::optional<kiln::Error> lookup_error;
  std::deque<std::string> arena;  // strings handed to the plugin

  const char* keep(std::string s) { return arena.emplace_back(std::move(s)).c_str(); }
};

namespace kiln::recipe {

// The host function table (static, valid for the process's life).
const KilnHost* host_table();

// Calls `entry`'s callback for `phase` on `part` (a NULL callback is a
// success). A failure is k_invalid with the plugin's messages. Never throws.
// When the host could not substitute something the plugin asked for
// (KilnPart::lookup_error), that is the cause, not what the plugin made of
// the NULL it got: an error located in the profile (a ${} in an option,
// with the option's file:line) is returned as it is, and is an error even
// if the callback succeeds; an unlocated one (a ${} in a text given to
// substitute, a missing section) follows the plugin's messages as their
// cause ("template 'x': line 3: ${a:b}: ...").
Status call_entry(const KilnRecipeEntry& entry, KilnPart& part);

}  // namespace kiln::recipe
