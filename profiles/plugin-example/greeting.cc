// An example of an out-of-tree recipe plugin: `recipe = greeting` writes the
// `greeting` option, followed by a newline, into the file `output`.
//
// init sets the default of `output`, <parts-directory>/<part>/greeting.txt, so
// that other parts can reference ${<part>:output}, and declares the file as the
// part's (Kiln removes it on uninstall and after a failed install).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "kiln/recipe.hpp"

namespace {

using kiln::sdk::Failure;
using kiln::sdk::Part;

class Greeting : public kiln::sdk::Recipe {
 public:
  void init(Part& part) override {
    if (!part.has("output")) {
      std::string parts = part.section_option("buildout", "parts-directory")
                              .value_or(part.build_directory() + "/parts");
      part.set("output", parts + "/" + part.name() + "/greeting.txt");
    }
    std::string output = part.get("output");
    if (output.empty() || output[0] != '/') {
      output = part.build_directory() + "/" + output;
      part.set("output", output);
    }
    part.add_path(output);
  }

  void install(Part& part) override { write(part); }

  // Same options as when it was installed: the file is rewritten only if it
  // changed on disk.
  void update(Part& part) override {
    std::ifstream in(part.get("output"), std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (current != part.get("greeting") + "\n") write(part);
  }

 private:
  static void write(Part& part) {
    std::filesystem::path output = part.get("output");
    std::error_code ec;
    std::filesystem::create_directories(output.parent_path(), ec);
    if (ec) throw Failure("cannot create " + output.parent_path().string() + ": " + ec.message());
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << part.get("greeting") << "\n";
    out.close();
    if (!out) throw Failure("cannot write " + output.string() + ": " + std::strerror(errno));
    part.info("wrote " + output.string());
  }
};

}  // namespace

KILN_RECIPE_PLUGIN(
    "greeting", "1.0",
    kiln::sdk::entry<Greeting>("default", "Writes a greeting into a file",
                               {{"greeting", false, "Hello, world!", "the text to write"},
                                {"output", false, nullptr,
                                 "the file (default <parts-directory>/<part>/greeting.txt)"}}));
