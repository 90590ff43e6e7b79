// The temporary directory an extraction unpacks into before renaming it into
// place. Its name is fixed per destination so that what a killed build left
// can be found again: by the next extraction into the same destination, and
// by the build engine's cleanup of a part's paths (builder.cc).
#pragma once

#include <string>

namespace kiln::archive {

// "<destination>.kiln-tmp" (trailing slashes of `destination` dropped).
inline std::string temporary_path(std::string destination) {
  while (destination.size() > 1 && destination.back() == '/') destination.pop_back();
  return destination + ".kiln-tmp";
}

}  // namespace kiln::archive
