#include "kiln_common/options.h"

#include "kiln/recipe.hpp"
#include "kiln_common/text.h"

namespace kiln_common {

using kiln::sdk::Failure;

unsigned parse_octal_mode(const std::string& text, const std::string& example) {
  std::string s = trimmed(text);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) s = s.substr(2);
  if (s.empty() || s.size() > 4 || s.find_first_not_of("01234567") != std::string::npos)
    throw Failure("option 'mode': expected an octal mode such as " + example + ", got '" + text +
                  "'");
  return static_cast<unsigned>(std::stoul(s, nullptr, 8));
}

void check_filename(const std::string& filename) {
  if (filename.find('/') != std::string::npos)
    throw Failure("option 'filename': '" + filename + "' must not contain '/'");
}

}  // namespace kiln_common
