// slapos.recipe.build:download — downloads one file (checksum verified by the
// host before the file is put in place). docs/recipes/download.md.
#include <filesystem>
#include <string>
#include <system_error>

#include "kiln/recipe.hpp"
#include "kiln_common/download.h"
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

bool is_shared(const Part& part) {
  return part.get_bool("shared", false);
}

class Download : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    if (trimmed(part.get("url")).empty()) throw Failure("option 'url' is empty");
    if (part.has("mode")) parse_octal_mode(part.get("mode"), "0644");
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
      check_filename(filename);
      location = download_part_directory(part);
      target = location + "/" + filename;
      part.set("filename", filename);
      if (!is_shared(part)) part.add_path(location);
    }
    part.set("location", location);
    part.set("target", target);
  }

  void install(Part& part) override { fetch(part); }

  void update(Part& part) override {
    // A pinned checksum (md5sum, or sha256sum) means the file cannot have
    // changed upstream: fetching it again could only fail.
    if (!trimmed(part.get("md5sum", "")).empty() || !trimmed(part.get("sha256sum", "")).empty())
      return;
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
    make_parent_directory(target);
    part.info("downloading " + url + " to " + target);
    download_checked(part, url, target);
    apply_file_mode(part, target);
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
