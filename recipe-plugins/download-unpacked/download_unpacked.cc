// slapos.recipe.build:download-unpacked and hexagonit.recipe.download: download
// an archive and extract it (through the host). docs/recipes/download-unpacked.md.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "kiln/recipe.hpp"

namespace {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;

std::string trimmed(const std::string& s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

fs::perms parse_mode(const std::string& text) {
  std::string s = trimmed(text);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) s = s.substr(2);
  if (s.empty() || s.size() > 4 || s.find_first_not_of("01234567") != std::string::npos)
    throw Failure("option 'mode': expected an octal mode such as 0644, got '" + text + "'");
  return static_cast<fs::perms>(std::stoul(s, nullptr, 8)) & fs::perms::mask;
}

// The last path component of a URL, without query or fragment.
std::string url_basename(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base.empty() ? "download" : base;
}

// FNV-1a 64 of the options that key a shared part (those a recipe or the
// engine add, starting with '_', and what init sets are left out).
std::string options_hash(const Part& part) {
  uint64_t h = 1469598103934665603ull;
  auto feed = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const auto& [name, value] : part.options()) {
    if (name.empty() || name[0] == '_' || name == "location" || name == "target") continue;
    feed(name);
    feed(value);
  }
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  for (int i = 15; i >= 0; --i) out += k_hex[(h >> (4 * i)) & 0xf];
  return out;
}

// <shared>/<part>/<options hash> for `shared = true`.
std::string shared_location(const Part& part) {
  std::string root = part.shared_directory();
  if (root.empty())
    throw Failure("option 'shared': no shared-parts directory is configured for this build");
  return root + "/" + part.name() + "/" + options_hash(part);
}

std::string default_destination(Part& part) {
  if (part.get_bool("shared", false)) return shared_location(part);
  std::optional<std::string> parts = part.section_option("buildout", "parts-directory");
  if (!parts) throw Failure("${buildout:parts-directory} is not set");
  return *parts + "/" + part.name();
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
  try {
    part.download(url, file, trimmed(part.get("md5sum", "")), trimmed(part.get("sha256sum", "")));
  } catch (const Part::Reported&) {
    part.host()->error(part.raw(), ("download of " + url + " failed").c_str());
    throw;
  }
}

void make_parent(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw Failure("cannot create the directory of " + path + ": " + ec.message());
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
  make_parent(destination);
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
    if (destination.empty()) destination = default_destination(part);
    declare(part, destination);
  }
  void install(Part& part) override {
    std::string destination = part.get("target");
    std::error_code ec;
    if (part.get_bool("shared", false) && fs::exists(destination, ec)) {
      part.info("shared part already extracted: " + destination);
      return;
    }
    download_and_extract(part, destination, strip_mode(part, KILN_STRIP_IF_SINGLE_DIR));
  }
};

class Hexagonit : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    strip_mode(part, KILN_STRIP_NEVER);
    part.get_bool("download-only", false);
    if (part.has("mode")) parse_mode(part.get("mode"));
    std::string destination = trimmed(part.get("destination", ""));
    if (destination.empty()) destination = default_destination(part);
    part.set("destination", destination);
    declare(part, destination);
    if (part.get_bool("download-only", false)) {
      std::string filename = trimmed(part.get("filename", ""));
      if (filename.empty()) filename = url_basename(trimmed(part.get("url")));
      if (filename.find('/') != std::string::npos)
        throw Failure("option 'filename': '" + filename + "' must not contain '/'");
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
    if (part.has("mode")) {
      fs::permissions(target, parse_mode(part.get("mode")), ec);
      if (ec) throw Failure("cannot set the mode of " + target + ": " + ec.message());
    }
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
