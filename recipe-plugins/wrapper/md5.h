// MD5 (RFC 1321), for the wrapper's hash-files: no library beyond the
// standard one is allowed in a plugin.
#pragma once

#include <string>

namespace kiln_wrapper {

// Lower-case hex MD5 of data.
std::string md5_hex(const std::string& data);

}  // namespace kiln_wrapper
