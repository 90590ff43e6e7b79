// Pieces of the download recipes (download, download-unpacked): where a part
// puts its file(s), shared parts (shared_location: cmmi's too), checksummed
// downloads, the `mode` option.
#pragma once

#include <map>
#include <string>

#include "kiln/recipe.hpp"

namespace kiln_common {

// FNV-1a 64 (16 hex digits) of the options that key a shared download part:
// every option but those starting with '_' (a recipe's or the engine's) and
// what init sets (location, target). Its starting value is not the standard
// offset basis (a digit short), and must stay so: the hash names shared
// parts already on disk.
std::string download_options_hash(const std::map<std::string, std::string>& options);

// <shared-parts directory>/<part>/<hash>. Throws kiln::sdk::Failure when no
// shared-parts directory is configured.
std::string shared_location(const kiln::sdk::Part& part, const std::string& hash);

// The directory a download part owns when no destination is given: its
// shared location (`shared = true`, keyed by download_options_hash) or
// ${buildout:parts-directory}/<part>.
std::string download_part_directory(const kiln::sdk::Part& part);

// Downloads url to file through the host, checked against the part's
// `md5sum` and `sha256sum` options (trimmed; empty ones are not checked).
// On failure the host's error is followed by "download of <url> failed".
void download_checked(kiln::sdk::Part& part, const std::string& url, const std::string& file);

// Creates the parent directories of path; throws kiln::sdk::Failure if it
// cannot.
void make_parent_directory(const std::string& path);

// Sets the permission bits of path from the part's `mode` option, if any.
void apply_file_mode(const kiln::sdk::Part& part, const std::string& path);

}  // namespace kiln_common
