#include "kiln_common/download.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <system_error>

#include "kiln_common/options.h"
#include "kiln_common/text.h"

namespace kiln_common {

namespace fs = std::filesystem;
using kiln::sdk::Failure;
using kiln::sdk::Part;

std::string download_options_hash(const std::map<std::string, std::string>& options) {
  uint64_t h = 1469598103934665603ull;
  auto feed = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const auto& [name, value] : options) {
    if (name.empty() || name[0] == '_' || name == "location" || name == "target") continue;
    feed(name);
    feed(value);
  }
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  for (int i = 15; i >= 0; --i) out += k_hex[(h >> (4 * i)) & 0xf];
  return out;
}

std::string shared_location(const Part& part, const std::string& hash) {
  std::string root = part.shared_directory();
  if (root.empty())
    throw Failure("option 'shared': no shared-parts directory is configured for this build");
  return root + "/" + part.name() + "/" + hash;
}

std::string download_part_directory(const Part& part) {
  if (part.get_bool("shared", false))
    return shared_location(part, download_options_hash(part.options()));
  std::optional<std::string> parts = part.section_option("buildout", "parts-directory");
  if (!parts) throw Failure("${buildout:parts-directory} is not set");
  return *parts + "/" + part.name();
}

void download_checked(Part& part, const std::string& url, const std::string& file) {
  try {
    part.download(url, file, trimmed(part.get("md5sum", "")), trimmed(part.get("sha256sum", "")));
  } catch (const Part::Reported&) {
    part.host()->error(part.raw(), ("download of " + url + " failed").c_str());
    throw;
  }
}

void make_parent_directory(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw Failure("cannot create the directory of " + path + ": " + ec.message());
}

void apply_file_mode(const Part& part, const std::string& path) {
  if (!part.has("mode")) return;
  fs::perms mode = static_cast<fs::perms>(parse_octal_mode(part.get("mode"), "0644"));
  std::error_code ec;
  fs::permissions(path, mode & fs::perms::mask, ec);
  if (ec) throw Failure("cannot set the mode of " + path + ": " + ec.message());
}

}  // namespace kiln_common
