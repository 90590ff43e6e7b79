// slapos.recipe.build:download-unpacked and hexagonit.recipe.download: download
// an archive and extract it (through the host). docs/recipes/download-unpacked.md.
#include <filesystem>
#include <string>
#include <system_error>

#include "kiln/recipe.hpp"
#include "kiln_common/download.h"
#include "kiln_common/file_lock.h"
#include "kiln_common/options.h"
#include "kiln_common/text.h"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;
using kiln_common::apply_file_mode;
using kiln_common::check_filename;
using kiln_common::download_checked;
using kiln_common::download_part_directory;
using kiln_common::make_parent_directory;
using kiln_common::parse_octal_mode;
using kiln_common::trimmed;

// The last path component of a URL, without query or fragment.
std::string url_basename(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base.empty() ? "download" : base;
}

// strip-top-level-dir: unset -> `fallback`; true -> always; false -> never.
int strip_mode(const Part& part, int fallback) {
  std::string value = trimmed(part.get("strip-top-level-dir", ""));
  if (value.empty()) return fallback;
  return part.get_bool("strip-top-level-dir", false) ? KILN_STRIP_ALWAYS : KILN_STRIP_NEVER;
}

// Where the archive is downloaded before extraction: beside the destination.
std::string staging_dir(const std::string& destination) {
  return destination + ".download";
}

void download(Part& part, const std::string& url, const std::string& file) {
  part.info("downloading " + url);
  download_checked(part, url, file);
}

// Downloads url to a staging directory beside destination, extracts it into
// destination, removes the staging directory.
void download_and_extract(Part& part, const std::string& destination, int strip) {
  std::string url = trimmed(part.get("url"));
  std::string staging = staging_dir(destination);
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw Failure("cannot create " + staging + ": " + ec.message());
  std::string archive = staging + "/" + url_basename(url);
  download(part, url, archive);
  make_parent_directory(destination);
  part.info("extracting " + url_basename(url) + " into " + destination);
  part.extract(archive, destination, strip);
  fs::remove_all(staging, ec);
}

// Sets location/target to destination and declares what install creates.
void declare(Part& part, const std::string& destination) {
  if (trimmed(part.get("url")).empty()) throw Failure("option 'url' is empty");
  part.set("location", destination);
  part.set("target", destination);
  if (part.get_bool("shared", false)) return;
  part.add_path(destination);
  part.add_path(staging_dir(destination));
}

class Unpacked : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    strip_mode(part, KILN_STRIP_IF_SINGLE_DIR);  // validates the option
    std::string destination = trimmed(part.get("destination", ""));
    if (destination.empty()) destination = download_part_directory(part);
    declare(part, destination);
  }
  void install(Part& part) override {
    std::string destination = part.get("target");
    int strip = strip_mode(part, KILN_STRIP_IF_SINGLE_DIR);
    if (!part.get_bool("shared", false)) return download_and_extract(part, destination, strip);
    // Shared: one extraction at a time (the others wait, then reuse it). The
    // extraction lands by rename, so an existing destination is complete.
    make_parent_directory(destination);
    kiln_common::FileLock lock(part, destination + ".lock");
    std::error_code ec;
    if (fs::exists(destination, ec)) {
      part.info("shared part already extracted: " + destination);
      return;
    }
    download_and_extract(part, destination, strip);
  }
};

class Hexagonit : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    strip_mode(part, KILN_STRIP_NEVER);
    part.get_bool("download-only", false);
    if (part.has("mode")) parse_octal_mode(part.get("mode"), "0644");
    std::string destination = trimmed(part.get("destination", ""));
    if (destination.empty()) destination = download_part_directory(part);
    part.set("destination", destination);
    declare(part, destination);
    if (part.get_bool("download-only", false)) {
      std::string filename = trimmed(part.get("filename", ""));
      if (filename.empty()) filename = url_basename(trimmed(part.get("url")));
      check_filename(filename);
      part.set("filename", filename);
      part.set("target", destination + "/" + filename);
    }
  }
  void install(Part& part) override {
    std::string destination = part.get("location");
    if (!part.get_bool("download-only", false)) {
      download_and_extract(part, destination, strip_mode(part, KILN_STRIP_NEVER));
      return;
    }
    std::string target = part.get("target");
    std::error_code ec;
    fs::create_directories(destination, ec);
    if (ec) throw Failure("cannot create " + destination + ": " + ec.message());
    download(part, trimmed(part.get("url")), target);
    apply_file_mode(part, target);
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "download-unpacked", "1",
    kiln::sdk::entry<Unpacked>(
        "default", "Downloads and extracts an archive (slapos.recipe.build:download-unpacked)",
        {{"url", true, nullptr, "URL of the archive"},
         {"md5sum", false, nullptr, "expected MD5 (hex)"},
         {"sha256sum", false, nullptr, "expected SHA-256 (hex)"},
         {"destination", false, nullptr, "directory to extract into (default parts/<part>)"},
         {"strip-top-level-dir", false, nullptr,
          "true: always strip, false: never (default: strip a single top-level directory)"}}),
    kiln::sdk::entry<Hexagonit>(
        "hexagonit", "Downloads and extracts an archive (hexagonit.recipe.download)",
        {{"url", true, nullptr, "URL of the archive"},
         {"md5sum", false, nullptr, "expected MD5 (hex)"},
         {"sha256sum", false, nullptr, "expected SHA-256 (hex)"},
         {"destination", false, nullptr, "directory (default parts/<part>)"},
         {"strip-top-level-dir", false, nullptr, "strip the top-level directory (default false)"},
         {"download-only", false, nullptr, "only download, into destination/filename"},
         {"filename", false, nullptr, "file name for download-only (default: from the URL)"},
         {"mode", false, nullptr, "octal mode of the downloaded file (download-only)"}}));
