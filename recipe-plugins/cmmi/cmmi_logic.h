// Pure logic of the cmmi recipe (no host calls): Python-style `%(name)s`
// interpolation, `environment` parsing, the configure command line, the hash
// that keys a shared build, shell quoting and the failure script.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln_cmmi {

// Returns the value of a name, nullopt when it is unknown.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;

// Python's `text % mapping` restricted to `%(name)s` and `%%`: each
// `%(name)s` is replaced by lookup(name), `%%` by `%`. A `%` followed by
// anything else is kept as is. Throws kiln::sdk::Failure naming `what` for an
// unknown name, an unterminated `%(`, or a conversion other than `s`.
std::string interpolate(const std::string& text, const Lookup& lookup, const std::string& what);

// `KEY=VALUE` lines (blank lines skipped; key and value trimmed). Throws
// kiln::sdk::Failure naming the option for a line without `=` or an empty key.
std::vector<std::pair<std::string, std::string>> parse_environment(const std::string& text,
                                                                   const std::string& option);

// Whitespace-separated words of text.
std::vector<std::string> split_words(const std::string& text);

// The configure step: `command` (trimmed) followed by the configure options
// when `command` is not empty; otherwise `./configure --prefix=<prefix>`
// followed by the options, `--prefix` being added only when no option starts
// with `--prefix`.
std::string configure_command(const std::string& command, const std::string& options,
                              const std::string& prefix);

// Options that do not take part in the shared-build hash: the ones computed
// from it (location, prefix, compile-directory) and every name starting with
// `_` (recipe- and buildout-internal ones such as _profile_base_location_).
bool excluded_from_hash(const std::string& option);

// The key of a shared build: 32 hex digits of a SHA-256 over the options
// (sorted by name, excluded ones left out).
std::string options_hash(const std::map<std::string, std::string>& options);

// `s` as one sh word (single-quoted unless made only of safe characters).
std::string shell_quote(const std::string& s);

// A script that reproduces a failed step's surroundings: every variable of
// `environment` exported (sorted), then `cd cwd`.
std::string environment_script(const std::map<std::string, std::string>& environment,
                               const std::string& cwd);

// Splits a `patches` entry `url#md5` into {url, md5} (md5 empty when absent).
std::pair<std::string, std::string> split_md5_fragment(const std::string& entry);

// Whether `text` starts with a URL scheme and "://" (http://, file://, ...).
bool has_url_scheme(const std::string& text);

}  // namespace kiln_cmmi
