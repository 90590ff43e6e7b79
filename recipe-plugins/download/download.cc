// slapos.recipe.build:download — downloads one file (checksum verified by the
// host before the file is put in place). docs/recipes/download.md.
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

// "0755", "755" or "0o755": permission bits; Failure naming the value otherwise.
fs::perms parse_mode(const std::string& text) {
  std::string s = trimmed(text);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) s = s.substr(2);
  if (s.empty() || s.size() > 4 || s.find_first_not_of("01234567") != std::string::npos)
    throw Failure("option 'mode': expected an octal mode such as 0644, got '" + text + "'");
  return static_cast<fs::perms>(std::stoul(s, nullptr, 8)) & fs::perms::mask;
}

bool is_shared(const Part& part) {
  return part.get_bool("shared", false);
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

// The directory the part owns when no destination is given.
std::string part_directory(const Part& part) {
  if (is_shared(part)) return shared_location(part);
  std::optional<std::string> parts = part.section_option("buildout", "parts-directory");
  if (!parts) throw Failure("${buildout:parts-directory} is not set");
  return *parts + "/" + part.name();
}

class Download : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    if (trimmed(part.get("url")).empty()) throw Failure("option 'url' is empty");
    if (part.has("mode")) parse_mode(part.get("mode"));
    std::string destination = trimmed(part.get("destination", ""));
    std::string target, location;
    if (!destination.empty()) {
      target = destination;
      location = fs::path(destination).parent_path().string();
      if (!part.has("filename")) part.set("filename", fs::path(destination).filename().string());
      if (!is_shared(part)) part.add_path(target);
    } else {
      std::string filename = trimmed(part.get("filename", ""));
      if (filename.empty()) filename = part.name();
      if (filename.find('/') != std::string::npos)
        throw Failure("option 'filename': '" + filename + "' must not contain '/'");
      location = part_directory(part);
      target = location + "/" + filename;
      part.set("filename", filename);
      if (!is_shared(part)) part.add_path(location);
    }
    part.set("location", location);
    part.set("target", target);
  }

  void install(Part& part) override { fetch(part); }

  void update(Part& part) override {
    // A pinned md5sum means the file cannot have changed upstream.
    if (!trimmed(part.get("md5sum", "")).empty()) return;
    fetch(part);
  }

 private:
  static void fetch(Part& part) {
    std::string url = trimmed(part.get("url"));
    std::string target = part.get("target");
    std::error_code ec;
    if (is_shared(part) && fs::exists(target, ec)) {
      part.info("shared file already downloaded: " + target);
      return;
    }
    fs::create_directories(fs::path(target).parent_path(), ec);
    if (ec) throw Failure("cannot create the directory of " + target + ": " + ec.message());
    part.info("downloading " + url + " to " + target);
    try {
      part.download(url, target, trimmed(part.get("md5sum", "")),
                    trimmed(part.get("sha256sum", "")));
    } catch (const Part::Reported&) {
      part.host()->error(part.raw(), ("download of " + url + " failed").c_str());
      throw;
    }
    if (part.has("mode")) {
      fs::permissions(target, parse_mode(part.get("mode")), ec);
      if (ec) throw Failure("cannot set the mode of " + target + ": " + ec.message());
    }
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "download", "1",
    kiln::sdk::entry<Download>("default", "Downloads one file (slapos.recipe.build:download)",
                               {{"url", true, nullptr, "URL of the file"},
                                {"md5sum", false, nullptr, "expected MD5 (hex)"},
                                {"sha256sum", false, nullptr, "expected SHA-256 (hex)"},
                                {"filename", false, nullptr, "file name (default: the part name)"},
                                {"destination", false, nullptr, "full path of the file"},
                                {"mode", false, nullptr, "octal permission bits"}}));
