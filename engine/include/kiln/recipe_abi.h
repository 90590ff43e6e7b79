/* Kiln recipe plugin ABI — a plain C interface between the kiln engine (the
 * host) and a recipe plugin (a shared library loaded with dlopen).
 *
 * This header is a public API: docs/recipe-abi.md is its contract. Change it
 * only together with that document, and bump KILN_RECIPE_ABI_VERSION on any
 * incompatible change.
 *
 * A plugin exports exactly one symbol, `kiln_recipe_plugin` (see
 * KILN_RECIPE_EXPORT below), returning a static descriptor whose first two
 * fields are the ABI version and the descriptor's size. The host refuses a
 * plugin whose version differs from its own or whose struct sizes are smaller
 * than it needs, naming the file and both versions.
 *
 * Rules for both sides:
 * - Only C types cross the boundary; nothing throws across it (a C++ plugin
 *   catches everything in its callbacks; kiln/recipe.hpp does it for you).
 * - Strings are NUL-terminated UTF-8. A `const char*` returned by the host is
 *   owned by the host and valid until the current callback returns.
 * - Callbacks return KILN_OK or KILN_FAILED; before returning KILN_FAILED a
 *   callback reports why with host->error().
 * - Callbacks of different parts may run at the same time on different
 *   threads (install/update/uninstall); `init` callbacks run one at a time.
 *   The host functions are thread-safe for distinct parts.
 */
#ifndef KILN_RECIPE_ABI_H
#define KILN_RECIPE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_RECIPE_ABI_VERSION 1

#define KILN_OK 0
#define KILN_FAILED 1

/* Log levels for host->log. */
#define KILN_LOG_DEBUG 0
#define KILN_LOG_INFO 1
#define KILN_LOG_WARNING 2

/* Strip modes for host->extract. */
#define KILN_STRIP_NEVER 0
#define KILN_STRIP_IF_SINGLE_DIR 1 /* one top-level directory: use its contents */
#define KILN_STRIP_ALWAYS 2

/* One option a recipe entry understands. A required option that is absent
 * (and has no default) stops the build before anything runs, naming the part
 * and the file:line of its `recipe` option. A default is set on the part's
 * options before `init` runs. Unknown options are allowed (profiles use them
 * to hold data for other parts). */
typedef struct KilnOptionSpec {
  const char* name;
  int required;              /* non-zero: must be present */
  const char* default_value; /* NULL: none */
  const char* description;
} KilnOptionSpec;

/* The part a callback works on: opaque, owned by the host. */
typedef struct KilnPart KilnPart;

/* Services the host offers to a callback. Every function takes the part the
 * callback received. Functions returning int return KILN_OK or KILN_FAILED;
 * on failure the host has already recorded the reason (the callback should
 * return KILN_FAILED, possibly after adding context with error()). */
typedef struct KilnHost {
  uint32_t abi_version; /* KILN_RECIPE_ABI_VERSION of the host */
  uint32_t struct_size; /* sizeof(KilnHost) of the host */

  /* The part's name (its section) and the recipe as written in the profile. */
  const char* (*part_name)(KilnPart* part);

  /* The value of one of the part's options (substituted), NULL if absent. */
  const char* (*get_option)(KilnPart* part, const char* name);
  /* Sets an option of the part; in `init`, other parts can reference it
   * (${part:name}). Values set in `install` are recorded in the state. */
  int (*set_option)(KilnPart* part, const char* name, const char* value);
  /* Calls fn(name, value, data) for every option of the part, sorted by name. */
  void (*each_option)(KilnPart* part, void (*fn)(const char* name, const char* value, void* data),
                      void* data);
  /* ${section:option} of another section, substituted (init only: the
   * section becomes a dependency of this part). NULL if it does not exist. */
  const char* (*get_section_option)(KilnPart* part, const char* section, const char* option);
  /* Substitutes ${section:option} references in text as the profile engine
   * does (init only; referenced sections become dependencies). NULL on error
   * (reported). `$${x}` comes out as `${x}`. */
  const char* (*substitute)(KilnPart* part, const char* text);

  /* Messages. log() goes to the part's log and, by level, to the console,
   * one whole line at a time. error() records why the callback fails. */
  void (*log)(KilnPart* part, int level, const char* message);
  void (*error)(KilnPart* part, const char* message);

  /* Paths the part owns: removed when the part is uninstalled, and after a
   * failed or interrupted install. Paths added in `init` are recorded before
   * `install` starts, so a crash mid-install still knows what to remove. */
  int (*add_path)(KilnPart* part, const char* path);
  /* In `uninstall`: keep this path (for instance a checkout with local
   * changes) instead of removing it. In a failing `install`: leave it for
   * inspection (a failed build's compile directory) — it is not recorded. */
  int (*keep_path)(KilnPart* part, const char* path);

  /* Downloads url (http(s)://, file:// or a local path) to destination,
   * verifying md5/sha256 when given (hex; NULL or "" = no check) before the
   * file is put in place, through the shared download cache; honours
   * offline mode. */
  int (*download)(KilnPart* part, const char* url, const char* md5, const char* sha256,
                  const char* destination);
  /* Extracts an archive (tar, tar.gz/xz/bz2, zip) into destination (must
   * not exist), refusing entries that escape it; nothing left on failure. */
  int (*extract)(KilnPart* part, const char* archive, const char* destination, int strip_mode);
  /* Runs argv (NULL-terminated) in cwd (NULL = the part's working directory)
   * with the host environment plus env ("KEY=VALUE" strings, NULL-terminated,
   * may be NULL). Output goes to the part's log. *exit_code receives the exit
   * status (128 + signal when killed). Returns KILN_FAILED only when the
   * process could not be started. */
  int (*run)(KilnPart* part, const char* const* argv, const char* const* env, const char* cwd,
             int* exit_code);

  /* Directories: the build's root (buildout:directory), and the root of
   * shared parts (`shared = true`: <shared>/<name>/<hash of options>/),
   * which outlive any one release. */
  const char* (*build_directory)(KilnPart* part);
  const char* (*shared_directory)(KilnPart* part);

  /* Appended in ABI 1 (check struct_size before use): calls fn for every
   * option of another section, substituted, sorted by name (init only; the
   * section becomes a dependency). Returns KILN_FAILED if it does not exist. */
  int (*each_section_option)(KilnPart* part, const char* section,
                             void (*fn)(const char* name, const char* value, void* data),
                             void* data);
} KilnHost;

/* One recipe: `plugin` or `plugin:entry` in a profile. */
typedef struct KilnRecipeEntry {
  const char* name; /* "default" for the entry used when none is named */
  const char* description;
  const KilnOptionSpec* options;
  size_t option_count;

  /* Computes options others may reference (location, target, ...), declares
   * the paths the part will create (add_path). Runs while the profile is
   * being resolved, before anything is installed. May be NULL. */
  int (*init)(const KilnHost* host, KilnPart* part);
  /* Creates the part. Paths are added with add_path (before creating them). */
  int (*install)(const KilnHost* host, KilnPart* part);
  /* The part is installed with the same options and its paths exist. May be
   * NULL (nothing to do). */
  int (*update)(const KilnHost* host, KilnPart* part);
  /* Before the host removes the part's paths; get_option returns the options
   * recorded at install time. May be NULL. */
  int (*uninstall)(const KilnHost* host, KilnPart* part);
} KilnRecipeEntry;

typedef struct KilnRecipePlugin {
  uint32_t abi_version; /* KILN_RECIPE_ABI_VERSION the plugin was built with */
  uint32_t struct_size; /* sizeof(KilnRecipePlugin) */
  uint32_t entry_size;  /* sizeof(KilnRecipeEntry) */
  uint32_t option_size; /* sizeof(KilnOptionSpec) */
  const char* name;     /* the plugin's name, as in `recipe = name:entry` */
  const char* version;  /* part of every part's signature */
  const KilnRecipeEntry* entries;
  size_t entry_count;
} KilnRecipePlugin;

#define KILN_RECIPE_PLUGIN_SYMBOL "kiln_recipe_plugin"
typedef const KilnRecipePlugin* (*KilnRecipePluginFn)(void);

#if defined(__GNUC__)
#define KILN_RECIPE_EXPORT __attribute__((visibility("default")))
#else
#define KILN_RECIPE_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* KILN_RECIPE_ABI_H */
