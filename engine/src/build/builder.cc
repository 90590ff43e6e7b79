#include "build/builder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>

#include "archive/temp_path.h"
#include "build/installed_state.h"
#include "build/part_discovery.h"
#include "build/planner.h"
#include "build/scheduler.h"
#include "profile/resolve.h"
#include "util/file_lock.h"

namespace kiln::build {

namespace fs = std::filesystem;

std::string state_path(const std::string& directory, const std::string& name) {
  return directory + "/.kiln/" + name + ".json";
}

std::string state_name(const profile::RawConfig& raw) {
  const profile::RawSection* b = raw.find("buildout");
  const profile::RawEntry* e = b ? b->find("installed") : nullptr;
  std::string base = e ? fs::path(e->value).filename().string() : std::string();
  if (base.empty() || base == ".installed.cfg") return "installed";
  std::string out;
  for (char c : base)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

namespace {

struct Context {
  const BuildRequest& request;
  recipe::PluginRegistry& plugins;
  recipe::HostServices& services;
  BuildOutput& output;
  std::string directory;
  std::string shared;
  std::string state_file;
  InstalledState state;
  std::mutex state_mutex;

  std::string log_path(const std::string& part) const {
    return directory + "/.kiln/log/" + part + ".log";
  }
  // REQUIRES: state_mutex held.
  Status save() { return save_state(state_file, state); }
};

bool under(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// Removes what a part created, except kept paths and shared parts, and with
// each path the extraction temporary beside it (what a killed extraction into
// it left: archive/temp_path.h).
void remove_paths(Context& ctx, const std::string& part, const std::vector<std::string>& paths,
                  const std::set<std::string>& kept) {
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    if (kept.count(*it) || under(*it, ctx.shared)) continue;
    for (const std::string& path : {*it, archive::temporary_path(*it)}) {
      std::error_code ec;
      fs::remove_all(path, ec);
      if (ec) ctx.output.warning("part " + part + ": cannot remove " + path + ": " + ec.message());
    }
  }
}

std::string identity(const Part& p) {
  return p.recipe.plugin + ":" + p.recipe.entry + "@" + p.plugin->descriptor->version;
}

KilnPart make_ctx(Context& ctx, const std::string& name, recipe::Phase phase,
                  recipe::OptionAccess& options, recipe::PartLog& log) {
  KilnPart k;
  k.name = name;
  k.phase = phase;
  k.options = &options;
  k.services = &ctx.services;
  k.log = &log;
  k.build_directory = ctx.directory;
  k.shared_directory = ctx.shared;
  return k;
}

Status uninstall_part(Context& ctx, const std::string& name, const std::string& reason) {
  InstalledPart rec = ctx.state.parts.at(name);
  ctx.output.event("uninstall", name, reason);
  std::set<std::string> kept;
  // rec.recipe is "plugin:entry@version" (identity()); be lenient with a
  // hand-edited state.
  std::string id = rec.recipe.substr(0, rec.recipe.find('@'));
  std::size_t colon = id.find(':');
  std::string plugin_name = id.substr(0, colon);
  std::string entry = colon == std::string::npos ? "default" : id.substr(colon + 1);
  Expected<const recipe::LoadedPlugin*> plugin = ctx.plugins.load(plugin_name);
  const KilnRecipeEntry* e = plugin.ok() ? (*plugin)->find_entry(entry) : nullptr;
  if (e) {
    PartLogSink log(ctx.output, name, ctx.log_path(name));
    recipe::MapOptions options(rec.options);
    KilnPart k = make_ctx(ctx, name, recipe::Phase::k_uninstall, options, log);
    Status st = recipe::call_entry(*e, k);
    if (!st.ok()) ctx.output.warning("part " + name + ": uninstall: " + st.error().message);
    kept = k.kept_paths;
  } else {
    ctx.output.warning("part " + name + ": recipe " + rec.recipe +
                       " is not available; removing its files only");
  }
  remove_paths(ctx, name, rec.paths, kept);
  std::lock_guard<std::mutex> lock(ctx.state_mutex);
  ctx.state.forget(name);
  return ctx.save();
}

InstalledPart record_of(const Part& p, std::map<std::string, std::string> options,
                        std::vector<std::string> paths) {
  InstalledPart r;
  r.recipe = identity(p);
  r.signature = p.signature;
  r.options = std::move(options);
  r.paths = std::move(paths);
  r.deps = p.deps;
  return r;
}

// The paths among `paths` that do not exist (yet).
std::vector<std::string> missing_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(p, ec))) out.push_back(p);
  }
  return out;
}

Status install_part(Context& ctx, const Part& part) {
  ctx.output.event("install", part.name);
  // What a failed or killed install removes: only paths that did not exist
  // when it started (a declared path already there — a checkout, a file of
  // the user's — is left alone), recorded as pending before they are made.
  std::vector<std::string> fresh = missing_paths(part.declared_paths);
  auto add_pending = [&](const std::vector<std::string>& paths) -> Status {
    if (paths.empty()) return {};
    std::lock_guard<std::mutex> lock(ctx.state_mutex);
    auto& pending = ctx.state.pending[part.name];
    pending.insert(pending.end(), paths.begin(), paths.end());
    return ctx.save();
  };
  if (Status st = add_pending(fresh); !st.ok()) return part_error(part, st.error().to_string());
  PartLogSink log(ctx.output, part.name, ctx.log_path(part.name));
  std::map<std::string, std::string> options = part.options;
  recipe::MapOptions access(options);
  KilnPart k = make_ctx(ctx, part.name, recipe::Phase::k_install, access, log);
  k.added_paths = part.declared_paths;
  k.on_add_path = [&](const std::string& path) {
    std::vector<std::string> created = missing_paths({path});
    fresh.insert(fresh.end(), created.begin(), created.end());
    (void)add_pending(created);
  };
  Status st = recipe::call_entry(*part.entry, k);
  if (!st.ok()) {
    // What the recipe asked to keep (a failed build's compile directory,
    // for inspection) stays; the rest of what it made goes.
    remove_paths(ctx, part.name, fresh, k.kept_paths);
    std::lock_guard<std::mutex> lock(ctx.state_mutex);
    ctx.state.pending.erase(part.name);
    (void)ctx.save();
    return part_error(part, "install failed: " + st.error().message + log.output_tail());
  }
  // Paths declared at init that the install did not leave (a compile
  // directory, say) are not the part's.
  std::vector<std::string> paths;
  for (std::string& p : k.added_paths) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(p, ec))) paths.push_back(std::move(p));
  }
  std::lock_guard<std::mutex> lock(ctx.state_mutex);
  ctx.state.pending.erase(part.name);
  ctx.state.record(part.name, record_of(part, std::move(options), std::move(paths)));
  if (Status saved = ctx.save(); !saved.ok()) return part_error(part, saved.error().to_string());
  return {};
}

Status update_part(Context& ctx, const Part& part) {
  ctx.output.event("update", part.name);
  InstalledPart rec;
  {
    std::lock_guard<std::mutex> lock(ctx.state_mutex);
    rec = ctx.state.parts.at(part.name);
  }
  PartLogSink log(ctx.output, part.name, ctx.log_path(part.name));
  std::map<std::string, std::string> options = part.options;
  recipe::MapOptions access(options);
  KilnPart k = make_ctx(ctx, part.name, recipe::Phase::k_update, access, log);
  k.added_paths = rec.paths;
  Status st = recipe::call_entry(*part.entry, k);
  if (!st.ok()) {
    // As zc.buildout: a part whose update failed is uninstalled, so the
    // next run installs it afresh instead of trusting a half-updated part.
    remove_paths(ctx, part.name, k.added_paths, k.kept_paths);
    std::lock_guard<std::mutex> lock(ctx.state_mutex);
    ctx.state.forget(part.name);
    (void)ctx.save();
    return part_error(
        part, "update failed (the part is uninstalled): " + st.error().message + log.output_tail());
  }
  InstalledPart now = record_of(part, std::move(options), std::move(k.added_paths));
  std::lock_guard<std::mutex> lock(ctx.state_mutex);
  const InstalledPart& before = ctx.state.parts.at(part.name);
  if (before.options == now.options && before.paths == now.paths && before.deps == now.deps &&
      before.recipe == now.recipe)
    return {};  // nothing changed: no state write (a no-op re-run stays fast)
  ctx.state.record(part.name, std::move(now));
  return ctx.save();
}

// Removes what interrupted installs left behind.
Status clean_pending(Context& ctx) {
  if (ctx.state.pending.empty()) return {};
  for (const auto& [name, paths] : ctx.state.pending) {
    ctx.output.note("Cleaning up the interrupted install of " + name);
    remove_paths(ctx, name, paths, {});
    if (ctx.state.parts.count(name)) ctx.state.forget(name);
  }
  ctx.state.pending.clear();
  return ctx.save();
}

Status execute(Context& ctx, const Discovered& found, const std::vector<PlanStep>& plan) {
  for (const PlanStep& s : plan)
    if (s.kind == PlanStep::k_uninstall)
      if (Status st = uninstall_part(ctx, s.part, s.reason); !st.ok()) return st;
  std::map<std::string, PlanStep::Kind> kind;
  for (const PlanStep& s : plan)
    if (s.kind != PlanStep::k_uninstall) kind[s.part] = s.kind;
  std::vector<Task> tasks;
  std::map<std::string, std::size_t> index;
  for (const Part& p : found.parts) {
    if (!kind.count(p.name)) continue;
    Task t;
    t.name = p.name;
    for (const std::string& d : p.deps)
      if (index.count(d)) t.deps.push_back(index[d]);
    bool install = kind[p.name] == PlanStep::k_install;
    t.run = [&ctx, &p, install]() -> Status {
      try {
        return install ? install_part(ctx, p) : update_part(ctx, p);
      } catch (const std::exception& e) {  // a bug: reported, never a crash
        return part_error(p, std::string("internal error: ") + e.what());
      }
    };
    index[p.name] = tasks.size();
    tasks.push_back(std::move(t));
  }
  ctx.output.set_total(static_cast<int>(tasks.size()));
  std::vector<TaskOutcome> out = run_tasks(tasks, ctx.request.jobs);
  std::vector<Error> errors;
  for (const TaskOutcome& o : out)
    if (o.state == TaskOutcome::k_failed) errors.push_back(o.error);
  if (errors.empty()) return {};
  for (std::size_t i = 1; i < errors.size(); ++i)
    ctx.output.event("failed", "", errors[i].to_string());
  return errors.front();
}

}  // namespace

Expected<BuildReport> run_build(const BuildRequest& request, recipe::PluginRegistry& plugins,
                                recipe::HostServices& services, BuildOutput& output) {
  Expected<profile::LoadedProfile> loaded =
      profile::load_with_options(request.profile, request.profile_options, false);
  if (!loaded.ok()) return loaded.error();
  Expected<profile::RawConfig> raw = profile::raw_view(*loaded);
  if (!raw.ok()) return raw.error();
  Context ctx{request, plugins, services, output, loaded->directory, request.shared_directory,
              {},      {},      {}};
  // [buildout] directory as the profile set it (nested builds set it to the
  // partition they work in), else the main profile's folder.
  if (const profile::RawSection* b = raw->find("buildout"))
    if (const profile::RawEntry* d = b->find("directory");
        d && !d->value.empty() && d->value.find("${") == std::string::npos)
      ctx.directory = fs::absolute(d->value).lexically_normal().string();
  while (ctx.directory.size() > 1 && ctx.directory.back() == '/') ctx.directory.pop_back();
  if (ctx.directory.empty())
    return Error(ErrorCode::k_invalid, "the profile has no [buildout] directory");
  if (ctx.shared.empty()) ctx.shared = ctx.directory + "/shared";
  std::string name = state_name(*raw);
  ctx.state_file = state_path(ctx.directory, name);
  // One build of a directory at a time; the lock dies with the process.
  std::optional<util::FileLock> lock;
  if (!request.dry_run) {
    Expected<util::FileLock> l = util::FileLock::acquire(
        ctx.directory + "/.kiln/" + name + ".lock", true, [&](const std::string& who) {
          output.warning("waiting for " + who + ", which is building " + ctx.directory);
        });
    if (!l.ok()) return l.error();
    lock.emplace(std::move(*l));
  }
  PartLogSink init_log(output, "init", ctx.log_path("_init"));
  DiscoveryOptions dopt{request.only, ctx.directory, ctx.shared};
  Expected<Discovered> found = discover_parts(*raw, plugins, services, init_log, dopt);
  if (!found.ok()) return found.error();
  Expected<InstalledState> state = load_state(ctx.state_file);
  if (!state.ok()) return state.error();
  ctx.state = std::move(*state);
  if (!request.dry_run)
    if (Status st = clean_pending(ctx); !st.ok()) return st.error();
  std::vector<PlanStep> steps = make_plan(*found, ctx.state, !request.only.empty());
  BuildReport report;
  report.directory = ctx.directory;
  for (const PlanStep& s : steps) {
    if (request.dry_run) output.note("would " + plan_text(s, true));
    (s.kind == PlanStep::k_install  ? report.installed
     : s.kind == PlanStep::k_update ? report.updated
                                    : report.uninstalled)++;
  }
  if (request.dry_run) return report;
  if (Status st = execute(ctx, *found, steps); !st.ok()) return st.error();
  return report;
}

}  // namespace kiln::build
